/**
 * The Jira side end to end, through Probot: push webhooks against the GitHub
 * stand-in, Jira answered by the nock-backed Jira stand-in (the requests
 * jira.js 6 really sends), credentials from the app's `env`, every wait
 * through the injected delay. The GitHub stand-in runs with nock active (not
 * `useGitHubStandin`, which steps nock aside): nock lets loopback through.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { identityLabel } from '../../src/sync/jira/state.ts';
import { parseMarker } from '../../src/sync/github/marker.ts';
import { GitHubStandin, type StandinIssue, type StandinRepo } from '../helpers/github-standin.ts';
import { JiraStandin } from '../helpers/jira-standin.ts';
import { threatModelText, type ModelShape } from '../helpers/models.ts';
import { createTestApp, type LogEntry, type TestApp } from '../helpers/probot.ts';

const REPO = 'acme/app';
const SITE = 'https://acme.atlassian.net';
const EMAIL = 'sync-bot@acme.example';
const TOKEN = 'ATATT3xFfGF0-e2e-secret-token-77aa';
const BASIC_BASE64 = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');
const ENV = { JIRA_HOST: SITE, JIRA_EMAIL: EMAIL, JIRA_API_TOKEN: TOKEN, JIRA_PROJECTS: 'acme:SEC,other:OPS' };
const SECURITY_ACCOUNT = '5b10ac8d82e05b22cc7d4ef5';
const JIRA_CONFIG = ['jira:', '  project: SEC', '  components:', '    api: API', '    db: Storage', ''].join('\n');

let github: GitHubStandin;
let jira: JiraStandin;
let app: TestApp;
let delivery = 0;

beforeEach(async () => {
  github = await GitHubStandin.start();
  jira = new JiraStandin(SITE);
  app = await createTestApp(github.url, { env: ENV });
});

afterEach(async () => {
  app.threatloop.stop();
  await github.close();
  nock.cleanAll();
});

/** The helper's model, with the security owner's Jira account id. */
function modelText(shape: ModelShape): string {
  return threatModelText(shape).replace('    team: acme/security\n', `    team: acme/security\n    jira: ${SECURITY_ACCOUNT}\n`);
}

function setup(options: { config?: string } = { config: JIRA_CONFIG }): StandinRepo {
  return github.addRepo({
    owner: 'acme',
    name: 'app',
    assignees: ['sec-lead', 'plat-dev'],
    files: { 'README.md': 'hello', ...(options.config ? { '.github/threatloop.yml': options.config } : {}) },
  });
}

async function pushModel(shape: ModelShape, suffix = '') {
  const push = github.push(REPO, { 'threat-model.yml': modelText(shape) + suffix });
  const payload = github.pushPayload(REPO, push) as never;
  await app.probot.receive({ name: 'push', id: `d-${++delivery}`, payload });
  return payload;
}

const threatIssues = (repo: StandinRepo) => repo.issues.filter((i) => i.labels.includes('threat'));
const dashboard = (repo: StandinRepo) => repo.issues.find((i) => i.labels.includes('threat-dashboard'))!;
const lastCheck = (repo: StandinRepo) => repo.checkRuns.at(-1)!;
const issueOf = (repo: StandinRepo, threatId: string) => threatIssues(repo).find((i) => i.title.startsWith(`[${threatId}]`))!;
const githubWritesSince = (mark: number) =>
  github.writes().filter((r) => github.requests.indexOf(r) >= mark && !r.path.endsWith('/check-runs'));
const markerOf = (issue: StandinIssue) => parseMarker(issue.body);

/** Everything Probot and the app logged, errors expanded (JSON.stringify drops an Error's message and stack). */
function logText(logs: LogEntry[]): string {
  const seen = new WeakSet<object>();
  const expand = (_: string, value: unknown): unknown => {
    if (value instanceof Error) {
      return { ...value, name: value.name, message: value.message, stack: value.stack, cause: value.cause };
    }
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  };
  return logs.map((entry) => JSON.stringify(entry, expand)).join('\n');
}

