import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubStandin, StandinIssue, StandinRepo } from '../helpers/github-standin.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { threatId, threatModelText, type ModelShape } from '../helpers/models.ts';
import { createTestApp, type TestApp } from '../helpers/probot.ts';

const REPO = 'acme/app';
let github: GitHubStandin;
let app: TestApp;
let clock: Date;
let delivery = 0;

const standin = useGitHubStandin();

beforeEach(async () => {
  github = standin.github;
  clock = new Date('2030-01-01T12:00:00Z');
  app = await createTestApp(github.url, { now: () => clock });
});

afterEach(() => {
  app.threatloop.stop();
});

function setup(shape: ModelShape, options: { config?: string; private?: boolean; assignees?: string[] } = {}): StandinRepo {
  return github.addRepo({
    owner: 'acme',
    name: 'app',
    private: options.private ?? true,
    assignees: options.assignees ?? ['sec-lead', 'plat-dev'],
    files: {
      'threat-model.yml': threatModelText(shape),
      ...(options.config ? { '.github/threatloop.yml': options.config } : {}),
      'README.md': 'hello',
    },
  });
}

async function pushFiles(files: Record<string, string | null>, sender?: { login: string; type: string }) {
  const push = github.push(REPO, files);
  await app.probot.receive({ name: 'push', id: `d-${++delivery}`, payload: github.pushPayload(REPO, push, sender ? { sender } : {}) as never });
  return push;
}

async function pushModel(shape: ModelShape) {
  return pushFiles({ 'threat-model.yml': threatModelText(shape) });
}

const threatIssues = (repo: StandinRepo) => repo.issues.filter((i) => i.labels.includes('threat'));
const dashboard = (repo: StandinRepo) => repo.issues.filter((i) => i.labels.includes('threat-dashboard'));
const lastCheck = (repo: StandinRepo) => repo.checkRuns.at(-1)!;
const writesSince = (mark: number) => github.writes().filter((r) => github.requests.indexOf(r) >= mark && !r.path.endsWith('/check-runs'));

