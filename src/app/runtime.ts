/**
 * What every handler of one app process shares: the per-repository queue,
 * the resume scheduler, the write pacer (one GitHub quota per installation),
 * the clock and the delay used by retries. Tests inject the clock, the delay
 * and the timers; production uses the real ones.
 */
import type { Probot } from 'probot';
import { realDelay, withRateLimitRetry, WritePacer, type Delay, type GitHubClient } from '../github/client.ts';
import type { SyncExtension } from '../sync/extension.ts';
import { parseExtendsAllow, type ExtendsPolicy } from '../github/contents.ts';
import { createExtensions } from '../sync/trackers.ts';
import { nodeTimers, RepoQueue, ResumeScheduler, type Timers } from './repo-queue.ts';

export interface AppOptions {
  /** Waits between retries and between writes (default: real time). */
  delay?: Delay;
  /** Gap between content-creating requests (default 1000 ms). */
  writeIntervalMs?: number;
  now?: () => Date;
  /** Timers for scheduled resumes (default: setTimeout, unref'd). */
  timers?: Timers;
  /** Server environment, for the Jira credentials (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface AppRuntime {
  probot: Probot;
  queue: RepoQueue;
  scheduler: ResumeScheduler;
  pacer: WritePacer;
  delay: Delay;
  now: () => Date;
  env: Readonly<Record<string, string | undefined>>;
  /** Trackers kept in step beside GitHub (Jira, when a repository's config asks for it), loaded once. */
  extensions(): Promise<readonly SyncExtension[]>;
  /** The client a handler uses: the event's Octokit with our bounded rate-limit retries. */
  client(octokit: GitHubClient): GitHubClient;
  /** `<app-slug>[bot]`, looked up once (GET /app). */
  botLogin(): Promise<string | undefined>;
  /** Where a repository config's `_extends` may point (`THREATLOOP_EXTENDS_ALLOW`). */
  extendsPolicy: ExtendsPolicy;
}

export function createRuntime(probot: Probot, options: AppOptions): AppRuntime {
  const delay = options.delay ?? realDelay;
  const now = options.now ?? (() => new Date());
  let login: Promise<string | undefined> | undefined;
  let extensions: Promise<SyncExtension[]> | undefined;
  return {
    probot,
    queue: new RepoQueue(),
    scheduler: new ResumeScheduler(options.timers ?? nodeTimers),
    pacer: new WritePacer({ minIntervalMs: options.writeIntervalMs ?? 1000, delay, now: () => now().getTime() }),
    delay,
    now,
    env: options.env ?? process.env,
    extendsPolicy: { allow: parseExtendsAllow((options.env ?? process.env).THREATLOOP_EXTENDS_ALLOW), followExtends: true },
    extensions: () => (extensions ??= createExtensions({ env: options.env ?? process.env, delay, server: true })),
    client: (octokit) =>
      withRateLimitRetry(octokit, {
        delay,
        now: () => now().getTime(),
        onRetry: (info) => probot.log.warn(info, 'GitHub rate limit: waiting before retrying'),
      }),
    botLogin: () => {
      login ??= probot
        .auth()
        .then((octokit) => octokit.request('GET /app'))
        .then(({ data }) => (data?.slug ? `${data.slug}[bot]` : undefined))
        .catch(() => {
          login = undefined;
          return undefined;
        });
      return login;
    },
  };
}