/** ADF text nodes, in order. */
function adfText(node: unknown): string {
  if (!node || typeof node !== 'object') return '';
  const n = node as { text?: string; content?: unknown[] };
  return (n.text ?? '') + (n.content ?? []).map(adfText).join(' ');
}

describe('Jira through the app: first sync', () => {
  it('creates the Jira issues, puts the keys in the GitHub issues created in the same sync, and links back', async () => {
    const repo = setup();
    await pushModel({ threats: 2 });

    const creates = jira.requests.filter((r) => r.method === 'POST' && r.path === '/rest/api/3/issue');
    expect(creates).toHaveLength(2);
    const fields = creates[0]!.body.fields;
    expect(fields).toMatchObject({
      project: { key: 'SEC' },
      issuetype: { name: 'Task' },
      summary: '[TM-1] Threat number 1 against the API',
      labels: ['threatloop', 'threat', 'severity-critical', 'stride-spoofing', identityLabel(REPO)],
      priority: { name: 'Highest' },
      duedate: '2031-01-15',
      assignee: { accountId: SECURITY_ACCOUNT },
      components: [{ name: 'API' }],
      description: { type: 'doc', version: 1 },
    });
    expect(adfText(fields.description)).toContain('Mitigation 1');
    expect(creates[0]!.body.properties).toEqual([{ key: 'threatloop', value: expect.objectContaining({ repo: REPO, threatId: 'TM-1' }) }]);
    // TM-2: owner without a Jira account, a medium rating, the database component.
    expect(creates[1]!.body.fields).toMatchObject({
      summary: '[TM-2] Threat number 2 against the database',
      labels: ['threatloop', 'threat', 'severity-medium', 'stride-tampering', identityLabel(REPO)],
      priority: { name: 'Medium' },
      duedate: '2031-02-15',
      components: [{ name: 'Storage' }],
    });
    expect(creates[1]!.body.fields).not.toHaveProperty('assignee');
    // Basic auth with the env's credentials, on every Jira request.
    expect(new Set(jira.requests.map((r) => r.headers.authorization))).toEqual(new Set([`Basic ${BASIC_BASE64}`]));

    // The GitHub issues carry the key, linked, in body and marker.
    const tm1 = issueOf(repo, 'TM-1');
    const tm2 = issueOf(repo, 'TM-2');
    expect(tm1.body).toContain(`[SEC-1](${SITE}/browse/SEC-1)`);
    expect(tm2.body).toContain(`[SEC-2](${SITE}/browse/SEC-2)`);
    expect(markerOf(tm1)).toMatchObject({ kind: 'threat', threatId: 'TM-1', links: { jira: { key: 'SEC-1' } } });
    expect(markerOf(tm2)).toMatchObject({ kind: 'threat', threatId: 'TM-2', links: { jira: { key: 'SEC-2' } } });

    // Jira links back to the GitHub issue (created after the Jira issue, in the same sync) and the model line.
    const sha = repo.branches.get('main')!;
    const links = jira.issue('SEC-1').remoteLinks;
    expect(links.get(`threatloop:github:${REPO}:TM-1`)).toMatchObject({
      object: { url: `http://${github.host}/${REPO}/issues/${tm1.number}` },
      relationship: 'tracked in GitHub',
    });
    const modelLine = modelText({ threats: 2 }).split('\n').indexOf('  - id: TM-1') + 1;
    expect(links.get(`threatloop:model:${REPO}:TM-1`)?.object.url).toBe(
      `http://${github.host}/${REPO}/blob/${sha}/threat-model.yml#L${modelLine}`,
    );
    expect(jira.issue('SEC-1').properties.threatloop).toMatchObject({
      threatId: 'TM-1',
      links: { github: `http://${github.host}/${REPO}/issues/${tm1.number}` },
    });

    const check = lastCheck(repo);
    expect(check).toMatchObject({ conclusion: 'success' });
    expect(check.output.summary).toContain('Jira: 2 create');
    expect(check.output.summary).not.toContain('Jira failure');
    expect(dashboard(repo).body).not.toContain('Jira sync incomplete');
  });
});

