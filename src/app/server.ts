/**
 * `npm start`: serves the app with Probot's standard environment variables
 * (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST,
 * LOG_LEVEL, GHE_HOST + GHE_PROTOCOL, WEBHOOK_PROXY_URL), webhooks at
 * /api/github/webhooks, health at /healthz and /readyz. REDIS_URL puts the
 * jobs in Redis and THREATLOOP_ROLE=web|worker|all splits replicas: a worker
 * answers only /healthz and /readyz on PORT (for the orchestrator's probes),
 * never a webhook.
 *
 * Start-up is honest (src/app/startup.ts): a missing or default webhook
 * secret, a malformed APP_ID or private key, or credentials GitHub refuses
 * end the process with exit 1 and every problem named. Probot's setup flow
 * runs only when APP_ID is not set at all, never with NODE_ENV=production.
 *
 * The HTTP server is ours rather than Probot's `Server`, so that the webhook
 * gate (body limit, signature check, no payload in logs: webhook-gate.ts)
 * and the health endpoints come before Probot's webhook middleware, which
 * Probot's Server always puts first.
 *
 * Shutdown (SIGINT/SIGTERM): /readyz turns 503, scheduled resumes are
 * cleared, the server stops taking requests, and the syncs already running
 * or queued get up to SHUTDOWN_GRACE_MS (default 25 s, within Kubernetes'
 * default 30 s before SIGKILL). A sync cut off at the deadline loses
 * nothing: the next one plans again from GitHub's state.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProbot, run, type Options, type Probot } from 'probot';
import { nodeVersionProblem } from '../../bin/node-version.js';
import { redactSecrets } from '../security/redact-secrets.ts';
import { answerHealth, Readiness } from './health.ts';
import { createThreatloopApp, type ThreatloopApp } from './index.ts';
import { AppOctokit, ROLES, type AppOptions, type Role } from './runtime.ts';
import { settlesWithin, type Timers } from './repo-queue.ts';
import { planStartup, type ServeConfig } from './startup.ts';
import { createWebhookGate, DEFAULT_WEBHOOK_PATH } from './webhook-gate.ts';

export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

/** Start-up refused: `problems` are the lines to print, each one says what to set. */
export class StartupRefused extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
    this.name = 'StartupRefused';
  }
}

export interface RunningServer {
  /** Stops taking connections; resolves when the listener has closed. */
  stop(): Promise<void>;
  readonly port: number;
  readonly readiness: Readiness;
}

export interface ServerOptions {
  app?: Omit<AppOptions, 'env'>;
  /** Probot options that win over the environment (tests: a recording logger). */
  probot?: Options;
}

export async function startServer(
  env: NodeJS.ProcessEnv = process.env,
  options: ServerOptions = {},
): Promise<{ server: RunningServer; app: ThreatloopApp }> {
  const plan = planStartup(env, { readFile: (path) => readFileSync(resolve(path), 'utf8') });
  if (plan.kind === 'refuse') throw new StartupRefused(plan.problems);
  const appOptions = appOptionsFromEnv(env);
  const app = createThreatloopApp({ ...options.app, ...appOptions });
  if (plan.kind === 'setup') {
    // No APP_ID and not production: Probot's own server runs its setup flow, which registers
    // the app from app.yml and writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env.
    const server = await run(app.app, { env, Octokit: AppOctokit });
    return { server: { stop: () => server.stop(), port: server.port, readiness: new Readiness() }, app };
  }
  return { server: await serve(env, plan.config, app, appOptions.role ?? 'all', options.probot ?? {}), app };
}

/** `REDIS_URL` (jobs and the write pace in Redis) and `THREATLOOP_ROLE` (`all`, `web`, `worker`). */
export function appOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): AppOptions {
  const role = env.THREATLOOP_ROLE || 'all';
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new StartupRefused([`THREATLOOP_ROLE must be one of ${ROLES.join(', ')}, not "${role.slice(0, 40)}".`]);
  }
  if (role !== 'all' && !env.REDIS_URL) {
    throw new StartupRefused([`THREATLOOP_ROLE=${role} needs REDIS_URL: web and worker replicas meet in Redis.`]);
  }
  return { env, role: role as Role, daily: true, ...(env.REDIS_URL ? { redis: { url: env.REDIS_URL } } : {}) };
}

