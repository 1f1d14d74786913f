/**
 * The edge to Jira Cloud: a jira.js 6 cloud client built from the server's
 * environment (`JIRA_HOST`, `JIRA_EMAIL`, `JIRA_API_TOKEN`), a retry policy
 * with backoff for failures that waiting can fix, a per-request timeout, and
 * the one place jira.js errors become clean, credential-free messages.
 */
import { redactSecrets } from '../../security/redact-secrets.ts';
import { createClient, type Client, type SendRequestOptions } from 'jira.js/core';
import { createCloudClient, isApiError, isNetworkError, isRateLimitError, type CloudClient } from 'jira.js';

export type JiraCloud = CloudClient;

export interface JiraCredentials {
  host: string;
  email: string;
  apiToken: string;
}

export interface JiraConnection {
  api: JiraCloud;
  /** Bare site URL, e.g. https://acme.atlassian.net. */
  site: string;
  /** Everything that must never appear in a message (token, email, their Basic-auth encoding). */
  secrets: readonly string[];
}

export type JiraEnv = Readonly<Record<string, string | undefined>>;

export const JIRA_ENV_VARS = ['JIRA_HOST', 'JIRA_EMAIL', 'JIRA_API_TOKEN'] as const;

/** Credentials from the environment; `null` when none of the variables is set. */
export function jiraCredentialsFromEnv(env: JiraEnv): { ok: true; credentials: JiraCredentials } | { ok: false; missing: string[] } {
  const missing = JIRA_ENV_VARS.filter((name) => !env[name]?.trim());
  if (missing.length) return { ok: false, missing };
  let host = env.JIRA_HOST!.trim().replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(host)) host = `https://${host}`;
  return { ok: true, credentials: { host, email: env.JIRA_EMAIL!.trim(), apiToken: env.JIRA_API_TOKEN!.trim() } };
}

export interface JiraClientOptions {
  /** Per request; a request still running after this counts as failed (default 30 s). */
  timeoutMs?: number;
  /** How jira.js reports a response that does not match its schema (default: silently return it). */
  onSchemaMismatch?: 'warn' | 'silent' | 'throw';
  /** Starts a request's timer: calls `expire` after `ms`, returns its cancel (injected: tests never wait). */
  timer?: RequestTimer;
}

export type RequestTimer = (ms: number, expire: () => void) => () => void;

