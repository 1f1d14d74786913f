/**
 * Issue 11 §1 end to end through the app and the GitHub stand-in: a person closes a threat's issue and
 * the app proposes the model change in one pull request from `threatloop/status`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubStandin, StandinRepo } from '../helpers/github-standin.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { threatModelText, type ModelShape } from '../helpers/models.ts';
import { createTestApp, type TestApp } from '../helpers/probot.ts';
import { PROPOSAL_BRANCH } from '../../src/github/proposal-branch.ts';
import { parseProposalBasis } from '../../src/model/proposal.ts';

const REPO = 'acme/app';
const MODEL = 'threat-model.yml';
let github: GitHubStandin;
let app: TestApp;
let delivery = 0;

const standin = useGitHubStandin();

beforeEach(async () => {
  github = standin.github;
  github.installationPermissions = { ...github.installationPermissions, contents: 'write' };
  app = await createTestApp(github.url);
});

afterEach(() => {
  app.threatloop.stop();
});

/** The test model with a comment before every threat, after every status and at the end: the team's notes. */
function commentedModel(shape: ModelShape): string {
  return (
    threatModelText(shape)
      .split('\n')
      .map((line) => {
        if (/^ {2}- id: TM-/.test(line)) return `  # reviewed at the 2029 workshop\n\n${line}`;
        if (/^ {4}status: /.test(line)) return `${line}   # keep in step with the ticket`;
        return line;
      })
      .join('\n') + '# end of model\n'
  );
}

async function setup(shape: ModelShape = { threats: 3 }, config?: string): Promise<StandinRepo> {
  const repo = github.addRepo({ owner: 'acme', name: 'app', assignees: ['sec-lead', 'plat-dev'], files: { README: 'x' } });
  await pushFiles({ [MODEL]: commentedModel(shape), ...(config ? { '.github/threatloop.yml': config } : {}) });
  return repo;
}

async function pushFiles(files: Record<string, string | null>) {
  const push = github.push(REPO, files);
  await app.probot.receive({ name: 'push', id: `d-${++delivery}`, payload: github.pushPayload(REPO, push) as never });
  return push;
}

function issueOf(repo: StandinRepo, id: string) {
  const issue = repo.issues.find((i) => i.title.startsWith(`[${id}]`));
  if (!issue) throw new Error(`no issue for ${id}`);
  return issue;
}

async function setState(repo: StandinRepo, id: string, change: Parameters<GitHubStandin['setIssueState']>[2]) {
  const payload = github.setIssueState(REPO, issueOf(repo, id).number, change);
  await app.probot.receive({ name: 'issues', id: `d-${++delivery}`, payload: payload as never });
}

const close = (repo: StandinRepo, id: string, extra: Partial<Parameters<GitHubStandin['setIssueState']>[2]> = {}) =>
  setState(repo, id, { state: 'closed', by: 'lena', reason: 'completed', at: '2030-01-01T10:00:00Z', ...extra });
const reopen = (repo: StandinRepo, id: string) => setState(repo, id, { state: 'open', by: 'lena', at: '2030-01-01T11:00:00Z' });

const openPulls = (repo: StandinRepo) => repo.pulls.filter((p) => p.state === 'open');
const modelOn = (repo: StandinRepo, ref: string) => repo.commits.get(repo.branches.get(ref) ?? ref)![MODEL]!;
const gitWrites = () => github.writes().filter((r) => r.path.includes('/git/'));

