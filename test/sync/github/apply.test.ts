import { beforeEach, describe, expect, it } from 'vitest';
import { applyGithubPlan } from '../../../src/sync/github/apply.ts';
import { noDelay, WritePacer } from '../../../src/github/client.ts';
import { fetchRepoState } from '../../../src/sync/github/fetch.ts';
import type { GithubOperation, IssueFields } from '../../../src/sync/github/state.ts';
import { renderMarker } from '../../../src/sync/github/marker.ts';
import type { GitHubStandin, StandinRepo } from '../../helpers/github-standin.ts';
import { useGitHubStandin } from '../../helpers/loopback.ts';
import { TestOctokit } from '../../helpers/probot.ts';

const standin = useGitHubStandin();
let github: GitHubStandin;
let repo: StandinRepo;
beforeEach(() => {
  github = standin.github;
  repo = github.addRepo({ owner: 'acme', name: 'sec', assignees: ['Ada'] });
});

const client = () => new TestOctokit({ auth: { token: 't' }, baseUrl: github.url });
const pacer = (perHour = 500) => new WritePacer({ minIntervalMs: 0, perHour, delay: noDelay, now: () => 0 });
const fields = (id: string, extra: Partial<IssueFields> = {}): IssueFields => ({
  title: `[${id}] t`,
  body: `${renderMarker({ kind: 'threat', threatId: id })}\nbody`,
  labels: ['threat'],
  assignees: [],
  milestone: null,
  ...extra,
});
const options = (budget: number, perHour = 500) => ({ owner: 'acme', repo: 'sec', budget, pacer: pacer(perHour), paceKey: 'k' });

/** Issue #1 exists; the plan creates T2's issue, then edits #1 with its audit comment. */
function createThenEditWithComment(): GithubOperation[] {
  repo.issues.push({ number: 1, title: 'x', body: '', state: 'open', state_reason: null, labels: [], assignees: [], milestone: null, created_at: '', comments: [] });
  repo.nextNumber = 2;
  return [
    { op: 'create-issue', threatId: 'T2', fields: fields('T2') },
    { op: 'update-issue', number: 1, threatId: 'T1', changes: { title: 'y' }, changed: ['title'] },
    { op: 'comment', number: 1, threatId: 'T1', body: 'changed' },
  ];
}

