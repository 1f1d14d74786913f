/**
 * The Jira side of a sync against the HTTP requests jira.js 6 really sends
 * (base path /rest/api/3, Basic auth), answered by nock.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.ts';
import type { ThreatModel } from '../../../src/model/schema.ts';
import { planJiraSync, type GithubIssueRef } from '../../../src/sync/jira/plan.ts';
import { identityLabel, type JiraOperation, type ThreatloopProperty } from '../../../src/sync/jira/state.ts';
import { beginJiraSync, formatJiraReport, type JiraSyncInput } from '../../../src/sync/jira/sync.ts';
import { CONTEXT, config, EMPTY_JIRA, model, REPO, SITE } from './fixtures.ts';

const EMAIL = 'sync-bot@acme.example';
const TOKEN = 'ATATT3xFfGF0-very-secret-token-4f2a';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`;
const ENV = { JIRA_HOST: SITE, JIRA_EMAIL: EMAIL, JIRA_API_TOKEN: TOKEN };
const SEARCH = '/rest/api/3/search/jql';
const ISSUE_22 = { number: 4, url: 'https://github.com/acme/genomics/issues/4', createdAt: '2026-01-02T10:00:00Z' };
const ISSUE_TM7 = { number: 5, url: 'https://github.com/acme/genomics/issues/5', createdAt: '2026-01-10T10:00:00Z' };

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

/** nock 15 hands a reply function the fetch Request: record its path and JSON body, then answer. */
function record<T>(into: { path: string; body: T }[], answer: unknown = undefined) {
  return async (request: Request) => {
    into.push({ path: new URL(request.url).pathname, body: (await request.json()) as T });
    return typeof answer === 'function' ? answer() : answer;
  };
}

/** fetch fails with the transport error as `cause`, the way undici does (nock needs an Error instance for fetch). */
function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function jira() {
  return nock(SITE, { reqheaders: { authorization: BASIC } });
}

/**
 * Before its first create a sync looks for issues whose create answer was lost (src/sync/jira/recover.ts):
 * the project's newest keys (none here), then keys by number until three do not exist. `reads` is 3 per
 * probe: 6 when a create's answer is lost and the sync looks again. Registered before the test's own
 * search, which it would otherwise answer.
 */
function probeEmptyProject(reads = 3) {
  jira()
    .post(SEARCH, (body: { jql: string }) => body.jql === 'project = "SEC" ORDER BY key DESC')
    .reply(200, { issues: [], isLast: true })
    .get(/^\/rest\/api\/3\/issue\/SEC-[1-3]\?/)
    .times(reads)
    .reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
}

const delays: number[] = [];
function input(overrides: Partial<JiraSyncInput> = {}): JiraSyncInput {
  delays.length = 0;
  return {
    model: model(),
    config: config(),
    context: CONTEXT,
    env: ENV,
    githubIssues: new Map([['22', ISSUE_22]]),
    markers: new Map(),
    modelLines: new Map([['22', 31], ['TM-7', 48]]),
    retry: { delay: async (ms) => void delays.push(ms) },
    client: { onSchemaMismatch: 'throw' },
    ...overrides,
  };
}

/** Jira's JSON for an issue in the state a finished sync leaves (built from the plan against an empty Jira). */
function syncedIssues(m: ThreatModel = model(), cfg: Config = config(), github: ReadonlyMap<string, GithubIssueRef> = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]])) {
  const ops = planJiraSync({ model: m, config: cfg, jiraState: EMPTY_JIRA, context: CONTEXT, githubIssues: github, modelLines: new Map([['22', 31], ['TM-7', 48]]) }).operations;
  const creates = ops.filter((o): o is Extract<JiraOperation, { op: 'create' }> => o.op === 'create');
  return creates.map((create, i) => {
    const property = recordedProperty(ops, create.threatId);
    const done = ops.some((o) => o.op === 'transition' && o.threatId === create.threatId);
    return issueJson(101 + i, create.fields, property, done ? 'done' : 'new');
  });
}

