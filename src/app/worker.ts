/**
 * What a worker does with each job: authenticate as the job's installation,
 * then run today's sync, PR refresh or resume. The `daily` job re-evaluates
 * every repository of every installation: one `sync` job each, so they keep
 * to the same per-repository turns, write budget and installation pace as a
 * push. Date-driven work (acceptance expiry, reminders) adds a step to
 * `DAILY_STEPS`.
 */
import type { GitHubClient } from '../github/client.ts';
import { describeError, type HandlerResult } from './handler.ts';
import type { JobRequest } from './jobs.ts';
import { runPullRequestJob } from './pull-request.ts';
import { runProposalJob } from './proposals.ts';
import type { AppRuntime } from './runtime.ts';
import { runSyncJob } from './sync-handlers.ts';

export async function processJob(runtime: AppRuntime, job: JobRequest): Promise<HandlerResult> {
  switch (job.name) {
    case 'sync':
      return runSyncJob(runtime, job.data, job.config);
    case 'resume':
      return runSyncJob(runtime, job.data);
    case 'pull-request-refresh':
      return runPullRequestJob(runtime, job.data);
    case 'proposal':
      return runProposalJob(runtime, job.data);
    case 'daily':
      return dailyReevaluation(runtime);
  }
}

/** One installed repository, as the daily sweep hands it to each step. */
export interface InstalledRepository {
  installationId: number;
  owner: string;
  repo: string;
}

/** A step of the daily re-evaluation, run for every installed repository (errors are logged, never stop the sweep). */
export type DailyStep = (runtime: AppRuntime, repository: InstalledRepository) => Promise<void>;

/** Today's sync of the default branch head, as a job in the repository's turn. */
export const syncAgain: DailyStep = async (runtime, { installationId, owner, repo }) => {
  await runtime.jobs.enqueue({ name: 'sync', data: { installationId, owner, repo, reason: 'daily' } });
};

export const DAILY_STEPS: DailyStep[] = [syncAgain];

export async function dailyReevaluation(runtime: AppRuntime, steps: readonly DailyStep[] = DAILY_STEPS): Promise<HandlerResult> {
  const app = (await runtime.probot.auth()) as GitHubClient;
  const installations = await app.paginate('GET /app/installations', { per_page: 100 });
  let repositories = 0;
  let failures = 0;
  for (const installation of installations) {
    if (installation.suspended_at) continue;
    const octokit = await runtime.installationClient(installation.id);
    const listed = await octokit.paginate('GET /installation/repositories', { per_page: 100 });
    for (const repository of listed) {
      if (repository.archived) continue;
      repositories++;
      for (const step of steps) {
        try {
          await step(runtime, { installationId: installation.id, owner: repository.owner.login, repo: repository.name });
        } catch (error) {
          failures++;
          runtime.probot.log.error({ repo: repository.full_name, error: describeError(error) }, 'daily re-evaluation: a step failed');
        }
      }
    }
  }
  return { outcome: 'daily', installations: installations.length, repositories, failures };
}
