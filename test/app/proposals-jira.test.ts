/**
 * Issue 11 §1 through the app: a Jira issue moved to done by a person, seen at the next sync, becomes the
 * same proposal pull request as a closed GitHub issue (instead of being transitioned back).
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import { GitHubStandin, type StandinRepo } from '../helpers/github-standin.ts';
import { JiraStandin, PERSON, type ChangelogAnswer } from '../helpers/jira-standin.ts';
import { threatModelText } from '../helpers/models.ts';
import { createTestApp, type TestApp } from '../helpers/probot.ts';

const REPO = 'acme/app';
const SITE = 'https://acme.atlassian.net';
const ENV = { JIRA_HOST: SITE, JIRA_EMAIL: 'sync-bot@acme.example', JIRA_API_TOKEN: 'ATATT3xFfGF0-proposal-secret', JIRA_PROJECTS: 'acme:SEC' };

let github: GitHubStandin;
let jira: JiraStandin;
let app: TestApp;
let delivery = 0;

beforeEach(async () => {
  github = await GitHubStandin.start();
  github.installationPermissions = { ...github.installationPermissions, contents: 'write' };
  jira = new JiraStandin(SITE);
  app = await createTestApp(github.url, { env: ENV });
});

afterEach(async () => {
  app.threatloop.stop();
  await github.close();
  nock.cleanAll();
});

async function push(files: Record<string, string>) {
  const pushed = github.push(REPO, files);
  await app.probot.receive({ name: 'push', id: `d-${++delivery}`, payload: github.pushPayload(REPO, pushed) as never });
}

/** The repository with two threats synced to SEC-1 and SEC-2; `again()` pushes an edit, which syncs. */
async function synced(): Promise<{ repo: StandinRepo; again: () => Promise<void> }> {
  const repo = github.addRepo({ owner: 'acme', name: 'app', assignees: ['sec-lead', 'plat-dev'], files: { '.github/threatloop.yml': 'jira:\n  project: SEC\n' } });
  const model = threatModelText({ threats: 2 });
  await push({ 'threat-model.yml': model });
  expect(jira.issues.size).toBe(2);
  let edits = 0;
  return { repo, again: () => push({ 'threat-model.yml': `${model}# edit ${++edits}\n` }) };
}

const openProposal = (repo: StandinRepo) => repo.pulls.find((p) => p.state === 'open' && p.head === 'threatloop/status');
const proposedModel = (repo: StandinRepo) => repo.commits.get(repo.branches.get('threatloop/status')!)!['threat-model.yml']!;
const verificationOf = (repo: StandinRepo, threatId: string) => {
  const loaded = loadModel(proposedModel(repo), 'threat-model.yml');
  if (!loaded.ok) throw new Error('the proposed model does not load');
  return loaded.model.threats.find((t) => t.id === threatId)!.verification;
};
const changelogReads = () => jira.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/changelog'));
const lastCheck = (repo: StandinRepo) => repo.checkRuns.at(-1)!;

describe('Jira done → proposal', () => {
  it('the next sync proposes the change, naming who moved it from the changelog; Jira stays done; the GitHub issue is left as it is', async () => {
    const { repo, again } = await synced();
    jira.moveByHand('SEC-1', 'done', { at: '2030-01-01T08:00:00.000+0000' });

    await again();
    const pulls = repo.pulls.filter((p) => p.state === 'open');
    expect(pulls.map((p) => p.title)).toEqual(['Threat model: TM-1 Open → Mitigated (SEC-1 closed)']);
    expect(proposedModel(repo)).toContain(`verification: "Jira issue SEC-1 closed as completed by ${PERSON.displayName} on 2030-01-01: ${SITE}/browse/SEC-1"`);
    expect(pulls[0]!.body).toContain(`${PERSON.displayName}, 2030-01-01`);
    expect(changelogReads().map((r) => `${r.path} ${r.query.startAt}`)).toEqual(['/rest/api/3/issue/SEC-1/changelog 0']);
    expect(jira.issue('SEC-1').fields.status.name).toBe('Done');
    expect(jira.writes().filter((r) => r.path.endsWith('/transitions'))).toEqual([]);
    const dashboard = repo.issues.find((i) => i.labels.includes('threat-dashboard'))!;
    expect(dashboard.body).toContain('### Proposed status changes');
  });
});