/** The property the last write that carries one leaves on a threat's issue (a create, edit, transition or set-property). */
function recordedProperty(ops: readonly JiraOperation[], threatId: string): ThreatloopProperty {
  const carried = ops
    .filter((o) => o.threatId === threatId)
    .map((o) => (o.op === 'set-property' ? o.value : o.op === 'remote-link' ? undefined : o.property))
    .filter((p): p is ThreatloopProperty => p !== undefined);
  return carried.at(-1)!;
}

function issueJson(n: number, f: Extract<JiraOperation, { op: 'create' }>['fields'], property: ThreatloopProperty | null, category: 'new' | 'done') {
  return {
    id: String(10000 + n),
    key: `SEC-${n}`,
    self: `${SITE}/rest/api/3/issue/${10000 + n}`,
    fields: {
      summary: f.summary,
      labels: f.labels,
      priority: f.priority ? { name: f.priority, id: '2' } : null,
      duedate: f.duedate,
      assignee: f.assigneeAccountId ? { accountId: f.assigneeAccountId, displayName: 'Someone' } : null,
      components: f.components.map((name, i) => ({ id: String(200 + i), name })),
      status: { name: category === 'done' ? 'Done' : 'To Do', statusCategory: { key: category, id: category === 'done' ? 3 : 2 } },
      created: `2026-01-10T09:00:0${n % 10}.000+0000`,
      ...f.custom,
    },
    ...(property ? { properties: { threatloop: property } } : {}),
  };
}

const TRANSITIONS = {
  transitions: [
    { id: '11', name: 'To Do', to: { name: 'To Do', statusCategory: { key: 'new' } } },
    { id: '21', name: 'In Progress', to: { name: 'In Progress', statusCategory: { key: 'indeterminate' } } },
    { id: '31', name: 'Done', to: { name: 'Done', statusCategory: { key: 'done' } } },
  ],
};

