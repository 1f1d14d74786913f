/**
 * The write pacer under concurrent callers, on a virtual clock: `delay` parks
 * the caller until the test moves time on, so nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { MemoryPaceStore, nextSlot, WritePacer, GITHUB_PACE } from '../../src/github/pacer.ts';

/** A clock that only moves when told; `delay` resolves once time has reached its end. */
export class VirtualClock {
  time = 0;
  readonly #waiting: { at: number; resolve: () => void }[] = [];
  now = (): number => this.time;
  delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.#waiting.push({ at: this.time + ms, resolve });
    });
  /** Moves time to each parked waiter in turn until nobody waits (letting woken callers park again). */
  async runAll(): Promise<void> {
    for (;;) {
      await settle();
      if (this.#waiting.length === 0) return;
      this.#waiting.sort((a, b) => a.at - b.at);
      const next = this.#waiting.shift()!;
      this.time = Math.max(this.time, next.at);
      next.resolve();
    }
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('WritePacer', () => {
  it('five concurrent writers of one installation go out one second apart, not together', async () => {
    const clock = new VirtualClock();
    const pacer = new WritePacer({ ...GITHUB_PACE, delay: clock.delay, now: clock.now });
    const sentAt: number[] = [];
    const writers = Array.from({ length: 5 }, async () => {
      expect(await pacer.beforeWrite('installation:1')).toBeUndefined();
      sentAt.push(clock.now());
    });
    await clock.runAll();
    await Promise.all(writers);
    expect(sentAt).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('one installation never waits on another', async () => {
    const clock = new VirtualClock();
    const pacer = new WritePacer({ ...GITHUB_PACE, delay: clock.delay, now: clock.now });
    const sentAt: Record<string, number[]> = { a: [], b: [] };
    const writers = ['a', 'a', 'a', 'b', 'b', 'b'].map(async (key) => {
      await pacer.beforeWrite(`installation:${key}`);
      sentAt[key]!.push(clock.now());
    });
    await clock.runAll();
    await Promise.all(writers);
    expect(sentAt).toEqual({ a: [0, 1000, 2000], b: [0, 1000, 2000] });
  });

  it('at most 80 a minute: the 81st waits until a minute after the first', async () => {
    const clock = new VirtualClock();
    const pacer = new WritePacer({ minIntervalMs: 100, perMinute: 80, perHour: 500, delay: clock.delay, now: clock.now });
    const sentAt: number[] = [];
    for (let i = 0; i < 82; i++) {
      const write = pacer.beforeWrite('k').then(() => sentAt.push(clock.now()));
      await clock.runAll();
      await write;
    }
    expect(sentAt[79]).toBe(7900);
    expect(sentAt[80]).toBe(60_000);
    expect(sentAt[81]).toBe(60_100);
  });

  it('at most 500 an hour: the 501st is told when the allowance frees up, and takes no slot', async () => {
    const clock = new VirtualClock();
    const pacer = new WritePacer({ minIntervalMs: 0, perMinute: Infinity, perHour: 500, delay: clock.delay, now: clock.now });
    for (let i = 0; i < 500; i++) expect(await pacer.beforeWrite('k')).toBeUndefined();
    clock.time = 10_000;
    expect(await pacer.beforeWrite('k')).toEqual(new Date(3_600_000));
    expect(await pacer.roomFor('k', 1)).toEqual(new Date(3_600_000));
    clock.time = 3_600_001;
    expect(await pacer.roomFor('k', 2)).toBeUndefined();
    expect(await pacer.beforeWrite('k')).toBeUndefined();
  });

  it('a retry-after pause holds every writer of the key until then', async () => {
    const clock = new VirtualClock();
    const pacer = new WritePacer({ ...GITHUB_PACE, delay: clock.delay, now: clock.now });
    await pacer.pauseUntil('k', new Date(30_000));
    const sentAt: number[] = [];
    const writers = [1, 2].map(async () => {
      await pacer.beforeWrite('k');
      sentAt.push(clock.now());
    });
    await clock.runAll();
    await Promise.all(writers);
    expect(sentAt).toEqual([30_000, 31_000]);
  });

  it('nextSlot: nothing slower than the rules (a writer after a quiet spell goes at once)', () => {
    expect(nextSlot([0, 1000], 5000, 0, GITHUB_PACE)).toEqual({ at: 5000 });
    expect(nextSlot([0, 1000], 1200, 0, GITHUB_PACE)).toEqual({ at: 2000 });
    const store = new MemoryPaceStore();
    expect(store.reserveNow('k', 0, GITHUB_PACE)).toEqual({ at: 0 });
    expect(store.reserveNow('k', 0, GITHUB_PACE)).toEqual({ at: 1000 });
  });
});