describe('push to the default branch', () => {
  it('first sync files one issue per threat, labels, milestones and a dashboard, and a passing check run', async () => {
    const repo = setup({ threats: 3 });
    await pushModel({ threats: 3 });

    const issues = threatIssues(repo);
    expect(issues.map((i) => i.title)).toEqual([0, 1, 2].map((i) => expect.stringContaining(`[${threatId(i)}]`)));
    expect(issues[0]!.labels).toEqual(expect.arrayContaining(['threat', 'severity:critical', 'stride:spoofing']));
    expect(issues[0]!.assignees).toEqual(['sec-lead']);
    expect(issues[0]!.milestone).not.toBeNull();
    expect(dashboard(repo)).toHaveLength(1);
    expect(repo.labels.map((l) => l.name)).toEqual(expect.arrayContaining(['threat', 'threat-dashboard', 'severity:critical']));
    expect(lastCheck(repo)).toMatchObject({ name: 'Threat model', conclusion: 'success' });
    expect(lastCheck(repo).output.title).toContain('issues synced');
    // Read at the pushed commit, never a branch name.
    const contents = github.requests.filter((r) => r.path.startsWith('/repos/acme/app/contents/'));
    expect(contents.every((r) => r.query.ref === repo.branches.get('main'))).toBe(true);
  });

  it('a resync of an unchanged model writes nothing but the check run, and reads one page of issues', async () => {
    const repo = setup({ threats: 3 });
    await pushModel({ threats: 3 });
    const mark = github.requests.length;
    await pushFiles({ 'threat-model.yml': `${threatModelText({ threats: 3 })}# comment\n` });

    expect(writesSince(mark)).toEqual([]);
    const issueLists = github.requests.slice(mark).filter((r) => r.method === 'GET' && /\/issues$/.test(r.path));
    expect(issueLists.map((r) => r.query.labels)).toEqual(['threat', 'threat-dashboard']);
    expect(lastCheck(repo).output.title).toContain('already in sync');
  });

  it('a redelivered webhook writes nothing', async () => {
    const repo = setup({ threats: 2 });
    const push = github.push(REPO, { 'threat-model.yml': threatModelText({ threats: 2 }) });
    const payload = github.pushPayload(REPO, push) as never;
    await app.probot.receive({ name: 'push', id: 'same', payload });
    const mark = github.requests.length;
    await app.probot.receive({ name: 'push', id: 'same', payload });
    expect(writesSince(mark)).toEqual([]);
    expect(threatIssues(repo)).toHaveLength(2);
  });

  it('one changed field: one edit and one audit comment', async () => {
    const repo = setup({ threats: 3 });
    await pushModel({ threats: 3 });
    const mark = github.requests.length;
    await pushModel({ threats: 3, overrides: { 1: { status: 'in-progress' } } });

    const writes = writesSince(mark);
    const issue = threatIssues(repo)[1]!;
    const issueWrites = writes.filter((w) => !w.path.endsWith(`/issues/${dashboard(repo)[0]!.number}`));
    // The audit comment first, the edit (whose marker records the new state) last: see 'audit that cannot be lost'.
    expect(issueWrites.map((w) => `${w.method} ${w.path}`)).toEqual([
      `POST /repos/acme/app/issues/${issue.number}/comments`,
      `PATCH /repos/acme/app/issues/${issue.number}`,
    ]);
    expect(issue.comments[0]!.body).toContain('status: Open → In progress');
  });

  it('status in the closing set closes the issue as completed; removal closes as not planned; a returning threat reopens', async () => {
    const repo = setup({ threats: 3 });
    await pushModel({ threats: 3 });
    await pushModel({ threats: 3, overrides: { 0: { status: 'mitigated' } } });
    expect(threatIssues(repo)[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });

    await pushModel({ threats: 3, omit: [2], overrides: { 0: { status: 'mitigated' } } });
    const removed = threatIssues(repo)[2]!;
    expect(removed).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
    expect(removed.comments.length).toBeGreaterThan(0);

    await pushModel({ threats: 3, overrides: { 0: { status: 'mitigated' } } });
    expect(threatIssues(repo)[2]).toMatchObject({ state: 'open' });
    expect(threatIssues(repo)).toHaveLength(3);
  });

  it('lint errors: nothing written to issues, the check run fails with annotations on the YAML lines', async () => {
    const repo = setup({ threats: 2 });
    await pushModel({ threats: 2 });
    const mark = github.requests.length;
    const broken = threatModelText({ threats: 2 }).replace('    targets: api', '    targets: no-such-component');
    await pushFiles({ 'threat-model.yml': broken });

    expect(writesSince(mark)).toEqual([]);
    const check = lastCheck(repo);
    expect(check.conclusion).toBe('failure');
    const line = broken.split('\n').findIndex((l) => l.includes('no-such-component')) + 1;
    expect(check.output.annotations).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'threat-model.yml', start_line: line, annotation_level: 'failure' })]),
    );
    expect(threatIssues(repo).every((i) => i.state === 'open')).toBe(true);
  });

  it('a missing model closes nothing and publishes no check run', async () => {
    const repo = setup({ threats: 2 });
    await pushModel({ threats: 2 });
    const checks = repo.checkRuns.length;
    const mark = github.requests.length;
    await pushFiles({ 'threat-model.yml': null });
    expect(github.writes().slice(0).filter((w) => github.requests.indexOf(w) >= mark)).toEqual([]);
    expect(repo.checkRuns).toHaveLength(checks);
    expect(threatIssues(repo).every((i) => i.state === 'open')).toBe(true);
  });

  it('a broken org default config the push did not change: a model change still gets a failed check run, nothing written', async () => {
    const repo = setup({ threats: 2 });
    github.addRepo({ owner: 'acme', name: '.github', files: { '.github/threatloop.yml': 'issues:\n  enabled: maybe\n' } });
    await pushModel({ threats: 2 });

    expect(repo.issues).toEqual([]);
    const check = lastCheck(repo);
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toContain('issues not synced');
    expect(check.output.annotations).toEqual([expect.objectContaining({ path: '.github/threatloop.yml' })]);
  });

  it('a push that does not touch the model or config does not sync', async () => {
    setup({ threats: 2 });
    const mark = github.requests.length;
    await pushFiles({ 'README.md': 'changed' });
    expect(github.requests.slice(mark).filter((r) => /\/issues/.test(r.path))).toEqual([]);
    expect(github.writes()).toEqual([]);
  });

  it('a push to another branch does not sync', async () => {
    const repo = setup({ threats: 2 });
    const push = github.push(REPO, { 'threat-model.yml': threatModelText({ threats: 2 }) });
    const payload = { ...github.pushPayload(REPO, push), ref: 'refs/heads/feature' };
    await app.probot.receive({ name: 'push', id: 'x', payload: payload as never });
    expect(repo.issues).toEqual([]);
    expect(github.requests.filter((r) => r.path.startsWith('/repos'))).toEqual([]);
  });

  it('events sent by the app itself are ignored', async () => {
    const repo = setup({ threats: 2 });
    await pushFiles({ 'threat-model.yml': threatModelText({ threats: 2 }) }, { login: 'threatloop[bot]', type: 'Bot' });
    expect(repo.issues).toEqual([]);
    expect(app.logs.some((l) => l.fields.outcome === 'ignored-own-event')).toBe(true);
  });

  it('skips a commit that is no longer the branch head and syncs the head instead, even when the head push did not touch the model', async () => {
    const repo = setup({ threats: 2 });
    // Two pushes in quick succession: the model change, then a README edit, delivered in that order.
    const model = github.push(REPO, { 'threat-model.yml': threatModelText({ threats: 2 }) });
    const readme = github.push(REPO, { 'README.md': 'newer' });
    await app.probot.receive({ name: 'push', id: 'model', payload: github.pushPayload(REPO, model) as never });
    await app.probot.receive({ name: 'push', id: 'readme', payload: github.pushPayload(REPO, readme) as never });
    await app.threatloop.idle();

    // The README push is rightly filtered out, so the model change must not be lost with the stale sync.
    expect(threatIssues(repo)).toHaveLength(2);
    const issueWrites = github.writes().filter((w) => /\/issues/.test(w.path));
    expect(issueWrites.every((w) => github.requests.indexOf(w) > github.requests.findIndex((r) => r.method === 'POST' && r.path.endsWith('/check-runs')))).toBe(true);
    expect(repo.checkRuns.find((c) => c.head_sha === model.after)!.output.title).toContain('newer commit');
    expect(repo.checkRuns.find((c) => c.head_sha === readme.after)!.output.title).toContain('issues synced');
  });

  it('a force push that drops a model change syncs, even when its new commits touch only other files', async () => {
    const repo = setup({ threats: 2 });
    await pushModel({ threats: 2 });
    const original = repo.branches.get('main')!;
    const changed = await pushModel({ threats: 2, overrides: { 0: { status: 'mitigated' } } });
    expect(threatIssues(repo)[0]).toMatchObject({ state: 'closed' });

    // `git reset --hard <original> && edit README && git push --force`: the model is back to the original.
    repo.branches.set('main', original);
    const rewritten = github.push(REPO, { 'README.md': 'rewritten' });
    const payload = { ...github.pushPayload(REPO, rewritten), before: changed.after, forced: true };
    await app.probot.receive({ name: 'push', id: 'forced', payload: payload as never });

    expect(threatIssues(repo)[0]).toMatchObject({ state: 'open' });
    expect(lastCheck(repo).head_sha).toBe(rewritten.after);
  });

  it('a model path written as ./path in the config still recognises a push that changes the model', async () => {
    const repo = setup({ threats: 2 }, { config: 'model: ./threat-model.yml\n' });
    await pushModel({ threats: 2 });
    expect(threatIssues(repo)).toHaveLength(2);
    await pushModel({ threats: 2, overrides: { 0: { status: 'mitigated' } } });
    expect(threatIssues(repo)[0]).toMatchObject({ state: 'closed' });
  });

  it('an owner who cannot be assigned is reported, not fatal', async () => {
    const repo = setup({ threats: 2 }, { assignees: ['sec-lead'] });
    await pushModel({ threats: 2 });
    expect(threatIssues(repo)).toHaveLength(2);
    expect(threatIssues(repo)[1]!.assignees).toEqual([]);
    expect(lastCheck(repo).output.summary).toContain('plat-dev');
  });

  it('keeps the oldest of duplicate issues and closes the others as duplicates', async () => {
    const repo = setup({ threats: 2 });
    await pushModel({ threats: 2 });
    const original = threatIssues(repo)[0]!;
    repo.issues.push({ ...original, number: repo.nextNumber++, comments: [], created_at: new Date(Date.now() + 60_000).toISOString() });
    await pushModel({ threats: 2, overrides: { 1: { status: 'planned' } } });
    const copies = threatIssues(repo).filter((i) => i.title === original.title);
    expect(copies.map((i) => [i.number, i.state])).toEqual([
      [original.number, 'open'],
      [copies[1]!.number, 'closed'],
    ]);
    expect(copies[1]!.state_reason).toBe('duplicate');
  });

  it('public repository without opt-in: nothing filed, the check run says how to turn it on', async () => {
    const repo = setup({ threats: 2 }, { private: false });
    await pushModel({ threats: 2 });
    expect(repo.issues).toEqual([]);
    expect(lastCheck(repo).output.summary).toContain('public_repo');
  });

  it('pagination: lists every managed issue past 100', async () => {
    const repo = setup({ threats: 130 }, { config: 'issues:\n  max_writes_per_sync: 1000\n' });
    await pushModel({ threats: 130 });
    expect(threatIssues(repo)).toHaveLength(130);
    const mark = github.requests.length;
    await pushFiles({ 'threat-model.yml': `${threatModelText({ threats: 130 })}# touch\n` });
    expect(writesSince(mark)).toEqual([]);
    const pages = github.requests.slice(mark).filter((r) => /\/issues$/.test(r.path) && r.query.labels === 'threat');
    expect(pages.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
  });
});

