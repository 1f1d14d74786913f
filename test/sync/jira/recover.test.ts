/**
 * Creates that are never doubled (issue 9, TL-17): a Jira create whose answer is lost or late is
 * found again by key (src/sync/jira/recover.ts), never through the search index, before anything is
 * created anew — in the same sync, and in the next one (another process: nothing is remembered but
 * what Jira holds). Against the Jira stand-in: creates that commit and then fail, answers that come
 * after the client gave up, a search index that lags.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestTimer } from '../../../src/sync/jira/client.ts';
import { floorAndHoles, keyNumber, PROBE_MAX_READS, probedThreat } from '../../../src/sync/jira/recover.ts';
import { identityLabel, type JiraIssue } from '../../../src/sync/jira/state.ts';
import { beginJiraSync, type JiraSyncInput } from '../../../src/sync/jira/sync.ts';
import { JiraStandin } from '../../helpers/jira-standin.ts';
import { CONTEXT, config, model, REPO, SITE } from './fixtures.ts';

const ENV = { JIRA_HOST: SITE, JIRA_EMAIL: 'sync-bot@acme.example', JIRA_API_TOKEN: 'ATATT3xFfGF0-recover-secret-91ab' };
const GITHUB = new Map([
  ['22', { number: 4, url: 'https://github.com/acme/genomics/issues/4', createdAt: '2026-01-02T10:00:00Z' }],
  ['TM-7', { number: 5, url: 'https://github.com/acme/genomics/issues/5', createdAt: '2026-01-10T10:00:00Z' }],
]);

let jira: JiraStandin;
/** Timers of the requests in flight: the stand-in fires them when it holds an answer, so no test waits. */
const liveTimers = new Set<() => void>();
const timer: RequestTimer = (_ms, expire) => {
  liveTimers.add(expire);
  return () => liveTimers.delete(expire);
};

beforeEach(() => {
  jira = new JiraStandin(SITE);
  jira.onHold = () => {
    for (const expire of [...liveTimers]) expire();
  };
});

afterEach(() => {
  jira.releaseHeld();
  liveTimers.clear();
  nock.cleanAll();
});

function input(overrides: Partial<JiraSyncInput> = {}): JiraSyncInput {
  return {
    model: model(),
    config: config(),
    context: CONTEXT,
    env: ENV,
    githubIssues: GITHUB,
    markers: new Map(),
    retry: { delay: async () => {} },
    client: { timer },
    ...overrides,
  };
}

async function sync(overrides: Partial<JiraSyncInput> = {}) {
  const phase = await beginJiraSync(input(overrides));
  const report = await phase.finish(GITHUB);
  return { links: phase.links, report };
}

const creates = () => jira.requests.filter((r) => r.method === 'POST' && r.path === '/rest/api/3/issue');
const issuesOf = (threatId: string) => [...jira.issues.values()].filter((i) => (i.properties.threatloop as { threatId?: string } | undefined)?.threatId === threatId);
const probeReads = (from: number) => jira.requests.slice(from).filter((r) => r.method === 'GET' && /^\/rest\/api\/3\/issue\/[A-Z]+-\d+$/.test(r.path));

describe('a create whose answer is lost', () => {
  it('commits and then answers 504: found by key in the same sync, adopted, one issue per threat', async () => {
    jira.createAnswer = 'commit-then-504';
    const { links, report } = await sync();
    expect(creates()).toHaveLength(2);
    expect(jira.issues.size).toBe(2);
    expect(report.failures).toEqual([]);
    expect(report.notes).toEqual([
      expect.stringContaining('Jira issue SEC-1 of threat 22 was found by key'),
      expect.stringContaining('Jira issue SEC-2 of threat TM-7 was found by key'),
    ]);
    expect(links.get('22')?.key).toBe('SEC-1');
    expect(links.get('TM-7')?.key).toBe('SEC-2');
    // The adopted issues are finished like created ones: linked to GitHub and the model.
    expect([...jira.issue('SEC-1').remoteLinks.keys()]).toEqual([`threatloop:model:${REPO}:22`, `threatloop:github:${REPO}:22`]);

    // The next sync (search index caught up) has nothing to create.
    jira.createAnswer = 'ok';
    const mark = jira.requests.length;
    const again = await sync({ markers: new Map([['22', { key: 'SEC-1' }], ['TM-7', { key: 'SEC-2' }]]) });
    expect(again.report).toMatchObject({ failures: [], writes: 0 });
    expect(jira.requests.slice(mark).filter((r) => r.method !== 'GET' && !r.path.endsWith('/search/jql'))).toEqual([]);
  });

  it('commits and then the connection drops: adopted in the same sync', async () => {
    jira.createAnswer = 'commit-then-reset';
    const { report } = await sync();
    expect(report.failures).toEqual([]);
    expect(jira.issues.size).toBe(2);
    expect(issuesOf('22')).toHaveLength(1);
  });

  it('made only after the client gave up, with the search index lagging: the next sync adopts it, zero duplicates', async () => {
    jira.indexLags = true;
    jira.createAnswer = 'slow-commit';
    const first = await sync();
    // The create timed out; nothing was there yet when the sync looked; Jira counted as unusable for this sync.
    expect(first.report.failures[0]).toMatch(/^creating the Jira issue for threat 22: Jira did not answer .*: the issue may still appear in Jira; the next sync looks for it by key/);
    expect(creates()).toHaveLength(1);
    expect(first.links.has('22')).toBe(false);

    // Jira finishes the create late; its search index has not caught up. Another process syncs: no marker knows the key.
    jira.releaseHeld();
    jira.createAnswer = 'ok';
    expect(jira.issues.size).toBe(1);
    const mark = jira.requests.length;
    const second = await sync();
    expect(second.report.failures).toEqual([]);
    expect(second.links.get('22')?.key).toBe('SEC-1');
    expect(second.report.notes).toContainEqual(expect.stringContaining('Jira issue SEC-1 of threat 22 was found by key'));
    expect(issuesOf('22')).toHaveLength(1);
    expect(issuesOf('TM-7')).toHaveLength(1);
    expect(creates()).toHaveLength(2);
    // The probe: SEC-1 found, then three keys that do not exist end it.
    expect(probeReads(mark).map((r) => r.path.split('/').at(-1))).toEqual(['SEC-1', 'SEC-2', 'SEC-3', 'SEC-4']);
  });
});