describe('Jira through the app: no duplicates', () => {
  it('a redelivered webhook and a push with an unchanged model write nothing to Jira or GitHub', async () => {
    const repo = setup();
    const payload = await pushModel({ threats: 2 });
    const jiraMark = jira.requests.length;
    const githubMark = github.requests.length;

    await app.probot.receive({ name: 'push', id: `d-${delivery}`, payload });
    await pushModel({ threats: 2 }, '# a comment, same threats\n');

    expect(jira.requests.slice(jiraMark).filter((r) => r.method !== 'GET' && !r.path.endsWith('/search/jql'))).toEqual([]);
    expect(githubWritesSince(githubMark)).toEqual([]);
    expect(jira.issues.size).toBe(2);
    expect(threatIssues(repo)).toHaveLength(2);
    expect(lastCheck(repo).output.title).toContain('already in sync');
    expect(lastCheck(repo).output.summary).toContain('Jira: nothing to change');
  });

  it('a lagging search index: the keys in the GitHub markers find the issues, nothing is created twice', async () => {
    const repo = setup();
    const payload = await pushModel({ threats: 2 });
    jira.searchLags = true;
    const jiraMark = jira.requests.length;
    const githubMark = github.requests.length;

    await app.probot.receive({ name: 'push', id: `d-${delivery}`, payload });

    const since = jira.requests.slice(jiraMark);
    expect(since.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual(['/rest/api/3/issue/SEC-1', '/rest/api/3/issue/SEC-2']);
    expect(since.filter((r) => r.method === 'GET').every((r) => r.query.properties === 'threatloop')).toBe(true);
    expect(jira.writes().filter((r) => jira.requests.indexOf(r) >= jiraMark)).toEqual([]);
    expect(jira.issues.size).toBe(2);
    expect(githubWritesSince(githubMark)).toEqual([]);
    expect(markerOf(issueOf(repo, 'TM-1'))?.links?.jira?.key).toBe('SEC-1');
  });
});

describe('Jira through the app: creates whose answer is lost (TL-17)', () => {
  it('Jira makes the issues, then a gateway answers 504; the search index lags: found by key, one Jira issue per threat, keys in the markers', async () => {
    const repo = setup();
    jira.indexLags = true;
    jira.createAnswer = 'commit-then-504';
    const payload = await pushModel({ threats: 2 });

    expect(jira.issues.size).toBe(2);
    expect(markerOf(issueOf(repo, 'TM-1'))?.links?.jira?.key).toBe('SEC-1');
    expect(markerOf(issueOf(repo, 'TM-2'))?.links?.jira?.key).toBe('SEC-2');
    expect(lastCheck(repo).output.summary).toContain('Jira issue SEC-1 of threat TM-1 was found by key');
    expect(lastCheck(repo).output.summary).not.toContain('Jira failure');

    // Redelivered while the index still lags: nothing is created or written anywhere.
    jira.createAnswer = 'ok';
    const jiraMark = jira.requests.length;
    const githubMark = github.requests.length;
    await app.probot.receive({ name: 'push', id: `d-${delivery}`, payload });
    expect(jira.writes().filter((r) => jira.requests.indexOf(r) >= jiraMark)).toEqual([]);
    expect(githubWritesSince(githubMark)).toEqual([]);
    expect(jira.issues.size).toBe(2);
  });
});

describe('Jira through the app: Jira unreachable', () => {
  it('GitHub completes, the failure is named once in the check run and on the dashboard, no credential leaks; the next sync catches up', async () => {
    const repo = setup();
    jira.unreachable = true;
    await pushModel({ threats: 2 });

    expect(threatIssues(repo)).toHaveLength(2);
    expect(threatIssues(repo).every((i) => markerOf(i)?.links?.jira?.key === undefined)).toBe(true);
    // Retried with backoff through the injected delay, then given up (no create is attempted).
    expect(app.delays).toEqual([1000, 2000, 4000]);
    expect(jira.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(4).fill('POST /rest/api/3/search/jql'));

    const check = lastCheck(repo);
    expect(check.conclusion).toBe('success');
    const failureLines = check.output.summary!.split('\n').filter((line) => line.includes('Jira failure'));
    expect(failureLines).toEqual(['- Jira failure: reading the Jira issues: Jira unreachable (ECONNREFUSED)']);
    expect(dashboard(repo).body).toContain('Jira sync incomplete: reading the Jira issues: Jira unreachable (ECONNREFUSED)');

    const secrets = [TOKEN, EMAIL, BASIC_BASE64, encodeURIComponent(TOKEN)];
    const sentToGithub = github.requests.map((r) => JSON.stringify({ body: r.body, query: r.query, path: r.path })).join('\n');
    const logged = logText(app.logs);
    expect(logged.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(sentToGithub).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }

    // Jira is back: the next push creates the Jira issues and links them in the existing GitHub issues.
    jira.unreachable = false;
    const githubMark = github.requests.length;
    await pushModel({ threats: 2 }, '# retry\n');
    expect(jira.issues.size).toBe(2);
    expect(threatIssues(repo)).toHaveLength(2);
    expect(markerOf(issueOf(repo, 'TM-1'))?.links?.jira?.key).toBe('SEC-1');
    expect(issueOf(repo, 'TM-2').body).toContain(`[SEC-2](${SITE}/browse/SEC-2)`);
    expect(jira.issue('SEC-2').remoteLinks.get(`threatloop:github:${REPO}:TM-2`)?.object.url).toBe(
      `http://${github.host}/${REPO}/issues/${issueOf(repo, 'TM-2').number}`,
    );
    expect(dashboard(repo).body).not.toContain('Jira sync incomplete');
    // Only edits: the issues got their Jira link, the dashboard lost its notice; nothing was created.
    expect(githubWritesSince(githubMark).filter((w) => w.method === 'POST' && w.path.endsWith('/issues'))).toEqual([]);
  });
});

describe('Jira through the app: not configured', () => {
  it('without a jira: section no request goes to Jira, even with the credentials set', async () => {
    const repo = setup({ config: 'model: threat-model.yml\n' });
    await pushModel({ threats: 2 });
    expect(threatIssues(repo)).toHaveLength(2);
    expect(jira.requests).toEqual([]);
    expect(lastCheck(repo).output.summary).not.toContain('Jira');
    expect(threatIssues(repo).every((i) => !i.body.includes('atlassian'))).toBe(true);
  });
});

describe('Jira through the app: bad settings', () => {
  it('a malformed JIRA_EMAIL is named (not its value) in the check run and on the dashboard; GitHub syncs anyway', async () => {
    app.threatloop.stop();
    app = await createTestApp(github.url, { env: { ...ENV, JIRA_EMAIL: 'sync-bot-at-acme' } });
    const repo = setup();
    await pushModel({ threats: 2 });
    expect(jira.requests).toEqual([]);
    expect(threatIssues(repo)).toHaveLength(2);
    const failure = 'JIRA_EMAIL is not an email address (the Atlassian account the API token belongs to); no Jira issues were synced';
    expect(lastCheck(repo).output.summary).toContain(`Jira failure: ${failure}`);
    expect(dashboard(repo).body).toContain(failure);
    expect(JSON.stringify(github.requests.map((r) => r.body))).not.toContain('sync-bot-at-acme');
  });
});

describe('Jira through the app: closing and reopening', () => {
  it('a closing status transitions the Jira issue to done and closes the GitHub issue in one sync; reopening reverses both', async () => {
    const repo = setup();
    await pushModel({ threats: 2 });
    const jiraMark = jira.requests.length;
    await pushModel({ threats: 2, overrides: { 0: { status: 'mitigated' } } });

    const since = jira.requests.slice(jiraMark);
    expect(since.filter((r) => r.path.endsWith('/transitions')).map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body?.transition ?? '')}`)).toEqual([
      'GET /rest/api/3/issue/SEC-1/transitions ""',
      'POST /rest/api/3/issue/SEC-1/transitions {"id":"31"}',
    ]);
    // The transition records the property itself: no property write of its own.
    const transition = since.find((r) => r.method === 'POST' && r.path.endsWith('/transitions'))!;
    expect(transition.body.properties).toEqual([{ key: 'threatloop', value: expect.objectContaining({ threatId: 'TM-1', state: 'done' }) }]);
    expect(since.filter((r) => r.path.includes('/properties/'))).toEqual([]);
    expect(jira.issue('SEC-1').fields.status.name).toBe('Done');
    expect(jira.issue('SEC-1').properties.threatloop).toMatchObject({ state: 'done' });
    expect(jira.issue('SEC-2').fields.status.name).toBe('To Do');
    expect(issueOf(repo, 'TM-1')).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(issueOf(repo, 'TM-2').state).toBe('open');
    expect(lastCheck(repo).output.summary).toContain('1 transition');

    await pushModel({ threats: 2, overrides: { 0: { status: 'in-progress' } } });
    expect(jira.issue('SEC-1').fields.status.name).toBe('To Do');
    expect(jira.issue('SEC-1').properties.threatloop).toMatchObject({ state: 'open' });
    expect(issueOf(repo, 'TM-1').state).toBe('open');
    expect(jira.issues.size).toBe(2);
  });
});

describe('Jira within bounds', () => {
  it('a project the operator did not allow for this owner: no Jira request at all, GitHub syncs, the check run says what to add', async () => {
    const repo = setup({ config: JIRA_CONFIG.replace('project: SEC', 'project: OPS') });
    await pushModel({ threats: 2 });
    expect(jira.requests).toEqual([]);
    expect(threatIssues(repo)).toHaveLength(2);
    expect(lastCheck(repo).output.summary).toContain('Jira project OPS is not allowed for acme');
    expect(lastCheck(repo).output.summary).toContain('acme:OPS');
  });

  it('no JIRA_PROJECTS on the server: no repository may use Jira', async () => {
    app.threatloop.stop();
    app = await createTestApp(github.url, { env: { JIRA_HOST: SITE, JIRA_EMAIL: EMAIL, JIRA_API_TOKEN: TOKEN } });
    const repo = setup();
    await pushModel({ threats: 1 });
    expect(jira.requests).toEqual([]);
    expect(lastCheck(repo).output.summary).toContain('JIRA_PROJECTS is not set on the server');
  });

  it('a marker edited to name another Jira issue: that issue is read, never written, and the edit is reported', async () => {
    const repo = setup();
    await pushModel({ threats: 2 });
    // Someone else's issue in the same project, and one in another project the credential can reach.
    for (const key of ['SEC-99', 'HR-7']) {
      jira.issues.set(key, {
        id: String(9000 + jira.issues.size),
        key,
        fields: { summary: 'Payroll', labels: [], status: { name: 'To Do', statusCategory: { key: 'new', id: 2 } }, created: '2029-01-01T00:00:00.000+0000' },
        properties: {},
        remoteLinks: new Map(),
        changelog: [],
      });
    }
    const forge = (threatId: string, key: string) => {
      const issue = issueOf(repo, threatId);
      issue.body = issue.body.replace(/jira="[^"]*"/, `jira="${key}"`).replace(/jiraurl="[^"]*"/, `jiraurl="${encodeURIComponent(`${SITE}/browse/${key}`)}"`);
    };
    forge('TM-1', 'SEC-99');
    forge('TM-2', 'HR-7');
    const jiraMark = jira.requests.length;
    await pushModel({ threats: 2 }, '\n# touched\n');
    const writes = jira.writes().filter((r) => jira.requests.indexOf(r) >= jiraMark);
    expect(writes.filter((r) => r.path.includes('SEC-99') || r.path.includes('HR-7'))).toEqual([]);
    expect(jira.issue('SEC-99').fields.summary).toBe('Payroll');
    // The real issues are still found by their property, and the markers are put right.
    expect(jira.issues.size).toBe(4);
    expect(markerOf(issueOf(repo, 'TM-1'))?.links?.jira?.key).toBe('SEC-1');
    const summary = lastCheck(repo).output.summary ?? '';
    expect(summary).toContain('names Jira issue SEC-99, which does not carry threatloop');
    expect(summary).toContain('names Jira issue HR-7, which is not in project SEC');
  });
});
