import { describe, expect, it } from 'vitest';
import { appOptionsFromEnv } from '../../src/app/server.ts';

describe('THREATLOOP_ROLE and REDIS_URL', () => {
  it('default: one process does both, jobs in memory, the daily re-evaluation on', () => {
    expect(appOptionsFromEnv({})).toMatchObject({ role: 'all', daily: true });
    expect(appOptionsFromEnv({}).redis).toBeUndefined();
  });

  it('REDIS_URL puts the jobs in Redis; web and worker replicas split the work', () => {
    expect(appOptionsFromEnv({ REDIS_URL: 'redis://cache:6379' })).toMatchObject({ role: 'all', redis: { url: 'redis://cache:6379' } });
    expect(appOptionsFromEnv({ REDIS_URL: 'redis://cache:6379', THREATLOOP_ROLE: 'worker' }).role).toBe('worker');
  });

  it('refuses an unknown role, and a split without Redis, saying what to set', () => {
    expect(() => appOptionsFromEnv({ THREATLOOP_ROLE: 'both' })).toThrow('THREATLOOP_ROLE must be one of all, web, worker, not "both"');
    expect(() => appOptionsFromEnv({ THREATLOOP_ROLE: 'web' })).toThrow('THREATLOOP_ROLE=web needs REDIS_URL');
  });
});