describe('a create whose answer is late', () => {
  it('made at once, answered after the client gave up: found in the same sync, one issue', async () => {
    jira.createAnswer = 'slow';
    const { report, links } = await sync({ model: model((m) => void m.threats!.splice(1)) });
    expect(report.failures).toEqual([]);
    expect(links.get('22')?.key).toBe('SEC-1');
    expect(jira.issues.size).toBe(1);
    jira.releaseHeld();
    jira.createAnswer = 'ok';
    await sync({ model: model((m) => void m.threats!.splice(1)), markers: new Map([['22', { key: 'SEC-1' }]]) });
    expect(jira.issues.size).toBe(1);
  });
});

describe('the search index lags', () => {
  it('issues made by an earlier sync are invisible to search: the probe finds them past other people\'s issues and a deleted key', async () => {
    jira.indexLags = true;
    await sync();
    expect(jira.issues.size).toBe(2);
    // Others work in the project meanwhile; one of their issues is deleted.
    for (let i = 0; i < 4; i++) jira.addIssue({ summary: `Payroll ${i}`, labels: [] });
    jira.issues.delete('SEC-4');
    const mark = jira.requests.length;
    // A sync that knows nothing (no marker: say the GitHub side never ran).
    const { report, links } = await sync();
    expect(report.failures).toEqual([]);
    expect(creates()).toHaveLength(2);
    expect(jira.issues.size).toBe(5);
    expect(links.get('TM-7')?.key).toBe('SEC-2');
    expect(jira.writes().slice(0).filter((w) => jira.requests.indexOf(w) >= mark && /SEC-[3-6]/.test(w.path))).toEqual([]);
  });

  it('with the index caught up, a sync that creates probes only the keys after the newest and its holes', async () => {
    jira.addIssue({ summary: 'Payroll', labels: [] });
    jira.addIssue({ summary: 'Payroll 2', labels: [] });
    jira.addIssue({ summary: 'Payroll 3', labels: [] });
    jira.issues.delete('SEC-2');
    const mark = jira.requests.length;
    await sync();
    expect(probeReads(mark).map((r) => r.path.split('/').at(-1))).toEqual(['SEC-2', 'SEC-4', 'SEC-5', 'SEC-6']);
    expect(creates()).toHaveLength(2);
  });

  it('more new issues than the probe reads: the creates wait for the next sync rather than risk a second issue', async () => {
    jira.indexLags = true;
    for (let i = 0; i < PROBE_MAX_READS + 5; i++) jira.addIssue({ summary: `Bulk import ${i}`, labels: [] });
    const { report } = await sync();
    expect(creates()).toHaveLength(0);
    expect(report.failures[0]).toContain(`more than ${PROBE_MAX_READS} Jira issues are newer than the search index shows`);
    expect(jira.requests.filter((r) => r.method === 'GET').length).toBe(PROBE_MAX_READS);

    jira.catchUpSearchIndex();
    const next = await sync();
    expect(next.report.failures).toEqual([]);
    expect(creates()).toHaveLength(2);
  });
});

