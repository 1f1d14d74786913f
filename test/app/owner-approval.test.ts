/**
 * The owner-approval gate (`pull_requests.require_owner_approval`) end to end through the app, GitHub
 * played by the stand-in: the `Threat model` check run fails on a risky model change until one of the
 * threat's BASE owners approves the pull request's head commit, and a `pull_request_review` event
 * re-runs it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubStandin, StandinRepo, StandinReview } from '../helpers/github-standin.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { threatModelText } from '../helpers/models.ts';
import { createTestApp, type TestApp } from '../helpers/probot.ts';

const REPO = 'acme/app';
const CONFIG = 'pull_requests:\n  require_owner_approval: [accept, not-applicable, rescore-down, remove, reassign]\n';
const BASE_MODEL = threatModelText({ threats: 2 });
/** TM-1 (owner `security`: sec-lead, team acme/security) accepted. */
const ACCEPT = 'accepted\n    rationale: Compensating WAF rule\n    acceptance: { by: security, on: 2029-12-01, expires: 2030-06-01 }';
const ACCEPTED_MODEL = threatModelText({ threats: 2, overrides: { 0: { status: ACCEPT } } });

let github: GitHubStandin;
let app: TestApp;
let delivery = 0;
const standin = useGitHubStandin();

beforeEach(async () => {
  github = standin.github;
  app = await createTestApp(github.url);
});
afterEach(() => app.threatloop.stop());

/** `null`: no repository config. */
function setup(config: string | null = CONFIG): StandinRepo {
  return github.addRepo({
    owner: 'acme',
    name: 'app',
    assignees: ['sec-lead', 'plat-dev'],
    files: { 'threat-model.yml': BASE_MODEL, ...(config === null ? {} : { '.github/threatloop.yml': config }) },
  });
}

/** A pull request by `author` whose head commit changes the model to `model`. */
function openPull(model: string, options: { author?: string; headRepo?: string } = {}): number {
  const repo = github.repo(REPO);
  const base = repo.branches.get(repo.defaultBranch)!;
  const head = github.commit(REPO, base, { 'threat-model.yml': model });
  return github.addPullRequest(REPO, ['threat-model.yml'], { head, base, author: options.author ?? 'ada', ...(options.headRepo ? { headRepo: options.headRepo } : {}) });
}

async function pullRequestEvent(number: number, action = 'opened'): Promise<void> {
  await app.probot.receive({ name: 'pull_request', id: `d-${++delivery}`, payload: github.pullRequestPayload(REPO, number, action) as never });
  await app.threatloop.idle();
}

async function review(number: number, login: string, state: StandinReview['state'] = 'APPROVED', commitId?: string): Promise<void> {
  const added = github.addReview(REPO, number, { login, state, ...(commitId ? { commitId } : {}) });
  await app.probot.receive({ name: 'pull_request_review', id: `d-${++delivery}`, payload: github.pullRequestReviewPayload(REPO, number, 'submitted', added) as never });
  await app.threatloop.idle();
}

const lastCheck = (repo: StandinRepo) => repo.checkRuns.at(-1)!;
const reviewReads = () => github.requests.filter((r) => r.path.endsWith('/reviews'));
const membershipReads = () => github.requests.filter((r) => r.path.startsWith('/orgs/'));