describe('Jira sync with nock', () => {
  it('first sync: creates each issue with ADF description, property and links, then links GitHub issues created later', async () => {
    const searches: { body: unknown }[] = [];
    const creates: { body: { fields: Record<string, unknown>; properties: unknown } }[] = [];
    const links: { path: string; body: { globalId: string; object: { url: string } } }[] = [];
    const properties: { path: string; body: ThreatloopProperty }[] = [];
    let next = 101;
    probeEmptyProject();
    jira()
      .post(SEARCH)
      .reply(200, record(searches as { path: string; body: unknown }[], { issues: [], isLast: true }))
      .post('/rest/api/3/issue')
      .times(2)
      .reply(
        201,
        record(creates as { path: string; body: (typeof creates)[number]['body'] }[], () => ({
          id: String(10000 + next),
          key: `SEC-${next}`,
          self: `${SITE}/rest/api/3/issue/${10000 + next++}`,
        })),
      )
      .post(/\/rest\/api\/3\/issue\/SEC-\d+\/remotelink$/)
      .times(4)
      .reply(201, record(links, { id: 1 }))
      // One property write per issue, after the GitHub side: the create carried the first property.
      .put(/\/rest\/api\/3\/issue\/SEC-\d+\/properties\/threatloop$/)
      .times(2)
      .reply(200, record(properties));

    const phase = await beginJiraSync(input());
    expect(searches.map((s) => s.body)).toEqual([
      {
        jql: `project = "SEC" AND labels = "${identityLabel(REPO)}" ORDER BY created ASC`,
        fields: ['summary', 'labels', 'priority', 'duedate', 'assignee', 'components', 'status', 'created', 'resolution', 'statuscategorychangedate', 'customfield_10050', 'customfield_10051'],
        properties: ['threatloop'],
        maxResults: 100,
      },
    ]);
    expect(creates).toHaveLength(2);
    expect(creates[0]!.body.fields).toMatchObject({
      project: { key: 'SEC' },
      issuetype: { name: 'Task' },
      summary: '[22] Session token replay',
      description: { type: 'doc', version: 1 },
      labels: ['threatloop', 'threat', 'severity-critical', 'stride-spoofing', 'stride-information-disclosure', identityLabel(REPO)],
      priority: { name: 'Highest' },
      duedate: '2026-03-01',
      assignee: { accountId: '5b10ac8d82e05b22cc7d4ef5' },
      components: [{ name: 'API' }],
      customfield_10050: 9.1,
      customfield_10051: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N',
    });
    expect(creates[1]!.body.fields).not.toHaveProperty('assignee');
    expect(creates[1]!.body.fields).not.toHaveProperty('customfield_10050');
    expect(creates[0]!.body.properties).toEqual([{ key: 'threatloop', value: expect.objectContaining({ repo: REPO, threatId: '22' }) }]);
    expect([...phase.links]).toEqual([
      ['22', { key: 'SEC-101', url: `${SITE}/browse/SEC-101` }],
      ['TM-7', { key: 'SEC-102', url: `${SITE}/browse/SEC-102` }],
    ]);
    // Before the GitHub side: the links are posted, their record waits for finish.
    expect(properties).toEqual([]);

    // The GitHub side created TM-7's issue meanwhile.
    const report = await phase.finish(new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]));
    expect(links.map((l) => `${l.path.split('/')[5]} ${l.body.globalId}`)).toEqual([
      'SEC-101 threatloop:model:acme/genomics:22',
      'SEC-101 threatloop:github:acme/genomics:22',
      'SEC-102 threatloop:model:acme/genomics:TM-7',
      'SEC-102 threatloop:github:acme/genomics:TM-7',
    ]);
    expect(properties.map((p) => `${p.path.split('/')[5]} ${Object.keys(p.body.links).sort().join('+')}`)).toEqual([
      'SEC-101 github+model',
      'SEC-102 github+model',
    ]);
    expect(properties.at(-1)!.body).toMatchObject({ threatId: 'TM-7', links: { github: ISSUE_TM7.url } });
    // 4 writes a threat (create, two links, one property), was 4.5 with a property write after each pass.
    expect(report).toMatchObject({ enabled: true, failures: [], writes: 8 });
    expect(formatJiraReport(report)).toEqual(['Jira: 2 create, 4 remote-link, 2 set-property']);
  });

  it('no-op resync: one search, zero writes', async () => {
    jira().post(SEARCH).reply(200, { issues: syncedIssues(), isLast: true });
    const phase = await beginJiraSync(input({ githubIssues: new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]) }));
    const report = await phase.finish(new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]));
    expect(report).toMatchObject({ failures: [], writes: 0 });
    expect(formatJiraReport(report)).toEqual(['Jira: nothing to change']);
  });

  it('reads every search page by nextPageToken, also when Jira leaves isLast out', async () => {
    const [first, second] = syncedIssues();
    jira()
      .post(SEARCH, (body: { nextPageToken?: string }) => body.nextPageToken === undefined)
      .reply(200, { issues: [first], nextPageToken: 'page-2' })
      .post(SEARCH, (body: { nextPageToken?: string }) => body.nextPageToken === 'page-2')
      .reply(200, { issues: [second] });
    const github = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]);
    const report = await (await beginJiraSync(input({ githubIssues: github }))).finish(github);
    // Both issues were found: nothing is created twice.
    expect(report).toMatchObject({ failures: [], writes: 0 });
  });

  it('a change: the moved model link, then one PUT with only the changed fields, label adds/removes and the property', async () => {
    const edits: { path: string; body: unknown }[] = [];
    const order: string[] = [];
    jira()
      .post(SEARCH)
      .reply(200, { issues: syncedIssues(), isLast: true })
      .post('/rest/api/3/issue/SEC-101/remotelink')
      .reply(200, () => (order.push('link'), { id: 1 }))
      .put('/rest/api/3/issue/SEC-101')
      .reply(204, record(edits, () => void order.push('edit')));
    const changed = model((m) => void (m.threats![0]!.cvss = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'));
    const github = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]);
    const report = await (await beginJiraSync(input({ model: changed, githubIssues: github }))).finish(github);
    expect(edits.map((e) => e.body)).toEqual([
      {
        fields: {
          description: expect.objectContaining({ type: 'doc' }),
          priority: { name: 'High' },
          customfield_10050: 7.5,
          customfield_10051: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
        },
        update: { labels: [{ add: 'severity-high' }, { remove: 'severity-critical' }] },
        // The edit records what was done: the new content hash and the link posted before it.
        properties: [{ key: 'threatloop', value: expect.objectContaining({ threatId: '22', links: expect.objectContaining({ model: expect.stringContaining('#L31') }) }) }],
      },
    ]);
    expect(order).toEqual(['link', 'edit']);
    expect(report).toMatchObject({ failures: [], writes: 2 });
  });

  it('a close and a reopen go through the configured transitions, found by name case-insensitively', async () => {
    const github = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]);
    const closed = model((m) => void (m.threats![1]!.status = 'accepted'));
    const doTransition: { path: string; body: unknown }[] = [];
    jira()
      .post(SEARCH)
      .reply(200, { issues: syncedIssues(), isLast: true })
      .put('/rest/api/3/issue/SEC-102')
      .reply(204) // the status is part of the description
      .post('/rest/api/3/issue/SEC-102/remotelink')
      .reply(200, { id: 2 })
      .get('/rest/api/3/issue/SEC-102/transitions')
      .reply(200, TRANSITIONS)
      .post('/rest/api/3/issue/SEC-102/transitions')
      .reply(204, record(doTransition));
    const closing = await (await beginJiraSync(input({ model: closed, githubIssues: github, config: config({ transitions: { done: 'done' } }) }))).finish(github);
    expect(closing.failures).toEqual([]);
    // The transition records the state (and the moved link) itself: no property write of its own.
    expect(doTransition.map((t) => t.body)).toEqual([
      { transition: { id: '31' }, properties: [{ key: 'threatloop', value: expect.objectContaining({ threatId: 'TM-7', state: 'done' }) }] },
    ]);
    expect(closing.done['set-property']).toBe(0);

    // Next sync: the threat is open again, and the issue is done because threatloop closed it.
    nock.cleanAll();
    jira()
      .post(SEARCH)
      .reply(200, { issues: syncedIssues(closed), isLast: true })
      .put('/rest/api/3/issue/SEC-102')
      .reply(204)
      .post('/rest/api/3/issue/SEC-102/remotelink')
      .reply(200, { id: 2 })
      .get('/rest/api/3/issue/SEC-102/transitions')
      .reply(200, TRANSITIONS)
      .post('/rest/api/3/issue/SEC-102/transitions', (body) => body.transition.id === '11' && body.properties[0].value.state === 'open')
      .reply(204);
    const reopening = await (await beginJiraSync(input({ githubIssues: github }))).finish(github);
    expect(reopening.failures).toEqual([]);
    expect(reopening.done.transition).toBe(1);
  });

  it('an unknown transition is a named failure; the other threats still sync', async () => {
    const github = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]);
    const closed = model((m) => {
      m.threats![0]!.status = 'mitigated';
      m.threats![1]!.title = 'Genome store readable by operators and admins';
    });
    jira()
      .post(SEARCH)
      .reply(200, { issues: syncedIssues(), isLast: true })
      .put('/rest/api/3/issue/SEC-101')
      .reply(204)
      .post('/rest/api/3/issue/SEC-101/remotelink')
      .reply(200, { id: 1 })
      .get('/rest/api/3/issue/SEC-101/transitions')
      .reply(200, { transitions: [{ id: '11', name: 'Start', to: { name: 'In Progress' } }] })
      // The title is the summary only: no description rewrite, no new model link.
      .put('/rest/api/3/issue/SEC-102', (body) => JSON.stringify(body) === JSON.stringify({ fields: { summary: '[TM-7] Genome store readable by operators and admins' } }))
      .reply(204);
    const report = await (await beginJiraSync(input({ model: closed, githubIssues: github, config: config({ transitions: { done: 'Resolve' } }) }))).finish(github);
    expect(report.failures).toEqual([
      'transitioning SEC-101 with "Resolve": Jira has no transition "Resolve" (transitions.done in the config) for SEC-101; available: Start',
    ]);
    // The property would have ridden on the failed transition: nothing records a state that did not happen.
    expect(report.done.update).toBe(2);
    expect(report.done['set-property']).toBe(0);
  });
});