describe('a person closes a threat issue', () => {
  it('opens one proposal PR whose commit changes exactly the status line and adds the verification line', async () => {
    const repo = await setup();
    const main = repo.branches.get('main')!;
    const before = modelOn(repo, 'main');
    await close(repo, 'TM-1', { commitId: 'a'.repeat(40) });

    expect(openPulls(repo)).toHaveLength(1);
    const pull = openPulls(repo)[0]!;
    expect(pull).toMatchObject({ head: PROPOSAL_BRANCH, base: 'main', user: 'threatloop[bot]', title: 'Threat model: TM-1 Open → Mitigated (#1 closed)' });
    // One commit on the default branch's head.
    const head = repo.branches.get(PROPOSAL_BRANCH)!;
    expect(repo.commitInfo.get(head)!.parents).toEqual([main]);
    const after = modelOn(repo, PROPOSAL_BRANCH);
    const beforeLines = before.split('\n');
    const afterLines = after.split('\n');
    const at = beforeLines.indexOf('    status: open   # keep in step with the ticket');
    expect(afterLines).toEqual([
      ...beforeLines.slice(0, at),
      '    status: mitigated   # keep in step with the ticket',
      `    verification: "Issue #1 closed as completed by lena on 2030-01-01: ${github.url.replace(/\/$/, '')}/acme/app/commit/${'a'.repeat(40)}"`,
      ...beforeLines.slice(at + 1),
    ]);
    // Only the branch was written: the default branch is where it was, and no ref write names it.
    expect(repo.branches.get('main')).toBe(main);
    expect(gitWrites().every((r) => !r.path.endsWith('/heads/main') && (r.body as { ref?: string }).ref !== 'refs/heads/main')).toBe(true);
    expect(issueOf(repo, 'TM-1').state).toBe('closed');
    expect(pull.body).toContain('lena, 2030-01-01');
    expect(parseProposalBasis(pull.body).map((b) => [b.threatId, b.to, b.closedBy])).toEqual([['TM-1', 'mitigated', 'lena']]);
  });

  it('a second closure updates the same PR with a new commit; the closing comment becomes the rationale, neutralised', async () => {
    const repo = await setup();
    await close(repo, 'TM-1');
    const first = repo.branches.get(PROPOSAL_BRANCH)!;
    const number = openPulls(repo)[0]!.number;
    await close(repo, 'TM-2', { reason: 'not_planned', comment: 'Not exposed: @alice checked <b>the</b> gateway <!-- hidden --> config' });

    expect(openPulls(repo).map((p) => p.number)).toEqual([number]);
    const second = repo.branches.get(PROPOSAL_BRANCH)!;
    expect(second).not.toBe(first);
    expect(repo.commitInfo.get(second)!.parents).toEqual([repo.branches.get('main')]);
    const model = modelOn(repo, PROPOSAL_BRANCH);
    expect(model).toContain('    status: mitigated   # keep in step');
    expect(model).toContain('    status: not-applicable   # keep in step');
    expect(model).toContain('    rationale: "Not exposed: alice checked the gateway config"');
    expect(model).not.toMatch(/@alice|<b>|hidden/);
    expect(openPulls(repo)[0]!.title).toBe('Threat model: status of 2 threats whose tickets were closed (TM-1, TM-2)');
  });

  it('reopening the issue withdraws its threat; the last one withdrawn closes the PR', async () => {
    const repo = await setup();
    await close(repo, 'TM-1');
    await close(repo, 'TM-2');
    await reopen(repo, 'TM-1');
    expect(openPulls(repo)).toHaveLength(1);
    const model = modelOn(repo, PROPOSAL_BRANCH);
    expect(model.match(/status: mitigated/g)).toHaveLength(1);
    expect(parseProposalBasis(openPulls(repo)[0]!.body).map((b) => b.threatId)).toEqual(['TM-2']);

    await reopen(repo, 'TM-2');
    expect(openPulls(repo)).toEqual([]);
    expect(repo.pulls).toHaveLength(1);
  });

  it('a proposal closed without merging is a decision: the issues reopen with a comment and the change is not proposed again', async () => {
    const repo = await setup();
    await close(repo, 'TM-1');
    const pull = openPulls(repo)[0]!;
    const payload = github.closePull(REPO, pull.number, { by: 'sec-lead' });
    await app.probot.receive({ name: 'pull_request', id: `d-${++delivery}`, payload: payload as never });

    const issue = issueOf(repo, 'TM-1');
    expect(issue.state).toBe('open');
    expect(issue.comments.at(-1)!.body).toContain('closed without merging');
    expect(issue.comments.at(-1)!.body).toContain('<!-- threatloop:proposal-declined id="TM-1"');
    // A sync afterwards proposes nothing.
    await pushFiles({ README: 'y', [MODEL]: `${modelOn(repo, 'main')}# touched\n` });
    expect(openPulls(repo)).toEqual([]);
    // Closing it again is a new closure: proposed anew.
    await close(repo, 'TM-1', { at: '2030-01-02T09:00:00Z' });
    expect(openPulls(repo)).toHaveLength(1);
  });

  it('a proposal that is merged: the next sync sees the new status and the issue stays closed', async () => {
    const repo = await setup();
    await close(repo, 'TM-1');
    const pull = openPulls(repo)[0]!;
    const mark = github.requests.length;
    const merged = github.closePull(REPO, pull.number, { by: 'sec-lead', merged: true });
    await app.probot.receive({ name: 'pull_request', id: `d-${++delivery}`, payload: merged as never });
    const head = repo.branches.get('main')!;
    await app.probot.receive({
      name: 'push',
      id: `d-${++delivery}`,
      payload: github.pushPayload(REPO, { before: repo.commitInfo.get(head)!.parents[0]!, after: head, added: [], modified: [MODEL], removed: [] }) as never,
    });
    const issue = issueOf(repo, 'TM-1');
    expect(issue.state).toBe('closed');
    const writes = github.writes().slice(github.writes().findIndex((r) => github.requests.indexOf(r) >= mark));
    // The issue's body and its audit comment say mitigated; nothing reopens or closes it, nothing is proposed.
    const stateWrites = writes.filter((r) => (r.body as { state?: string } | undefined)?.state !== undefined);
    expect(stateWrites).toEqual([]);
    expect(writes.filter((r) => r.path.includes('/git/') || r.path.endsWith('/pulls'))).toEqual([]);
    expect(issue.comments.at(-1)!.body).toContain('status: Open → Mitigated');
  });

  it('while the proposal is open, a sync leaves the issue closed and the dashboard lists it', async () => {
    const repo = await setup();
    await close(repo, 'TM-1');
    const mark = github.requests.length;
    await pushFiles({ [MODEL]: `${modelOn(repo, 'main')}# another edit\n` });
    expect(issueOf(repo, 'TM-1').state).toBe('closed');
    const pullReads = github.requests.slice(mark).filter((r) => r.method === 'GET' && r.path.endsWith('/pulls'));
    expect(pullReads).toHaveLength(1);
    expect(pullReads[0]!.query.head).toBe(`acme:${PROPOSAL_BRANCH}`);
    const dashboard = repo.issues.find((i) => i.labels.includes('threat-dashboard'))!;
    expect(dashboard.body).toContain('### Proposed status changes');
    expect(dashboard.body).toContain(`/acme/app/pull/${openPulls(repo)[0]!.number}`);
    expect(dashboard.body).toContain('`TM-1` → mitigated');
  });
});

