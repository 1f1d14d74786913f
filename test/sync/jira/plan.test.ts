import { describe, expect, it } from 'vitest';
import { formatJiraPlan, planJiraSync, type GithubIssueRef, type JiraPlanInput } from '../../../src/sync/jira/plan.ts';
import { identityLabel, type JiraIssue, type JiraOperation, type JiraState } from '../../../src/sync/jira/state.ts';
import { CONTEXT, config, EMPTY_JIRA, model, REPO, SITE } from './fixtures.ts';

const GITHUB: ReadonlyMap<string, GithubIssueRef> = new Map([
  ['22', { number: 4, url: 'https://github.com/acme/genomics/issues/4', createdAt: '2026-01-02T10:00:00Z' }],
]);

function plan(overrides: Partial<JiraPlanInput> = {}) {
  return planJiraSync({
    model: model(),
    config: config(),
    jiraState: EMPTY_JIRA,
    context: CONTEXT,
    githubIssues: GITHUB,
    modelLines: new Map([['22', 31], ['TM-7', 48]]),
    ...overrides,
  });
}

/**
 * The Jira state once a plan has been carried out, as the applier keeps it (links posted but not yet
 * recorded in the property are `unrecordedLinks`; a read from Jira would not see them).
 */
function stateAfter(operations: readonly JiraOperation[], before: JiraState = EMPTY_JIRA): JiraState {
  const issues = new Map(before.issues);
  const record = (issue: JiraIssue, property: JiraIssue['property'] | undefined): JiraIssue => {
    if (!property) return issue;
    const { unrecordedLinks: _, ...rest } = issue;
    return { ...rest, property };
  };
  let n = 100;
  for (const op of operations) {
    const issue = issues.get(op.threatId);
    if (op.op === 'create') {
      const f = op.fields;
      issues.set(op.threatId, {
        key: `SEC-${++n}`,
        id: String(10000 + n),
        summary: f.summary,
        labels: f.labels,
        priority: f.priority,
        duedate: f.duedate,
        assigneeAccountId: f.assigneeAccountId,
        components: f.components,
        status: 'To Do',
        statusCategory: 'new',
        custom: f.custom,
        created: '2026-01-10T09:00:00.000+0000',
        property: op.property,
      });
    } else if (op.op === 'update' && issue) {
      const apply = (values: string[], c?: { add: string[]; remove: string[] }) =>
        c ? [...values.filter((v) => !c.remove.includes(v)), ...c.add] : values;
      issues.set(op.threatId, record({
        ...issue,
        summary: op.fields.summary ?? issue.summary,
        priority: op.fields.priority ?? issue.priority,
        duedate: op.fields.duedate ?? issue.duedate,
        assigneeAccountId: op.fields.assigneeAccountId ?? issue.assigneeAccountId,
        custom: { ...issue.custom, ...op.fields.custom },
        labels: apply(issue.labels, op.labels),
        components: apply(issue.components, op.components),
      }, op.property));
    } else if (op.op === 'transition' && issue) {
      issues.set(op.threatId, record({ ...issue, statusCategory: op.to === 'done' ? 'done' : 'new', status: op.name }, op.property));
    } else if (op.op === 'remote-link' && issue) {
      issues.set(op.threatId, { ...issue, unrecordedLinks: { ...issue.unrecordedLinks, [op.link.kind]: op.link.url } });
    } else if (op.op === 'set-property' && issue) {
      issues.set(op.threatId, record(issue, op.value));
    }
  }
  return { site: SITE, issues, notes: [] };
}

const kinds = (ops: readonly JiraOperation[]) => ops.map((o) => `${o.op} ${o.threatId}`);