describe('Jira sync: no duplicates', () => {
  it('a redelivered webhook whose search lags finds the issue by the key in the GitHub marker', async () => {
    const [issue22, issueTm7] = syncedIssues();
    const gets: string[] = [];
    jira()
      .post(SEARCH)
      .reply(200, { issues: [issue22], isLast: true }) // TM-7's issue is not in the index yet
      .get('/rest/api/3/issue/SEC-102')
      .query(true)
      .reply(200, (request: Request) => (gets.push(request.url), issueTm7));
    const github = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]);
    const phase = await beginJiraSync(
      input({ githubIssues: github, markers: new Map([['22', { key: 'SEC-101' }], ['TM-7', { key: 'SEC-102' }]]) }),
    );
    const report = await phase.finish(github);
    expect(report).toMatchObject({ failures: [], writes: 0 });
    expect(gets[0]).toContain('properties=threatloop');
    expect(phase.links.get('TM-7')).toEqual({ key: 'SEC-102', url: `${SITE}/browse/SEC-102` });
  });

  it('a second sync right after the first creates nothing, even when the search returns nothing at all', async () => {
    let next = 101;
    const created: { path: string; body: unknown }[] = [];
    probeEmptyProject();
    jira()
      .post(SEARCH)
      .reply(200, { issues: [], isLast: true })
      .post('/rest/api/3/issue')
      .times(2)
      .reply(
        201,
        record(created, () => ({ id: String(10000 + next), key: `SEC-${next}`, self: `${SITE}/rest/api/3/issue/${10000 + next++}` })),
      )
      .post(/remotelink$/)
      .times(4)
      .reply(201, { id: 1 })
      .put(/properties\/threatloop$/)
      .times(2)
      .reply(200);
    const github = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]);
    const first = await beginJiraSync(input());
    await first.finish(github);
    expect(created).toHaveLength(2);
    // The GitHub side stored first.links in its markers. The search index has not caught up.
    const [issue22, issueTm7] = syncedIssues();
    jira()
      .post(SEARCH)
      .reply(200, { issues: [], isLast: true })
      .get('/rest/api/3/issue/SEC-101')
      .query(true)
      .reply(200, issue22)
      .get('/rest/api/3/issue/SEC-102')
      .query(true)
      .reply(200, issueTm7);
    const second = await beginJiraSync(input({ githubIssues: github, markers: new Map([...first.links]) }));
    expect(await second.finish(github)).toMatchObject({ failures: [], writes: 0 });
    expect(created).toHaveLength(2);
  });

  it('a marker key whose issue was deleted is reported and the threat gets a new issue', async () => {
    const [issue22] = syncedIssues();
    probeEmptyProject();
    jira()
      .post(SEARCH)
      .reply(200, { issues: [issue22], isLast: true })
      .get('/rest/api/3/issue/SEC-9')
      .query(true)
      .reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} })
      .post('/rest/api/3/issue')
      .reply(201, { id: '10200', key: 'SEC-200', self: `${SITE}/rest/api/3/issue/10200` })
      .post('/rest/api/3/issue/SEC-200/remotelink')
      .times(2)
      .reply(201, { id: 3 })
      .put('/rest/api/3/issue/SEC-200/properties/threatloop')
      .reply(200);
    const github = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]);
    const phase = await beginJiraSync(input({ githubIssues: github, markers: new Map([['TM-7', { key: 'SEC-9' }]]) }));
    const report = await phase.finish(github);
    expect(report.notes).toEqual([expect.stringContaining('Jira issue SEC-9 named in the GitHub issue of threat TM-7 no longer exists')]);
    expect(phase.links.get('TM-7')?.key).toBe('SEC-200');
  });

  it('two Jira issues for one threat: keeps the oldest, reports the other, creates nothing', async () => {
    const [issue22, issueTm7] = syncedIssues();
    const copy = { ...issue22, id: '10300', key: 'SEC-300', fields: { ...issue22!.fields, created: '2026-01-11T09:00:00.000+0000' } };
    jira().post(SEARCH).reply(200, { issues: [issue22, issueTm7, copy], isLast: true });
    const github = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]);
    const report = await (await beginJiraSync(input({ githubIssues: github }))).finish(github);
    expect(report.writes).toBe(0);
    expect(report.notes).toEqual([expect.stringContaining('Threat 22 has more than one Jira issue: keeping SEC-101, not syncing SEC-300')]);
  });

  it('follows nextPageToken through every page of the search', async () => {
    const [issue22, issueTm7] = syncedIssues();
    jira()
      .post(SEARCH, (b) => !b.nextPageToken)
      .reply(200, { issues: [issue22], isLast: false, nextPageToken: 'page-2' })
      .post(SEARCH, (b) => b.nextPageToken === 'page-2')
      .reply(200, { issues: [issueTm7], isLast: true });
    const github = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]);
    expect(await (await beginJiraSync(input({ githubIssues: github }))).finish(github)).toMatchObject({ writes: 0, failures: [] });
  });
});

