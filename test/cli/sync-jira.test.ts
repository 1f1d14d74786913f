/**
 * `threatloop sync --repo` with a `jira:` section: GITHUB_TOKEN and JIRA_* from
 * the CLI's environment, GitHub answered by the stand-in (as GHES), Jira by
 * the nock-backed Jira stand-in. nock stays active (loopback passes through).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRemoteSync } from '../../src/cli/commands/sync.ts';
import { noDelay } from '../../src/github/client.ts';
import { parseMarker } from '../../src/sync/github/marker.ts';
import { GitHubStandin } from '../helpers/github-standin.ts';
import { JiraStandin } from '../helpers/jira-standin.ts';
import { threatModelText } from '../helpers/models.ts';
import { captureIo } from '../helpers/cli.ts';

const SITE = 'https://acme.atlassian.net';
const FAST = { dryRun: false, delay: noDelay, writeIntervalMs: 0 };
const GITHUB_TOKEN = 'ghp_cliTokenThatMustNeverBePrinted000';
const JIRA_TOKEN = 'ATATT3xFfGF0-cli-secret-token-19bc';
const JIRA_EMAIL = 'ci-bot@acme.example';

let github: GitHubStandin;
let jira: JiraStandin;
let cwd: string;

beforeEach(async () => {
  github = await GitHubStandin.start({ prefix: '/api/v3' });
  jira = new JiraStandin(SITE);
  github.addRepo({ owner: 'acme', name: 'app', private: true, assignees: ['sec-lead', 'plat-dev'], files: { 'README.md': 'hello' } });
  cwd = mkdtempSync(join(tmpdir(), 'threatloop-cli-jira-'));
  writeFileSync(join(cwd, 'threat-model.yml'), threatModelText({ threats: 2 }));
  mkdirSync(join(cwd, '.github'));
  writeFileSync(join(cwd, '.github/threatloop.yml'), 'jira:\n  project: SEC\n');
});

afterEach(async () => {
  await github.close();
  nock.cleanAll();
});

const io = (env: Record<string, string> = {}) =>
  captureIo(cwd, { GITHUB_TOKEN, GITHUB_API_URL: github.url, JIRA_HOST: SITE, JIRA_EMAIL, JIRA_API_TOKEN: JIRA_TOKEN, ...env });

describe('threatloop sync --repo with Jira', () => {
  it('creates the Jira issues and the GitHub issues, linked both ways; a second run writes nothing', async () => {
    const first = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], first.io, FAST)).toBe(0);
    const issues = github.repo('acme/app').issues.filter((i) => i.labels.includes('threat'));
    expect(issues).toHaveLength(2);
    expect([...jira.issues.values()].map((i) => i.fields.summary)).toEqual([
      '[TM-1] Threat number 1 against the API',
      '[TM-2] Threat number 2 against the database',
    ]);
    expect(issues.map((i) => parseMarker(i.body)?.links?.jira?.key)).toEqual(['SEC-1', 'SEC-2']);
    expect(issues[0]!.body).toContain(`[SEC-1](${SITE}/browse/SEC-1)`);
    expect(jira.issue('SEC-1').remoteLinks.get('threatloop:github:acme/app:TM-1')?.object.url).toBe(`http://${github.host}/acme/app/issues/${issues[0]!.number}`);
    expect(first.all()).toContain('Jira: 2 create');
    for (const secret of [GITHUB_TOKEN, JIRA_TOKEN, JIRA_EMAIL]) expect(first.all()).not.toContain(secret);

    const githubWrites = github.writes().length;
    const jiraWrites = jira.writes().length;
    const second = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], second.io, FAST)).toBe(0);
    expect(github.writes()).toHaveLength(githubWrites);
    expect(jira.writes()).toHaveLength(jiraWrites);
    expect(second.all()).toContain('Jira: nothing to change');
  });

  it('a dry run (plan --repo) sends nothing to Jira', async () => {
    const run = io();
    expect(await runRemoteSync('plan', ['--repo', 'acme/app'], run.io, { ...FAST, dryRun: true })).toBe(0);
    expect(jira.requests).toEqual([]);
    expect(github.writes()).toEqual([]);
  });

  it('Jira down: the GitHub issues are created and the output names the failure, without credentials', async () => {
    jira.unreachable = true;
    const run = io();
    // Exit 1 so CI flags the Jira outage, although the GitHub side completed.
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], run.io, FAST)).toBe(1);
    expect(github.repo('acme/app').issues.filter((i) => i.labels.includes('threat'))).toHaveLength(2);
    expect(run.all()).toContain('Jira failure: reading the Jira issues: Jira unreachable (ECONNREFUSED)');
    for (const secret of [JIRA_TOKEN, JIRA_EMAIL, Buffer.from(`${JIRA_EMAIL}:${JIRA_TOKEN}`).toString('base64')]) {
      expect(run.all()).not.toContain(secret);
    }
  });
});
