/**
 * Issues closed by hand while the model still lists their threat as open work (issue 11 §1), for the app's
 * events, its syncs and `threatloop sync --propose` alike: the whole proposal is recomputed from every such
 * issue each time (so a flood of closures costs one commit and one PR update per run, not one per closure),
 * `decideManualClose` decides per issue, and the GitHub edge applies it:
 *
 * - propose: the threat joins the one proposal (branch `threatloop/status`, one commit on the default
 *   branch's head editing the model in place; the one PR from it);
 * - reopen: the issue reopens with a comment that says why (no contents permission, a declined proposal,
 *   a duplicate, `on_manual_close: reopen`; or the app closed it itself and the model says open again);
 * - keep: nothing.
 *
 * A model (or config) that does not load, or an edit that fails, gets no commit: the findings come back.
 */
import type { Config } from '../config/schema.ts';
import { decideManualClose, type ManualClose } from '../lifecycle/manual-close.ts';
import { closeFromTimeline, declinedMarker, wasDeclined, type ClosedIssue } from '../lifecycle/proposal-facts.ts';
import { editThreats } from '../model/edit.ts';
import type { Finding } from '../model/findings.ts';
import { loadModel } from '../model/load.ts';
import { MAX_PROPOSED_THREATS, type ProposalBasis, type ProposedChange } from '../model/proposal.ts';
import type { Threat, ThreatModel } from '../model/schema.ts';
import { renderProposalBody, renderProposalTitle } from '../render/proposal.ts';
import { NO_BLIND_RETRY, type GitHubClient } from '../github/client.ts';
import {
  closeProposalPullRequest,
  ProposalPaceExhausted,
  readIssueTimeline,
  readOpenProposal,
  upsertProposalPullRequest,
  writeProposalBranch,
  type OpenProposal,
  type Pace,
} from '../github/proposal-branch.ts';
import { readRepoFile } from '../github/repo-files.ts';
import { issuesByThreat } from './github/issue-identity.ts';
import type { ExistingIssue } from './github/state.ts';

export interface ProposalRequest {
  octokit: GitHubClient;
  /** The model's repository: where the branch and the PR go. */
  owner: string;
  repo: string;
  /** Web UI base, e.g. https://github.com. */
  webUrl: string;
  config: Config;
  /** The managed issues of this model in this repository (open and closed). */
  issues: readonly ExistingIssue[];
  /** `<slug>[bot]` (app) or the token's login (CLI): whose PR and comments are believed, whose closures are the app's own. */
  botLogin: string | undefined;
  /** The app (or token) may write contents: push the branch, open the PR. */
  canWriteContents: boolean;
  pace: Pace;
  /** Most writes for reopening issues (two each); the proposal itself is at most four. */
  budget: number;
  /** The open proposal when the caller has read it already (a sync reads it once). */
  open?: OpenProposal | null;
  /** The default branch and its head, when the caller has read them already. */
  base?: { defaultBranch: string; sha: string };
  /** Tickets closed by hand in another tracker (Jira done), proposed the same way; their ticket stays as it is otherwise. */
  elsewhere?: readonly ManualClose[];
  /** Who closed one of `elsewhere` marked `closerUnread`, read from its tracker (undefined: unknown, the stand-in stays). */
  readCloser?: (close: ManualClose) => Promise<string | undefined>;
  /** The proposal PR just closed without merging: its closures are declined (recorded on each issue, which reopens). */
  declined?: { number: number; basis: readonly ProposalBasis[] };
}

export interface ProposalOutcome {
  status: 'proposed' | 'withdrawn' | 'none' | 'invalid' | 'incomplete';
  pr?: { number: number; htmlUrl: string };
  /** The threats in the proposal now, and the status it proposes for each. */
  proposed: { threatId: string; to: string }[];
  /** Closed tickets beyond what one proposal holds. */
  waiting: string[];
  reopened: string[];
  findings: Finding[];
  writes: number;
  notes: string[];
  resumeAt?: Date;
}

interface Reopen {
  issue: ExistingIssue;
  why: string;
  /** The comment's hidden record of a declined proposal. */
  marker?: string;
}