describe('Jira sync: failures', () => {
  const github = new Map([['22', ISSUE_22], ['TM-7', ISSUE_TM7]]);

  it('429 with Retry-After: waits what Jira asked (through the injected delay), then succeeds', async () => {
    jira()
      .post(SEARCH)
      .reply(429, { errorMessages: ['Rate limit exceeded'] }, { 'Retry-After': '7' })
      .post(SEARCH)
      .reply(200, { issues: syncedIssues(), isLast: true });
    const report = await (await beginJiraSync(input({ githubIssues: github }))).finish(github);
    expect(delays).toEqual([7000]);
    expect(report).toMatchObject({ failures: [], writes: 0 });
  });

  it('a create that fails with 500 is not retried (it may have happened); the next sync finds or creates it once', async () => {
    probeEmptyProject(6); // before the create, and again after its 500
    jira()
      .post(SEARCH)
      .reply(200, { issues: syncedIssues().slice(0, 1), isLast: true })
      .post('/rest/api/3/issue')
      .reply(500, { errorMessages: ['Internal server error'] });
    const report = await (await beginJiraSync(input({ githubIssues: github }))).finish(github);
    expect(delays).toEqual([]);
    expect(report.failures[0]).toMatch(/^creating the Jira issue for threat TM-7: Jira server error \(500\).*: the issue may still appear in Jira; the next sync looks for it by key/);
  });

  it('500 then success: backs off exponentially and the create happens once', async () => {
    let creates = 0;
    probeEmptyProject();
    jira()
      .post(SEARCH)
      .times(2)
      .reply(500, { errorMessages: ['Internal server error'] })
      .post(SEARCH)
      .reply(200, { issues: syncedIssues().slice(0, 1), isLast: true })
      .post('/rest/api/3/issue')
      .reply(201, () => (creates++, { id: '10102', key: 'SEC-102', self: `${SITE}/rest/api/3/issue/10102` }))
      .post('/rest/api/3/issue/SEC-102/remotelink')
      .times(2)
      .reply(201, { id: 2 })
      .put('/rest/api/3/issue/SEC-102/properties/threatloop')
      .reply(200);
    const report = await (await beginJiraSync(input({ githubIssues: github }))).finish(github);
    expect(delays).toEqual([1000, 2000]);
    expect(creates).toBe(1);
    expect(report).toMatchObject({ failures: [] });
  });

  it('gives up after bounded retries, names the failure and keeps the marker keys for the GitHub side', async () => {
    jira().post(SEARCH).times(4).reply(503, 'Service Unavailable');
    const phase = await beginJiraSync(input({ githubIssues: github, markers: new Map([['22', { key: 'SEC-101' }]]) }));
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(phase.links.get('22')).toEqual({ key: 'SEC-101', url: `${SITE}/browse/SEC-101` });
    expect((await phase.finish(github)).failures).toEqual(['reading the Jira issues: Jira server error (503)']);
  });

  it('Jira unreachable: a named failure after retries, no throw, marker keys still handed to the GitHub side', async () => {
    jira().post(SEARCH).times(4).replyWithError(networkError('ECONNREFUSED', `connect ECONNREFUSED for ${EMAIL}`));
    const phase = await beginJiraSync(input({ markers: new Map([['22', { key: 'SEC-101', url: `${SITE}/browse/SEC-101` }]]) }));
    expect([...phase.links.keys()]).toEqual(['22']);
    const report = await phase.finish(github);
    expect(report.failures).toEqual(['reading the Jira issues: Jira unreachable (ECONNREFUSED)']);
    expect(formatJiraReport(report)).toEqual(['Jira: nothing to change (incomplete)', 'Jira failure: reading the Jira issues: Jira unreachable (ECONNREFUSED)']);
  });

  it('stops at the first sign Jira is unusable mid-sync and leaves the rest for the next sync', async () => {
    probeEmptyProject();
    jira()
      .post(SEARCH)
      .reply(200, { issues: [], isLast: true })
      .post('/rest/api/3/issue')
      .reply(401, { errorMessages: ['Client must be authenticated to access this resource.'] });
    const report = await (await beginJiraSync(input())).finish(github);
    expect(report.failures).toEqual([
      'creating the Jira issue for threat 22: Jira refused the credentials (401): check JIRA_EMAIL and JIRA_API_TOKEN (expired token?): Client must be authenticated to access this resource.',
      '4 Jira operations left for the next sync',
    ]);
  });

  it('a missing project or issue type is one line naming the field, counted across threats', async () => {
    jira()
      .post(SEARCH, (body: { jql: string }) => body.jql === 'project = "NOPE" ORDER BY key DESC')
      .reply(200, { issues: [], isLast: true })
      .get(/^\/rest\/api\/3\/issue\/NOPE-[1-3]\?/)
      .times(3)
      .reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
    jira()
      .post(SEARCH)
      .reply(200, { issues: [], isLast: true })
      .post('/rest/api/3/issue')
      .times(2)
      .reply(400, { errorMessages: [], errors: { project: 'valid project is required', issuetype: 'Specify an issue type' } });
    const report = await (await beginJiraSync(input({ config: config({ project: 'NOPE' }) }))).finish(github);
    expect(report.failures).toEqual([
      'creating the Jira issue for threat 22: Jira rejected the request (400): project: valid project is required; issuetype: Specify an issue type (and 1 more)',
      '3 Jira operations left for the next sync',
    ]);
  });

  it('says what is missing when Jira is configured but the environment has no credentials', async () => {
    const phase = await beginJiraSync(input({ env: { JIRA_HOST: SITE }, markers: new Map([['22', { key: 'SEC-101', url: `${SITE}/browse/SEC-101` }]]) }));
    expect(phase.links.get('22')?.key).toBe('SEC-101');
    expect((await phase.finish(github)).failures).toEqual([
      'Jira is configured (jira: in .github/threatloop.yml) but JIRA_EMAIL, JIRA_API_TOKEN are not set; no Jira issues were synced',
    ]);
  });

  it('never puts a credential in a failure: not the token, the email, nor their Basic encoding', async () => {
    const base64 = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');
    probeEmptyProject(6);
    jira()
      .post(SEARCH)
      .reply(200, { issues: [], isLast: true })
      .post('/rest/api/3/issue')
      .reply(400, {
        errorMessages: [`Authorization: Basic ${base64} rejected for ${EMAIL}`],
        errors: { summary: `token ${TOKEN} is not allowed` },
      })
      .post('/rest/api/3/issue')
      // A reset connection on a create is not retried (the create may have happened); Jira stops here.
      .replyWithError(networkError('ECONNRESET', `socket hang up ${TOKEN}`));
    const report = await (await beginJiraSync(input())).finish(github);
    const text = JSON.stringify(report) + formatJiraReport(report).join('\n');
    expect(report.failures.length).toBeGreaterThan(0);
    for (const secret of [TOKEN, EMAIL, base64, BASIC]) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
