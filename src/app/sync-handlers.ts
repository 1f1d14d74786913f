/**
 * Pushes and installations -> a sync of the repository's threat issues.
 *
 * Only a push to the default branch that touches the model or the config
 * syncs (any push while the config is broken, so its errors are reported); installing the app (or adding repositories to it) syncs each
 * repository from its default branch head. The webhook only decides and
 * enqueues a `sync` job; the job runs in the repository's turn (one at a
 * time per repository, across replicas with Redis), publishes the `Threat
 * model` check run (unless there is no model), and schedules its own resume
 * when it stops early.
 */
import type { Context } from 'probot';
import { CONFIG_PATH } from '../config/schema.ts';
import { RateLimitedError, type GitHubClient } from '../github/client.ts';
import type { ConfigRead } from '../config/load.ts';
import { branchHead, readRepoConfig } from '../github/contents.ts';
import { BUDGET_RESUME_MS, runSync, type SyncOutcome, type SyncRequest } from '../sync/run.ts';
import { describeSync } from '../sync/summary.ts';
import { findCheckRun, publishCheckRun, updateCheckRun } from '../github/check-run.ts';
import { describeError, type HandlerResult } from './handler.ts';
import type { SyncJobData } from './jobs.ts';
import { installationPaceKey, type AppRuntime } from './runtime.ts';
import { canWriteContents } from './proposals.ts';

const ZERO_SHA = /^0+$/;

export async function onPush(context: Context<'push'>, runtime: AppRuntime): Promise<HandlerResult> {
  const { payload } = context;
  const repository = payload.repository;
  const [owner, repo] = repository.full_name.split('/') as [string, string];
  const defaultBranch = repository.default_branch;
  const installationId = payload.installation?.id;
  if (payload.deleted || ZERO_SHA.test(payload.after)) return { outcome: 'skipped', reason: 'branch deleted' };
  if (payload.ref !== `refs/heads/${defaultBranch}`) return { outcome: 'skipped', reason: 'not the default branch' };
  if (installationId === undefined) return { outcome: 'skipped', reason: 'no installation in the payload' };

  // The filter stays in the webhook (a read or two): only pushes that need a sync become jobs, so a job
  // that waits may stand for every push after it (it syncs the branch head).
  const octokit = context.octokit as GitHubClient;
  const touched = await changedPaths(octokit, owner, repo, payload);
  // The model path lives in the config (default threat-model.yml): read it at the commit. A broken config
  // (perhaps an org default this push did not touch) hides the model path: sync, so the check run reports
  // the config errors rather than the push passing in silence.
  const config = await readRepoConfig(octokit, owner, repo, payload.after, runtime.extendsPolicy);
  if (config.ok && touched !== 'unknown' && !touched.has(CONFIG_PATH) && !touched.has(config.config.model)) {
    return { outcome: 'skipped', reason: 'model and config unchanged' };
  }
  return runtime.jobs.enqueue({
    name: 'sync',
    data: {
      installationId,
      owner,
      repo,
      sha: payload.after,
      branch: defaultBranch,
      actor: (payload.sender?.login ?? payload.pusher.name).slice(0, 200),
      webUrl: new URL(repository.html_url).origin,
      reason: 'push',
    },
    config,
  });
}

export async function onInstallation(
  context: Context<'installation.created' | 'installation_repositories.added'>,
  runtime: AppRuntime,
): Promise<HandlerResult> {
  const payload = context.payload;
  const repositories = 'repositories_added' in payload ? payload.repositories_added : (payload.repositories ?? []);
  const statuses: Record<string, string> = {};
  // One job per repository; the installation's pacer keeps them together within GitHub's write pace.
  for (const { full_name } of repositories) {
    const [owner, repo] = full_name.split('/') as [string, string];
    try {
      const result = await runtime.jobs.enqueue({
        name: 'sync',
        data: { installationId: payload.installation.id, owner, repo, reason: 'installation', ...(payload.sender?.login ? { actor: payload.sender.login } : {}) },
      });
      statuses[full_name] = result?.outcome ?? 'empty';
    } catch (error) {
      statuses[full_name] = 'error';
      context.log.error({ repo: full_name, error: describeError(error) }, 'installation sync failed');
    }
  }
  return { outcome: runtime.jobs.kind === 'redis' ? 'queued' : 'synced', repositories: statuses };
}

