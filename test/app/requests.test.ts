/**
 * Exact requests, scripted with nock: what a sync sends for a one-threat
 * model, and how a secondary rate limit (403 + retry-after) is retried
 * through our retry path with the injected delay.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { publishCheckRun } from '../../src/github/check-run.ts';
import type { Finding } from '../../src/model/findings.ts';
import { threatModelText } from '../helpers/models.ts';
import { createTestApp, TestOctokit } from '../helpers/probot.ts';

const API = 'https://api.github.com';
const SHA = 'a'.repeat(40);

function pushPayload() {
  return {
    ref: 'refs/heads/main',
    before: 'b'.repeat(40),
    after: SHA,
    deleted: false,
    commits: [{ id: SHA, added: [], modified: ['threat-model.yml'], removed: [] }],
    pusher: { name: 'ada' },
    sender: { login: 'ada', type: 'User' },
    installation: { id: 7 },
    repository: { name: 'app', full_name: 'acme/app', private: true, default_branch: 'main', html_url: 'https://github.com/acme/app', owner: { login: 'acme' } },
  };
}

const MODEL = threatModelText({ threats: 1 });

/** Token, config (none in the repo, none in the org's .github) and the model at the commit. */
function scriptInputs(scope: nock.Scope, model: string | undefined) {
  const config = scope
    .post('/app/installations/7/access_tokens')
    .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z' })
    .get('/repos/acme/app/contents/.github%2Fthreatloop.yml')
    .query({ ref: SHA })
    .reply(404)
    .get('/repos/acme/.github/contents/.github%2Fthreatloop.yml')
    .reply(404)
    .get('/repos/acme/app/contents/threat-model.yml')
    .query({ ref: SHA });
  // As GitHub answers the contents API in JSON: the size, and the content up to 1 MB.
  return model === undefined
    ? config.reply(404)
    : config.reply(200, { type: 'file', size: Buffer.byteLength(model), encoding: 'base64', content: Buffer.from(model).toString('base64') });
}

/** The reads every sync of acme/app does before planning. */
function scriptReads(scope: nock.Scope, issues: unknown[] = []) {
  return scriptInputs(scope, MODEL)
    .get('/repos/acme/app')
    .reply(200, { private: true, default_branch: 'main', html_url: 'https://github.com/acme/app' })
    .get('/repos/acme/app/issues')
    .query({ labels: 'threat', state: 'all', per_page: 100 })
    .reply(200, issues)
    .get('/repos/acme/app/issues')
    .query({ labels: 'threat-dashboard', state: 'all', per_page: 100 })
    .reply(200, [])
    .get('/repos/acme/app/labels')
    .query({ per_page: 100 })
    .reply(200, [])
    .get('/repos/acme/app/milestones')
    .query({ state: 'all', per_page: 100 })
    .reply(200, [])
    .get('/repos/acme/app/assignees')
    .query({ per_page: 100 })
    .reply(200, [{ login: 'sec-lead' }]);
}

afterEach(() => {
  nock.cleanAll();
});