describe('what never gets a proposal', () => {
  it('a model that does not parse on the default branch: no commit, no PR', async () => {
    const repo = await setup();
    github.push(REPO, { [MODEL]: 'version: 1\nthreats: [unclosed\n' });
    await close(repo, 'TM-1');
    expect(gitWrites()).toEqual([]);
    expect(repo.pulls).toEqual([]);
    const done = app.logs.find((l) => l.fields.handler === 'manual-close' && l.fields.outcome === 'invalid');
    expect(done).toBeDefined();
    // Where the model breaks, never what it says.
    expect(JSON.stringify(done)).not.toContain('unclosed');
  });

  it('the app’s own close (a sync that closes a mitigated threat) proposes nothing', async () => {
    const repo = await setup();
    const text = modelOn(repo, 'main').replace('status: open   # keep', 'status: mitigated   # keep');
    await pushFiles({ [MODEL]: text });
    const issue = issueOf(repo, 'TM-1');
    expect(issue.state).toBe('closed');
    // The webhook of the app's own close.
    const payload = { ...github.setIssueState(REPO, issue.number, { state: 'closed', by: 'threatloop[bot]' }) };
    await app.probot.receive({ name: 'issues', id: `d-${++delivery}`, payload: payload as never });
    expect(repo.pulls).toEqual([]);
    expect(gitWrites()).toEqual([]);
  });

  it('without `contents: write` the issue reopens with a comment that says why', async () => {
    github.installationPermissions = { ...github.installationPermissions, contents: 'read' };
    const repo = await setup();
    await close(repo, 'TM-1');
    const issue = issueOf(repo, 'TM-1');
    expect(issue.state).toBe('open');
    expect(issue.comments.at(-1)!.body).toContain("may not write this repository's contents");
    expect(repo.pulls).toEqual([]);
  });

  it('`on_manual_close: keep`: the issue stays closed, nothing proposed, and a sync leaves it closed', async () => {
    const repo = await setup({ threats: 3 }, 'issues:\n  on_manual_close: keep\n');
    await close(repo, 'TM-1');
    await pushFiles({ [MODEL]: `${modelOn(repo, 'main')}# edit\n` });
    expect(issueOf(repo, 'TM-1').state).toBe('closed');
    expect(repo.pulls).toEqual([]);
  });

  it('a PR that only looks like the proposal (a fork’s branch, a person’s PR) decides nothing', async () => {
    const repo = await setup();
    await close(repo, 'TM-1');
    const pull = openPulls(repo)[0]!;
    const payload = github.closePull(REPO, pull.number, { by: 'mallory' }) as { pull_request: Record<string, any> };
    pull.state = 'open';
    const forked = { ...payload, pull_request: { ...payload.pull_request, head: { ...payload.pull_request.head, repo: { full_name: 'mallory/app' } } } };
    await app.probot.receive({ name: 'pull_request', id: `d-${++delivery}`, payload: forked as never });
    const byPerson = { ...payload, pull_request: { ...payload.pull_request, user: { login: 'mallory', type: 'User' } } };
    await app.probot.receive({ name: 'pull_request', id: `d-${++delivery}`, payload: byPerson as never });
    expect(issueOf(repo, 'TM-1').state).toBe('closed');
    expect(issueOf(repo, 'TM-1').comments.some((c) => c.body.includes('proposal-declined'))).toBe(false);
  });

  it('an issue of another model (marker for another repository) is not ours to propose', async () => {
    const repo = await setup();
    const issue = issueOf(repo, 'TM-1');
    issue.body = issue.body.replace('<!-- threatloop:threat id="TM-1"', '<!-- threatloop:threat id="TM-1" repo="other%2Fmodel"');
    await close(repo, 'TM-1');
    expect(repo.pulls).toEqual([]);
  });
});

