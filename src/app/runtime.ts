/**
 * What every handler and job of one app process shares: the job queue (in
 * this process, or BullMQ on Redis with `REDIS_URL`), the write pacer (one
 * GitHub pace per installation, shared by every replica with Redis), the
 * clock and the delay used by retries. Tests inject the clock, the delay and
 * the timers; production uses the real ones.
 */
import { ProbotOctokit, type Probot } from 'probot';
import { realDelay, withRateLimitRetry, WritePacer, type Delay, type GitHubClient } from '../github/client.ts';
import type { PaceStore } from '../github/pacer.ts';
import type { SyncExtension } from '../sync/extension.ts';
import { parseExtendsAllow, type ExtendsPolicy } from '../github/contents.ts';
import { createExtensions } from '../sync/trackers.ts';
import { InProcessJobQueue, type JobQueue } from './job-queue.ts';
import type { RedisQueueOptions } from './redis-queue.ts';
import type { Timers } from './repo-queue.ts';

/**
 * Probot's Octokit with the throttling plugin's extra 3 s queue for writes that notify (issues,
 * comments) turned off: GitHub's rule is 1 s between content-creating requests, which the plugin's
 * write queue and our pacer keep already; the 3 s made a first sync 2.2 s a write. A defaults
 * function, because Probot replaces a `throttle` object given as plain defaults.
 */
export const AppOctokit: typeof ProbotOctokit = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  throttle: { ...options.throttle, triggersNotification: () => false },
}));

/** What this process does: answer webhooks (`web`), run jobs (`worker`), or both (`all`, the default). */
export const ROLES = ['all', 'web', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export interface AppOptions {
  /** Waits between retries and between writes (default: real time). */
  delay?: Delay;
  /** Gap between content-creating requests (default 1000 ms). */
  writeIntervalMs?: number;
  now?: () => Date;
  /** Timers for scheduled resumes without Redis (default: setTimeout, unref'd). */
  timers?: Timers;
  /** Server environment, for the Jira credentials (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Jobs and the write pace in Redis (BullMQ), shared by every replica; absent: in this process. */
  redis?: Omit<RedisQueueOptions, 'log'>;
  /** Default `all`. `web` needs Redis (someone else runs the jobs). */
  role?: Role;
  /** Run the daily re-evaluation of every installed repository (the server: yes; tests: no). */
  daily?: boolean;
}

export interface AppRuntime {
  probot: Probot;
  jobs: JobQueue;
  role: Role;
  pacer: WritePacer;
  delay: Delay;
  now: () => Date;
  env: Readonly<Record<string, string | undefined>>;
  /** Trackers kept in step beside GitHub (Jira, when a repository's config asks for it), loaded once. */
  extensions(): Promise<readonly SyncExtension[]>;
  /** A client with our bounded rate-limit retries; a `retry-after` also pauses `paceKey`'s writes. */
  client(octokit: GitHubClient, paceKey?: string): GitHubClient;
  /**
   * The installation's own client (a job's, or a webhook's): Probot's event clients carry no throttle
   * id, so every installation would share the throttle queue `no-id`; `probot.auth(id)` names it.
   */
  installationClient(installationId: number): Promise<GitHubClient>;
  /** `<app-slug>[bot]`, looked up once (GET /app). */
  botLogin(): Promise<string | undefined>;
  /** Where a repository config's `_extends` may point (`THREATLOOP_EXTENDS_ALLOW`). */
  extendsPolicy: ExtendsPolicy;
}

/** Whose write allowance a write uses: GitHub's limits are per installation token. */
export function installationPaceKey(installationId: number): string {
  return `installation:${installationId}`;
}

export async function createRuntime(probot: Probot, options: AppOptions): Promise<AppRuntime> {
  const delay = options.delay ?? realDelay;
  const now = options.now ?? (() => new Date());
  const role = options.role ?? 'all';
  if (role === 'web' && !options.redis) throw new Error('THREATLOOP_ROLE=web needs REDIS_URL: without Redis no other process can run the jobs');
  let jobs: JobQueue;
  let store: PaceStore | undefined;
  if (options.redis) {
    // Loaded only with Redis: BullMQ and ioredis take a second or more to import on a busy machine.
    const [{ RedisJobQueue }, { RedisPaceStore }] = await Promise.all([import('./redis-queue.ts'), import('../github/redis-pace-store.ts')]);
    const queue = new RedisJobQueue({ ...options.redis, log: probot.log });
    jobs = queue;
    store = new RedisPaceStore(queue.redis, `${options.redis.prefix ?? 'threatloop'}:pace`);
  } else {
    jobs = new InProcessJobQueue({ ...(options.timers ? { timers: options.timers } : {}), now });
  }
  const pacer = new WritePacer({ minIntervalMs: options.writeIntervalMs ?? 1000, delay, now: () => now().getTime(), ...(store ? { store } : {}) });
  const client = (octokit: GitHubClient, paceKey?: string) =>
    withRateLimitRetry(octokit, {
      delay,
      now: () => now().getTime(),
      onRetry: (info) => {
        probot.log.warn(info, 'GitHub rate limit: waiting before retrying');
        if (paceKey) void pacer.pauseUntil(paceKey, new Date(now().getTime() + info.waitSeconds * 1000)).catch(() => undefined);
      },
    });
  let login: Promise<string | undefined> | undefined;
  let extensions: Promise<SyncExtension[]> | undefined;
  return {
    probot,
    jobs,
    role,
    pacer,
    delay,
    now,
    env: options.env ?? process.env,
    extendsPolicy: { allow: parseExtendsAllow((options.env ?? process.env).THREATLOOP_EXTENDS_ALLOW), followExtends: true },
    extensions: () => (extensions ??= createExtensions({ env: options.env ?? process.env, delay, server: true })),
    client,
    installationClient: async (installationId) =>
      client((await probot.auth(installationId)) as GitHubClient, installationPaceKey(installationId)),
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
