/**
 * `npm start`: serves the app with Probot's standard environment variables
 * (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST,
 * LOG_LEVEL, GHE_HOST + GHE_PROTOCOL, WEBHOOK_PROXY_URL), webhooks at
 * /api/github/webhooks; REDIS_URL puts the jobs in Redis and
 * THREATLOOP_ROLE=web|worker|all splits replicas. Shutdown (SIGINT/SIGTERM) clears scheduled resumes,
 * stops taking webhooks, and waits for the syncs already running or queued,
 * up to SHUTDOWN_GRACE_MS (default 25 s, within Kubernetes' default 30 s
 * before SIGKILL). A sync cut off at the deadline loses nothing: the next one
 * plans again from GitHub's state.
 */
import { createProbot, run, type Server } from 'probot';
import { createThreatloopApp, type ThreatloopApp } from './index.ts';
import { AppOctokit, ROLES, type AppOptions, type Role } from './runtime.ts';
import { settlesWithin, type Timers } from './repo-queue.ts';

export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<{ server: Pick<Server, 'stop'>; app: ThreatloopApp }> {
  const options = appOptionsFromEnv(env);
  const app = createThreatloopApp(options);
  if (options.role === 'worker') {
    // A worker answers no webhooks: it only runs the jobs the web replicas store in Redis.
    const probot = createProbot({ env, overrides: { Octokit: AppOctokit } });
    await probot.load(app.app);
    return { server: { stop: async () => undefined }, app };
  }
  const server = await run(app.app, { env, Octokit: AppOctokit });
  return { server, app };
}

/** `REDIS_URL` (jobs and the write pace in Redis) and `THREATLOOP_ROLE` (`all`, `web`, `worker`). */
export function appOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): AppOptions {
  const role = env.THREATLOOP_ROLE || 'all';
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new Error(`THREATLOOP_ROLE must be one of ${ROLES.join(', ')}, not "${role.slice(0, 40)}"`);
  }
  if (role !== 'all' && !env.REDIS_URL) {
    throw new Error(`THREATLOOP_ROLE=${role} needs REDIS_URL: web and worker replicas meet in Redis`);
  }
  return { env, role: role as Role, daily: true, ...(env.REDIS_URL ? { redis: { url: env.REDIS_URL } } : {}) };
}

/** The grace period for queued syncs on shutdown, from `SHUTDOWN_GRACE_MS` (milliseconds). */
export function shutdownGraceMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.SHUTDOWN_GRACE_MS;
  if (raw === undefined || raw === '') return DEFAULT_SHUTDOWN_GRACE_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`SHUTDOWN_GRACE_MS must be a whole number of milliseconds, not "${raw}"`);
  return ms;
}

/** True when everything queued finished within `graceMs`; false when the deadline cut it off. */
export function shutDown(server: Pick<Server, 'stop'>, app: ThreatloopApp, graceMs: number, timers?: Timers): Promise<boolean> {
  // Resumes cleared and no new jobs taken at once; the jobs already running finish.
  const stopping = app.stop();
  const finishing = (async () => {
    // Closing the server first: webhooks still being answered enqueue their syncs before we wait for the queue.
    try {
      await server.stop();
    } finally {
      await app.idle();
      await stopping;
    }
  })();
  return settlesWithin(finishing, graceMs, timers);
}

if (import.meta.main) {
  const graceMs = shutdownGraceMs(process.env);
  const { server, app } = await startServer();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    let finished = false;
    try {
      finished = await shutDown(server, app, graceMs);
    } finally {
      const cutOff = finished ? '' : ` (syncs still running after ${graceMs} ms were cut off; the next sync does what they left)`;
      process.stdout.write(`threatloop: stopped on ${signal}${cutOff}\n`);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