describe('exact requests of a first sync (one threat)', () => {
  it('reads at the commit, checks the head, then creates labels, milestone, issue, dashboard and the check run', async () => {
    const { probot } = await createTestApp(API);
    const written: { method: string; path: string; body: any }[] = [];
    const record = (path: string) => (body: any) => {
      written.push({ method: 'POST', path, body });
      return true;
    };
    const scope = scriptReads(nock(API))
      // About to file issues: first the ones the app filed that lost their label (none here).
      .get('/app')
      .reply(200, { id: 1, slug: 'threatloop' })
      .get('/repos/acme/app/issues')
      .query({ creator: 'threatloop[bot]', state: 'all', per_page: 100 })
      .reply(200, [])
      .get('/repos/acme/app/git/ref/heads%2Fmain')
      .reply(200, { object: { sha: SHA } })
      .post('/repos/acme/app/labels', record('/repos/acme/app/labels'))
      .times(4)
      .reply(201, {})
      .post('/repos/acme/app/milestones', record('/repos/acme/app/milestones'))
      .reply(201, { number: 3 })
      .post('/repos/acme/app/issues', record('/repos/acme/app/issues'))
      .times(2)
      .reply(201, { number: 11 })
      .post('/repos/acme/app/check-runs', record('/repos/acme/app/check-runs'))
      .reply(201, { id: 5 });

    await probot.receive({ name: 'push', id: '1', payload: pushPayload() as never });

    expect(written.map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /repos/acme/app/labels',
      'POST /repos/acme/app/labels',
      'POST /repos/acme/app/labels',
      'POST /repos/acme/app/labels',
      'POST /repos/acme/app/milestones',
      'POST /repos/acme/app/issues',
      'POST /repos/acme/app/issues',
      'POST /repos/acme/app/check-runs',
    ]);
    expect(written.slice(0, 4).map((w) => w.body.name)).toEqual(['threat', 'severity:critical', 'stride:spoofing', 'threat-dashboard']);
    expect(written[4]!.body).toMatchObject({ title: 'Threats due 2031-01-15', due_on: expect.stringContaining('2031-01-15') });
    expect(written[5]!.body).toMatchObject({
      title: expect.stringContaining('[TM-1]'),
      labels: ['threat', 'severity:critical', 'stride:spoofing'],
      assignees: ['sec-lead'],
      milestone: 3,
    });
    expect(written[5]!.body.body).toContain('<!-- threatloop:threat id="TM-1"');
    expect(written[6]!.body.labels).toEqual(['threat-dashboard']);
    expect(written[7]!.body).toMatchObject({ name: 'Threat model', head_sha: SHA, status: 'completed', conclusion: 'success' });
    expect(scope.isDone()).toBe(true);
  });

  it('lint errors: reads, then only the failed check run (no issue read, no write)', async () => {
    const { probot } = await createTestApp(API);
    const broken = MODEL.replace('targets: api', 'targets: nowhere');
    let check: any;
    const scope = scriptInputs(nock(API), broken)
      .post('/repos/acme/app/check-runs', (body) => {
        check = body;
        return true;
      })
      .reply(201, { id: 1 });
    await probot.receive({ name: 'push', id: '2', payload: pushPayload() as never });
    expect(scope.isDone()).toBe(true);
    expect(check.conclusion).toBe('failure');
    expect(check.output.annotations).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'threat-model.yml', annotation_level: 'failure', message: expect.stringContaining('nowhere') })]),
    );
  });

  it('a missing model: no check run, no write', async () => {
    const { probot } = await createTestApp(API);
    const scope = scriptInputs(nock(API), undefined);
    await probot.receive({ name: 'push', id: '3', payload: pushPayload() as never });
    expect(scope.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('secondary rate limits', () => {
  it('403 with retry-after is waited out (injected delay) and retried, then the sync completes', async () => {
    // The clock moves with the waits: the pause the 403 put on the installation's writes is over once waited out.
    let clock = new Date('2030-01-01T12:00:00Z').getTime();
    const delays: number[] = [];
    const { probot } = await createTestApp(API, {
      now: () => new Date(clock),
      delay: async (ms) => {
        delays.push(ms);
        clock += ms;
      },
    });
    let issues = 0;
    const scope = scriptReads(nock(API))
      .get('/repos/acme/app/git/ref/heads%2Fmain')
      .reply(200, { object: { sha: SHA } })
      .post(/\/labels$/)
      .times(4)
      .reply(201, {})
      .post('/repos/acme/app/milestones')
      .reply(201, { number: 1 })
      .post('/repos/acme/app/issues')
      .reply(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '61' })
      .post('/repos/acme/app/issues')
      .reply(429, { message: 'Too many requests' }, { 'retry-after': '5' })
      .post('/repos/acme/app/issues')
      .times(2)
      .reply(() => [201, { number: ++issues }])
      .post('/repos/acme/app/check-runs')
      .reply(201, { id: 1 });
    await probot.receive({ name: 'push', id: '4', payload: pushPayload() as never });
    expect(scope.isDone()).toBe(true);
    expect(delays).toEqual([61_000, 5_000]);
    expect(issues).toBe(2);
  });

  it('gives up after three retries: the sync stops cleanly and is scheduled to resume', async () => {
    const { probot, delays, timers } = await createTestApp(API);
    const limited = { message: 'You have exceeded a secondary rate limit.' };
    let check: any;
    scriptReads(nock(API))
      .get('/repos/acme/app/git/ref/heads%2Fmain')
      .reply(200, { object: { sha: SHA } })
      .post(/\/labels$/)
      .times(4)
      .reply(403, limited, { 'retry-after': '30' })
      .post('/repos/acme/app/check-runs', (body) => {
        check = body;
        return true;
      })
      .reply(201, { id: 1 });
    await probot.receive({ name: 'push', id: '5', payload: pushPayload() as never });
    // Three retries, then the check run, paced like every write, waits out the same retry-after.
    expect(delays).toEqual([30_000, 30_000, 30_000, 30_000]);
    expect(check.output.title).toMatch(/sync in progress: \d+ of \d+ writes; resumes at \d\d:\d\d UTC/);
    expect(timers.pending.size).toBe(1);
  });
});

describe('publishCheckRun', () => {
  it('one request, at most 50 annotations (changed files first), the rest summed up in the summary', async () => {
    const findings: Finding[] = Array.from({ length: 120 }, (_, i) => ({
      rule: 'schema',
      level: i % 2 ? 'warning' : 'error',
      message: `finding ${i}`,
      file: 'threat-model.yml',
      start: { line: i + 1, column: 3 },
      end: { line: i + 1, column: 9 },
    }));
    const bodies: any[] = [];
    const scope = nock(API)
      .post('/repos/acme/app/check-runs', (b) => bodies.push(b) > 0)
      .reply(201, { id: 42 });
    const octokit = new TestOctokit({ auth: { token: 't' } });
    const result = await publishCheckRun(octokit, {
      owner: 'acme',
      repo: 'app',
      headSha: SHA,
      findings,
      conclusion: 'failure',
      title: 't',
      summary: 's',
    });
    expect(scope.isDone()).toBe(true);
    expect(result).toEqual({ id: 42, annotations: 50 });
    expect(bodies.map((b) => b.output.annotations.length)).toEqual([50]);
    expect(bodies[0].output.summary).toContain('70 more findings not annotated');
    expect(bodies[0].output.annotations[0]).toEqual({
      path: 'threat-model.yml',
      start_line: 1,
      end_line: 1,
      start_column: 3,
      end_column: 9,
      annotation_level: 'failure',
      message: 'finding 0',
      title: 'schema',
    });
  });

  it('annotates findings in the changed files first', async () => {
    const { chooseAnnotations } = await import('../../src/github/check-run.ts');
    const finding = (file: string, line: number): Finding => ({ rule: 'r', level: 'warning', message: 'm', file, start: { line, column: 1 } });
    const findings = [...Array.from({ length: 60 }, (_, i) => finding('a.yml', i + 1)), finding('changed.yml', 9)];
    const { shown, omitted } = chooseAnnotations(findings, new Set(['changed.yml']));
    expect(shown[0]?.file).toBe('changed.yml');
    expect(shown).toHaveLength(50);
    expect(omitted).toBe(11);
  });

  it('leaves columns out of a multi-line annotation', async () => {
    const { toAnnotation } = await import('../../src/github/check-run.ts');
    expect(
      toAnnotation({ rule: 'r', level: 'warning', message: 'm', file: 'f.yml', start: { line: 2, column: 1 }, end: { line: 4, column: 2 } }),
    ).toEqual({ path: 'f.yml', start_line: 2, end_line: 4, annotation_level: 'warning', message: 'm', title: 'r' });
  });
});