const CONSENT = 'accepts_threats_from:\n  - acme/app\n';

describe('audit that cannot be lost', () => {
  it('an edit that fails after its audit comment went out: the next sync makes the edit and the comment stays single', async () => {
    const repo = setup({ threats: 2 });
    await pushModel({ threats: 2 });
    const issue = threatIssues(repo)[0]!;
    github.fail('PATCH', new RegExp(`/issues/${issue.number}$`), { status: 502, body: { message: 'Bad gateway' } });
    const push = await pushModel({ threats: 2, overrides: { 0: { status: 'planned' } } });
    expect(issue.comments).toHaveLength(1);
    expect(issue.body).toContain('status="open"');

    // The same commit again (a redelivery, or the scheduled retry).
    await app.probot.receive({ name: 'push', id: `d-${++delivery}`, payload: github.pushPayload(REPO, push) as never });
    expect(issue.body).toContain('status="planned"');
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]!.body).toContain('status: Open → Planned');
  });
});

describe('creates that are never doubled', () => {
  it('a create whose answer is lost after GitHub made it: found again by its label and marker, never filed twice', async () => {
    const repo = setup({ threats: 3 });
    github.loseAnswer('POST', /\/repos\/acme\/app\/issues$/, { status: 502, body: { message: 'Bad gateway' } }, 2);
    const push = await pushModel({ threats: 3 });
    // Nothing was retried blind within the sync either.
    const creates = () => github.requests.filter((r) => r.method === 'POST' && r.path === '/repos/acme/app/issues');
    expect(creates()).toHaveLength(4);
    expect(threatIssues(repo)).toHaveLength(3);

    await app.probot.receive({ name: 'push', id: `d-${++delivery}`, payload: github.pushPayload(REPO, push) as never });
    expect(threatIssues(repo)).toHaveLength(3);
    expect(dashboard(repo)).toHaveLength(1);
    expect(new Set(threatIssues(repo).map((i) => i.title)).size).toBe(3);
  });
});