/** Closed issues of threats whose model status does not close them: what a person closed by hand (or a sync left behind). */
export function handClosedIssues(model: ThreatModel, config: Config, issues: readonly ExistingIssue[]): { threat: Threat; issue: ExistingIssue }[] {
  const byThreat = issuesByThreat(issues);
  return model.threats.flatMap((threat) => {
    const issue = byThreat.get(threat.id)?.[0];
    if (!issue || issue.state !== 'closed' || config.issues.close_statuses.includes(threat.status)) return [];
    return [{ threat, issue }];
  });
}

export async function runProposals(request: ProposalRequest): Promise<ProposalOutcome> {
  const { octokit, owner, repo, config } = request;
  const where = { owner, repo };
  const outcome: ProposalOutcome = { status: 'none', proposed: [], waiting: [], reopened: [], findings: [], writes: 0, notes: [] };
  const { defaultBranch, sha: baseSha } = request.base ?? (await defaultBranchHead(octokit, where));
  const modelPath = config.model;
  const read = await readRepoFile(octokit, { ...where, path: modelPath, ref: baseSha }, 'model');
  if (read.status !== 'found') {
    outcome.status = 'invalid';
    outcome.findings = read.status === 'too-large' ? [read.finding] : [];
    outcome.notes.push(`${modelPath} is not on ${defaultBranch}: nothing proposed.`);
    return outcome;
  }
  const loaded = loadModel(read.text, modelPath);
  if (!loaded.ok) {
    outcome.status = 'invalid';
    outcome.findings = loaded.findings;
    outcome.notes.push(`${modelPath} on ${defaultBranch} does not load: nothing proposed until it does.`);
    return outcome;
  }
  const open = request.open === undefined ? await readOpenProposal(octokit, where, request.botLogin) : (request.open ?? undefined);
  const reused = new Map((open?.basis ?? []).map((b) => [b.threatId, b]));
  const declined = new Map((request.declined?.basis ?? []).map((b) => [b.threatId, b]));

  const changes: ProposedChange[] = [];
  const basis: ProposalBasis[] = [];
  const reopens: Reopen[] = [];
  for (const { threat, issue } of handClosedIssues(loaded.model, config, request.issues)) {
    const closedIssue: ClosedIssue = {
      threatId: threat.id,
      number: issue.number,
      htmlUrl: issue.htmlUrl ?? `${request.webUrl}/${owner}/${repo}/issues/${issue.number}`,
      stateReason: issue.stateReason,
      closedAt: issue.closedAt ?? '',
    };
    if (changes.length >= MAX_PROPOSED_THREATS) {
      outcome.waiting.push(threat.id);
      continue;
    }
    let close: ManualClose;
    let declinedBefore = false;
    const previous = reused.get(threat.id);
    const wasDeclinedNow = declined.get(threat.id);
    if (wasDeclinedNow && wasDeclinedNow.closedAt === closedIssue.closedAt) {
      close = closeFromBasis(wasDeclinedNow, closedIssue);
      declinedBefore = true;
    } else if (previous && previous.closedAt === closedIssue.closedAt && previous.to === 'mitigated') {
      // Proposed before from this very closure: its facts are in the basis (no history read).
      close = closeFromBasis(previous, closedIssue);
    } else {
      const timeline = await readIssueTimeline(octokit, where, issue.number);
      close = closeFromTimeline(closedIssue, timeline, {
        botLogin: request.botLogin,
        commitUrl: (sha) => `${request.webUrl}/${owner}/${repo}/commit/${sha}`,
      });
      declinedBefore = wasDeclined(timeline, closedIssue, request.botLogin);
    }
    const decision = decideManualClose(close, { config, threat, canWriteContents: request.canWriteContents, declinedBefore });
    if (decision.action === 'propose') {
      changes.push(decision.change);
      basis.push(basisOf(close, decision.change));
    } else if (decision.action === 'reopen') {
      reopens.push({
        issue,
        why: decision.why,
        ...(declinedBefore && wasDeclinedNow ? { marker: declinedMarker(threat.id, closedIssue.closedAt, request.declined!.number) } : {}),
      });
    } else if (decision.action === 'ignore' && close.closedByApp) {
      // The app closed it while the model said so; the model says open work again: reopen as the sync does.
      reopens.push({ issue, why: `The threat model lists ${threat.id} with status **${threat.status}** again: reopened.` });
    }
  }

  // Other trackers' closures (Jira done) and merged `Fixes <id>` PRs, for threats whose GitHub issue is not
  // closed by hand too. A merged PR is seen once (its event): the proposal's basis keeps it from then on.
  // Ids as a PR wrote them are compared case-insensitively, as PR references are (src/pull-request/references.ts).
  const threats = new Map(loaded.model.threats.map((t) => [t.id.toLowerCase(), t]));
  const given = request.elsewhere ?? [];
  const carried = (open?.basis ?? [])
    .filter((b) => b.tracker === 'github' && /^PR #\d+$/.test(b.ticket) && !given.some((c) => c.threatId === b.threatId))
    .map((b): ManualClose => ({ ...closeFromBasis(b, { threatId: b.threatId, number: 0, htmlUrl: b.ticketUrl, stateReason: null, closedAt: b.closedAt }), viaPullRequest: true }));
  for (const written of [...given, ...carried]) {
    const threat = threats.get(written.threatId.toLowerCase());
    let close = threat ? { ...written, threatId: threat.id } : written;
    if (!threat || changes.some((c) => c.threatId === close.threatId) || reopens.some((r) => r.issue.marker.threatId === close.threatId)) continue;
    if (changes.length >= MAX_PROPOSED_THREATS) {
      outcome.waiting.push(close.threatId);
      continue;
    }
    const declinedNow = declined.get(close.threatId);
    const declinedBefore = declinedNow !== undefined && declinedNow.closedAt === close.closedAt;
    const context = { config, threat, canWriteContents: request.canWriteContents, declinedBefore };
    let decision = decideManualClose(close, context);
    if (decision.action === 'propose' && close.closerUnread) {
      close = await namedCloser(close, reused.get(close.threatId), request.readCloser);
      decision = decideManualClose(close, context);
    }
    if (decision.action === 'propose') {
      changes.push(decision.change);
      basis.push(basisOf(close, decision.change));
    } else if (decision.action === 'reopen') {
      const origin = close.viaPullRequest ? 'merged with `Fixes`' : `done in ${close.tracker === 'jira' ? 'Jira' : 'GitHub'}`;
      outcome.notes.push(`${close.ticket} (${close.threatId}) is ${origin} but not proposed: ${decision.why}`);
    }
  }

  try {
    if (changes.length > 0) {
      const edited = editThreats(read.text, modelPath, changes.map((c) => c.edit));
      if (!edited.ok) {
        outcome.status = 'invalid';
        outcome.findings = edited.findings;
        outcome.notes.push(`The proposal could not be written into ${modelPath}: ${edited.findings[0]?.message ?? 'the edit failed'}. Nothing was committed.`);
      } else {
        const branch = await writeProposalBranch(octokit, where, {
          defaultBranch,
          baseSha,
          modelPath,
          text: edited.text,
          message: commitMessage(changes),
          pace: request.pace,
        });
        outcome.writes += branch.writes;
        const pr = await upsertProposalPullRequest(octokit, where, {
          defaultBranch,
          title: renderProposalTitle(changes),
          body: renderProposalBody(changes, { modelPath, basis, ...(outcome.waiting.length > 0 ? { waiting: outcome.waiting.length } : {}) }),
          ...(open ? { open } : {}),
          pace: request.pace,
        });
        outcome.writes += pr.writes;
        outcome.status = 'proposed';
        outcome.pr = { number: pr.number, htmlUrl: pr.htmlUrl };
        outcome.proposed = changes.map((c) => ({ threatId: c.threatId, to: c.to }));
      }
    } else if (open) {
      // Every ticket of the proposal was reopened (or its threat changed in the model): nothing is left to propose.
      await closeProposalPullRequest(octokit, where, open.number, request.pace);
      outcome.writes += 1;
      outcome.status = 'withdrawn';
      outcome.pr = { number: open.number, htmlUrl: open.htmlUrl };
    }
    let budget = request.budget;
    for (const reopen of reopens) {
      if (budget < 2) {
        outcome.status = 'incomplete';
        outcome.notes.push(`${reopens.length - outcome.reopened.length} issues wait to be reopened (write budget of ${request.budget}).`);
        break;
      }
      // The comment first: an issue reopened without its reason would be an unexplained change.
      const body = `**Threat reopened**\n\n${reopen.why}${reopen.marker ? `\n\n${reopen.marker}` : ''}`;
      await pacedWrite(request.pace, () =>
        octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...where, issue_number: reopen.issue.number, body, ...NO_BLIND_RETRY }),
      );
      await pacedWrite(request.pace, () =>
        octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { ...where, issue_number: reopen.issue.number, state: 'open', state_reason: 'reopened' }),
      );
      budget -= 2;
      outcome.writes += 2;
      outcome.reopened.push(reopen.issue.marker.threatId ?? `#${reopen.issue.number}`);
    }
    if (outcome.status === 'proposed') {
      outcome.notes.push(`Proposed in pull request #${outcome.pr!.number}: ${outcome.proposed.map((p) => `${p.threatId} → ${p.to}`).join(', ')} (tickets closed by hand; the issues stay closed while it is open).`);
    } else if (outcome.status === 'withdrawn') {
      outcome.notes.push(`Pull request #${outcome.pr!.number} closed: every ticket it proposed a change for was reopened.`);
    }
    if (outcome.waiting.length > 0) outcome.notes.push(`${outcome.waiting.length} more closed tickets wait for the next proposal (one holds at most ${MAX_PROPOSED_THREATS}).`);
    if (outcome.reopened.length > 0) outcome.notes.push(`Reopened, with a comment saying why: ${outcome.reopened.join(', ')}.`);
  } catch (error) {
    if (!(error instanceof ProposalPaceExhausted)) throw error;
    outcome.status = 'incomplete';
    outcome.resumeAt = error.resumeAt;
    outcome.notes.push(`The proposal stopped: ${error.message}.`);
  }
  return outcome;
}

