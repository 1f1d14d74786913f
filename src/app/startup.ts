/**
 * What the server decides before it listens, as pure functions of the
 * environment: run, run Probot's setup flow, or refuse with every problem
 * named. A deployment that is configured wrong must not look healthy: an
 * empty or `development` webhook secret would accept webhooks anyone can
 * sign, and a private key that does not parse would only fail on the first
 * webhook, long after the rollout looked green.
 */
import { createPrivateKey } from 'node:crypto';

type Env = Readonly<Record<string, string | undefined>>;

/** Probot's default secret: anyone who reads Probot's source can sign webhooks with it. */
const PROBOT_DEFAULT_SECRET = 'development';

/** GitHub caps webhook payloads at 25 MB; larger bodies are never GitHub's. */
export const DEFAULT_WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;

/** The explicit switch that lets a developer run without a real webhook secret. */
export function isDevelopment(env: Env): boolean {
  return env.THREATLOOP_DEV === '1' || env.NODE_ENV === 'development';
}

export interface ServeConfig {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  webhookMaxBytes: number;
  /** Warnings to log at start (e.g. running with the development secret). */
  warnings: string[];
}

export type StartupPlan =
  | { kind: 'serve'; config: ServeConfig }
  /** No APP_ID at all, not in production: Probot's setup flow registers the app from app.yml. */
  | { kind: 'setup' }
  | { kind: 'refuse'; problems: string[] };

export interface KeySource {
  /** Reads PRIVATE_KEY_PATH (the edge passes the file system; tests pass a map). */
  readFile(path: string): string;
}

/**
 * Every problem at once, so one restart fixes them all. `keys.readFile` is the only input that is
 * not the environment itself.
 */
export function planStartup(env: Env, keys: KeySource): StartupPlan {
  const production = env.NODE_ENV === 'production';
  const development = isDevelopment(env);
  const rawAppId = env.APP_ID?.trim();
  if (!rawAppId) {
    if (production) {
      return {
        kind: 'refuse',
        problems: ['APP_ID is not set. Set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET from the GitHub App\'s settings page (Probot\'s setup flow never runs with NODE_ENV=production).'],
      };
    }
    return { kind: 'setup' };
  }

  const problems: string[] = [];
  const warnings: string[] = [];
  const appId = Number(rawAppId);
  if (!/^[1-9][0-9]*$/.test(rawAppId) || !Number.isSafeInteger(appId)) {
    problems.push(`APP_ID must be the GitHub App's numeric id (its settings page, "App ID"), not "${printable(rawAppId)}".`);
  }

  const key = resolvePrivateKey(env, keys);
  if (!key.ok) problems.push(key.problem);

  const secret = env.WEBHOOK_SECRET ?? '';
  if (secret === '' || secret === PROBOT_DEFAULT_SECRET) {
    const what = secret === '' ? 'WEBHOOK_SECRET is not set' : `WEBHOOK_SECRET is Probot's default "${PROBOT_DEFAULT_SECRET}"`;
    if (development && !production) warnings.push(`${what}: anyone can sign webhooks (allowed because THREATLOOP_DEV=1 or NODE_ENV=development).`);
    else problems.push(`${what}: anyone could sign webhooks. Set WEBHOOK_SECRET to the secret in the GitHub App's settings (or THREATLOOP_DEV=1 on a development machine).`);
  }

  const maxBytes = webhookMaxBytes(env);
  if (!maxBytes.ok) problems.push(maxBytes.problem);

  if (env.PORT !== undefined && env.PORT !== '' && !/^[0-9]{1,5}$/.test(env.PORT)) problems.push(`PORT must be a port number, not "${printable(env.PORT)}".`);

  if (problems.length > 0 || !key.ok || !maxBytes.ok) return { kind: 'refuse', problems };
  return { kind: 'serve', config: { appId, privateKey: key.pem, webhookSecret: secret, webhookMaxBytes: maxBytes.value, warnings } };
}

/** `WEBHOOK_MAX_BYTES` (bytes), default 25 MiB. */
export function webhookMaxBytes(env: Env): { ok: true; value: number } | { ok: false; problem: string } {
  const raw = env.WEBHOOK_MAX_BYTES;
  if (raw === undefined || raw === '') return { ok: true, value: DEFAULT_WEBHOOK_MAX_BYTES };
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(value) || value < 1024) {
    return { ok: false, problem: `WEBHOOK_MAX_BYTES must be a whole number of bytes, at least 1024, not "${printable(raw)}".` };
  }
  return { ok: true, value };
}

/**
 * The private key the way Probot reads it (PRIVATE_KEY as PEM, with `\n` escapes or base64;
 * else the file at PRIVATE_KEY_PATH), then parsed, so a broken key is refused here instead of
 * on the first webhook. Probot's own reader is not exported, hence this copy of its rules; the
 * resolved key is handed to Probot so both agree.
 */
export function resolvePrivateKey(env: Env, keys: KeySource): { ok: true; pem: string } | { ok: false; problem: string } {
  let text: string;
  let origin: string;
  if (env.PRIVATE_KEY) {
    origin = 'PRIVATE_KEY';
    text = env.PRIVATE_KEY.trim();
    if (!text.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(text)) text = Buffer.from(text, 'base64').toString('utf8').trim();
    if (text.includes('\\n')) text = text.replace(/\\n/g, '\n');
  } else if (env.PRIVATE_KEY_PATH) {
    origin = `PRIVATE_KEY_PATH (${env.PRIVATE_KEY_PATH})`;
    try {
      text = keys.readFile(env.PRIVATE_KEY_PATH);
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { ok: false, problem: `PRIVATE_KEY_PATH names a file that cannot be read (${code ?? 'unreadable'}): ${env.PRIVATE_KEY_PATH}` };
    }
  } else {
    return { ok: false, problem: 'PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set: generate a private key on the GitHub App\'s settings page and set its PEM text (or the file\'s path).' };
  }
  try {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType !== 'rsa') return { ok: false, problem: `${origin} is a ${key.asymmetricKeyType} key; GitHub App keys are RSA.` };
  } catch {
    // The parser's own message can quote the input; say only what to do.
    return { ok: false, problem: `${origin} is not a PEM private key: paste the whole .pem file GitHub generated, from -----BEGIN to -----END.` };
  }
  return { ok: true, pem: text };
}

/** Short and single-line: a value echoed in a message never floods the log or hides a secret's bulk. */
function printable(value: string): string {
  const line = value.replace(/[\r\n\t]/g, ' ');
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}
