/**
 * The app as a Node `(req, res)` request handler, for platforms that bring
 * their own HTTP server: serverless functions (Vercel, Netlify, Google Cloud
 * Functions) or an existing Express/Connect app. Same environment as
 * `npm start` (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET,
 * LOG_LEVEL, GHE_HOST + GHE_PROTOCOL, JIRA_*), webhooks at Probot's
 * `/api/github/webhooks` (WEBHOOK_PATH changes it).
 *
 * With `REDIS_URL` the handler only enqueues: each webhook becomes a job in
 * Redis and the response goes at once (well within GitHub's 10 s); run a
 * worker beside the function (`THREATLOOP_ROLE=worker npm start`).
 *
 * Without Redis the work runs in the function, and the response is held: a serverless platform freezes the process once
 * the response is sent. Probot's middleware answers after the event handlers
 * finish (ours await the queued sync), except that @octokit/webhooks answers
 * `202 still processing` after 9 s and lets the handlers run on, and a sync
 * paced at one write a second takes longer than that. So the end of the
 * response waits until every handler that started and every queued sync has
 * settled. GitHub stops waiting after 10 s and records such a delivery as
 * timed out; the sync still completes (within the platform's time limit).
 *
 * The same start-up rules as `npm start` (startup.ts): no empty or default
 * webhook secret, a parseable private key. The webhook gate (webhook-gate.ts)
 * comes first: a body over WEBHOOK_MAX_BYTES gets 413 before it is read, a
 * bad signature 400 with no payload in the log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNodeMiddleware, createProbot, type Options, type Probot } from 'probot';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createThreatloopApp, ROUTES, type Route, type ThreatloopApp } from './index.ts';
import { AppOctokit, type AppOptions } from './runtime.ts';
import { planStartup } from './startup.ts';
import { createWebhookGate, DEFAULT_WEBHOOK_PATH } from './webhook-gate.ts';

export type ThreatloopMiddleware = (req: IncomingMessage, res: ServerResponse, next?: (error?: Error) => void) => Promise<boolean>;

export interface ThreatloopMiddlewareOptions {
  /** The app's clock, delays and pacing (tests); `env` is the function's `env`. */
  app?: Omit<AppOptions, 'env'>;
  /** Probot options that win over the environment (tests: an Octokit without throttling, a logger). */
  probot?: Options;
}

export interface ThreatloopHandler {
  /** `middleware(req, res, next?)`: true when it answered a webhook; other requests go to `next` (none: 404). */
  middleware: ThreatloopMiddleware;
  app: ThreatloopApp;
  probot: Probot;
}

export async function createThreatloopMiddleware(
  env: NodeJS.ProcessEnv = process.env,
  options: ThreatloopMiddlewareOptions = {},
): Promise<ThreatloopHandler> {
  // Probot accepts an empty WEBHOOK_SECRET, which would verify signatures made with the empty key.
  const plan = planStartup(env, { readFile: (path) => readFileSync(resolve(path), 'utf8') });
  if (plan.kind !== 'serve') {
    const problems = plan.kind === 'refuse' ? plan.problems : ['APP_ID is not set (the setup flow needs `npm start`; a function cannot run it).'];
    throw new Error(`threatloop: not starting: ${problems.join(' ')}`);
  }
  const { config } = plan;

  const running = new Set<Promise<unknown>>();
  // With Redis the function only enqueues (role `web`): the response goes as soon as the jobs are stored,
  // and a worker (`THREATLOOP_ROLE=worker`) runs them.
  const queued = env.REDIS_URL ? ({ redis: { url: env.REDIS_URL }, role: 'web' } as const) : {};
  const app = createThreatloopApp({ ...queued, ...options.app, env }, ROUTES.map((route) => tracked(route, running)));
  const probot = createProbot({
    env,
    overrides: { appId: config.appId, privateKey: config.privateKey, secret: config.webhookSecret, Octokit: AppOctokit, ...options.probot },
  });
  const probotMiddleware = await createNodeMiddleware(app.app, { probot });
  const path = env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  const gate = createWebhookGate({ path, secret: config.webhookSecret, maxBytes: config.webhookMaxBytes, log: probot.log.child({ name: 'webhook-gate' }) });
  for (const warning of config.warnings) probot.log.warn(warning);

  // Every handler that has started and every sync it queued (a handler queues before it returns).
  const settled = async () => {
    while (running.size > 0) await Promise.allSettled([...running]);
    await app.idle();
  };

  const middleware: ThreatloopMiddleware = async (req, res, next) => {
    if ((await gate(req, res)) === 'answered') return true;
    const held = holdResponseEnd(res);
    let answered = false;
    try {
      answered = (await probotMiddleware(req, res, (error) => {
        held.release();
        // Without a next handler (a function's whole handler), anything else is not found.
        if (next) next(error);
        else res.writeHead(404).end();
      })) === true;
      if (answered) await settled();
    } finally {
      held.release();
    }
    return answered;
  };
  return { middleware, app, probot };
}

/** The route with its running handlers recorded in `running`, so the response can wait for them. */
function tracked(route: Route, running: Set<Promise<unknown>>): Route {
  return {
    ...route,
    handle: (context, runtime) => {
      const work = route.handle(context, runtime);
      running.add(work);
      const forget = () => running.delete(work);
      work.then(forget, forget);
      return work;
    },
  };
}

/**
 * Defers `res.end(...)` until `release()`: Probot may write the status and headers, but nothing
 * reaches the client (Node sends the head with the first body write or the end) until then.
 */
function holdResponseEnd(res: ServerResponse): { release: () => void } {
  let endCall: unknown[] | undefined;
  let released = false;
  const held = function (this: ServerResponse, ...args: unknown[]) {
    endCall ??= args;
    return res;
  } as ServerResponse['end'];
  res.end = held;
  return {
    release: () => {
      if (released) return;
      released = true;
      // The instance property shadowed the prototype's end; removing it restores Node's own.
      if (res.end === held) delete (res as { end?: unknown }).end;
      if (endCall) (res.end as (...args: unknown[]) => ServerResponse).apply(res, endCall);
    },
  };
}