describe('planJiraSync: first sync', () => {
  it('creates one issue per threat with every managed field, links it to the model and GitHub, and records the link', () => {
    const { operations } = plan();
    expect(kinds(operations)).toEqual([
      'create 22',
      'remote-link 22',
      'remote-link 22',
      'set-property 22',
      'create TM-7',
      'remote-link TM-7',
      'set-property TM-7',
    ]);
    const create = operations[0] as Extract<JiraOperation, { op: 'create' }>;
    expect(create.fields).toMatchObject({
      summary: '[22] Session token replay',
      labels: ['threatloop', 'threat', 'severity-critical', 'stride-spoofing', 'stride-information-disclosure', identityLabel(REPO)],
      priority: 'Highest',
      duedate: '2026-03-01',
      assigneeAccountId: '5b10ac8d82e05b22cc7d4ef5',
      components: ['API'],
      custom: { customfield_10050: 9.1, customfield_10051: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N' },
    });
    expect(create.property).toMatchObject({ repo: REPO, threatId: '22', links: {}, state: 'open' });
    const [model, github] = operations.slice(1, 3) as Extract<JiraOperation, { op: 'remote-link' }>[];
    expect(model!.link).toMatchObject({
      kind: 'model',
      globalId: 'threatloop:model:acme/genomics:22',
      url: `https://github.com/acme/genomics/blob/${'a'.repeat(40)}/threat-model.yml#L31`,
    });
    expect(github!.link).toMatchObject({
      kind: 'github',
      globalId: 'threatloop:github:acme/genomics:22',
      url: 'https://github.com/acme/genomics/issues/4',
      title: 'GitHub issue acme/genomics#4',
    });
    expect(operations[3]).toMatchObject({
      op: 'set-property',
      value: { links: { model: model!.link.url, github: github!.link.url }, state: 'open' },
    });
  });

  it('fits the summary to Jira: one line, at most 255 characters (a long title is cut, not rejected)', () => {
    const long = `Attacker ${'replays a stolen token '.repeat(15)}😀 end`;
    const multiLine = plan({ model: model((m) => (m.threats![0]!.title = 'Session token\n  replay\r\nacross devices')) });
    expect((multiLine.operations[0] as Extract<JiraOperation, { op: 'create' }>).fields.summary).toBe('[22] Session token replay across devices');
    const { operations } = plan({ model: model((m) => (m.threats![0]!.title = long)) });
    const summary = (operations[0] as Extract<JiraOperation, { op: 'create' }>).fields.summary;
    expect(summary.length).toBeLessThanOrEqual(255);
    expect(summary).toMatch(/^\[22\] Attacker replays a stolen token .*…$/);
    // Never half a surrogate pair: an emoji across the cut goes whole.
    const emoji = plan({ model: model((m) => (m.threats![0]!.title = `${'x'.repeat(248)}😀 more`)) });
    expect((emoji.operations[0] as Extract<JiraOperation, { op: 'create' }>).fields.summary).toBe(`[22] ${'x'.repeat(248)}…`);
    // The cut summary is stable: a resync of the issue it created changes nothing.
    const again = planJiraSync({ model: model((m) => (m.threats![0]!.title = long)), config: config(), jiraState: stateAfter(operations), context: CONTEXT, githubIssues: GITHUB, modelLines: new Map([['22', 31], ['TM-7', 48]]) });
    expect(again.operations).toEqual([]);
  });

  it('gives a threat without a due date the SLA date counted from its GitHub issue (today when it has none yet)', () => {
    const { operations } = plan();
    const tm7 = operations.find((o) => o.op === 'create' && o.threatId === 'TM-7') as Extract<JiraOperation, { op: 'create' }>;
    expect(tm7.fields.duedate).toBe('2026-04-10'); // medium: 90 days from 2026-01-10
    const withIssue = plan({
      githubIssues: new Map([['TM-7', { number: 9, url: 'https://github.com/acme/genomics/issues/9', createdAt: '2025-12-01T23:59:00Z' }]]),
    });
    const again = withIssue.operations.find((o) => o.op === 'create' && o.threatId === 'TM-7') as Extract<JiraOperation, { op: 'create' }>;
    expect(again.fields.duedate).toBe('2026-03-01');
    expect(again.fields.priority).toBe('Medium');
    expect(again.fields.assigneeAccountId).toBeNull(); // its owner has no Jira account id: left alone
    expect(again.fields.custom).toEqual({ customfield_10050: null, customfield_10051: null });
  });

  it('creates and closes a threat that is already mitigated, so every threat has its ticket', () => {
    const { operations } = plan({ model: model((m) => void (m.threats![1]!.status = 'mitigated')) });
    // The transition records the property (links and state): no property write of its own.
    expect(kinds(operations).filter((k) => k.endsWith('TM-7'))).toEqual(['create TM-7', 'remote-link TM-7', 'transition TM-7']);
    const link = operations.find((o) => o.op === 'remote-link' && o.threatId === 'TM-7') as Extract<JiraOperation, { op: 'remote-link' }>;
    expect(operations.find((o) => o.op === 'transition')).toMatchObject({
      to: 'done',
      name: 'Done',
      reason: 'threat is mitigated',
      property: { threatId: 'TM-7', state: 'done', links: { model: link.link.url } },
    });
  });

  it('plans nothing without a jira section', () => {
    expect(plan({ config: { ...config(), jira: undefined } })).toEqual({ operations: [], notes: [] });
  });
});

describe('planJiraSync: later syncs', () => {
  const synced = () => stateAfter(plan().operations);

  it('plans nothing when nothing changed, even at a new commit with the threat on another line', () => {
    expect(plan({ jiraState: synced() }).operations).toEqual([]);
    expect(plan({ jiraState: synced(), context: { ...CONTEXT, sha: 'b'.repeat(40) }, modelLines: new Map([['22', 60]]) }).operations).toEqual([]);
  });

  it('updates only the fields that changed, adds and removes only managed labels, and keeps labels people added', () => {
    const state = synced();
    const sec = state.issues.get('22')!;
    (state.issues as Map<string, JiraIssue>).set('22', {
      ...sec,
      labels: [...sec.labels, 'customer-visible'],
      components: [...sec.components, 'Frontend'],
    });
    const changed = model((m) => {
      const t = m.threats![0]!;
      t.cvss = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
      t.stride = ['S'];
      t.targets = ['api', 'db'];
    });
    const { operations } = plan({ jiraState: state, model: changed });
    // The link first, then the edit, which records the property (new content hash, moved link).
    expect(kinds(operations)).toEqual(['remote-link 22', 'update 22']);
    const update = operations[1] as Extract<JiraOperation, { op: 'update' }>;
    expect(Object.keys(update.fields).sort()).toEqual(['custom', 'description', 'priority']);
    expect(update.fields.priority).toBe('High');
    expect(update.fields.custom).toEqual({ customfield_10050: 7.5, customfield_10051: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' });
    expect(update.labels).toEqual({ add: ['severity-high'], remove: ['severity-critical', 'stride-information-disclosure'] });
    expect(update.components).toEqual({ add: ['Storage'], remove: [] });
    expect(update.changed).toContain('priority: Highest -> High');
    // The content changed, so the model link moves to this commit.
    expect(operations[0]).toMatchObject({ op: 'remote-link', link: { kind: 'model' } });
    const moved = (operations[0] as Extract<JiraOperation, { op: 'remote-link' }>).link.url;
    expect(update.property).toMatchObject({ links: { model: moved, github: 'https://github.com/acme/genomics/issues/4' }, state: 'open' });
    expect(update.property!.contentHash).not.toBe(sec.property!.contentHash);
    expect(plan({ jiraState: stateAfter(operations, state), model: changed }).operations).toEqual([]);
  });

  it('leaves alone what the config does not manage: a priority mapped to null, a due date that is unknown', () => {
    const cfg = config({ priority: { critical: null } });
    const state = synced();
    (state.issues as Map<string, JiraIssue>).set('22', { ...state.issues.get('22')!, priority: 'Low' });
    expect(plan({ config: cfg, jiraState: state }).operations).toEqual([]);
  });

  it('transitions a threat that closes, and back when it comes back', () => {
    const closed = model((m) => void (m.threats![0]!.status = 'verified'));
    const close = plan({ jiraState: synced(), model: closed }).operations;
    expect(kinds(close)).toEqual(['remote-link 22', 'update 22', 'transition 22']);
    // Only the last write carries the property.
    expect((close[1] as Extract<JiraOperation, { op: 'update' }>).property).toBeUndefined();
    expect(close[2]).toMatchObject({ op: 'transition', to: 'done', name: 'Done', key: 'SEC-101', property: { state: 'done' } });
    const afterClose = stateAfter(close, synced());
    expect(plan({ jiraState: afterClose, model: closed }).operations).toEqual([]);

    const reopen = plan({ jiraState: afterClose }).operations;
    expect(reopen.find((o) => o.op === 'transition')).toMatchObject({ to: 'reopen', name: 'To Do', reason: 'threat is open again' });
    expect(kinds(reopen)).toEqual(['remote-link 22', 'update 22', 'transition 22']);
    expect(reopen.at(-1)).toMatchObject({ op: 'transition', property: { state: 'open' } });
    expect(plan({ jiraState: stateAfter(reopen, afterClose) }).operations).toEqual([]);
  });

  it('does not reopen an issue a person moved to done, but says so', () => {
    const state = synced();
    (state.issues as Map<string, JiraIssue>).set('22', { ...state.issues.get('22')!, status: 'Done', statusCategory: 'done' });
    const result = plan({ jiraState: state });
    expect(result.operations).toEqual([]);
    expect(result.notes).toEqual([expect.stringContaining('Jira SEC-101 is Done but threat 22 is open in the model')]);
  });

  it('closes the issue of a threat removed from the model, once', () => {
    const removed = model((m) => void m.threats!.splice(1, 1));
    const ops = plan({ jiraState: synced(), model: removed }).operations;
    expect(kinds(ops)).toEqual(['transition TM-7']);
    expect(ops[0]).toMatchObject({ reason: 'threat was removed from the model', property: { threatId: 'TM-7', state: 'done' } });
    expect(plan({ jiraState: stateAfter(ops, synced()), model: removed }).operations).toEqual([]);
  });

  it('links a GitHub issue created after the Jira issue (the second round of a sync)', () => {
    const state = stateAfter(plan({ githubIssues: new Map() }).operations);
    const ops = plan({ jiraState: state }).operations;
    expect(kinds(ops)).toEqual(['remote-link 22', 'set-property 22']);
  });

  it('rewrites the description and records the link when the property is missing', () => {
    const state = synced();
    (state.issues as Map<string, JiraIssue>).set('TM-7', { ...state.issues.get('TM-7')!, property: null });
    const ops = plan({ jiraState: state }).operations;
    expect(kinds(ops)).toEqual(['remote-link TM-7', 'update TM-7']);
    const update = ops[1] as Extract<JiraOperation, { op: 'update' }>;
    expect(update.changed).toEqual(['description']);
    expect(update.property).toMatchObject({ repo: REPO, threatId: 'TM-7', links: { model: expect.any(String) } });
    expect(plan({ jiraState: stateAfter(ops, state) }).operations).toEqual([]);
  });
});

describe('planJiraSync: one property write per issue (recordLater)', () => {
  it('a first pass leaves the property writes to the last pass, which records every link once without posting any again', () => {
    // The sync's first pass, before the GitHub side: TM-7 has no GitHub issue yet.
    const first = plan({ githubIssues: GITHUB, recordLater: true }).operations;
    expect(kinds(first)).toEqual(['create 22', 'remote-link 22', 'remote-link 22', 'create TM-7', 'remote-link TM-7']);
    // The last pass, after the GitHub side created TM-7's issue.
    const github = new Map([...GITHUB, ['TM-7', { number: 5, url: 'https://github.com/acme/genomics/issues/5' }]]);
    const last = plan({ jiraState: stateAfter(first), githubIssues: github }).operations;
    expect(kinds(last)).toEqual(['set-property 22', 'remote-link TM-7', 'set-property TM-7']);
    expect(last[0]).toMatchObject({ value: { links: { model: expect.any(String), github: 'https://github.com/acme/genomics/issues/4' } } });
    expect(last[2]).toMatchObject({ value: { links: { model: expect.any(String), github: 'https://github.com/acme/genomics/issues/5' } } });
    // Per issue: the create and one property write; a resync writes nothing.
    const all = [...first, ...last];
    expect(all.filter((o) => o.op === 'set-property')).toHaveLength(2);
    expect(plan({ jiraState: stateAfter(last, stateAfter(first)), githubIssues: github }).operations).toEqual([]);
  });

  it('a property that rides on a transition is written in the first pass too (the state never waits)', () => {
    const ops = plan({ model: model((m) => void (m.threats![1]!.status = 'mitigated')), recordLater: true }).operations;
    expect(ops.filter((o) => o.op === 'set-property')).toEqual([]);
    expect(ops.find((o) => o.op === 'transition')).toMatchObject({ threatId: 'TM-7', property: { state: 'done' } });
  });

  it('a sync stopped between the passes: the next sync posts the unrecorded links again (same globalId) and records them', () => {
    const first = plan({ recordLater: true }).operations;
    // What Jira holds: the properties the creates carried, no record of the links.
    const read = stateAfter(first);
    for (const [threatId, issue] of read.issues) {
      const { unrecordedLinks: _, ...stored } = issue;
      (read.issues as Map<string, JiraIssue>).set(threatId, stored);
    }
    const next = plan({ jiraState: read }).operations;
    expect(kinds(next)).toEqual(['remote-link 22', 'remote-link 22', 'set-property 22', 'remote-link TM-7', 'set-property TM-7']);
    const again = next.filter((o) => o.op === 'remote-link').map((o) => o.link.globalId);
    expect(again).toEqual(first.filter((o) => o.op === 'remote-link').map((o) => (o as Extract<JiraOperation, { op: 'remote-link' }>).link.globalId));
  });
});

describe('formatJiraPlan', () => {
  it('prints one line per operation', () => {
    const lines = formatJiraPlan(plan(), SITE);
    expect(lines[0]).toBe('Jira (https://acme.atlassian.net): 7 operations');
    expect(lines[1]).toContain('create issue     [22] Session token replay  (labels threatloop, threat, severity-critical');
    expect(lines[1]).toContain('priority Highest; due 2026-03-01; assignee 5b10ac8d82e05b22cc7d4ef5; components API');
    expect(lines[2]).toBe(
      `  link             (new issue for threat 22) -> Threat 22 in acme/genomics/threat-model.yml https://github.com/acme/genomics/blob/${'a'.repeat(40)}/threat-model.yml#L31`,
    );
  });
});

describe('planJiraSync: an acceptance that expires', () => {
  const accepted = (expires: string, on = '2025-12-01') =>
    model((m) => {
      Object.assign(m.threats![1]!, { status: 'accepted', acceptance: { by: 'web', on, expires } });
    });
  const at = (today: string) => ({ ...CONTEXT, today });
  const doneState = stateAfter(plan({ model: accepted('2026-06-30') }).operations);

  it('while it holds the ticket is done; the day after, it is transitioned back and labelled acceptance-expired; renewed, done again and the label off', () => {
    expect(doneState.issues.get('TM-7')).toMatchObject({ statusCategory: 'done', property: { state: 'done' } });

    const lapsed = plan({ model: accepted('2026-06-30'), jiraState: doneState, context: at('2026-07-01') }).operations;
    // (TM-7 has no GitHub issue here, so its SLA due date counts from `today`: the description moves too.)
    expect(lapsed.filter((o) => o.threatId === 'TM-7' && o.op === 'transition')).toHaveLength(1);
    expect(lapsed).toContainEqual(
      expect.objectContaining({ op: 'transition', threatId: 'TM-7', to: 'reopen', reason: 'the acceptance (accepted by web on 2025-12-01) ended on 2026-06-30' }),
    );
    expect(lapsed).toContainEqual(expect.objectContaining({ op: 'update', threatId: 'TM-7', labels: { add: ['acceptance-expired'], remove: [] } }));
    const reopened = stateAfter(lapsed, doneState);
    expect(plan({ model: accepted('2026-06-30'), jiraState: reopened, context: at('2026-07-01') }).operations.filter((o) => o.threatId === 'TM-7')).toEqual([]);

    const renewed = plan({ model: accepted('2027-06-30', '2026-07-02'), jiraState: reopened, context: at('2026-07-02') }).operations;
    expect(renewed.filter((o) => o.threatId === 'TM-7' && o.op === 'transition')).toHaveLength(1);
    expect(renewed).toContainEqual(expect.objectContaining({ op: 'update', threatId: 'TM-7', labels: { add: [], remove: ['acceptance-expired'] } }));
    expect(renewed).toContainEqual(expect.objectContaining({ op: 'transition', threatId: 'TM-7', to: 'done' }));
  });
});
