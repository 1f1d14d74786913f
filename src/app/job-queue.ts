/**
 * Where jobs wait and who runs them. Two implementations:
 * - `InProcessJobQueue` (no `REDIS_URL`): one process, today's behaviour: a
 *   job runs in its key's turn right away and `enqueue` resolves with its
 *   result; resumes are timers, lost on restart (the next push or the daily
 *   sweep redoes the work).
 * - `RedisJobQueue` (redis-queue.ts, `REDIS_URL`): BullMQ; `enqueue` resolves
 *   once the job is stored, any worker replica runs it, delayed resumes
 *   survive restarts.
 */
import type { HandlerResult } from './handler.ts';
import { coalesceKey, jobKey, repositoryKey, type JobRequest, type SyncJobData } from './jobs.ts';
import { nodeTimers, RepoQueue, ResumeScheduler, type Timers } from './repo-queue.ts';

export type JobProcessor = (job: JobRequest) => Promise<HandlerResult>;

/** A daily re-evaluation of every installed repository, at this time of day (UTC). */
export const DAILY_AT_UTC = '06:00';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface WorkerOptions {
  /** Run the `daily` job once a day (the server: yes; tests: no). */
  daily?: boolean;
}

export interface JobQueue {
  readonly kind: 'in-process' | 'redis';
  /** In-process: runs the job in its key's turn and resolves with its result. Redis: resolves once stored. */
  enqueue(job: JobRequest): Promise<HandlerResult>;
  /** A sync of the repository's default branch at `at`; replaces any resume already scheduled for it. */
  scheduleResume(data: SyncJobData, at: Date): Promise<void>;
  /** Drops the scheduled resume of a repository (a sync is running now: it does the work). */
  cancelResume(owner: string, repo: string): Promise<void>;
  /** Resolves once jobs can be stored (Redis: connected). */
  ready(): Promise<void>;
  /** Starts running jobs with `processor` (role `worker` or `all`); resolves once it runs. */
  startWorker(processor: JobProcessor, options?: WorkerOptions): Promise<void>;
  /** Resolves when every job this process is running or has queued in memory has settled. */
  idle(): Promise<void>;
  /** Stops taking jobs and scheduling resumes; the jobs already running finish. */
  close(): Promise<void>;
}

export class InProcessJobQueue implements JobQueue {
  readonly kind = 'in-process';
  readonly queue = new RepoQueue();
  readonly scheduler: ResumeScheduler;
  readonly #timers: Timers;
  readonly #now: () => Date;
  #processor: JobProcessor | undefined;
  #daily: unknown;
  /** Coalescing jobs not yet started, by `coalesceKey`: a newer one takes the waiting one's place. */
  readonly #waiting = new Map<string, { job: JobRequest; result: Promise<HandlerResult> }>();

  constructor(options: { timers?: Timers; now?: () => Date } = {}) {
    this.#timers = options.timers ?? nodeTimers;
    this.#now = options.now ?? (() => new Date());
    this.scheduler = new ResumeScheduler(this.#timers);
  }

  enqueue(job: JobRequest): Promise<HandlerResult> {
    const processor = this.#processor;
    if (!processor) return Promise.reject(new Error('the in-process queue has no worker (start it with startWorker)'));
    const coalesce = coalesceKey(job);
    if (coalesce === undefined) return this.queue.run(jobKey(job), () => processor(job));
    const waiting = this.#waiting.get(coalesce);
    if (waiting) {
      waiting.job = job;
      return waiting.result;
    }
    const entry = { job, result: undefined as unknown as Promise<HandlerResult> };
    entry.result = this.queue.run(jobKey(job), () => {
      this.#waiting.delete(coalesce);
      return processor(entry.job);
    });
    this.#waiting.set(coalesce, entry);
    return entry.result;
  }

  async scheduleResume(data: SyncJobData, at: Date): Promise<void> {
    const now = this.#now().getTime();
    this.scheduler.schedule(
      repositoryKey(data.owner, data.repo),
      at.getTime() - now,
      () => this.enqueue({ name: 'resume', data: { ...data, sha: undefined, reason: 'resume' } }),
      now,
    );
  }

  async cancelResume(owner: string, repo: string): Promise<void> {
    this.scheduler.cancel(repositoryKey(owner, repo));
  }

  async ready(): Promise<void> {}

  async startWorker(processor: JobProcessor, options: WorkerOptions = {}): Promise<void> {
    this.#processor = processor;
    if (options.daily) this.#armDaily();
  }

  async idle(): Promise<void> {
    await Promise.all([this.queue.idle(), this.scheduler.idle()]);
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    if (this.#daily !== undefined) this.#timers.clear(this.#daily);
    this.#daily = undefined;
  }

  /** The next DAILY_AT_UTC, then every 24 hours (timers are unref'd: they never hold a stopping process). */
  #armDaily(): void {
    const now = this.#now();
    const [hours, minutes] = DAILY_AT_UTC.split(':').map(Number) as [number, number];
    let next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hours, minutes);
    if (next <= now.getTime()) next += DAY_MS;
    this.#daily = this.#timers.set(() => {
      this.#armDaily();
      void this.enqueue({ name: 'daily', data: {} }).catch(() => undefined);
    }, next - now.getTime());
  }
}
