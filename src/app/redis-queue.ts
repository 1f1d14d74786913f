/**
 * Jobs in Redis through BullMQ, for several replicas and restarts
 * (`REDIS_URL`). What BullMQ gives: durable jobs, delayed jobs (the resume
 * after a spent write budget or a rate limit survives a restart), retries
 * with exponential backoff, stalled-job recovery (a replica killed mid-job:
 * another takes the job over once its lock lapses), deduplication and job
 * schedulers (the daily re-evaluation).
 *
 * What BullMQ's open-source edition does not give is "one job at a time per
 * key" (groups are a Pro feature), so a per-key lock in Redis does it: a
 * worker that takes a job whose repository (or pull request) is busy puts
 * it back as a delayed job for a moment (BullMQ's documented DelayedError
 * pattern), which costs no attempt. The lock lapses on its own when its
 * holder dies (`lockMs`), as BullMQ's own job lock does.
 *
 * Newer replaces waiting: pushes of one repository share a deduplication id
 * with `keepLastIfActive`, so at most one waits behind the running one; the
 * sync runs against the branch head, so the one that waits covers them all.
 * Pull request events are not collapsed (each carries its own payload): each
 * takes a sequence number, and one that runs after a newer one of the same
 * PR has finished is skipped, so an old payload never overwrites a newer
 * comment.
 */
import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { describeError, type HandlerResult } from './handler.ts';
import type { JobProcessor, JobQueue, WorkerOptions } from './job-queue.ts';
import { DAILY_AT_UTC } from './job-queue.ts';
import { jobKey, parseJob, repositoryKey, type JobRequest, type SyncJobData } from './jobs.ts';

export interface RedisQueueOptions {
  /** `redis://…` or `rediss://…` (TLS). */
  url: string;
  /** Prefix of every key (default `threatloop`): several deployments can share one Redis. */
  prefix?: string;
  /** Jobs one worker process runs at once (different repositories; default 4). */
  concurrency?: number;
  /** How long a job (and its repository) stays locked by a worker that stops answering (default 30 s). */
  lockMs?: number;
  /** Wait before a job whose key is busy tries again (default 2 s). */
  busyRetryMs?: number;
  /** Attempts per job before it is left failed (default 5), exponential backoff from `backoffMs` (default 30 s). */
  attempts?: number;
  backoffMs?: number;
  log?: { info(fields: object, msg: string): void; warn(fields: object, msg: string): void; error(fields: object, msg: string): void };
}

const QUEUE_NAME = 'jobs';
const DAILY_SCHEDULER_ID = 'daily-reevaluation';

/** Stored job: the validated data plus, for PR events, its place in the PR's sequence. */
interface StoredJob {
  job: unknown;
  seq?: number;
}

export class RedisJobQueue implements JobQueue {
  readonly kind = 'redis';
  readonly redis: Redis;
  readonly queue: Queue;
  readonly #options: Required<Omit<RedisQueueOptions, 'log'>> & Pick<RedisQueueOptions, 'log'>;
  readonly #locks: KeyLocks;
  readonly #running = new Set<Promise<unknown>>();
  #worker: Worker | undefined;

