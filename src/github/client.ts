/**
 * How threatloop talks to GitHub, for the app and the CLI alike: the client
 * type, retries on rate limits, and the pacing of writes.
 *
 * What Probot 14 really does on rate limits (read from node_modules, probot
 * 14.3.2 + @octokit/plugin-throttling 11 + @octokit/plugin-retry 8):
 * - `ProbotOctokit`'s own defaults (lib/octokit/probot-octokit.js) retry both
 *   primary and secondary limits, without any bound. But a `Probot` instance
 *   (the app, `context.octokit`) builds its Octokit through
 *   lib/octokit/get-octokit-throttle-options.js, which REPLACES them:
 *   `onRateLimit` retries twice, `onSecondaryRateLimit` only logs ("does not
 *   retry"). So inside the app a secondary limit surfaces as a 403 error.
 * - The throttling plugin recognises a secondary limit only by the words
 *   "secondary rate" in the error message; a 429 without them is left to
 *   @octokit/plugin-retry, which retries it 3 times on a 1 s, 4 s, 9 s
 *   schedule, ignoring `retry-after`; 403 is in plugin-retry's doNotRetry list.
 * - The throttling plugin also queues writes process-wide: at least 1 s apart,
 *   3 s apart for writes that notify (issue creation, comments). That holds
 *   only when throttling is enabled (tests disable it).
 *
 * So we do not rely on either plugin for correctness: `withRateLimitRetry`
 * (outermost hook) honours `retry-after` on 403/429 a bounded number of times
 * with an injected delay, and turns an exhausted primary quota into a
 * `RateLimitedError` carrying the reset time, so a sync stops cleanly and
 * resumes later instead of blocking for up to an hour. `WritePacer`
 * (pacer.ts) spaces content-creating requests itself, per installation.
 */
import { ProbotOctokit } from 'probot';

export type GitHubClient = InstanceType<typeof ProbotOctokit>;

/** Waits `ms` milliseconds; injected so tests never sleep. */
export type Delay = (ms: number) => Promise<void>;

/**
 * Request options for a create that must not be repeated blind: Probot's retry plugin resends a request
 * answered 5xx, and a create GitHub made before the answer was lost would then be made twice. The next
 * sync finds such an issue or comment by its label and marker (listed, never searched) instead.
 */
export const NO_BLIND_RETRY = { request: { retries: 0 } } as const;

export const realDelay: Delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const noDelay: Delay = async () => {};

/** GitHub asks to wait at least a minute after a secondary limit that names no wait. */
const SECONDARY_FALLBACK_SECONDS = 60;
/** Longest single wait we accept inside a request; anything longer ends the sync (it resumes later). */
const MAX_WAIT_SECONDS = 15 * 60;

export class RateLimitedError extends Error {
  readonly resumeAt: Date;
  constructor(message: string, resumeAt: Date) {
    super(message);
    this.name = 'RateLimitedError';
    this.resumeAt = resumeAt;
  }
}

export interface RetryOptions {
  delay: Delay;
  /** Retries per request after a rate limit answer (default 3). */
  maxRetries?: number;
  now?: () => number;
  onRetry?: (info: { method: string; url: string; status: number; waitSeconds: number; attempt: number }) => void;
}

interface HttpErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

const retrying = new WeakSet<object>();

/** Adds the retry policy above to a client (idempotent per client instance). */
export function withRateLimitRetry<T extends GitHubClient>(octokit: T, options: RetryOptions): T {
  if (retrying.has(octokit)) return octokit;
  retrying.add(octokit);
  const maxRetries = options.maxRetries ?? 3;
  const now = options.now ?? Date.now;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const wait = rateLimitWait(error as HttpErrorLike, now());
        if (wait === undefined) throw error;
        const method = String(requestOptions.method);
        const url = String(requestOptions.url);
        if (wait.kind === 'quota' || wait.seconds > MAX_WAIT_SECONDS || attempt >= maxRetries) {
          throw new RateLimitedError(
            `GitHub rate limit on ${method} ${url}${attempt > 0 ? ` after ${attempt} retries` : ''}`,
            new Date(now() + wait.seconds * 1000),
          );
        }
        options.onRetry?.({ method, url, status: (error as HttpErrorLike).status ?? 0, waitSeconds: wait.seconds, attempt: attempt + 1 });
        await options.delay(wait.seconds * 1000);
      }
    }
  });
  return octokit;
}

/** How long GitHub asks us to wait, if this error is a rate limit at all. */
export function rateLimitWait(error: HttpErrorLike, nowMs: number): { kind: 'retry' | 'quota'; seconds: number } | undefined {
  if (error.status !== 403 && error.status !== 429) return undefined;
  const headers = error.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers['retry-after'] !== undefined) {
    return { kind: 'retry', seconds: retryAfter };
  }
  if (/secondary rate|abuse/i.test(error.message ?? '')) return { kind: 'retry', seconds: SECONDARY_FALLBACK_SECONDS };
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']) * 1000;
    return { kind: 'quota', seconds: Number.isFinite(reset) ? Math.max(1, Math.ceil((reset - nowMs) / 1000) + 1) : 60 };
  }
  if (error.status === 429) return { kind: 'retry', seconds: SECONDARY_FALLBACK_SECONDS };
  return undefined;
}

// The pacer lives in pacer.ts; re-exported here because every writer already imports the client.
export { WritePacer, type PacerOptions } from './pacer.ts';

export interface RequestCounter {
  reads: number;
  writes: number;
}

const counters = new WeakMap<object, RequestCounter>();

/** Live count of the requests a client has sent (GET/HEAD = reads), for outcomes and the benchmark. */
export function countRequests(octokit: GitHubClient): RequestCounter {
  const existing = counters.get(octokit);
  if (existing) return existing;
  const counter: RequestCounter = { reads: 0, writes: 0 };
  counters.set(octokit, counter);
  octokit.hook.before('request', (options) => {
    const method = String(options.method).toUpperCase();
    if (method === 'GET' || method === 'HEAD') counter.reads++;
    else counter.writes++;
  });
  return counter;
}

/** A client for the CLI: a token, GitHub.com or GHES (`GITHUB_API_URL`). */
export function createTokenClient(options: {
  token: string;
  baseUrl?: string;
  delay: Delay;
  /** Keep the throttling plugin's write queue (production); tests turn it off and pace with `WritePacer` only. */
  throttle?: boolean;
  onRetry?: RetryOptions['onRetry'];
}): GitHubClient {
  const octokit = new ProbotOctokit({
    auth: { token: options.token },
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
    // The throttling plugin's write queue stays; withRateLimitRetry decides every retry (bounded).
    throttle: { enabled: options.throttle ?? true, onRateLimit: () => false, onSecondaryRateLimit: () => false },
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  return withRateLimitRetry(octokit, { delay: options.delay, onRetry: options.onRetry });
}

/** The web UI URL for an API base URL: api.github.com -> github.com, GHES /api/v3 -> host. */
export function webUrlFor(apiBaseUrl: string | undefined): string {
  if (!apiBaseUrl || /^https:\/\/api\.github\.com\/?$/.test(apiBaseUrl)) return 'https://github.com';
  return apiBaseUrl.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '');
}