describe('the probe adopts only our own issue for a threat being created', () => {
  it('never one whose property names another threat or another model repository, nor one that moved to another project', async () => {
    jira.indexLags = true;
    const property = (repo: string, threatId: string) => ({ threatloop: { repo, threatId, contentHash: '', links: {}, state: 'open' } });
    jira.addIssue({ summary: '[22] Session token replay', labels: [identityLabel('acme/other')] }, property('acme/other', '22'));
    jira.addIssue({ summary: '[22] Session token replay', labels: [identityLabel(REPO)] }, property(REPO, 'TM-99'));
    jira.addIssue({ summary: '[22] Session token replay', labels: [identityLabel('acme/other')] });
    jira.addIssue({ summary: '[TM-7] Genome store readable by operators', labels: [identityLabel(REPO)] }, property(REPO, 'TM-7'));
    jira.moveIssue('SEC-4', 'OPS-1');
    const before = JSON.stringify([...jira.issues.values()].map((i) => ({ ...i, remoteLinks: [...i.remoteLinks] })));
    const mark = jira.requests.length;

    const { report, links } = await sync();
    expect(report.failures).toEqual([]);
    expect(links.get('22')?.key).toBe('SEC-5');
    expect(links.get('TM-7')?.key).toBe('SEC-6');
    expect(creates()).toHaveLength(2);
    const touched = jira.writes().filter((w) => jira.requests.indexOf(w) >= mark && /(SEC-[1-4]|OPS-1)\b/.test(w.path));
    expect(touched).toEqual([]);
    expect(JSON.stringify([...jira.issues.values()].filter((i) => !['SEC-5', 'SEC-6'].includes(i.key)).map((i) => ({ ...i, remoteLinks: [...i.remoteLinks] })))).toBe(before);
  });

  it('an issue made without the property in its create body is known by the identity label and its [id] title', async () => {
    jira.indexLags = true;
    jira.addIssue({ summary: '[TM-7] Genome store readable by operators', labels: [identityLabel(REPO)] });
    const { report, links } = await sync();
    expect(report.failures).toEqual([]);
    expect(links.get('TM-7')?.key).toBe('SEC-1');
    expect(creates()).toHaveLength(1);
    // Adopted, and given our property for this threat.
    expect(jira.issue('SEC-1').properties.threatloop).toMatchObject({ repo: REPO, threatId: 'TM-7' });
  });
});

describe('recover.ts, pure parts', () => {
  const issue = (key: string, fields: Partial<JiraIssue> = {}): JiraIssue => ({
    key,
    id: '1',
    summary: '[22] A',
    labels: [],
    priority: null,
    duedate: null,
    assigneeAccountId: null,
    components: [],
    status: 'To Do',
    statusCategory: 'new',
    custom: {},
    created: '',
    property: { repo: REPO, threatId: '22', contentHash: '', links: {}, state: 'open' },
    ...fields,
  });
  const target = { jira: config().jira!, repo: REPO, wanted: new Set(['22']) };

  it('reads key numbers of the configured project only', () => {
    expect(keyNumber('SEC-41', 'SEC')).toBe(41);
    expect(keyNumber('SECX-41', 'SEC')).toBeUndefined();
    expect(keyNumber('OPS-41', 'SEC')).toBeUndefined();
    expect(keyNumber('SEC-4a', 'SEC')).toBeUndefined();
  });

  it('takes the newest listed key as the floor and the missing numbers below it as holes', () => {
    expect(floorAndHoles([], 'SEC')).toEqual({ floor: 0, holes: [] });
    expect(floorAndHoles(['SEC-10', 'SEC-9', 'SEC-6', 'OPS-99'], 'SEC')).toEqual({ floor: 10, holes: [1, 2, 3, 4, 5, 7, 8] });
    // Only the PROBE_WINDOW numbers below the floor: a range of deleted issues costs no more.
    expect(floorAndHoles(['SEC-1000', 'SEC-999', 'SEC-20'], 'SEC').holes).toEqual(Array.from({ length: 18 }, (_, i) => 981 + i));
  });

  it('adopts by property, case-insensitively on the repository; never another repository, threat or project', () => {
    expect(probedThreat(issue('SEC-1'), target)).toBe('22');
    expect(probedThreat(issue('SEC-1', { property: { repo: 'ACME/Genomics', threatId: '22', contentHash: '', links: {}, state: 'open' } }), target)).toBe('22');
    expect(probedThreat(issue('OPS-1'), target)).toBeUndefined();
    expect(probedThreat(issue('SEC-1', { property: { repo: 'acme/other', threatId: '22', contentHash: '', links: {}, state: 'open' } }), target)).toBeUndefined();
    expect(probedThreat(issue('SEC-1', { property: { repo: REPO, threatId: 'TM-7', contentHash: '', links: {}, state: 'open' } }), target)).toBeUndefined();
    // Without a property: the identity label and the title, both.
    expect(probedThreat(issue('SEC-1', { property: null }), target)).toBeUndefined();
    expect(probedThreat(issue('SEC-1', { property: null, labels: [identityLabel(REPO)] }), target)).toBe('22');
    expect(probedThreat(issue('SEC-1', { property: null, labels: [identityLabel(REPO)], summary: '[23] B' }), target)).toBeUndefined();
  });
});
