/**
 * Probot for tests: a real app instance with retries and throttling off (our
 * own retry path stays on, with an injected delay), a recording logger, and
 * an RSA key generated once per run (Probot signs real JWTs with it).
 */
import { generateKeyPairSync } from 'node:crypto';
import { Probot, ProbotOctokit } from 'probot';
import { createThreatloopApp, type ThreatloopApp } from '../../src/app/index.ts';
import type { AppOptions } from '../../src/app/runtime.ts';
import type { Timers } from '../../src/app/repo-queue.ts';

let key: string | undefined;

/**
 * Probot's testing docs pass `ProbotOctokit.defaults({ throttle: { enabled: false } })`, but in
 * Probot 14 that does not disable throttling: Probot's own throttle options (its rate-limit
 * handlers) replace the whole `throttle` object on the way in, so `enabled` falls back to true and
 * the throttling plugin spaces every write 1-3 s. A defaults *function* runs after that merge.
 */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  retry: { ...options.retry, enabled: false },
  throttle: { ...options.throttle, enabled: false },
}));

export function testPrivateKey(): string {
  key ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return key;
}

export interface LogEntry {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

/** A pino-shaped logger that keeps what it is told. */
export function recordingLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): any {
  const at = (level: string) => (first: unknown, second?: unknown) => {
    const fields = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
    const msg = typeof first === 'string' ? first : String(second ?? '');
    entries.push({ level, msg, fields: { ...bindings, ...fields } });
  };
  return {
    entries,
    level: 'trace',
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more: Record<string, unknown>) => recordingLogger(entries, { ...bindings, ...more }),
  };
}

/** Timers that fire only when the test says so. */
export class ManualTimers implements Timers {
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  #next = 0;
  set(callback: () => void, ms: number): unknown {
    const id = ++this.#next;
    this.pending.set(id, { callback, ms });
    return id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Fire everything pending now. */
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const timer of due) timer.callback();
  }
}

export interface TestApp {
  probot: Probot;
  threatloop: ThreatloopApp;
  logs: LogEntry[];
  delays: number[];
  timers: ManualTimers;
}

export async function createTestApp(baseUrl: string, options: AppOptions = {}): Promise<TestApp> {
  const logs: LogEntry[] = [];
  const delays: number[] = [];
  const timers = new ManualTimers();
  const probot = new Probot({
    appId: 1,
    privateKey: testPrivateKey(),
    baseUrl,
    log: recordingLogger(logs),
    Octokit: TestOctokit,
  });
  const threatloop = createThreatloopApp({
    delay: async (ms) => {
      delays.push(ms);
    },
    writeIntervalMs: 0,
    now: () => new Date('2030-01-01T12:00:00Z'),
    timers,
    env: {},
    ...options,
  });
  await probot.load(threatloop.app);
  return { probot, threatloop, logs, delays, timers };
}