describe('Jira done → proposal: who moved it, at a bounded cost', () => {
  it('a closure the open proposal already names is not read again: the next syncs read only a new closure’s changelog', async () => {
    const { repo, again } = await synced();
    jira.moveByHand('SEC-1', 'done');
    await again();
    expect(changelogReads().map((r) => r.path)).toEqual(['/rest/api/3/issue/SEC-1/changelog']);

    await again();
    expect(changelogReads()).toHaveLength(1);
    expect(openProposal(repo)!.body).toContain(PERSON.displayName);

    jira.moveByHand('SEC-2', 'done', { by: { accountId: '5b10ac8d82e05b22cc7d4ef6', displayName: 'Lee Park' } });
    await again();
    expect(changelogReads().map((r) => r.path)).toEqual(['/rest/api/3/issue/SEC-1/changelog', '/rest/api/3/issue/SEC-2/changelog']);
    expect(verificationOf(repo, 'TM-1')).toContain(`by ${PERSON.displayName} on`);
    expect(verificationOf(repo, 'TM-2')).toContain('by Lee Park on');
  });

  it('a changelog longer than a page: the last page is read (two reads), and the move to done is found on it', async () => {
    const { repo, again } = await synced();
    // An older status change on the first page, 150 edits, the move to done, 20 edits after it: 172 histories.
    jira.moveByHand('SEC-1', 'todo', { by: { accountId: 'early', displayName: 'Early Bird' } });
    jira.editByHand('SEC-1', 150);
    jira.moveByHand('SEC-1', 'done', { by: { accountId: 'closer', displayName: 'Lee Park' } });
    jira.editByHand('SEC-1', 20, { accountId: 'later', displayName: 'Late Editor' });
    expect(jira.issue('SEC-1').changelog).toHaveLength(172);

    await again();
    expect(changelogReads().map((r) => `${r.query.startAt}/${r.query.maxResults}`)).toEqual(['0/100', '72/100']);
    expect(verificationOf(repo, 'TM-1')).toMatch(/^Jira issue SEC-1 closed as completed by Lee Park on /);
  });

  it('a hostile display name ends up one line, bounded, without a mention, HTML or a link', async () => {
    const { repo, again } = await synced();
    const displayName = `@org/team <img src=x> [x](http://evil)\n${'x'.repeat(10_000)}`;
    jira.moveByHand('SEC-1', 'done', { by: { accountId: 'mallory', displayName }, at: '2030-01-01T08:00:00.000+0000' });

    await again();
    const verification = verificationOf(repo, 'TM-1')!;
    const name = /^Jira issue SEC-1 closed as completed by (.*) on 2030-01-01: (.*)$/.exec(verification);
    expect(name?.[2]).toBe(`${SITE}/browse/SEC-1`);
    expect(name?.[1]).toBe(`org/team [x](http://evil) ${'x'.repeat(73)}…`);
    expect(Array.from(name![1]!)).toHaveLength(100);
    const body = openProposal(repo)!.body;
    expect(body).toContain('org/team \\[x\\](http://evil) xxx');
    expect(body).not.toMatch(/<img|@org|\[x\]\(|x{100}/);
    expect(body.length).toBeLessThan(5_000);
  });

  it.each<ChangelogAnswer>(['500', 'malformed'])('a changelog read that fails (%s) leaves "a Jira user", the sync succeeds, and the next sync reads it again', async (answer) => {
    const { repo, again } = await synced();
    jira.moveByHand('SEC-1', 'done', { at: '2030-01-01T08:00:00.000+0000' });
    jira.changelogAnswer = answer;

    await again();
    expect(changelogReads()).toHaveLength(1);
    expect(verificationOf(repo, 'TM-1')).toBe(`Jira issue SEC-1 closed as completed by a Jira user on 2030-01-01: ${SITE}/browse/SEC-1`);
    expect(lastCheck(repo).conclusion).toBe('success');
    expect(lastCheck(repo).output.summary).toContain('Jira note: reading who moved SEC-1 to done:');
    expect(lastCheck(repo).output.summary).not.toContain('Jira failure');

    jira.changelogAnswer = 'ok';
    await again();
    expect(changelogReads()).toHaveLength(2);
    expect(verificationOf(repo, 'TM-1')).toContain(`by ${PERSON.displayName} on`);
  });
});