/** The default branch and the commit it points at now. */
export async function defaultBranchHead(
  octokit: GitHubClient,
  where: { owner: string; repo: string },
): Promise<{ defaultBranch: string; sha: string; htmlUrl: string }> {
  const { data: repository } = await octokit.request('GET /repos/{owner}/{repo}', where);
  const { data: head } = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { ...where, ref: `heads/${repository.default_branch}` });
  return { defaultBranch: repository.default_branch, sha: head.object.sha, htmlUrl: repository.html_url };
}

function basisOf(close: ManualClose, change: ProposedChange): ProposalBasis {
  return {
    threatId: change.threatId,
    to: change.to === 'not-applicable' ? 'not-applicable' : 'mitigated',
    tracker: close.tracker,
    ticket: close.ticket,
    ticketUrl: close.ticketUrl,
    closedAt: close.closedAt,
    closedBy: close.closedBy,
    ...(close.evidenceUrl ? { evidenceUrl: close.evidenceUrl } : {}),
  };
}

/**
 * A closure whose closer its tracker tells only at the cost of a read (Jira's changelog), with the name: the
 * one the open proposal recorded for this very closure (no read), else read now. A stand-in recorded because
 * the read failed is read again, so one failure does not leave it unnamed while the proposal is open.
 */
async function namedCloser(close: ManualClose, recorded: ProposalBasis | undefined, readCloser: ProposalRequest['readCloser']): Promise<ManualClose> {
  const sameClosure = recorded !== undefined && recorded.tracker === close.tracker && recorded.ticket === close.ticket && recorded.closedAt === close.closedAt;
  const closedBy = sameClosure && recorded.closedBy !== close.closedBy ? recorded.closedBy : await readCloser?.(close);
  return closedBy ? { ...close, closedBy, closerUnread: false } : close;
}

/** The closure again from what the proposal recorded about it. */
function closeFromBasis(basis: ProposalBasis, issue: ClosedIssue): ManualClose {
  return {
    threatId: basis.threatId,
    tracker: basis.tracker,
    ticket: basis.ticket,
    ticketUrl: basis.ticketUrl || issue.htmlUrl,
    closedAs: basis.to === 'not-applicable' ? 'not_planned' : 'completed',
    closedBy: basis.closedBy,
    closedByApp: false,
    closedAt: basis.closedAt,
    ...(basis.evidenceUrl ? { evidenceUrl: basis.evidenceUrl } : {}),
  };
}

async function pacedWrite(pace: Pace, write: () => Promise<unknown>): Promise<void> {
  const exhausted = await pace();
  if (exhausted) throw new ProposalPaceExhausted(exhausted);
  await write();
}

function commitMessage(changes: readonly ProposedChange[]): string {
  const lines = changes.map((c) => `- ${c.threatId}: ${c.from} -> ${c.to} (${c.ticket} closed by ${c.closedBy} on ${c.closedOn})`);
  return `Threat model: status of ${changes.length === 1 ? changes[0]!.threatId : `${changes.length} threats`} from closed tickets\n\n${lines.join('\n')}\n`;
}
