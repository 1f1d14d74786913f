/**
 * Closing the loop from the ticket to the model (issue 11 §1), the app's events:
 *
 * - `issues.closed` / `issues.reopened` by a person, on an issue carrying this repository's threat marker
 *   → a `proposal` job that recomputes the repository's one proposal from every issue closed by hand
 *   (a reopened issue's threat drops out: withdrawn);
 * - `pull_request.closed` of the app's own proposal PR without merging → the same job, with the closures
 *   it proposed declined: each issue gets a comment recording it and reopens, and the same closure is not
 *   proposed again. Merged: nothing to do here (the push syncs; the issues stay closed).
 *
 * Events the app caused itself never get here (the route wrapper drops them); a fork's PR is never the
 * proposal (the bot opened it from this repository's own branch, or it is not one).
 */
import type { Context } from 'probot';
import { type ConfigRead } from '../config/load.ts';
import { readRepoConfig } from '../github/contents.ts';
import { listManagedIssues } from '../github/issues.ts';
import { installationMayWriteContents, isProposalPullRequest, PROPOSAL_BRANCH, ProposalPaceExhausted } from '../github/proposal-branch.ts';
import type { GitHubClient } from '../github/client.ts';
import { parseProposalBasis } from '../model/proposal.ts';
import type { ManualClose } from '../lifecycle/manual-close.ts';
import { parseThreatReferences } from '../pull-request/references.ts';
import { isOwnedBy, sameRepo } from '../sync/github/issue-identity.ts';
import { threatLabel } from '../sync/github/labels.ts';
import { parseMarker } from '../sync/github/marker.ts';
import { defaultBranchHead, runProposals } from '../sync/proposals.ts';
import type { HandlerResult } from './handler.ts';
import type { ProposalJobData } from './jobs.ts';
import { installationPaceKey, type AppRuntime } from './runtime.ts';

type IssueEvent = Context<'issues.closed' | 'issues.reopened'>;

export async function onIssueClosedOrReopened(context: IssueEvent, runtime: AppRuntime): Promise<HandlerResult> {
  const { payload } = context;
  const installationId = payload.installation?.id;
  if (installationId === undefined) return { outcome: 'skipped', reason: 'no installation in the payload' };
  if (payload.issue.pull_request) return { outcome: 'skipped', reason: 'a pull request' };
  // The sender is a person here (the wrapper dropped the app's own events); another app or bot is not one.
  if (payload.sender.type !== 'User') return { outcome: 'skipped', reason: `closed by a ${payload.sender.type}, not a person` };
  const marker = parseMarker(payload.issue.body);
  const here = payload.repository.full_name;
  if (marker?.kind !== 'threat' || !isOwnedBy({ marker }, { modelRepo: here, issuesRepo: here })) {
    return { outcome: 'skipped', reason: 'not a threat issue of this repository’s model' };
  }
  const [owner, repo] = here.split('/') as [string, string];
  return enqueueProposal(runtime, { installationId, owner, repo, reason: payload.action === 'closed' ? 'issue-closed' : 'issue-reopened' });
}

export async function onProposalClosed(context: Context<'pull_request.closed'>, runtime: AppRuntime): Promise<HandlerResult> {
  const { payload } = context;
  const pr = payload.pull_request;
  const installationId = payload.installation?.id;
  if (installationId === undefined) return { outcome: 'skipped', reason: 'no installation in the payload' };
  if (pr.head.ref !== PROPOSAL_BRANCH) return onFixesMerged(context, runtime, installationId);
  if (!isProposalPullRequest(pr, payload.repository, await runtime.botLogin())) return { outcome: 'skipped', reason: 'not the proposal pull request' };
  if (pr.merged) return { outcome: 'skipped', reason: 'proposal merged: the push syncs the new statuses' };
  const [owner, repo] = payload.repository.full_name.split('/') as [string, string];
  const basis = parseProposalBasis(pr.body);
  return enqueueProposal(runtime, { installationId, owner, repo, reason: 'proposal-declined', declined: { number: pr.number, basis } });
}

/**
 * `pull_requests.propose_on_fixes`: a merged pull request (not from a fork) that says `Fixes <threat id>`
 * proposes those threats' change. `Fixes #12` is GitHub's own issue closing, which the issue's closure
 * covers already; only bare threat ids count here. The config is read (at the PR's base) only for such a PR.
 */