describe('issues in another repository', () => {
  it('files them in the configured repository when it consents, with markers naming the model repository', async () => {
    setup({ threats: 2 }, { private: false, config: 'issues:\n  repo: acme/security\n' });
    const security = github.addRepo({ owner: 'acme', name: 'security', private: true, assignees: ['sec-lead', 'plat-dev'], files: { '.github/threatloop.yml': CONSENT } });
    await pushModel({ threats: 2 });
    expect(threatIssues(security)).toHaveLength(2);
    for (const issue of [...threatIssues(security), ...dashboard(security)]) expect(issue.body).toContain('repo="acme%2Fapp"');
    expect(github.repo(REPO).issues).toEqual([]);
    expect(lastCheck(github.repo(REPO)).conclusion).toBe('success');
  });

  it('without consent in the target’s own config: zero writes there, and the check run says what to add', async () => {
    setup({ threats: 2 }, { config: 'issues:\n  repo: acme/security\n' });
    // Consent on another branch, or for another source, does not count: only the default branch speaks.
    const security = github.addRepo({ owner: 'acme', name: 'security', private: true, files: { '.github/threatloop.yml': 'accepts_threats_from: [acme/other]\n' } });
    security.commits.set('f'.repeat(40), { '.github/threatloop.yml': CONSENT });
    security.branches.set('feature', 'f'.repeat(40));
    const mark = github.requests.length;
    await pushModel({ threats: 2 });
    expect(github.writes().filter((r) => github.requests.indexOf(r) >= mark && r.path.startsWith('/repos/acme/security'))).toEqual([]);
    const check = lastCheck(github.repo(REPO));
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toBe('acme/security has not agreed to receive these threat issues');
    expect(check.output.summary).toContain('accepts_threats_from:\n  - acme/app');
    // The target's config was read from its default branch.
    expect(github.requests.some((r) => r.path === '/repos/acme/security/contents/.github/threatloop.yml' && r.query.ref === 'main')).toBe(true);
  });

  it('no config at all in the target: nothing written there', async () => {
    setup({ threats: 2 }, { config: 'issues:\n  repo: acme/security\n' });
    const security = github.addRepo({ owner: 'acme', name: 'security', private: true });
    await pushModel({ threats: 2 });
    expect(security.issues).toEqual([]);
    expect(security.labels).toEqual([]);
    expect(security.milestones).toEqual([]);
    expect(lastCheck(github.repo(REPO)).output.summary).toContain('does not exist');
  });

  it('a public target: the source’s `public_repo: true` does not count, the target’s own does', async () => {
    setup({ threats: 2 }, { config: 'issues:\n  repo: acme/public-site\n  public_repo: true\n' });
    const site = github.addRepo({ owner: 'acme', name: 'public-site', private: false, files: { '.github/threatloop.yml': CONSENT } });
    await pushModel({ threats: 2 });
    expect(site.issues).toEqual([]);
    expect(lastCheck(github.repo(REPO)).output.summary).toContain('acme/public-site must set `issues.public_repo: true` in its own');

    github.push('acme/public-site', { '.github/threatloop.yml': `${CONSENT}issues:\n  public_repo: true\n` });
    await pushModel({ threats: 2, overrides: { 0: { title: 'Renamed' } } });
    expect(threatIssues(site)).toHaveLength(2);
  });

  it('never edits, retitles or closes issues the target manages for its own model, nor unattributed old ones', async () => {
    setup({ threats: 1 }, { config: 'issues:\n  repo: acme/security\n' });
    const security = github.addRepo({ owner: 'acme', name: 'security', private: true, files: { '.github/threatloop.yml': CONSENT } });
    const foreign = (number: number, marker: string): StandinIssue => ({
      number,
      title: `[${threatId(0)}] theirs`,
      body: `${marker}\n\ntheir own threat`,
      state: 'open',
      state_reason: null,
      labels: ['threat'],
      assignees: [],
      milestone: null,
      created_at: '2029-01-01T00:00:00Z',
      comments: [],
    });
    security.issues.push(
      foreign(1, `<!-- threatloop:threat id="${threatId(0)}" repo="acme%2Fsecurity" status="open" -->`),
      // Written by 0.1.0, which named no model repository: not believed outside the model's own repository.
      foreign(2, `<!-- threatloop:threat id="${threatId(0)}" status="open" -->`),
      foreign(3, `<!-- threatloop:threat id="T-gone" status="open" -->`),
    );
    security.nextNumber = 4;
    const before = structuredClone(security.issues);
    await pushModel({ threats: 1 });
    expect(security.issues.slice(0, 3)).toEqual(before);
    expect(threatIssues(security).filter((i) => i.number > 3)).toHaveLength(1);
  });

  it('says clearly in the check run when the app cannot write there', async () => {
    setup({ threats: 2 }, { config: 'issues:\n  repo: acme/security\n' });
    github.addRepo({ owner: 'acme', name: 'security', private: true, readOnly: true, files: { '.github/threatloop.yml': CONSENT } });
    await pushModel({ threats: 2 });
    const check = lastCheck(github.repo(REPO));
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toContain('Cannot write threat issues to acme/security');
  });

  it('and when the app is not installed there at all', async () => {
    setup({ threats: 2 }, { config: 'issues:\n  repo: acme/elsewhere\n' });
    await pushModel({ threats: 2 });
    expect(lastCheck(github.repo(REPO)).output.summary).toContain('Install the app on acme/elsewhere');
  });
});

