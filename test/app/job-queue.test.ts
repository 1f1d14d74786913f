/**
 * The in-process queue's coalescing of review-triggered jobs: a flood of `pull_request_review` events on
 * one pull request runs one job at a time and keeps one waiting, with the newest payload.
 */
import { describe, expect, it } from 'vitest';
import { InProcessJobQueue } from '../../src/app/job-queue.ts';
import { coalesceKey, type JobRequest, type PullRequestJobData } from '../../src/app/jobs.ts';

function prJob(number: number, work: PullRequestJobData['work'], action: string): JobRequest {
  return {
    name: 'pull-request-refresh',
    data: {
      installationId: 1,
      work,
      action,
      baseChanged: false,
      number,
      pull_request: { number, title: 't', body: null, html_url: 'u', user: { login: 'ada' }, head: { sha: 'h' }, base: { sha: 'b', ref: 'main' } },
      repository: { name: 'app', full_name: 'acme/app', private: true, owner: { login: 'acme' } },
    },
  };
}

describe('InProcessJobQueue coalescing', () => {
  it('reviews of one PR: the one waiting stands for every later one and runs with the newest payload; other jobs are never merged', async () => {
    const queue = new InProcessJobQueue();
    const ran: string[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    await queue.startWorker(async (job) => {
      const data = job.data as PullRequestJobData;
      ran.push(`${data.number}:${data.work}:${data.action}`);
      if (data.action === 'opened') await blocked;
      return { outcome: data.action };
    });
    const opened = queue.enqueue(prJob(7, 'context', 'opened'));
    const reviews = Array.from({ length: 5 }, (_, k) => queue.enqueue(prJob(7, 'approval', `review-${k}`)));
    const synchronize = queue.enqueue(prJob(7, 'context', 'synchronize'));
    const otherPull = queue.enqueue(prJob(8, 'approval', 'review-other'));
    release();
    await Promise.all([opened, synchronize, otherPull]);
    const results = await Promise.all(reviews);
    expect(results.map((r) => r?.outcome)).toEqual(Array(5).fill('review-4'));
    expect(ran).toEqual(['7:context:opened', '8:approval:review-other', '7:approval:review-4', '7:context:synchronize']);

    // Once that job has started, a new review waits behind it (it may have read the reviews already).
    ran.length = 0;
    await Promise.all([queue.enqueue(prJob(7, 'approval', 'a')), Promise.resolve().then(() => queue.enqueue(prJob(7, 'approval', 'b')))]);
    expect(ran.length).toBeGreaterThanOrEqual(1);
    expect(ran.at(-1)).toBe('7:approval:b');
  });

  it('only review-triggered jobs coalesce', () => {
    expect(coalesceKey(prJob(7, 'approval', 'submitted'))).toBe('approval@acme/app#pull-7');
    expect(coalesceKey(prJob(7, 'context', 'opened'))).toBeUndefined();
    expect(coalesceKey(prJob(7, 'merged', 'closed'))).toBeUndefined();
  });
});
