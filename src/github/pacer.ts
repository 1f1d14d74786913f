/**
 * The one place that decides when a content-creating request may go, per
 * installation (GitHub's limits are per installation token, so one busy
 * installation never slows another). GitHub's documented rules for
 * content-creating requests: at least 1 s apart, at most 80 a minute and
 * 500 an hour; a `retry-after` or `x-ratelimit-reset` answer pauses the key
 * until then. Nothing slower than that.
 *
 * Safe under concurrent callers: a caller reserves its slot synchronously
 * in the store (in memory, or one Lua script in Redis shared by every
 * replica), then waits for it. Five writers calling at once go out at
 * 0 s, 1 s, 2 s, 3 s and 4 s, never together.
 */
import type { Delay } from './client.ts';

export interface PaceLimits {
  /** Minimum gap between content-creating requests (GitHub: 1000 ms). */
  minIntervalMs: number;
  /** At most this many in any 60 s (GitHub: 80). */
  perMinute: number;
  /** At most this many in any hour (GitHub: 500). */
  perHour: number;
}

export const GITHUB_PACE: PaceLimits = { minIntervalMs: 1000, perMinute: 80, perHour: 500 };

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** A reserved slot (`at`, epoch ms), or the time the hourly allowance frees up. */
export type Reservation = { at: number } | { exhaustedUntil: number };

/** Where the pace of each key is kept: this process's memory, or Redis for every replica. */
export interface PaceStore {
  /** Reserves the next slot for `key` at or after `nowMs` under `limits`. Atomic per key. */
  reserve(key: string, nowMs: number, limits: PaceLimits): Promise<Reservation>;
  /** Reserved slots of `key` within the hour before `nowMs`, oldest first. */
  recent(key: string, nowMs: number): Promise<number[]>;
  /** No slot for `key` before `untilMs` (retry-after, rate limit reset). */
  pauseUntil(key: string, untilMs: number): Promise<void>;
}

/**
 * The slot rule shared by both stores (the Lua script in redis-pace-store.ts mirrors it):
 * after the last slot by the gap, after any pause, and after the 80th-last slot by a minute.
 * `slots` are within the last hour, sorted.
 */
export function nextSlot(slots: readonly number[], nowMs: number, pausedUntil: number, limits: PaceLimits): Reservation {
  if (slots.length >= limits.perHour) return { exhaustedUntil: slots[slots.length - limits.perHour]! + HOUR_MS };
  let at = Math.max(nowMs, pausedUntil);
  const last = slots.at(-1);
  if (last !== undefined) at = Math.max(at, last + limits.minIntervalMs);
  if (slots.length >= limits.perMinute) at = Math.max(at, slots[slots.length - limits.perMinute]! + MINUTE_MS);
  return { at };
}

export class MemoryPaceStore implements PaceStore {
  readonly #slots = new Map<string, number[]>();
  readonly #paused = new Map<string, number>();

  async reserve(key: string, nowMs: number, limits: PaceLimits): Promise<Reservation> {
    return this.reserveNow(key, nowMs, limits);
  }

  /** Synchronous, so concurrent callers in this process can never both see the same last slot. */
  reserveNow(key: string, nowMs: number, limits: PaceLimits): Reservation {
    const slots = this.#prune(key, nowMs);
    const reservation = nextSlot(slots, nowMs, this.#paused.get(key) ?? 0, limits);
    if ('at' in reservation) slots.push(reservation.at);
    return reservation;
  }

  async recent(key: string, nowMs: number): Promise<number[]> {
    return [...this.#prune(key, nowMs)];
  }

  async pauseUntil(key: string, untilMs: number): Promise<void> {
    this.#paused.set(key, Math.max(untilMs, this.#paused.get(key) ?? 0));
  }

  #prune(key: string, nowMs: number): number[] {
    const hourAgo = nowMs - HOUR_MS;
    const slots = (this.#slots.get(key) ?? []).filter((t) => t > hourAgo);
    this.#slots.set(key, slots);
    return slots;
  }
}

export interface PacerOptions extends Partial<PaceLimits> {
  delay: Delay;
  now?: () => number;
  /** Default: this process's memory. With Redis: `RedisPaceStore`, shared by every replica. */
  store?: PaceStore;
}

export class WritePacer {
  readonly #limits: PaceLimits;
  readonly #delay: Delay;
  readonly #now: () => number;
  readonly #store: PaceStore;

  constructor(options: PacerOptions) {
    this.#limits = {
      minIntervalMs: options.minIntervalMs ?? GITHUB_PACE.minIntervalMs,
      perMinute: options.perMinute ?? GITHUB_PACE.perMinute,
      perHour: options.perHour ?? GITHUB_PACE.perHour,
    };
    this.#delay = options.delay;
    this.#now = options.now ?? Date.now;
    this.#store = options.store ?? new MemoryPaceStore();
  }

  /** Waits for this key's next slot; `undefined` = go, a Date = the hourly allowance is used up until then. */
  async beforeWrite(key: string): Promise<Date | undefined> {
    const now = this.#now();
    const reservation = await this.#store.reserve(key, now, this.#limits);
    if ('exhaustedUntil' in reservation) return new Date(reservation.exhaustedUntil);
    const wait = reservation.at - now;
    if (wait > 0) await this.#delay(wait);
    return undefined;
  }

  /**
   * Whether `writes` more fit in this hour's allowance: `undefined` = yes, a Date = not before then.
   * Lets a caller keep writes that belong together (an edit and its audit comment) from being split.
   */
  async roomFor(key: string, writes: number): Promise<Date | undefined> {
    const recent = await this.#store.recent(key, this.#now());
    const excess = recent.length + writes - this.#limits.perHour;
    if (excess <= 0) return undefined;
    const freedBy = recent[Math.min(excess, recent.length) - 1];
    return new Date((freedBy ?? this.#now()) + HOUR_MS);
  }

  /** GitHub said to wait (retry-after, x-ratelimit-reset): every writer of this key waits too. */
  pauseUntil(key: string, until: Date): Promise<void> {
    return this.#store.pauseUntil(key, until.getTime());
  }
}