/**
 * A `sync` or `resume` job: the installation's client, then the commit (a push) or the default branch
 * head (installation, resume, daily). A rate limit schedules the resume and ends the job (no retry: the
 * resume is the retry); any other error is thrown for the queue's retries.
 */
export async function runSyncJob(runtime: AppRuntime, data: SyncJobData, config?: ConfigRead): Promise<HandlerResult> {
  const octokit = await runtime.installationClient(data.installationId);
  try {
    const outcome =
      data.sha && data.branch && data.webUrl
        ? await syncAndReport(runtime, octokit, { ...target(data), sha: data.sha, branch: data.branch, webUrl: data.webUrl, newCommit: true, ...(config ? { config } : {}) })
        : await syncDefaultBranch(runtime, octokit, data.installationId, data.owner, data.repo, data.actor ?? actorFor(data.reason));
    if (!outcome) return { outcome: 'empty', reason: 'the repository has no commits' };
    return { outcome: outcome.status, writes: outcome.requests.writes, reads: outcome.requests.reads };
  } catch (error) {
    if (error instanceof RateLimitedError) return { outcome: 'rate-limited', resumeAt: error.resumeAt.toISOString() };
    throw error;
  }
}

function target({ installationId, owner, repo, actor }: SyncJobData) {
  return { installationId, owner, repo, ...(actor ? { actor } : {}) };
}

function actorFor(reason: SyncJobData['reason']): string | undefined {
  return reason === 'resume' ? 'threatloop (resumed sync)' : reason === 'daily' ? 'threatloop (daily re-evaluation)' : undefined;
}

/** Sync a repository from its default branch head (installation, scheduled resume, daily re-evaluation). */
export async function syncDefaultBranch(
  runtime: AppRuntime,
  octokit: GitHubClient,
  installationId: number,
  owner: string,
  repo: string,
  actor?: string,
): Promise<SyncOutcome | undefined> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner, repo });
  const sha = await branchHead(octokit, owner, repo, data.default_branch);
  if (!sha) return undefined; // An empty repository: nothing to read yet.
  return syncAndReport(runtime, octokit, {
    installationId,
    owner,
    repo,
    sha,
    branch: data.default_branch,
    ...(actor ? { actor } : {}),
    webUrl: new URL(data.html_url).origin,
  });
}

/** Where and what to sync; `installationId` lets a resume authenticate again later. */
type SyncTarget = Pick<SyncRequest, 'owner' | 'repo' | 'sha' | 'branch' | 'actor' | 'webUrl' | 'config'> & {
  installationId: number;
  /** The pushed commit: no check run of ours can be on it yet (no read to look for one). */
  newCommit?: boolean;
};

/** Hand-overs from a stale commit to the branch head within one sync job (the head may keep moving). */
const MAX_HEAD_HANDOVERS = 3;

/**
 * Runs the sync (the caller holds the repository's turn), publishes the check run, schedules a resume
 * if needed. A commit that is no longer the head hands over to the head: the push of the head may have
 * been filtered out (it touched neither model nor config), or collapsed into this job, and the model
 * change must not be lost.
 */
export async function syncAndReport(runtime: AppRuntime, octokit: GitHubClient, target: SyncTarget): Promise<SyncOutcome> {
  const key = `${target.owner}/${target.repo}`.toLowerCase();
  await runtime.jobs.cancelResume(target.owner, target.repo);
  let outcome = await syncCommit(runtime, octokit, key, target);
  for (let handovers = 0; outcome.status === 'stale' && outcome.headSha && handovers < MAX_HEAD_HANDOVERS; handovers++) {
    const { config: _staleConfig, newCommit: _pushed, ...rest } = target;
    outcome = await syncCommit(runtime, octokit, key, { ...rest, sha: outcome.headSha });
  }
  return outcome;
}

