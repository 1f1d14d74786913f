/**
 * Issue 11 §1 through the app: a Jira issue moved to done by a person, seen at the next sync, becomes the
 * same proposal pull request as a closed GitHub issue (instead of being transitioned back).
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubStandin } from '../helpers/github-standin.ts';
import { JiraStandin } from '../helpers/jira-standin.ts';
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

describe('Jira done → proposal', () => {
  it('the next sync proposes the change; Jira stays done; the GitHub issue is left as it is', async () => {
    const repo = github.addRepo({ owner: 'acme', name: 'app', assignees: ['sec-lead', 'plat-dev'], files: { '.github/threatloop.yml': 'jira:\n  project: SEC\n' } });
    const model = threatModelText({ threats: 2 });
    await push({ 'threat-model.yml': model });
    expect(jira.issues.size).toBe(2);
    jira.moveByHand('SEC-1', 'done', { at: '2030-01-01T08:00:00.000+0000' });

    await push({ 'threat-model.yml': `${model}# a later edit\n` });
    const pulls = repo.pulls.filter((p) => p.state === 'open');
    expect(pulls.map((p) => p.title)).toEqual(['Threat model: TM-1 Open → Mitigated (SEC-1 closed)']);
    const proposed = repo.commits.get(repo.branches.get('threatloop/status')!)!['threat-model.yml']!;
    expect(proposed).toContain(`verification: "Jira issue SEC-1 closed as completed by a Jira user on 2030-01-01: ${SITE}/browse/SEC-1"`);
    expect(jira.issue('SEC-1').fields.status.name).toBe('Done');
    expect(jira.writes().filter((r) => r.path.endsWith('/transitions'))).toEqual([]);
    const dashboard = repo.issues.find((i) => i.labels.includes('threat-dashboard'))!;
    expect(dashboard.body).toContain('### Proposed status changes');
  });
});
