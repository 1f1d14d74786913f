/**
 * Per-repository serialisation inside one process: two pushes in quick
 * succession run one after the other, never interleaved (interleaving is how
 * duplicate issues get created). Different repositories still run in parallel.
 */
export class RepoQueue {
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Resolves when every queued task has settled. */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all([...this.#tails.values()]);
  }
}

/** setTimeout/clearTimeout, injectable so tests fire scheduled work by hand. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const nodeTimers: Timers = {
  set: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A pending resume must not keep a stopping server alive.
    handle.unref();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Real timers that keep the process alive while they run (a shutdown's grace period). */
const heldTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** True when `work` settles (either way) within `ms`, false when the time runs out first. */
export function settlesWithin(work: Promise<unknown>, ms: number, timers: Timers = heldTimers): Promise<boolean> {
  return new Promise((resolve) => {
    const handle = timers.set(() => resolve(false), ms);
    const settled = () => {
      timers.clear(handle);
      resolve(true);
    };
    work.then(settled, settled);
  });
}

/**
 * Resumes a sync later (write budget or rate limit used up). One pending
 * resume per repository: scheduling again replaces the earlier one. `stop()`
 * clears everything on shutdown.
 */
export class ResumeScheduler {
  readonly #timers: Timers;
  readonly #pending = new Map<string, { handle: unknown; at: number }>();
  readonly #running = new Set<Promise<void>>();
  #stopped = false;

  constructor(timers: Timers = nodeTimers) {
    this.#timers = timers;
  }

  schedule(key: string, delayMs: number, task: () => Promise<unknown>, now = Date.now()): void {
    if (this.#stopped) return;
    this.cancel(key);
    const handle = this.#timers.set(() => {
      this.#pending.delete(key);
      if (this.#stopped) return;
      const running = task().then(
        () => undefined,
        () => undefined,
      );
      this.#running.add(running);
      void running.then(() => this.#running.delete(running));
    }, Math.max(0, delayMs));
    this.#pending.set(key, { handle, at: now + delayMs });
  }

  cancel(key: string): void {
    const entry = this.#pending.get(key);
    if (entry) this.#timers.clear(entry.handle);
    this.#pending.delete(key);
  }

  pending(): string[] {
    return [...this.#pending.keys()];
  }

  /** Resolves when every resume that has fired has finished (tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  stop(): void {
    this.#stopped = true;
    for (const key of [...this.#pending.keys()]) this.cancel(key);
  }
}