async function syncCommit(runtime: AppRuntime, octokit: GitHubClient, key: string, target: SyncTarget): Promise<SyncOutcome> {
  let outcome: SyncOutcome;
  try {
    const { installationId, newCommit: _newCommit, ...request } = target;
    outcome = await runSync({
      ...request,
      octokit,
      now: runtime.now(),
      requireHead: true,
      pacer: runtime.pacer,
      paceKey: installationPaceKey(installationId),
      extensions: await runtime.extensions(),
      issueCreator: runtime.botLogin,
      extendsPolicy: runtime.extendsPolicy,
      proposals: { canWriteContents: () => canWriteContents(runtime, { owner: target.owner, repo: target.repo }), botLogin: runtime.botLogin },
    });
  } catch (error) {
    if (error instanceof RateLimitedError) {
      await scheduleResume(runtime, key, target, error.resumeAt);
      throw error;
    }
    // Tell the people looking at the commit; the wrapper logs the details.
    await publishCheckRun(octokit, {
      owner: target.owner,
      repo: target.repo,
      headSha: target.sha,
      findings: [],
      conclusion: 'failure',
      title: 'Threat model sync failed',
      summary: `The sync stopped on an unexpected error: ${describeError(error).message}\n\nNo issue was closed because of it; the next push retries.`,
    }).catch(() => undefined);
    throw error;
  }
  if (outcome.status !== 'no-model') await reportOnCommit(runtime, octokit, target, outcome);
  if (outcome.status === 'incomplete') {
    await scheduleResume(runtime, key, target, outcome.resumeAt ?? new Date(runtime.now().getTime() + BUDGET_RESUME_MS));
  }
  return outcome;
}

/**
 * The check run, once per commit: a push's commit is new, so it is published; a sync that comes back to
 * a commit (resume, daily, installation, hand-over) updates the check run already there.
 */
async function reportOnCommit(runtime: AppRuntime, octokit: GitHubClient, target: SyncTarget, outcome: SyncOutcome): Promise<void> {
  const summary = describeSync(outcome);
  if (!target.newCommit) {
    const slug = (await runtime.botLogin())?.replace(/\[bot\]$/, '');
    const id = await findCheckRun(octokit, { owner: target.owner, repo: target.repo, headSha: target.sha, appSlug: slug }).catch(() => undefined);
    if (id !== undefined) return updateCheckRun(octokit, { owner: target.owner, repo: target.repo, id, ...summary });
  }
  await publishCheckRun(octokit, {
    owner: target.owner,
    repo: target.repo,
    headSha: target.sha,
    findings: outcome.findings,
    ...summary,
    // Spaced with the sync's own writes: the installation has one allowance.
    pace: () => runtime.pacer.beforeWrite(installationPaceKey(target.installationId)),
  });
}

/** Resume = sync the branch head again: the plan is recomputed from GitHub's state, so nothing is lost or doubled. */
async function scheduleResume(runtime: AppRuntime, key: string, target: SyncTarget, at: Date): Promise<void> {
  try {
    await runtime.jobs.scheduleResume(
      { installationId: target.installationId, owner: target.owner, repo: target.repo, reason: 'resume' },
      at,
    );
  } catch (error) {
    runtime.probot.log.error({ repo: key, error: describeError(error) }, 'the resume could not be scheduled; the next push or the daily sweep resumes');
  }
}

type PushPayload = Context<'push'>['payload'];

/** Paths the push added, modified or removed; `unknown` when the payload cannot say (new branch, truncated, huge). */
async function changedPaths(octokit: GitHubClient, owner: string, repo: string, payload: PushPayload): Promise<Set<string> | 'unknown'> {
  // A force push can drop commits that changed the model: the new commits' file lists cannot show a
  // revert to an older model (and a compare from `before` goes through the merge base), so sync.
  if (payload.forced) return 'unknown';
  const commits = payload.commits ?? [];
  // A push webhook lists at most 2048 commits (and none for a push that only moves the branch back).
  const listed = commits.length > 0 && commits.length < 2048;
  if (listed) return new Set(commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]));
  if (ZERO_SHA.test(payload.before)) return 'unknown';
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
      owner,
      repo,
      basehead: `${payload.before}...${payload.after}`,
      per_page: 100,
    });
    const files = data.files ?? [];
    // The compare API stops at 300 files: beyond that we cannot tell, so sync.
    if (files.length >= 300) return 'unknown';
    return new Set(files.flatMap((f) => [f.filename, ...(f.previous_filename ? [f.previous_filename] : [])]));
  } catch {
    return 'unknown';
  }
}