const realTimer: RequestTimer = (ms, expire) => {
  const timer = setTimeout(expire, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export function connectJira(credentials: JiraCredentials, options: JiraClientOptions = {}): JiraConnection {
  const base = createClient({
    host: credentials.host,
    auth: { type: 'basic', email: credentials.email, apiToken: credentials.apiToken },
    onSchemaMismatch: options.onSchemaMismatch ?? 'silent',
  });
  const client = withTimeout(base, options.timeoutMs ?? 30_000, options.timer ?? realTimer);
  const { email, apiToken } = credentials;
  return {
    api: createCloudClient(client),
    site: credentials.host,
    secrets: [apiToken, email, Buffer.from(`${email}:${apiToken}`).toString('base64'), encodeURIComponent(apiToken)].filter(
      (s) => s.length >= 4,
    ),
  };
}

/** jira.js has no timeout of its own (fetch waits minutes): give up on a request that takes too long. */
function withTimeout(client: Client, timeoutMs: number, startTimer: RequestTimer): Client {
  return {
    sendRequest<T>(options: SendRequestOptions<T>): Promise<T> {
      let cancel = () => {};
      const timeout = new Promise<never>((_, reject) => {
        cancel = startTimer(timeoutMs, () => reject(new JiraTimeoutError(timeoutMs)));
      });
      return Promise.race([client.sendRequest(options), timeout]).finally(() => cancel());
    },
  };
}

export class JiraTimeoutError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'JiraTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** How a failed Jira call is classified: whether waiting could help, and whether the whole sync should stop. */
export interface JiraFailureKind {
  retryable: boolean;
  /** Jira itself is unusable (down, credentials, rate limit): stop the Jira side of this sync. */
  fatal: boolean;
  /** Wait this long before retrying, when Jira said so (Retry-After). */
  retryAfterMs?: number;
}

export function classifyJiraError(error: unknown): JiraFailureKind {
  if (error instanceof JiraTimeoutError) return { retryable: true, fatal: true };
  if (isRateLimitError(error)) return { retryable: true, fatal: true, retryAfterMs: error.retryAfterMs };
  if (isNetworkError(error)) return { retryable: error.transient || !error.code, fatal: true };
  if (isApiError(error)) {
    if (error.status >= 500) return { retryable: true, fatal: true };
    if (error.status === 401 || error.status === 403) return { retryable: false, fatal: true };
    return { retryable: false, fatal: false };
  }
  return { retryable: false, fatal: true };
}

/**
 * One line saying what failed and why, in Jira's own words where it gave any,
 * with every credential removed. Never the raw jira.js message (it carries
 * the request URL and the response body verbatim).
 */
export function describeJiraError(action: string, error: unknown, secrets: readonly string[]): string {
  let reason: string;
  if (error instanceof JiraTimeoutError) reason = `Jira did not answer (${error.message})`;
  else if (isRateLimitError(error)) {
    reason = `Jira rate limit (429)${error.retryAfterMs !== undefined ? `, retry after ${Math.ceil(error.retryAfterMs / 1000)} s` : ''}`;
  } else if (isNetworkError(error)) reason = `Jira unreachable${error.code ? ` (${error.code})` : ''}`;
  else if (isApiError(error)) {
    const detail = jiraErrorDetail(error.body);
    const what =
      error.status === 401
        ? 'Jira refused the credentials (401): check JIRA_EMAIL and JIRA_API_TOKEN (expired token?)'
        : error.status === 403
          ? 'Jira denied permission (403)'
          : error.status === 404
            ? 'not found in Jira (404)'
            : error.status >= 500
              ? `Jira server error (${error.status})`
              : `Jira rejected the request (${error.status})`;
    reason = detail ? `${what}: ${detail}` : what;
  } else reason = error instanceof Error ? error.message : String(error);
  return redactSecrets(`${action}: ${reason}`.replace(/\s+/g, ' ').trim(), secrets);
}

/** Jira's `{ errorMessages: [...], errors: { field: message } }`, flattened. */
function jiraErrorDetail(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const { errorMessages, errors } = body as { errorMessages?: unknown; errors?: unknown };
  const parts: string[] = [];
  if (Array.isArray(errorMessages)) parts.push(...errorMessages.filter((m): m is string => typeof m === 'string'));
  if (errors && typeof errors === 'object') {
    for (const [field, message] of Object.entries(errors)) if (typeof message === 'string') parts.push(`${field}: ${message}`);
  }
  return parts.join('; ').slice(0, 300);
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected so tests never sleep. */
  delay: (ms: number) => Promise<void>;
}

/** Rejected before Jira acted on it: rate limited, or no connection was ever made. */
function certainlyUnprocessed(error: unknown): boolean {
  if (isRateLimitError(error)) return true;
  return isNetworkError(error) && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(error.code ?? '');
}

/**
 * A create that failed this way may still have made the issue: no answer in time, a 5xx (Jira or a
 * proxy may answer so after committing), a connection lost mid-request. A 4xx, a rate limit or a
 * connection never made mean it did not.
 */
export function createMayHaveHappened(error: unknown): boolean {
  if (certainlyUnprocessed(error)) return false;
  if (isApiError(error)) return error.status >= 500;
  return error instanceof JiraTimeoutError || isNetworkError(error);
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Runs `call`, retrying what waiting can fix (429 honouring Retry-After, 5xx,
 * network errors, timeouts) with exponential backoff, bounded. A Retry-After
 * longer than `maxDelayMs` is not waited out: the failure goes back to the
 * caller and the next sync resumes.
 */
export async function withJiraRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  options: { idempotent?: boolean } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const kind = classifyJiraError(error);
      // A create that failed with a 5xx or a timeout may still have happened: retrying could file a
      // second Jira issue. Only a request Jira certainly did not process is retried; the next sync's
      // lookup finds an issue that was created after all.
      const unsafe = options.idempotent === false && !certainlyUnprocessed(error);
      if (!kind.retryable || unsafe || attempt >= policy.maxAttempts) throw error;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const wait = kind.retryAfterMs ?? backoff;
      if (wait > policy.maxDelayMs) throw error;
      await policy.delay(wait);
    }
  }
}
