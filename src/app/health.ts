/**
 * Liveness and readiness for orchestrators (Kubernetes probes, Docker's
 * HEALTHCHECK, load balancers):
 * - `GET /healthz`: 200 while the process can answer HTTP at all (liveness).
 * - `GET /readyz`: 200 only when every readiness check passes, else 503
 *   with the failing checks named. The server registers `app` (loaded) and
 *   `accepting` (not shutting down); a durable queue registers its own
 *   connection check through `Readiness.add`, the seam for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const HEALTH_PATHS = { live: '/healthz', ready: '/readyz' } as const;

export type ReadinessCheck = () => boolean | Promise<boolean>;

export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();

  /** A named check; adding a name again replaces it. */
  add(name: string, check: ReadinessCheck): void {
    this.#checks.set(name, check);
  }

  /** Every check's result; a check that throws counts as not ready. */
  async evaluate(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of this.#checks) {
      try {
        checks[name] = (await check()) === true;
      } catch {
        checks[name] = false;
      }
    }
    return { ready: Object.values(checks).every(Boolean), checks };
  }
}

/** Answers the two health paths (GET or HEAD); true when it answered. */
export async function answerHealth(req: IncomingMessage, res: ServerResponse, readiness: Readiness): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url ?? '/').split('?')[0];
  if (path === HEALTH_PATHS.live) {
    send(req, res, 200, { status: 'ok' });
    return true;
  }
  if (path === HEALTH_PATHS.ready) {
    const { ready, checks } = await readiness.evaluate();
    send(req, res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
    return true;
  }
  return false;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
}
