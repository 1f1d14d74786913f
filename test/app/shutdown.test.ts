/**
 * Shutdown: the server stops taking webhooks, then waits for the syncs already
 * queued, up to a grace period. Deferred tasks and manual timers: nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import type { InProcessJobQueue } from '../../src/app/job-queue.ts';
import { RepoQueue, settlesWithin } from '../../src/app/repo-queue.ts';
import { shutDown, shutdownGraceMs } from '../../src/app/server.ts';
import { createTestApp, ManualTimers } from '../helpers/probot.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every pending promise callback run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function track(promise: Promise<boolean>) {
  const seen: { value?: boolean } = {};
  void promise.then((value) => (seen.value = value));
  return seen;
}

describe('settlesWithin a grace period', () => {
  it('resolves true once the running task of the queue finishes, and no sooner', async () => {
    const queue = new RepoQueue();
    const task = deferred();
    void queue.run('acme/app', () => task.promise);
    const timers = new ManualTimers();
    const drained = track(settlesWithin(queue.idle(), 25_000, timers));
    await flush();
    expect(drained.value).toBeUndefined();
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([25_000]);

    task.resolve();
    await flush();
    expect(drained.value).toBe(true);
    expect(timers.pending.size).toBe(0);
  });

  it('resolves false when the grace period runs out first', async () => {
    const queue = new RepoQueue();
    void queue.run('acme/app', () => deferred().promise);
    const timers = new ManualTimers();
    const drained = track(settlesWithin(queue.idle(), 25_000, timers));
    timers.fireAll();
    await flush();
    expect(drained.value).toBe(false);
  });
});

describe('shutDown', () => {
  it('stops the server first, then waits for queued syncs (a failing one included) before it resolves', async () => {
    const { threatloop } = await createTestApp('http://127.0.0.1:9');
    const queue = (threatloop.runtime()!.jobs as InProcessJobQueue).queue;
    const running = deferred();
    const waiting = deferred();
    void queue.run('acme/app', () => running.promise);
    void queue.run('acme/app', () => waiting.promise.then(() => Promise.reject(new Error('sync failed')))).catch(() => undefined);
    const events: string[] = [];
    const server = { stop: async () => void events.push('server stopped') };
    const timers = new ManualTimers();

    const done = track(shutDown(server, threatloop, 25_000, timers));
    await flush();
    expect(events).toEqual(['server stopped']);
    expect(done.value).toBeUndefined();

    running.resolve();
    await flush();
    expect(done.value).toBeUndefined();
    waiting.resolve();
    await flush();
    expect(done.value).toBe(true);
  });

  it('clears scheduled resumes at once', async () => {
    const { threatloop, timers: appTimers } = await createTestApp('http://127.0.0.1:9');
    (threatloop.runtime()!.jobs as InProcessJobQueue).scheduler.schedule('acme/app', 60_000, async () => undefined);
    expect(appTimers.pending.size).toBe(1);
    await shutDown({ stop: async () => undefined }, threatloop, 25_000, new ManualTimers());
    expect(appTimers.pending.size).toBe(0);
  });
});

describe('shutdownGraceMs', () => {
  it('is 25 s unless SHUTDOWN_GRACE_MS says otherwise', () => {
    expect(shutdownGraceMs({})).toBe(25_000);
    expect(shutdownGraceMs({ SHUTDOWN_GRACE_MS: '5000' })).toBe(5_000);
    expect(shutdownGraceMs({ SHUTDOWN_GRACE_MS: '0' })).toBe(0);
    expect(() => shutdownGraceMs({ SHUTDOWN_GRACE_MS: 'soon' })).toThrow(/SHUTDOWN_GRACE_MS/);
  });
});