async function serve(env: NodeJS.ProcessEnv, config: ServeConfig, app: ThreatloopApp, role: Role, overrides: Options): Promise<RunningServer> {
  const probot = createProbot({
    env,
    // AppOctokit: Probot's client without the throttling plugin's extra 3 s for writes (src/app/runtime.ts).
    overrides: { appId: config.appId, privateKey: config.privateKey, secret: config.webhookSecret, Octokit: AppOctokit, ...overrides },
  });
  await probot.load(app.app, { cwd: process.cwd(), addHandler: () => undefined });
  const log = probot.log;
  for (const warning of config.warnings) log.warn(warning);
  await checkCredentials(probot, env);

  const path = env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  const webhooks = await probot.getNodeMiddleware({ path });
  const gate = createWebhookGate({ path, secret: config.webhookSecret, maxBytes: config.webhookMaxBytes, log: log.child({ name: 'webhook-gate' }) });
  let accepting = true;
  const readiness = new Readiness();
  readiness.add('app', () => app.runtime() !== undefined);
  readiness.add('accepting', () => accepting);
  // The job queue connected (Redis, with REDIS_URL) and, unless the role is web, its worker running.
  let queueReady = false;
  app.ready().then(
    () => (queueReady = true),
    (error: unknown) => log.error({ error: redactSecrets(error instanceof Error ? error.message : String(error)) }, 'the job queue could not start'),
  );
  readiness.add('queue', () => queueReady);

  const httpLog = log.child({ name: 'http' });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (await answerHealth(req, res, readiness)) return;
    // A worker runs jobs only: webhooks go to the web replicas.
    if (role === 'worker') return void res.writeHead(404).end();
    if ((await gate(req, res)) === 'answered') return;
    if (await webhooks(req, res)) return;
    if (req.method === 'GET' && req.url === '/ping') res.writeHead(200, { 'content-type': 'text/plain' }).end('PONG');
    else res.writeHead(404).end();
  };
  const http = createServer((req, res) => {
    const started = Date.now();
    // Path only: a query string may carry anything; the body is never logged.
    res.once('finish', () =>
      httpLog.info(
        { method: req.method, path: (req.url ?? '').split('?')[0], status: res.statusCode, ms: Date.now() - started, delivery: req.headers['x-github-delivery'] },
        'request',
      ),
    );
    handle(req, res).catch((error: unknown) => {
      httpLog.error({ error: redactSecrets(error instanceof Error ? error.message : String(error)) }, 'request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const port = Number(env.PORT) || 3000;
  const host = env.HOST || 'localhost';
  await new Promise<void>((done, fail) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'EADDRINUSE' ? new StartupRefused([`PORT ${port} is already in use on ${host}: set PORT to a free port.`]) : error),
    );
    http.listen(port, host, done);
  });
  const address = http.address() as AddressInfo;
  log.info(`Listening on http://${host}:${address.port}`);
  const proxy = env.WEBHOOK_PROXY_URL ? await startWebhookProxy(env.WEBHOOK_PROXY_URL, `http://127.0.0.1:${address.port}${path}`, log) : undefined;

  return {
    port: address.port,
    readiness,
    stop: async () => {
      accepting = false;
      proxy?.close();
      await new Promise<void>((done) => {
        http.close(() => done());
        http.closeIdleConnections();
      });
    },
  };
}

/**
 * GET /app with the app's JWT: GitHub answers only when APP_ID and the private key belong
 * together. Without this a wrong key shows up on the first webhook, hours after a green rollout.
 */
async function checkCredentials(probot: Probot, env: NodeJS.ProcessEnv): Promise<void> {
  const where = env.GHE_HOST ? `${env.GHE_PROTOCOL || 'https'}://${env.GHE_HOST}` : 'https://api.github.com';
  try {
    const octokit = await probot.auth();
    const { data } = await octokit.request('GET /app');
    if (data && typeof data.id === 'number' && String(data.id) !== String(env.APP_ID).trim()) {
      throw new StartupRefused([`APP_ID is ${env.APP_ID} but the private key belongs to app ${data.id}: set both from the same GitHub App.`]);
    }
  } catch (error) {
    if (error instanceof StartupRefused) throw error;
    const status = (error as { status?: number }).status;
    if (status === 401 || status === 403 || status === 404) {
      throw new StartupRefused([
        `${where} refused the app's credentials (${status}): APP_ID and PRIVATE_KEY must come from the same GitHub App, and the key must not be revoked.`,
      ]);
    }
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    throw new StartupRefused([`could not check the app's credentials with ${where} (${message}); check GHE_HOST, GHE_PROTOCOL and the network.`]);
  }
}

/** WEBHOOK_PROXY_URL (development): smee-client forwards webhooks from smee.io, when installed. */
async function startWebhookProxy(source: string, target: string, log: Probot['log']): Promise<{ close(): void } | undefined> {
  const specifier = 'smee-client';
  try {
    const { SmeeClient } = (await import(specifier)) as { SmeeClient: new (options: object) => { start(): Promise<{ close(): void }> } };
    return await new SmeeClient({ source, target, logger: log }).start();
  } catch {
    log.warn('WEBHOOK_PROXY_URL is set but smee-client is not installed: `npm install --no-save smee-client` to forward webhooks to this server.');
    return undefined;
  }
}

/** The grace period for queued syncs on shutdown, from `SHUTDOWN_GRACE_MS` (milliseconds). */
export function shutdownGraceMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.SHUTDOWN_GRACE_MS;
  if (raw === undefined || raw === '') return DEFAULT_SHUTDOWN_GRACE_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) throw new StartupRefused([`SHUTDOWN_GRACE_MS must be a whole number of milliseconds, not "${raw}".`]);
  return ms;
}

/** True when everything queued finished within `graceMs`; false when the deadline cut it off. */
export function shutDown(server: Pick<RunningServer, 'stop'>, app: ThreatloopApp, graceMs: number, timers?: Timers): Promise<boolean> {
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

/** The process: .env, start, signals. Every refusal is printed as lines on stderr with exit 1. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const tooOld = nodeVersionProblem(process.versions.node);
  if (tooOld) {
    process.stderr.write(`${tooOld}\n`);
    process.exit(1);
  }
  // As Probot's `run` does: a .env in the working directory fills in what the environment lacks.
  if (env === process.env && existsSync('.env')) process.loadEnvFile('.env');
  let started: Awaited<ReturnType<typeof startServer>>;
  let graceMs: number;
  try {
    graceMs = shutdownGraceMs(env);
    started = await startServer(env);
  } catch (error) {
    const lines = error instanceof StartupRefused ? error.problems : [redactSecrets(error instanceof Error ? error.message : String(error))];
    process.stderr.write(`threatloop: not starting:\n${lines.map((line) => `  - ${line}`).join('\n')}\n`);
    process.exit(1);
  }
  const { server, app } = started;
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

// Run directly (`node src/app/server.ts`, `node dist/app/server.js`); bin/threatloop-server.js imports and calls main.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