describe('installation', () => {
  it('syncs every repository it is installed on from its default branch head', async () => {
    const repo = setup({ threats: 2 });
    await app.probot.receive({
      name: 'installation',
      id: 'inst',
      payload: {
        action: 'created',
        installation: { id: 1, account: { login: 'acme' } },
        repositories: [{ id: 1, name: 'app', full_name: 'acme/app', private: true }],
        sender: { login: 'ada', type: 'User' },
      } as never,
    });
    expect(threatIssues(repo)).toHaveLength(2);
    expect(lastCheck(repo).head_sha).toBe(repo.branches.get('main'));
  });
});

describe('write budget', () => {
  it('500 threats with a budget of 120 writes: stops cleanly, resumes, ends with 500 issues, none doubled', async () => {
    const repo = setup({ threats: 500 }, { config: 'issues:\n  max_writes_per_sync: 120\n' });
    await pushModel({ threats: 500 });
    expect(lastCheck(repo).output.title).toMatch(/sync in progress: 120 of [\d,]+ writes; resumes at \d\d:\d\d UTC/);
    expect(app.timers.pending.size).toBe(1);

    let syncs = 1;
    while (app.timers.pending.size > 0 && syncs < 20) {
      clock = new Date(clock.getTime() + 3_600_000); // an hour later: GitHub's hourly allowance is back
      app.timers.fireAll();
      await app.threatloop.idle();
      syncs++;
    }
    const issues = threatIssues(repo);
    expect(issues).toHaveLength(500);
    expect(new Set(issues.map((i) => i.title)).size).toBe(500);
    expect(syncs).toBe(5);
    expect(dashboard(repo)).toHaveLength(1);
    expect(lastCheck(repo).output.title).toContain('issues synced');
    // No sync wrote more than its budget.
    // One check run for the commit, published once and updated by each resume (annotations not sent again).
    expect(repo.checkRuns).toHaveLength(1);
    const checkRuns = github.requests.filter((r) => /\/check-runs(\/\d+)?$/.test(r.path) && r.method !== 'GET');
    expect(checkRuns.map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH', 'PATCH', 'PATCH']);
    let previous = 0;
    for (const run of checkRuns) {
      const at = github.requests.indexOf(run);
      const writes = github.writes().filter((w) => {
        const i = github.requests.indexOf(w);
        return i > previous && i < at;
      });
      expect(writes.length).toBeLessThanOrEqual(120);
      previous = at;
    }
  }, 60_000);
});

describe('an issue that disappears between the read and the write', () => {
  it('410 on editing one issue: that issue is skipped and noted, the rest of the sync carries on', async () => {
    const repo = setup({ threats: 3 });
    await pushModel({ threats: 3 });
    const [gone, kept] = threatIssues(repo) as [StandinIssue, StandinIssue];
    // A deleted issue answers 410 to everything about it.
    github.fail('PATCH', new RegExp(`/issues/${gone.number}$`), { status: 410, body: { message: 'This issue was deleted' } });
    github.fail('GET', new RegExp(`/issues/${gone.number}/comments$`), { status: 410, body: { message: 'This issue was deleted' } });
    await pushModel({ threats: 3, overrides: { 0: { status: 'in-progress' }, 1: { status: 'in-progress' } } });

    // No audit comment claims an edit that did not happen; the other threat is synced.
    expect(gone.comments).toEqual([]);
    expect(kept.comments.map((c) => c.body)).toEqual([expect.stringContaining('In progress')]);
    const check = lastCheck(repo);
    expect(check.conclusion).toBe('success');
    expect(check.output.summary).toContain(`#${gone.number} is gone`);
    expect(check.output.summary).not.toContain('disabled');
  });

  it('410 on creating an issue still means issues are disabled: the sync stops and says so', async () => {
    const repo = setup({ threats: 2 });
    github.fail('POST', /\/issues$/, { status: 410, body: { message: 'Issues are disabled for this repo' } });
    await pushModel({ threats: 2 });
    expect(lastCheck(repo).conclusion).toBe('failure');
    expect(lastCheck(repo).output.summary).toContain('issues are disabled');
  });
});

describe('apply errors in the check run', () => {
  it('are redacted: a credential in an error message never reaches the summary', async () => {
    const repo = setup({ threats: 2 });
    await pushModel({ threats: 2 });
    const issue = threatIssues(repo)[0]!;
    const leaked = 'ghs_0123456789abcdefghijABCDEFGHIJ';
    github.fail('PATCH', new RegExp(`/issues/${issue.number}$`), { status: 422, body: { message: `Validation Failed for token ${leaked}` } });
    await pushModel({ threats: 2, overrides: { 0: { status: 'in-progress' } } });
    const summary = lastCheck(repo).output.summary!;
    expect(summary).toContain('Validation Failed');
    expect(summary).toContain('[redacted]');
    expect(summary).not.toContain(leaked);
  });
});

describe('managed issues that lost their label', () => {
  const issueLists = (mark: number) => github.requests.slice(mark).filter((r) => r.method === 'GET' && r.path === '/repos/acme/app/issues');

  it('a `threat` label removed by hand: the next sync finds the issue the app filed and labels it again, creating nothing', async () => {
    const repo = setup({ threats: 3 });
    await pushModel({ threats: 3 });
    const issue = threatIssues(repo)[1]!;
    issue.labels = issue.labels.filter((l) => l !== 'threat');
    // A person's copy carrying the marker is not the app's: it stays as it is.
    const copy = { ...issue, number: repo.nextNumber++, labels: ['triage'], comments: [], user: 'ada' };
    repo.issues.push(copy);
    const count = repo.issues.length;
    const mark = github.requests.length;
    await pushFiles({ 'threat-model.yml': `${threatModelText({ threats: 3 })}# touch\n` });

    expect(repo.issues).toHaveLength(count);
    expect(issueLists(mark).map((r) => r.query.creator ?? r.query.labels)).toEqual(['threat', 'threat-dashboard', 'threatloop[bot]']);
    expect(writesSince(mark).map((w) => `${w.method} ${w.path}`)).toEqual([`PATCH /repos/acme/app/issues/${issue.number}`]);
    expect(issue.labels).toContain('threat');
    expect(issue.comments).toEqual([]);
    expect(copy.labels).toEqual(['triage']);
    expect(lastCheck(repo).output.summary).toContain(`#${issue.number}`);

    // And the sync after that is a no-op again: no extra read.
    const again = github.requests.length;
    await pushFiles({ 'threat-model.yml': `${threatModelText({ threats: 3 })}# touch again\n` });
    expect(writesSince(again)).toEqual([]);
    expect(issueLists(again).map((r) => r.query.labels)).toEqual(['threat', 'threat-dashboard']);
  });

  it('`labels.prefix` changed: every issue and the dashboard get the new labels, the old ones are left, nothing is created', async () => {
    const repo = setup({ threats: 2 });
    await pushModel({ threats: 2 });
    const count = repo.issues.length;
    const mark = github.requests.length;
    await pushFiles({ '.github/threatloop.yml': 'issues:\n  labels:\n    prefix: "tm/"\n' });

    expect(repo.issues).toHaveLength(count);
    expect(writesSince(mark).filter((w) => w.method === 'POST' && w.path.endsWith('/issues'))).toEqual([]);
    const [first] = threatIssues(repo);
    expect(first!.labels).toEqual(expect.arrayContaining(['tm/threat', 'tm/severity:critical', 'threat', 'severity:critical']));
    expect(dashboard(repo)[0]!.labels).toEqual(expect.arrayContaining(['tm/threat-dashboard', 'threat-dashboard']));
    expect(repo.issues.every((i) => i.comments.length === 0)).toBe(true);
    expect(lastCheck(repo).output.title).toContain('issues synced');
  });
});