describe('bounds', () => {
  it('a flood of closures: one commit and one PR, not one per closure', async () => {
    const repo = await setup({ threats: 40 });
    const payloads = [];
    for (let i = 1; i <= 40; i++) {
      payloads.push(github.setIssueState(REPO, issueOf(repo, `TM-${i}`).number, { state: 'closed', by: 'lena', at: '2030-01-01T10:00:00Z' }));
    }
    const mark = github.requests.length;
    await Promise.all(payloads.map((payload) => app.probot.receive({ name: 'issues', id: `d-${++delivery}`, payload: payload as never })));
    await app.threatloop.idle();
    const writes = github.writes().filter((r) => github.requests.indexOf(r) >= mark);
    expect(writes.filter((r) => r.path.endsWith('/git/commits'))).toHaveLength(1);
    expect(writes.filter((r) => r.path.endsWith('/pulls'))).toHaveLength(1);
    expect(writes).toHaveLength(4);
    expect(parseProposalBasis(openPulls(repo)[0]!.body)).toHaveLength(40);
  });
});

describe('pull_requests.propose_on_fixes (opt-in)', () => {
  async function mergeFixes(repo: StandinRepo, body: string, options: { headRepo?: string } = {}) {
    const number = github.addPullRequest(REPO, ['src/api/auth.ts']);
    const pr = repo.issues.find((i) => i.number === number)!;
    pr.body = body;
    const payload = github.pullRequestPayload(REPO, number, 'closed') as { pull_request: Record<string, any> };
    payload.pull_request.merged = true;
    payload.pull_request.merged_at = '2030-01-02T15:00:00Z';
    payload.pull_request.merged_by = { login: 'sec-lead' };
    payload.pull_request.head = { ...payload.pull_request.head, repo: { full_name: options.headRepo ?? REPO } };
    await app.probot.receive({ name: 'pull_request', id: `d-${++delivery}`, payload: payload as never });
    return number;
  }

  it('a merged PR saying `Fixes <id>` proposes the change with the PR as evidence, and the proposal keeps it', async () => {
    const repo = await setup({ threats: 3 }, 'pull_requests:\n  propose_on_fixes: true\n');
    const number = await mergeFixes(repo, 'Sign the tokens. Fixes tm-3');
    expect(openPulls(repo)).toHaveLength(1);
    const model = modelOn(repo, PROPOSAL_BRANCH);
    expect(model).toContain(`verification: "PR #${number} (Fixes TM-3) merged by sec-lead on 2030-01-02: http://${github.host}/acme/app/pull/${number}"`);
    // A later closure keeps the PR's change in the proposal.
    await close(repo, 'TM-1');
    expect(parseProposalBasis(openPulls(repo)[0]!.body).map((b) => b.threatId)).toEqual(['TM-1', 'TM-3']);
  });

  it('is off by default, and a fork’s merged PR never proposes', async () => {
    const repo = await setup();
    await mergeFixes(repo, 'Fixes TM-3');
    expect(repo.pulls).toEqual([]);
    const optedIn = github.repo(REPO);
    github.push(REPO, { '.github/threatloop.yml': 'pull_requests:\n  propose_on_fixes: true\n' });
    await mergeFixes(optedIn, 'Fixes TM-3', { headRepo: 'mallory/app' });
    expect(repo.pulls).toEqual([]);
  });
});

describe('when GitHub refuses the proposal', () => {
  it('a refused branch write leaves the issue closed, the sync still completes and says why', async () => {
    const repo = await setup();
    github.fail('POST', /\/git\/trees$/, { status: 403, body: { message: 'Resource not accessible by integration' } }, 2);
    await close(repo, 'TM-1');
    expect(repo.pulls).toEqual([]);
    await pushFiles({ [MODEL]: `${modelOn(repo, 'main')}# edit\n` });
    expect(issueOf(repo, 'TM-1').state).toBe('closed');
    const check = repo.checkRuns.at(-1)!;
    expect(check.conclusion).toBe('success');
    expect(check.output.summary).toContain('could not be written (HTTP 403)');
  });
});
