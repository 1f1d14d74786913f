/**
 * `threatloop sync --propose` with a token: threat issues closed by hand become the one proposal PR, as
 * the app does on its events; without `--propose` they reopen as before.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRemoteSync } from '../../src/cli/commands/sync.ts';
import { noDelay } from '../../src/github/client.ts';
import nock from 'nock';
import { GitHubStandin } from '../helpers/github-standin.ts';
import { JiraStandin, PERSON } from '../helpers/jira-standin.ts';
import { threatModelText } from '../helpers/models.ts';
import { captureIo } from '../helpers/cli.ts';

const FAST = { dryRun: false, delay: noDelay, writeIntervalMs: 0 };
const GITHUB_TOKEN = 'ghp_cliTokenThatMustNeverBePrinted000';
let github: GitHubStandin;
let cwd: string;

beforeEach(async () => {
  github = await GitHubStandin.start({ prefix: '/api/v3' });
  github.tokenUser = 'ci-bot';
  github.issueAuthor = 'ci-bot';
  const model = threatModelText({ threats: 2 });
  github.addRepo({ owner: 'acme', name: 'app', files: { 'threat-model.yml': model } });
  cwd = mkdtempSync(join(tmpdir(), 'threatloop-cli-propose-'));
  writeFileSync(join(cwd, 'threat-model.yml'), model);
});

afterEach(async () => {
  await github.close();
});

const io = () => captureIo(cwd, { GITHUB_TOKEN, GITHUB_API_URL: github.url });
const repo = () => github.repo('acme/app');
const issue = (id: string) => repo().issues.find((i) => i.title.startsWith(`[${id}]`))!;

describe('threatloop sync --propose', () => {
  it('proposes the change for an issue closed by hand, then writes nothing on a rerun; --propose withdraws it once reopened', async () => {
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], io().io, FAST)).toBe(0);
    github.setIssueState('acme/app', issue('TM-1').number, { state: 'closed', by: 'lena', at: '2030-01-01T10:00:00Z' });

    const run = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app', '--propose'], run.io, FAST)).toBe(0);
    expect(issue('TM-1').state).toBe('closed');
    expect(repo().pulls.map((p) => [p.state, p.head, p.base])).toEqual([['open', 'threatloop/status', 'main']]);
    expect(repo().commits.get(repo().branches.get('threatloop/status')!)!['threat-model.yml']).toContain('status: mitigated');
    expect(run.all()).toContain(`Proposed in pull request #${repo().pulls[0]!.number}: TM-1 → mitigated`);
    expect(run.all()).not.toContain(GITHUB_TOKEN);

    const mark = github.writes().length;
    expect(await runRemoteSync('sync', ['--repo', 'acme/app', '--propose', '--format', 'json'], io().io, FAST)).toBe(0);
    expect(github.writes().slice(mark)).toEqual([]);

    github.setIssueState('acme/app', issue('TM-1').number, { state: 'open', by: 'lena', at: '2030-01-01T11:00:00Z' });
    expect(await runRemoteSync('sync', ['--repo', 'acme/app', '--propose'], io().io, FAST)).toBe(0);
    expect(repo().pulls.map((p) => p.state)).toEqual(['closed']);
  });

  it('without --propose an issue closed by hand reopens as before, and nothing is proposed', async () => {
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], io().io, FAST)).toBe(0);
    github.setIssueState('acme/app', issue('TM-2').number, { state: 'closed', by: 'lena' });
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], io().io, FAST)).toBe(0);
    expect(issue('TM-2').state).toBe('open');
    expect(repo().pulls).toEqual([]);
    expect(github.requests.some((r) => r.path.includes('/git/') || r.path.endsWith('/pulls'))).toBe(false);
  });
});

describe('threatloop sync --propose with Jira', () => {
  const SITE = 'https://acme.atlassian.net';
  let jira: JiraStandin;

  beforeEach(() => {
    jira = new JiraStandin(SITE);
    const config = 'jira:\n  project: SEC\n';
    github.push('acme/app', { '.github/threatloop.yml': config });
    mkdirSync(join(cwd, '.github'));
    writeFileSync(join(cwd, '.github/threatloop.yml'), config);
  });

  afterEach(() => {
    nock.cleanAll();
  });

  const jiraIo = () => captureIo(cwd, { GITHUB_TOKEN, GITHUB_API_URL: github.url, JIRA_HOST: SITE, JIRA_EMAIL: 'ci@acme.example', JIRA_API_TOKEN: 'jira-secret-token' });

  it('a Jira issue a person moved to done is proposed through the same pull request, and left done', async () => {
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], jiraIo().io, FAST)).toBe(0);
    jira.moveByHand('SEC-2', 'done', { resolution: "Won't Do", at: '2030-01-03T08:00:00.000+0000' });

    const run = jiraIo();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app', '--propose'], run.io, FAST)).toBe(0);
    const pulls = repo().pulls.filter((p) => p.state === 'open');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.title).toBe('Threat model: TM-2 Open → Not applicable (SEC-2 closed)');
    const model = repo().commits.get(repo().branches.get('threatloop/status')!)!['threat-model.yml']!;
    expect(model).toContain('status: not-applicable');
    expect(model).toContain(`verification: "Jira issue SEC-2 closed as not planned by ${PERSON.displayName} on 2030-01-03: ${SITE}/browse/SEC-2"`);
    // Not transitioned back, and the GitHub issue is not touched.
    expect(jira.issue('SEC-2').fields.status.name).toBe('Done');
    expect(jira.writes().filter((r) => r.path.endsWith('/transitions'))).toEqual([]);
    expect(issue('TM-2').state).toBe('open');
    expect(run.all()).not.toContain('jira-secret-token');
  });
});
