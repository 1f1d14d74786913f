/**
 * The Probot app: it only routes events to handlers. Each route goes through
 * one wrapper (structured log line, errors caught, the app's own events
 * ignored). To handle another event, add a route here: a name, the events,
 * and a handler `(context, runtime) => Promise<HandlerResult>`.
 */
import type { EmitterWebhookEventName } from '@octokit/webhooks';
import type { ApplicationFunction, Context } from 'probot';
import type { GitHubClient } from '../github/client.ts';
import { wrapHandler, type HandlerResult } from './handler.ts';
import { createRuntime, type AppOptions, type AppRuntime } from './runtime.ts';
import { onPullRequest, onPullRequestClosed, PULL_REQUEST_CONTEXT_EVENTS } from './pull-request.ts';
import { onInstallation, onPush } from './sync-handlers.ts';

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
  route('pull-request-merged', ['pull_request.closed'], onPullRequestClosed),
];

export interface ThreatloopApp {
  app: ApplicationFunction;
  /** The runtime once Probot has loaded the app (tests use it to await queued work). */
  runtime(): AppRuntime | undefined;
  /** Clears scheduled resumes (server shutdown). */
  stop(): void;
  /** Resolves when every queued sync and every resume that has started has settled. */
  idle(): Promise<void>;
}

export function createThreatloopApp(options: AppOptions = {}, routes: readonly Route[] = ROUTES): ThreatloopApp {
  let runtime: AppRuntime | undefined;
  return {
    app: (probot) => {
      const shared = createRuntime(probot, options);
      runtime = shared;
      for (const r of routes) {
        probot.on(
          [...r.events],
          wrapHandler(
            r.name,
            (context) => {
              (context as { octokit: GitHubClient }).octokit = shared.client(context.octokit as GitHubClient);
              return r.handle(context, shared);
            },
            { now: () => shared.now().getTime(), botLogin: shared.botLogin },
          ),
        );
      }
    },
    runtime: () => runtime,
    stop: () => runtime?.scheduler.stop(),
    idle: async () => {
      await Promise.all([runtime?.queue.idle(), runtime?.scheduler.idle()]);
    },
  };
}

const threatloop = createThreatloopApp();
export default threatloop.app;