describe('applyGithubPlan', () => {
  it('creates milestones first and resolves titles to numbers; closeAs closes right after creating', async () => {
    const plan = {
      notes: [],
      operations: [
        { op: 'create-milestone', title: 'Due 2031-01-01', dueOn: '2031-01-01T12:00:00Z' },
        { op: 'create-issue', threatId: 'T1', fields: fields('T1', { milestone: 'Due 2031-01-01' }), closeAs: 'completed' },
      ] satisfies GithubOperation[],
    };
    const result = await applyGithubPlan(client(), plan, { milestones: [] }, options(10));
    expect(result).toMatchObject({ applied: 2, writes: 3, remaining: 0, errors: [] });
    expect(repo.issues[0]).toMatchObject({ milestone: 1, state: 'closed', state_reason: 'completed' });
    expect(result.created.get('T1')).toBe(1);
  });

  it('never separates an edit from its audit comment, and keeps room for the dashboard', async () => {
    const plan = {
      notes: [],
      operations: [
        ...createThenEditWithComment(),
        { op: 'create-dashboard', fields: { ...fields('x'), body: 'see {{threatloop:issue:T2}}', labels: ['threat-dashboard'] } },
      ] satisfies GithubOperation[],
    };
    const result = await applyGithubPlan(client(), plan, { milestones: [] }, { ...options(3), resolveIssueRefs: (b, n) => b.replace('{{threatloop:issue:T2}}', `#${n.get('T2')}`) });
    // Budget 3: the issue (1) + the dashboard (1); the edit+comment pair (2) does not fit and waits.
    expect(result).toMatchObject({ applied: 2, writes: 2, remaining: 2, stoppedBy: 'budget' });
    expect(repo.issues.find((i) => i.number === 1)!.title).toBe('x');
    expect(repo.issues.at(-1)!.body).toBe('see #2');
  });

  it('stops with no-access when the repository refuses writes', async () => {
    repo.readOnly = true;
    const plan = { notes: [], operations: [{ op: 'create-label', name: 'threat', color: '000000', description: 'd' }, { op: 'create-issue', threatId: 'T1', fields: fields('T1') }] satisfies GithubOperation[] };
    const result = await applyGithubPlan(client(), plan, { milestones: [] }, options(10));
    expect(result).toMatchObject({ applied: 0, remaining: 2, stoppedBy: 'no-access' });
    expect(github.writes()).toHaveLength(1);
  });

  it('records a failed edit and skips its comment, then carries on', async () => {
    const plan = {
      notes: [],
      operations: [
        { op: 'update-issue', number: 99, threatId: 'T9', changes: { title: 'y' }, changed: ['title'] },
        { op: 'comment', number: 99, threatId: 'T9', body: 'changed' },
        { op: 'create-issue', threatId: 'T1', fields: fields('T1') },
      ] satisfies GithubOperation[],
    };
    const result = await applyGithubPlan(client(), plan, { milestones: [] }, options(10));
    expect(result.errors).toEqual([expect.objectContaining({ op: 'update-issue', subject: 'T9', status: 404 })]);
    // The issue is gone: neither its comment nor its edit is sent.
    expect(github.writes().map((w) => w.method)).toEqual(['POST']);
    expect(github.writes()[0]!.path).toBe('/repos/acme/sec/issues');
    expect(result.created.get('T1')).toBe(1);
  });

  it('stops at the hourly write allowance with the time to resume', async () => {
    const plan = { notes: [], operations: [1, 2, 3].map((n) => ({ op: 'create-issue' as const, threatId: `T${n}`, fields: fields(`T${n}`) })) };
    const result = await applyGithubPlan(client(), plan, { milestones: [] }, options(10, 2));
    expect(result).toMatchObject({ applied: 2, remaining: 1, stoppedBy: 'rate-limit', resumeAt: new Date(3_600_000) });
  });

  it('does not start an edit whose audit comment the hourly allowance has no room for', async () => {
    const plan = { notes: [], operations: createThenEditWithComment() };
    // Two writes left this hour: the issue, then the edit would fit but its comment would not. The next
    // sync sees the edit done and plans no comment, so the audit log would lose the change for good.
    const result = await applyGithubPlan(client(), plan, { milestones: [] }, options(10, 2));
    expect(result).toMatchObject({ applied: 1, writes: 1, remaining: 2, stoppedBy: 'rate-limit' });
    expect(repo.issues.find((i) => i.number === 1)!.title).toBe('x');
  });
});

describe('creates that are never doubled', () => {
  it('a create GitHub made but whose answer was lost is not resent, even by Probot’s retry plugin', async () => {
    // Probot's own Octokit, retries on (the test helper's client switches them off).
    const { ProbotOctokit } = await import('probot');
    const octokit = new ProbotOctokit({ auth: { token: 't' }, baseUrl: github.url, throttle: { enabled: false } });
    github.loseAnswer('POST', /\/issues$/, { status: 502, body: { message: 'Bad gateway' } });
    const plan = { notes: [], operations: [{ op: 'create-issue', threatId: 'T1', fields: fields('T1') }] satisfies GithubOperation[] };
    const result = await applyGithubPlan(octokit as never, plan, { milestones: [] }, options(10));
    expect(result.errors).toEqual([expect.objectContaining({ op: 'create-issue', status: 502 })]);
    expect(repo.issues).toHaveLength(1);
    // The next sync lists it by its label (not the search index), so nothing is filed again.
    const state = await fetchRepoState(client(), { owner: 'acme', repo: 'sec', modelRepo: 'acme/sec', labelPrefix: '', logins: [] });
    expect(state.issues.map((i) => i.marker.threatId)).toEqual(['T1']);
  });
});

