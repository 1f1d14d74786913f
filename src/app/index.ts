/**
 * The Probot app: it only routes events to handlers. Each route goes through
 * one wrapper (structured log line, errors caught, the app's own events
 * ignored). To handle another event, add a route here: a name, the events,
 * and a handler `(context, runtime) => Promise<HandlerResult>`.
 */
import type { EmitterWebhookEventName } from '@octokit/webhooks';
import type { ApplicationFunction, Context } from 'probot';
import type { GitHubClient } from '../github/client.ts';
import { describeError, wrapHandler, type HandlerResult } from './handler.ts';
import { createRuntime, type AppOptions, type AppRuntime } from './runtime.ts';
import { onPullRequest, onPullRequestClosed, onPullRequestReview, PULL_REQUEST_CONTEXT_EVENTS, PULL_REQUEST_REVIEW_EVENTS } from './pull-request.ts';
import { onInstallation, onPush } from './sync-handlers.ts';
import { onIssueClosedOrReopened, onProposalClosed } from './proposals.ts';
import { processJob } from './worker.ts';

type EventName = EmitterWebhookEventName;

export interface Route {
  name: string;
  events: readonly EventName[];
  handle: (context: Context, runtime: AppRuntime) => Promise<HandlerResult>;
}

/** Typed for its events, stored untyped in the table. */
export function route<E extends EventName>(
  name: string,
  events: readonly E[],
  handle: (context: Context<E>, runtime: AppRuntime) => Promise<HandlerResult>,
): Route {
  return { name, events, handle: handle as unknown as Route['handle'] };
}

export const ROUTES: Route[] = [
  route('sync-on-push', ['push'], onPush),
  route<'installation.created' | 'installation_repositories.added'>(
    'sync-on-install',
    ['installation.created', 'installation_repositories.added'],
    onInstallation,
  ),
  route('pull-request-context', PULL_REQUEST_CONTEXT_EVENTS, onPullRequest),
  // One route for `pull_request.closed`: the merged comments, and the proposal PR closed (or a merged `Fixes` PR).
  route('pull-request-merged', ['pull_request.closed'], async (context, runtime) => {
    const proposal = await onProposalClosed(context, runtime);
    const merged = await onPullRequestClosed(context, runtime);
    return proposal?.outcome === 'skipped' ? merged : { ...(merged ?? { outcome: 'done' }), proposal };
  }),
  route('pull-request-review', PULL_REQUEST_REVIEW_EVENTS, onPullRequestReview),
  route<'issues.closed' | 'issues.reopened'>('manual-close', ['issues.closed', 'issues.reopened'], onIssueClosedOrReopened),
];

export interface ThreatloopApp {
  app: ApplicationFunction;
  /** The runtime once Probot has loaded the app (tests use it to await queued work). */
  runtime(): AppRuntime | undefined;
  /** Stops taking jobs and clears scheduled in-process resumes (server shutdown). */
  stop(): Promise<void>;
  /** Resolves when every job this process runs or holds in memory, and every resume that has started, has settled. */
  idle(): Promise<void>;
  /** Resolves once the job queue is connected and, unless the role is `web`, its worker runs (readiness); rejects if it cannot start. */
  ready(): Promise<void>;
}

export function createThreatloopApp(options: AppOptions = {}, routes: readonly Route[] = ROUTES): ThreatloopApp {
  let runtime: AppRuntime | undefined;
  let started: Promise<void> | undefined;
  return {
    app: async (probot) => {
      const shared = await createRuntime(probot, options);
      runtime = shared;
      for (const r of routes) {
        probot.on(
          [...r.events],
          wrapHandler(
            r.name,
            async (context) => {
              const installationId = (context.payload as { installation?: { id?: number } }).installation?.id;
              (context as { octokit: GitHubClient }).octokit =
                installationId === undefined ? shared.client(context.octokit as GitHubClient) : await shared.installationClient(installationId);
              return r.handle(context, shared);
            },
            { now: () => shared.now().getTime(), botLogin: shared.botLogin },
          ),
        );
      }
      started = shared.role === 'web' ? shared.jobs.ready() : shared.jobs.startWorker((job) => processJob(shared, job), { daily: options.daily ?? false });
      started.catch((error) => probot.log.error({ error: describeError(error) }, 'the job queue could not start'));
    },
    runtime: () => runtime,
    stop: async () => {
      await runtime?.jobs.close();
    },
    idle: async () => {
      await runtime?.jobs.idle();
    },
    ready: () => started ?? Promise.reject(new Error('the app is not loaded yet')),
  };
}

const threatloop = createThreatloopApp();
export default threatloop.app;