async function onFixesMerged(context: Context<'pull_request.closed'>, runtime: AppRuntime, installationId: number): Promise<HandlerResult> {
  const { payload } = context;
  const pr = payload.pull_request;
  if (!pr.merged) return { outcome: 'skipped', reason: 'not the proposal pull request' };
  if (pr.head.repo?.full_name.toLowerCase() !== payload.repository.full_name.toLowerCase()) return { outcome: 'skipped', reason: 'a pull request from a fork proposes nothing' };
  const threatIds = [
    ...new Set(parseThreatReferences(`${pr.title}\n${pr.body ?? ''}`).flatMap((ref) => (ref.verb === 'fixes' && !ref.id.startsWith('#') ? [ref.id.replace(/`/g, '')] : []))),
  ].slice(0, 50);
  if (threatIds.length === 0) return { outcome: 'skipped', reason: 'no Fixes <threat id>' };
  const [owner, repo] = payload.repository.full_name.split('/') as [string, string];
  const config = await readRepoConfig(context.octokit as GitHubClient, owner, repo, pr.base.sha, runtime.extendsPolicy);
  if (!config.ok || !config.config.pull_requests.propose_on_fixes) return { outcome: 'skipped', reason: 'pull_requests.propose_on_fixes is off' };
  return enqueueProposal(runtime, {
    installationId,
    owner,
    repo,
    reason: 'fixes-merged',
    fixes: {
      number: pr.number,
      url: pr.html_url,
      mergedBy: (pr.merged_by?.login ?? pr.user?.login ?? 'someone').slice(0, 100),
      mergedAt: pr.merged_at ?? runtime.now().toISOString(),
      threatIds,
    },
  });
}

/**
 * A recompute job. While one waits for its repository's turn, later closures need no job of their own (it
 * reads them all when it runs): both queues coalesce them (`coalesceKey` in src/app/jobs.ts); a job that
 * carries data (a declined proposal, a merged `Fixes` PR) always runs.
 */
function enqueueProposal(runtime: AppRuntime, data: ProposalJobData): Promise<HandlerResult> {
  return runtime.jobs.enqueue({ name: 'proposal', data });
}

/** A `proposal` job: the config and the issues at the default branch head, then the recompute. */
export async function runProposalJob(runtime: AppRuntime, data: ProposalJobData): Promise<HandlerResult> {
  const { owner, repo } = data;
  const octokit = await runtime.installationClient(data.installationId);
  const base = await defaultBranchHead(octokit, { owner, repo });
  const read: ConfigRead = await readRepoConfig(octokit, owner, repo, base.sha, runtime.extendsPolicy);
  if (!read.ok) return { outcome: 'invalid-config', findings: read.findings.length };
  const config = read.config;
  if (!config.issues.enabled) return { outcome: 'skipped', reason: 'issues are switched off' };
  if (config.issues.repo && !sameRepo(config.issues.repo, `${owner}/${repo}`)) return { outcome: 'skipped', reason: 'issues are filed in another repository' };
  if (config.issues.on_manual_close === 'keep') return { outcome: 'skipped', reason: 'on_manual_close: keep' };
  const here = `${owner}/${repo}`;
  const issues = (await listManagedIssues(octokit, { owner, repo, label: threatLabel(config.issues.labels.prefix).name })).filter((issue) =>
    isOwnedBy(issue, { modelRepo: here, issuesRepo: here }),
  );
  const paceKey = installationPaceKey(data.installationId);
  try {
    const outcome = await runProposals({
      octokit,
      owner,
      repo,
      webUrl: new URL(base.htmlUrl).origin,
      config,
      issues,
      botLogin: await runtime.botLogin(),
      canWriteContents: await canWriteContents(runtime, { owner, repo }),
      pace: () => runtime.pacer.beforeWrite(paceKey),
      budget: config.issues.max_writes_per_sync,
      base: { defaultBranch: base.defaultBranch, sha: base.sha },
      ...(data.declined ? { declined: data.declined } : {}),
      ...(data.fixes ? { elsewhere: fixesCloses(data.fixes) } : {}),
    });
    // Counts and ids only: no finding text, comment or payload reaches the log.
    return {
      outcome: outcome.status,
      proposed: outcome.proposed.length,
      waiting: outcome.waiting.length,
      reopened: outcome.reopened.length,
      writes: outcome.writes,
      findings: outcome.findings.map((f) => `${f.rule} at line ${f.start.line}`),
      ...(outcome.pr ? { pr: outcome.pr.number } : {}),
    };
  } catch (error) {
    if (error instanceof ProposalPaceExhausted) return { outcome: 'incomplete', resumeAt: error.resumeAt.toISOString() };
    throw error;
  }
}

/** A merged `Fixes <id>` pull request as closures of those threats (the PR is the evidence). */
function fixesCloses(fixes: NonNullable<ProposalJobData['fixes']>): ManualClose[] {
  return fixes.threatIds.map((threatId) => ({
    threatId,
    tracker: 'github' as const,
    ticket: `PR #${fixes.number}`,
    ticketUrl: fixes.url,
    closedAs: 'completed' as const,
    closedBy: fixes.mergedBy,
    closedByApp: false,
    closedAt: fixes.mergedAt,
    evidenceUrl: fixes.url,
    viaPullRequest: true,
  }));
}

/** The installation's `contents` permission, asked with the app's JWT. */
export async function canWriteContents(runtime: AppRuntime, where: { owner: string; repo: string }): Promise<boolean> {
  const app = runtime.client((await runtime.probot.auth()) as GitHubClient);
  return installationMayWriteContents(app, where);
}
