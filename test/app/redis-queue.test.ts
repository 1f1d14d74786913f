/**
 * The job queue on a real Redis (Debian's redis-server, started here on a
 * free loopback port) with several app replicas sharing it: independent
 * Probot instances with their own queues and workers, and for the kill test a
 * replica in its own process. Nothing sleeps: each wait is for an event (a
 * stand-in request, the queue drained) with a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisPaceStore } from '../../src/github/redis-pace-store.ts';
import { GITHUB_PACE } from '../../src/github/pacer.ts';
import { RedisJobQueue } from '../../src/app/redis-queue.ts';
import type { GitHubStandin, RecordedRequest, StandinRepo } from '../helpers/github-standin.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { threatId, threatModelText } from '../helpers/models.ts';
import { createTestApp, testPrivateKey, type TestApp } from '../helpers/probot.ts';
import { redisUnavailable, startRedis, type RedisEngine } from '../helpers/redis.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPO = 'acme/app';
const unavailable = redisUnavailable();

describe.skipIf(unavailable !== undefined)(`jobs in a real Redis${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let redis: RedisEngine;
  let github: GitHubStandin;
  let prefix: string;
  let testNumber = 0;
  const replicas: TestApp[] = [];
  const children: ChildProcess[] = [];
  const standin = useGitHubStandin();

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    github = standin.github;
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Unanswered (held) requests would keep a closing worker waiting: answer nothing more, then close.
    github.hold = undefined;
    await Promise.all(replicas.splice(0).map((replica) => replica.threatloop.stop()));
  });

  /** A replica in this process: its own Probot, queue and worker (role `all` unless told). */
  async function replica(options: { role?: 'all' | 'web' | 'worker'; lockMs?: number; daily?: boolean } = {}): Promise<TestApp> {
    const app = await createTestApp(standin.github.url, {
      role: options.role ?? 'all',
      ...(options.daily ? { daily: true } : {}),
      redis: { url: redis.url, prefix, lockMs: options.lockMs ?? 5_000, busyRetryMs: 50, backoffMs: 100 },
    });
    replicas.push(app);
    await app.threatloop.ready();
    return app;
  }

  /** A reader of the test's queue (jobs of every replica). */
  function inspector(): RedisJobQueue {
    const queue = new RedisJobQueue({ url: redis.url, prefix });
    replicas.push({ threatloop: { stop: () => queue.close() } } as unknown as TestApp);
    return queue;
  }

  /** Resolves once no job waits, runs or is delayed (each check is a Redis round trip); fails on failed jobs. */
  async function drained(queue: RedisJobQueue, options: { delayed?: boolean; ms?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.ms ?? 15_000);
    for (;;) {
      const counts = await queue.queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed');
      if (counts.failed! > 0) {
        const failed = await queue.queue.getFailed();
        throw new Error(`failed jobs: ${failed.map((j) => `${j.name}: ${j.failedReason}`).join('; ')}`);
      }
      const delayed = options.delayed === false ? 0 : counts.delayed!;
      if (counts.wait! + counts.active! + counts.prioritized! + delayed === 0) return;
      if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(counts)}`);
    }
  }

  /** Resolves with the first stand-in request `predicate` holds for (from now on). */
  function nextRequest(predicate: (request: RecordedRequest) => boolean, ms = 15_000): Promise<RecordedRequest> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a request')), ms);
      const listener = (request: RecordedRequest) => {
        if (!predicate(request)) return;
        clearTimeout(timer);
        github.events.off('request', listener);
        resolve(request);
      };
      github.events.on('request', listener);
    });
  }

  function setup(threats: number, config?: string): StandinRepo {
    github = standin.github;
    prefix = `t${++testNumber}`;
    return github.addRepo({
      owner: 'acme',
      name: 'app',
      assignees: ['sec-lead', 'plat-dev'],
      files: { 'threat-model.yml': threatModelText({ threats }), ...(config ? { '.github/threatloop.yml': config } : {}), 'README.md': 'hi' },
    });
  }

  const threatIssues = (repo: StandinRepo) => repo.issues.filter((i) => i.labels.includes('threat'));
  const issueCreations = () => github.requests.filter((r) => r.method === 'POST' && r.path === '/repos/acme/app/issues');

  function expectOneIssuePerThreat(repo: StandinRepo, threats: number): void {
    const titles = threatIssues(repo).map((i) => i.title.replace(/\].*/, ']'));
    expect(titles.sort()).toEqual(Array.from({ length: threats }, (_, i) => `[${threatId(i)}]`).sort());
    expect(repo.issues.filter((i) => i.labels.includes('threat-dashboard'))).toHaveLength(1);
  }

  it('20 pushes of one repository spread over two replicas: one issue per threat, one PR comment per PR, webhooks answered at once', async () => {
    const repo = setup(2);
    const [a, b] = [await replica(), await replica()];
    // Each push grows the model by one threat (up to 8): every push needs a sync.
    const pushes = Array.from({ length: 20 }, (_, k) => github.push(REPO, { 'threat-model.yml': threatModelText({ threats: Math.min(2 + k, 8) }) }));
    await Promise.all(
      pushes.map((push, k) => (k % 2 === 0 ? a : b).probot.receive({ name: 'push', id: `push-${k}`, payload: github.pushPayload(REPO, push) as never })),
    );
    // The webhook only stored the job.
    const answered = [...a.logs, ...b.logs].filter((l) => l.fields.handler === 'sync-on-push' && l.msg.endsWith(': done'));
    expect(answered.map((l) => l.fields.outcome)).toEqual(Array(20).fill('queued'));

    const pull = github.addPullRequest(REPO, ['src/api/handler.ts']);
    const events = ['opened', 'synchronize', 'edited', 'synchronize', 'ready_for_review', 'synchronize'];
    await Promise.all(
      events.map((action, k) =>
        (k % 2 === 0 ? b : a).probot.receive({ name: 'pull_request', id: `pr-${k}`, payload: github.pullRequestPayload(REPO, pull, action) as never }),
      ),
    );
    await drained(inspector());

    expectOneIssuePerThreat(repo, 8);
    expect(issueCreations()).toHaveLength(9);
    const prComments = repo.issues.find((i) => i.number === pull)!.comments;
    expect(prComments).toHaveLength(1);
    expect(prComments[0]!.body).toContain('TM-1');
  });

  it('kill -9 of a worker in the middle of a sync: another replica finishes it, nothing written twice, nothing lost', async () => {
    const repo = setup(0);
    const web = await replica({ role: 'web' });
    // The third issue creation is done by "GitHub" but never answered: the worker dies waiting for it.
    let created = 0;
    github.hold = (request) => request.method === 'POST' && request.path === '/repos/acme/app/issues' && ++created === 3;
    const worker = spawn(process.execPath, ['test/helpers/replica.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PRIVATE_KEY: testPrivateKey(), GITHUB_URL: github.url, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, LOCK_MS: '1000', ROLE: 'worker' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(worker);
    let output = '';
    worker.stdout!.on('data', (chunk) => (output += String(chunk)));
    worker.stderr!.on('data', (chunk) => (output += String(chunk)));
    await new Promise<void>((resolve, reject) => {
      const check = () => (output.includes('ready') ? resolve() : worker.exitCode !== null ? reject(new Error(`the worker exited:\n${output}`)) : undefined);
      worker.stdout!.on('data', check);
      worker.once('exit', check);
    });
    const started = Date.now();
    const held = nextRequest((request) => request.method === 'POST' && request.path === '/repos/acme/app/issues' && created === 3);
    const push = github.push(REPO, { 'threat-model.yml': threatModelText({ threats: 6 }) });
    await web.probot.receive({ name: 'push', id: 'push', payload: github.pushPayload(REPO, push) as never });
    await held.catch((error: Error) => {
      throw new Error(`${error.message} after ${Date.now() - started} ms; the worker said:\n${output.slice(-3000)}\nweb: ${JSON.stringify(web.logs.slice(-5))}\nrequests: ${github.requests.map((r) => `${r.method} ${r.path}`).join(', ').slice(-2000)}`);
    });
    worker.kill('SIGKILL');
    await once(worker, 'exit');
    github.hold = undefined;
    expect(threatIssues(repo)).toHaveLength(3);

    // A replica started afterwards takes the job over once the dead one's lock lapses (1 s).
    await replica({ lockMs: 1000 });
    await drained(inspector());

    expectOneIssuePerThreat(repo, 6);
    expect(issueCreations()).toHaveLength(7); // 6 threats + the dashboard, each once
    const labelCreations = github.requests.filter((r) => r.method === 'POST' && r.path === '/repos/acme/app/labels');
    expect(new Set(labelCreations.map((r) => (r.body as { name: string }).name)).size).toBe(labelCreations.length);
  }, 60_000);

  it('a flood of reviews on one pull request is one stored job (collapsed like pushes), run once by a worker', async () => {
    const repo = setup(2, 'pull_requests:\n  require_owner_approval: [accept]\n');
    const base = repo.branches.get(repo.defaultBranch)!;
    const accepted = threatModelText({ threats: 2, overrides: { 0: { status: 'accepted\n    rationale: r\n    acceptance: { by: security, on: 2029-12-01, expires: 2030-06-01 }' } } });
    const head = github.commit(REPO, base, { 'threat-model.yml': accepted });
    const pull = github.addPullRequest(REPO, ['threat-model.yml'], { head, base });
    const web = await replica({ role: 'web' });
    const reviews = Array.from({ length: 20 }, (_, k) => github.addReview(REPO, pull, { login: k === 19 ? 'sec-lead' : `reviewer-${k}`, state: 'APPROVED' }));
    await Promise.all(
      reviews.map((r, k) => web.probot.receive({ name: 'pull_request_review', id: `review-${k}`, payload: github.pullRequestReviewPayload(REPO, pull, 'submitted', r) as never })),
    );
    const queue = inspector();
    expect(await queue.queue.getJobCounts('wait', 'delayed')).toEqual({ wait: 1, delayed: 0 });

    await replica({ role: 'worker' });
    await drained(queue);
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]!.conclusion).toBe('success');
  });

  it('issues closed by hand in a flood are one stored proposal job, run once by a worker: one commit, one pull request', async () => {
    const repo = setup(3);
    github.installationPermissions = { ...github.installationPermissions, contents: 'write' };
    const first = await replica();
    const push = github.push(REPO, { 'threat-model.yml': `${threatModelText({ threats: 3 })}# synced\n` });
    await first.probot.receive({ name: 'push', id: 'push', payload: github.pushPayload(REPO, push) as never });
    const queue = inspector();
    await drained(queue);
    await first.threatloop.stop();
    expectOneIssuePerThreat(repo, 3);

    const web = await replica({ role: 'web' });
    const closures = threatIssues(repo).map((issue, k) =>
      github.setIssueState(REPO, issue.number, { state: 'closed', by: 'lena', reason: 'completed', at: `2030-01-01T10:0${k}:00Z` }),
    );
    await Promise.all(closures.map((payload, k) => web.probot.receive({ name: 'issues', id: `close-${k}`, payload: payload as never })));
    expect(await queue.queue.getJobCounts('wait', 'delayed')).toEqual({ wait: 1, delayed: 0 });

    await replica({ role: 'worker' });
    await drained(queue);
    const pulls = repo.pulls.filter((p) => p.state === 'open');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.head).toBe('threatloop/status');
    // One commit for the three closures: a tree, a commit and the branch (3 git writes), then the PR.
    expect(github.writes().filter((r) => r.path.includes('/git/'))).toHaveLength(3);
    expect(threatIssues(repo).every((issue) => issue.state === 'closed')).toBe(true);
  });

  it('the daily re-evaluation is one repeatable job however many replicas arm it, and when it runs it syncs every repository without a push', async () => {
    const repo = setup(3);
    await replica({ daily: true });
    await replica({ daily: true });
    const queue = inspector();
    const schedulers = await queue.queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([['daily-reevaluation', '0 6 * * *', 'UTC']]);
    const next = (await queue.queue.getDelayed()).filter((job) => job.name === 'daily');
    expect(next).toHaveLength(1);

    // Its time comes (promoted here rather than waited for): the repository is synced from its default branch.
    expect(threatIssues(repo)).toHaveLength(0);
    await next[0]!.promote();
    await drained(queue, { delayed: false });
    expectOneIssuePerThreat(repo, 3);
  });

  it('a resume scheduled before a restart happens after it', async () => {
    const repo = setup(6, 'issues:\n  max_writes_per_sync: 12\n');
    const first = await replica();
    const push = github.push(REPO, { 'threat-model.yml': `${threatModelText({ threats: 6 })}# changed\n` });
    await first.probot.receive({ name: 'push', id: 'push', payload: github.pushPayload(REPO, push) as never });
    const queue = inspector();
    await drained(queue, { delayed: false });
    const before = threatIssues(repo).length;
    expect(before).toBeLessThan(6);
    expect((await queue.queue.getDelayed()).map((job) => job.name)).toEqual(['resume']);
    await first.threatloop.stop();

    // Restarted: the resume is still in Redis. Its time comes (promoted here rather than waited for).
    await replica();
    for (let resumes = 0; resumes < 5; resumes++) {
      const [resume] = await queue.queue.getDelayed();
      if (!resume) break;
      await resume.promote();
      await drained(queue, { delayed: false });
    }
    expectOneIssuePerThreat(repo, 6);
    expect(threatIssues(repo).length).toBeGreaterThan(before);
  });

  it('the write pace is shared through Redis: two replicas writing for one installation go out 1 s apart', async () => {
    prefix = `t${++testNumber}`;
    const queue = inspector();
    const [one, two] = [new RedisPaceStore(queue.redis, `${prefix}:pace`), new RedisPaceStore(queue.redis, `${prefix}:pace`)];
    const slots = await Promise.all([0, 1, 2, 3, 4].map((i) => (i % 2 === 0 ? one : two).reserve('installation:1', 1_000_000, GITHUB_PACE)));
    expect(slots.map((s) => ('at' in s ? s.at - 1_000_000 : -1)).sort((x, y) => x - y)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(await one.reserve('installation:2', 1_000_000, GITHUB_PACE)).toEqual({ at: 1_000_000 });
  });
});