describe('owner approval for risky model changes, through the app', () => {
  it('a PR that accepts a critical threat fails naming its owners; the owner’s approving review makes it pass', async () => {
    const repo = setup();
    const pull = openPull(ACCEPTED_MODEL);
    await pullRequestEvent(pull);
    const failed = lastCheck(repo);
    expect(failed.conclusion).toBe('failure');
    expect(failed.output.title).toBe('1 threat needs an owner’s approval');
    expect(failed.output.summary).toContain(
      '- `TM-1` Threat number 1 against the API: this pull request accepts or transfers the risk; approval needed from `sec-lead` or a member of `acme/security`',
    );
    // The lint part of the check is still there.
    expect(failed.output.summary).toMatch(/^2 threats, 3 components\. Lint of `threat-model\.yml`/);

    await review(pull, 'sec-lead');
    const passed = lastCheck(repo);
    expect(passed.conclusion).toBe('success');
    expect(passed.output.summary).toContain('**Owner approval**');
    expect(passed.output.summary).toContain('Approved on this commit:\n- `TM-1` Threat number 1 against the API: this pull request accepts or transfers the risk; approved by `sec-lead`');
    expect(passed.head_sha).toBe(failed.head_sha);
  });

  it('an approval by someone who is not the threat’s owner, a later request for changes, or an approval of an earlier commit does not count', async () => {
    const repo = setup();
    const pull = openPull(ACCEPTED_MODEL);
    await pullRequestEvent(pull);
    await review(pull, 'plat-dev');
    expect(lastCheck(repo).conclusion).toBe('failure');

    // The owner approves, then asks for changes: the latest review counts.
    await review(pull, 'sec-lead');
    expect(lastCheck(repo).conclusion).toBe('success');
    await review(pull, 'sec-lead', 'CHANGES_REQUESTED');
    expect(lastCheck(repo).conclusion).toBe('failure');

    // An approval of an earlier commit: a push after it needs a new one (and the check says why).
    await review(pull, 'sec-lead', 'APPROVED', '0'.repeat(40));
    const stale = lastCheck(repo);
    expect(stale.conclusion).toBe('failure');
    expect(stale.output.summary).toContain('(`sec-lead` approved an earlier commit: a push after an approval needs a new one)');
  });

  it('a PR that makes a new owner of someone and accepts: that person’s approval, and the author’s own, do not count (owners come from the base)', async () => {
    const repo = setup();
    const head = ACCEPTED_MODEL.replace('    github: [sec-lead]', '    github: [sec-lead, eve, ada]');
    expect(head).not.toBe(ACCEPTED_MODEL);
    const pull = openPull(head, { author: 'ada' });
    await pullRequestEvent(pull);
    await review(pull, 'eve');
    expect(lastCheck(repo).conclusion).toBe('failure');
    await review(pull, 'ada');
    const check = lastCheck(repo);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain('approval needed from `sec-lead` or a member of `acme/security`');
    expect(check.output.summary).not.toContain('`eve`');
  });

  it('an owner given as a team: a member’s approval counts when the app may read membership; without the permission the check says so', async () => {
    const repo = setup();
    github.teams.set('acme/security', ['kim']);
    const pull = openPull(ACCEPTED_MODEL);
    await pullRequestEvent(pull);
    await review(pull, 'lou');
    expect(lastCheck(repo).conclusion).toBe('failure');
    expect(membershipReads().map((r) => r.path)).toEqual(['/orgs/acme/teams/security/memberships/lou']);

    await review(pull, 'kim');
    expect(lastCheck(repo).conclusion).toBe('success');

    github.teamsReadable = false;
    await pullRequestEvent(pull, 'synchronize');
    const unreadable = lastCheck(repo);
    expect(unreadable.conclusion).toBe('failure');
    expect(unreadable.output.summary).toContain(
      'approval needed from `sec-lead` or a member of `acme/security` (membership could not be checked: the app needs the organisation permission `members: read`)',
    );
  });

  it('a fork’s pull request gets the same gate, from base-repository data', async () => {
    const repo = setup();
    const pull = openPull(ACCEPTED_MODEL, { author: 'mallory', headRepo: 'mallory/app' });
    await pullRequestEvent(pull);
    expect(lastCheck(repo).conclusion).toBe('failure');
    await review(pull, 'sec-lead');
    expect(lastCheck(repo).conclusion).toBe('success');
  });

  it('removing a threat, lowering its score or taking it from its owner each need the owner; a PR that changes nothing risky reads no reviews', async () => {
    const repo = setup();
    const removed = openPull(threatModelText({ threats: 2, omit: [1] }));
    await pullRequestEvent(removed);
    expect(lastCheck(repo).output.summary).toContain('- `TM-2` Threat number 2 against the database: this pull request removes it; approval needed from `plat-dev`');

    const rescored = openPull(threatModelText({ threats: 2, overrides: { 0: { cvss: 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', owner: 'platform' } } }));
    await pullRequestEvent(rescored);
    expect(lastCheck(repo).output.summary).toContain('this pull request lowers its score and takes it from its owner; approval needed from `sec-lead` or a member of `acme/security`');

    const harmless = openPull(threatModelText({ threats: 3 }));
    const before = reviewReads().length;
    await pullRequestEvent(harmless);
    expect(lastCheck(repo).conclusion).toBe('success');
    expect(reviewReads().length).toBe(before);
  });

  it('without require_owner_approval nothing changes: no review or team read, and a review costs the config read only', async () => {
    const repo = setup(null);
    const pull = openPull(ACCEPTED_MODEL);
    await pullRequestEvent(pull);
    expect(lastCheck(repo).conclusion).toBe('success');
    expect(lastCheck(repo).output.summary).not.toContain('Owner approval');
    expect(reviewReads()).toEqual([]);
    expect(membershipReads()).toEqual([]);

    const requestsBefore = github.requests.length;
    const writesBefore = github.writes().length;
    await review(pull, 'sec-lead');
    const reads = github.requests.slice(requestsBefore).filter((r) => !r.path.startsWith('/app'));
    // The repository's config at the base, then the organisation default (acme/.github), which does not exist.
    expect(reads.every((r) => r.method === 'GET' && r.path.endsWith('/contents/.github/threatloop.yml'))).toBe(true);
    expect(reads.length).toBeGreaterThan(0);
    expect(github.writes().length).toBe(writesBefore);
  });

  it('a review on a PR that does not change the model reads the config and the files, and writes nothing', async () => {
    const repo = setup();
    const base = repo.branches.get(repo.defaultBranch)!;
    const head = github.commit(REPO, base, { 'src/api/handler.ts': 'x' });
    const pull = github.addPullRequest(REPO, ['src/api/handler.ts'], { head, base });
    await pullRequestEvent(pull);
    const checks = repo.checkRuns.length;
    await review(pull, 'sec-lead');
    expect(repo.checkRuns.length).toBe(checks);
    expect(reviewReads()).toEqual([]);
  });

  it('a flood of reviews on one PR coalesces: one job runs, one waits and stands for the rest', async () => {
    const repo = setup();
    const pull = openPull(ACCEPTED_MODEL);
    await pullRequestEvent(pull);
    const checks = repo.checkRuns.length;
    const reviews = Array.from({ length: 10 }, (_, k) => github.addReview(REPO, pull, { login: k === 9 ? 'sec-lead' : `reviewer-${k}`, state: 'APPROVED' }));
    await Promise.all(
      reviews.map((r) => app.probot.receive({ name: 'pull_request_review', id: `d-${++delivery}`, payload: github.pullRequestReviewPayload(REPO, pull, 'submitted', r) as never })),
    );
    await app.threatloop.idle();
    expect(repo.checkRuns.length - checks).toBeLessThanOrEqual(2);
    expect(lastCheck(repo).conclusion).toBe('success');
  });
});