  constructor(options: RedisQueueOptions) {
    this.#options = { prefix: 'threatloop', concurrency: 4, lockMs: 30_000, busyRetryMs: 2_000, attempts: 5, backoffMs: 30_000, ...options };
    // BullMQ's workers block on Redis: it asks for connections that never give up on a command.
    this.redis = new Redis(options.url, { maxRetriesPerRequest: null });
    this.redis.on('error', (error) => this.#options.log?.error({ error: describeError(error) }, 'redis: connection error'));
    this.queue = new Queue(QUEUE_NAME, { connection: this.redis, prefix: this.#options.prefix });
    this.#locks = new KeyLocks(this.redis, `${this.#options.prefix}:lock`, this.#options.lockMs);
  }

  async enqueue(job: JobRequest): Promise<HandlerResult> {
    const key = jobKey(job);
    const retries: JobsOptions = {
      attempts: this.#options.attempts,
      backoff: { type: 'exponential', delay: this.#options.backoffMs },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    };
    const stored: StoredJob = { job: job.data };
    let options: JobsOptions = retries;
    if (job.name === 'sync') {
      options = { ...retries, deduplication: { id: `sync@${key}`, keepLastIfActive: true } };
    } else if (job.name === 'proposal' && !job.data.declined && !job.data.fixes) {
      // A waiting recompute stands for every closure after it (it reads them all when it runs); a declined
      // proposal or a merged `Fixes` PR carries what only its event knows, so it is never dropped.
      options = { ...retries, deduplication: { id: `proposal@${key}`, keepLastIfActive: true } };
    } else if (job.name === 'pull-request-refresh') {
      stored.seq = await this.redis.incr(this.#seqKey(key));
      await this.redis.pexpire(this.#seqKey(key), 7 * 24 * 3_600_000);
    }
    const added = await this.queue.add(job.name, stored, options);
    return { outcome: 'queued', job: added.id, key };
  }

  async scheduleResume(data: SyncJobData, at: Date): Promise<void> {
    const key = repositoryKey(data.owner, data.repo);
    await this.cancelResume(data.owner, data.repo);
    // A fresh id each time: the resume that schedules the next one is still running under its own id.
    const jobId = `resume@${key}@${at.getTime()}-${randomUUID().slice(0, 8)}`;
    const stored: StoredJob = { job: { ...data, sha: undefined, reason: 'resume' } };
    await this.queue.add('resume', stored, {
      jobId,
      delay: Math.max(0, at.getTime() - Date.now()),
      attempts: this.#options.attempts,
      backoff: { type: 'exponential', delay: this.#options.backoffMs },
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 1000 },
    });
    await this.redis.set(this.#resumeKey(key), jobId);
  }

  async cancelResume(owner: string, repo: string): Promise<void> {
    const key = repositoryKey(owner, repo);
    const jobId = await this.redis.get(this.#resumeKey(key));
    if (!jobId) return;
    try {
      // Waiting or delayed: removed. Running right now (locked by a worker): it is the sync doing the work.
      await this.queue.remove(jobId);
    } catch {
      // Locked: see above.
    }
    await this.redis.eval(RELEASE, 1, this.#resumeKey(key), jobId);
  }

  async ready(): Promise<void> {
    await this.queue.waitUntilReady();
  }

  async startWorker(processor: JobProcessor, options: WorkerOptions = {}): Promise<void> {
    const { lockMs, concurrency, prefix } = this.#options;
    const connection = this.redis.duplicate();
    connection.on('error', () => undefined); // reported once, by the main connection's handler
    this.#worker = new Worker(QUEUE_NAME, (job, token) => this.#track(this.#process(processor, job, token)), {
      connection,
      prefix,
      concurrency,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
      maxStalledCount: 2,
    });
    this.#worker.on('failed', (job, error) =>
      this.#options.log?.error({ job: job?.id, name: job?.name, attempts: job?.attemptsMade, error: describeError(error) }, 'job failed'),
    );
    this.#worker.on('error', (error) => this.#options.log?.error({ error: describeError(error) }, 'job worker error'));
    if (options.daily) {
      const [hours, minutes] = DAILY_AT_UTC.split(':').map(Number) as [number, number];
      await this.queue.upsertJobScheduler(
        DAILY_SCHEDULER_ID,
        { pattern: `${minutes} ${hours} * * *`, tz: 'UTC' },
        { name: 'daily', data: { job: {} } satisfies StoredJob, opts: { removeOnComplete: true, removeOnFail: { count: 30 } } },
      );
    }
    await this.#worker.waitUntilReady();
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  async close(): Promise<void> {
    await this.#worker?.close();
    await this.queue.close();
    await this.redis.quit().catch(() => undefined);
  }

  async #process(processor: JobProcessor, bullJob: Job, token: string | undefined): Promise<HandlerResult> {
    const stored = (bullJob.data ?? {}) as StoredJob;
    const parsed = parseJob(bullJob.name, stored.job);
    // Data no worker can run is not retried: it would fail the same way five times.
    if (!parsed.ok) throw new UnrecoverableError(parsed.message);
    const key = jobKey(parsed.job);
    const lock = await this.#locks.acquire(key);
    if (!lock) {
      await bullJob.moveToDelayed(Date.now() + this.#options.busyRetryMs, token);
      throw new DelayedError();
    }
    try {
      if (stored.seq !== undefined) {
        const done = Number((await this.redis.get(this.#doneKey(key))) ?? 0);
        if (stored.seq <= done) return { outcome: 'superseded', reason: 'a newer event of this pull request was handled' };
      }
      const result = await processor(parsed.job);
      if (stored.seq !== undefined) await this.redis.set(this.#doneKey(key), String(stored.seq), 'PX', 7 * 24 * 3_600_000);
      this.#options.log?.info({ job: bullJob.id, name: bullJob.name, key, ...(result ?? { outcome: 'done' }) }, `${bullJob.name}: done`);
      return result;
    } finally {
      await lock.release();
    }
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const forget = () => this.#running.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** The id of the repository's pending resume job (BullMQ refuses ':' in custom ids; names cannot contain '@'). */
  #resumeKey(key: string): string {
    return `${this.#options.prefix}:resume:${key}`;
  }

  #seqKey(key: string): string {
    return `${this.#options.prefix}:seq:${key}`;
  }

  #doneKey(key: string): string {
    return `${this.#options.prefix}:done:${key}`;
  }
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** One holder per key across every replica; renewed while held, lapses `ttlMs` after its holder dies. */
export class KeyLocks {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(redis: Redis, prefix: string, ttlMs: number) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#ttlMs = ttlMs;
  }

  async acquire(key: string): Promise<{ release(): Promise<void> } | undefined> {
    const name = `${this.#prefix}:${key}`;
    const token = randomUUID();
    if ((await this.#redis.set(name, token, 'PX', this.#ttlMs, 'NX')) !== 'OK') return undefined;
    const renewal = setInterval(() => void this.#redis.eval(RENEW, 1, name, token, this.#ttlMs).catch(() => undefined), Math.floor(this.#ttlMs / 3));
    renewal.unref();
    return {
      release: async () => {
        clearInterval(renewal);
        await this.#redis.eval(RELEASE, 1, name, token).catch(() => undefined);
      },
    };
  }
}