describe('audit that cannot be lost', () => {
  /** The issue a first sync left, and the plan a second sync makes for one change to it. */
  function changeWithAudit(): GithubOperation[] {
    repo.issues.push({ number: 1, title: '[T1] t', body: `${renderMarker({ kind: 'threat', threatId: 'T1', synced: { status: 'open' } })}\nbody`, state: 'open', state_reason: null, labels: ['threat'], assignees: [], milestone: null, created_at: '', comments: [] });
    repo.nextNumber = 2;
    const body = `${renderMarker({ kind: 'threat', threatId: 'T1', synced: { status: 'planned' } })}\nbody`;
    return [
      { op: 'update-issue', number: 1, threatId: 'T1', changes: { body }, changed: ['status: Open → Planned'] },
      { op: 'comment', number: 1, threatId: 'T1', body: '**Threat changed**: status: Open → Planned' },
    ];
  }

  it('killed after the first write: the next sync writes the edit, and the audit comment exists exactly once', async () => {
    const operations = changeWithAudit();
    // A client that dies (as a killed process would) once one write has gone out.
    const dying = client();
    let writesSent = 0;
    dying.hook.after('request', (_response, request) => {
      if (request.method !== 'GET' && ++writesSent === 1) throw new Error('killed');
    });
    // The applier stops the unit there (the edit is not sent): GitHub is left exactly as a crash would leave it.
    const first = await applyGithubPlan(dying, { operations, notes: [] }, { milestones: [] }, options(10));
    expect(first.errors).toEqual([expect.objectContaining({ op: 'comment', message: 'killed' })]);
    expect(github.writes()).toHaveLength(1);
    expect(repo.issues[0]!.comments).toHaveLength(1);
    // The marker still records the old state, so a fresh sync plans the same change again.
    expect(repo.issues[0]!.body).toContain('status="open"');

    const again = await applyGithubPlan(client(), { operations: structuredClone(operations), notes: [] }, { milestones: [] }, options(10));
    expect(again.errors).toEqual([]);
    expect(repo.issues[0]!.comments).toHaveLength(1);
    expect(repo.issues[0]!.comments[0]!.body).toContain('status: Open → Planned');
    expect(repo.issues[0]!.body).toContain('status="planned"');

    expect(github.writes().map((w) => w.method)).toEqual(['POST', 'PATCH']);
  });

  it('a comment someone else wrote with the audit tag does not count as posted', async () => {
    const operations = changeWithAudit();
    const { auditId, auditTag } = await import('../../../src/sync/github/apply.ts');
    const tag = auditTag(auditId(operations[0] as Extract<GithubOperation, { op: 'update-issue' }>), 0);
    repo.issues[0]!.comments.push({ id: 1, body: `forged ${tag}`, user: 'mallory' });
    await applyGithubPlan(client(), { operations, notes: [] }, { milestones: [] }, options(10));
    // The forged one stays, and the app posts its own (the stand-in records the app's login as its author).
    expect(repo.issues[0]!.comments.map((c) => c.user ?? github.issueAuthor)).toEqual(['mallory', github.issueAuthor]);
  });
});

describe('fetchRepoState', () => {
  it('lists every managed issue (all pages, open and closed), skips pull requests and issues without the marker', async () => {
    for (let n = 1; n <= 230; n++) {
      repo.issues.push({
        number: n,
        title: `[T${n}] t`,
        body: n === 5 ? 'a human copy without marker' : renderMarker({ kind: 'threat', threatId: `T${n}` }),
        state: n % 3 ? 'open' : 'closed',
        state_reason: n % 3 ? null : 'completed',
        labels: ['threat', 'keep-me'],
        assignees: n === 1 ? ['Ada'] : [],
        milestone: null,
        created_at: '2030-01-01T00:00:00Z',
        comments: [],
        ...(n === 7 ? { pull_request: true } : {}),
      });
    }
    const state = await fetchRepoState(client(), { owner: 'acme', repo: 'sec', modelRepo: 'acme/sec', labelPrefix: '', logins: ['ada'] });
    expect(state.issues).toHaveLength(228);
    expect(state.issues[0]).toMatchObject({ number: 1, labels: ['threat', 'keep-me'], assignees: ['Ada'], marker: { kind: 'threat', threatId: 'T1' } });
    expect(state.issues.find((i) => i.number === 3)).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(state.private).toBe(true);
    expect(state.assignable?.has('ada')).toBe(true);
    const pages = github.requests.filter((r) => r.path === '/repos/acme/sec/issues' && r.query.labels === 'threat');
    expect(pages.map((r) => [r.query.state, r.query.per_page, r.query.page ?? '1'])).toEqual([
      ['all', '100', '1'],
      ['all', '100', '2'],
      ['all', '100', '3'],
    ]);
    expect(github.requests.some((r) => r.path.startsWith('/search'))).toBe(false);
  });

  it('skips the assignee list when the model names no GitHub logins', async () => {
    const state = await fetchRepoState(client(), { owner: 'acme', repo: 'sec', modelRepo: 'acme/sec', labelPrefix: 'tm/', logins: [] });
    expect(state.assignable).toBeUndefined();
    expect(github.requests.filter((r) => r.path.endsWith('/issues')).map((r) => r.query.labels)).toEqual(['tm/threat', 'tm/threat-dashboard']);
  });
});
