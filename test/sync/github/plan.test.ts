import { describe, expect, test } from 'vitest';
import type { ExistingIssue, GithubOperation, GithubPlan, RepoState } from '../../../src/sync/github/state.ts';
import { planGithubSync, type GithubPlanInput } from '../../../src/sync/github/plan.ts';
import { applyPlan, config, emptyState, model, SMALL_MODEL, syncContext } from './plan-simulator.ts';

const FIRST_DAY = '2026-03-01';

function plan(text: string, state: RepoState, overrides: Partial<GithubPlanInput> = {}): GithubPlan {
  return planGithubSync({ ...model(text), config: config(), state, context: syncContext(), ...overrides });
}

/** The state after a first sync of `text`. */
function synced(text = SMALL_MODEL, overrides: Partial<GithubPlanInput> = {}): RepoState {
  return applyPlan(emptyState(), plan(text, emptyState(), overrides), FIRST_DAY).state;
}

function issueFor(state: RepoState, threatId: string): ExistingIssue {
  const issue = state.issues.find((i) => i.marker.threatId === threatId);
  if (!issue) throw new Error(`no issue for ${threatId}`);
  return issue;
}

function ops(p: GithubPlan): string[] {
  return p.operations.map((o) => o.op);
}

const newCommit = { context: syncContext({ sha: 'b'.repeat(40), actor: 'dave' }) };

describe('first sync', () => {
  const first = plan(SMALL_MODEL, emptyState());

  test('creates labels, then milestones, then issues in model order, the dashboard last', () => {
    expect(ops(first)).toEqual([
      ...Array(9).fill('create-label'),
      'create-milestone',
      'create-issue',
      'create-issue',
      'create-issue',
      'create-dashboard',
    ]);
    expect(first.operations.filter((o) => o.op === 'create-issue').map((o) => o.op === 'create-issue' && o.threatId)).toEqual([
      'TM-22',
      'TM-31',
      'TM-40',
    ]);
  });

  test('titles, labels, assignees and milestone of each issue', () => {
    const created = first.operations.filter((o): o is Extract<GithubOperation, { op: 'create-issue' }> => o.op === 'create-issue');
    expect(created[0]!.fields).toMatchObject({
      title: '[TM-22] S3 bucket misconfig leaks FASTQ/VCF',
      labels: ['threat', 'severity:critical', 'stride:information-disclosure'],
      assignees: ['alice', 'bob'],
      milestone: 'Threats due 2026-03-31',
    });
    // No due date: 30 days (high SLA) from today, the day the issue is created.
    expect(created[1]!.fields).toMatchObject({
      labels: ['threat', 'severity:high', 'stride:spoofing', 'stride:elevation-of-privilege'],
      assignees: ['carol'],
      milestone: 'Threats due 2026-03-31',
    });
    // Unscored has no SLA by default: no milestone; no owner: no assignee.
    expect(created[2]!.fields).toMatchObject({ labels: ['threat', 'severity:unscored', 'stride:repudiation'], assignees: [], milestone: null });
  });

  test('labels come with colours and descriptions; one milestone per distinct date, due at noon UTC', () => {
    expect(first.operations[0]).toEqual({
      op: 'create-label',
      name: 'threat',
      color: '5319e7',
      description: 'A threat from the threat model (managed by threatloop)',
    });
    expect(first.operations.filter((o) => o.op === 'create-milestone')).toEqual([
      { op: 'create-milestone', title: 'Threats due 2026-03-31', dueOn: '2026-03-31T12:00:00Z' },
    ]);
  });

  test('a label prefix and a milestone title template apply everywhere', () => {
    const p = plan(SMALL_MODEL, emptyState(), {
      config: config({ labels: { prefix: 'tm/' }, milestones: { enabled: true, title: 'Due {date} (threats)' } }),
    });
    const names = p.operations.flatMap((o) => (o.op === 'create-label' ? [o.name] : []));
    expect(names).toContain('tm/threat');
    expect(names).toContain('tm/threat-dashboard');
    expect(names.every((n) => n.startsWith('tm/'))).toBe(true);
    expect(p.operations.find((o) => o.op === 'create-milestone')).toMatchObject({ title: 'Due 2026-03-31 (threats)' });
  });

  test('existing labels (any case) and milestones (even closed) are reused, not created again', () => {
    const state = emptyState({
      labels: [{ name: 'Threat', color: '000000', description: null }],
      milestones: [{ number: 7, title: 'Threats due 2026-03-31', dueOn: '2026-03-31T07:00:00Z', state: 'closed' }],
    });
    const p = plan(SMALL_MODEL, state);
    expect(p.operations.some((o) => o.op === 'create-label' && o.name === 'threat')).toBe(false);
    expect(p.operations.some((o) => o.op === 'create-milestone')).toBe(false);
    expect(p.operations.some((o) => o.op === 'update-issue')).toBe(false);
  });

  test('a threat already closed in the model gets an issue that is closed as completed right away', () => {
    const text = SMALL_MODEL.replace('status: planned', 'status: mitigated');
    const p = plan(text, emptyState());
    expect(p.operations.find((o) => o.op === 'create-issue' && o.threatId === 'TM-31')).toMatchObject({ closeAs: 'completed' });
    const after = applyPlan(emptyState(), p, FIRST_DAY).state;
    expect(issueFor(after, 'TM-31')).toMatchObject({ state: 'closed', stateReason: 'completed' });
  });
});

describe('resync', () => {
  test('a new commit with an unchanged model writes nothing', () => {
    const state = synced();
    expect(plan(SMALL_MODEL, state, newCommit)).toEqual({ operations: [], notes: [] });
  });

  test('the same commit a day later writes nothing (SLA due dates count from the issue, not today)', () => {
    const state = synced();
    const later = plan(SMALL_MODEL, state, { context: syncContext({ today: '2026-03-02' }) });
    expect(later.operations).toEqual([]);
  });

  test('moving a threat down the file (its line changes) writes nothing', () => {
    const state = synced();
    const text = SMALL_MODEL.replace('threats:\n', 'threats:\n  # Reviewed 2026-02 by the security board.\n  # Second comment line.\n');
    expect(plan(text, state, newCommit).operations).toEqual([]);
  });
});

describe('a changed threat', () => {
  test('status change: one edit with only the body, one audit comment naming commit and author', () => {
    const state = synced();
    const p = plan(SMALL_MODEL.replace('status: planned', 'status: in-progress'), state, newCommit);
    const number = issueFor(state, 'TM-31').number;
    // The dashboard counts threats by status, so it changes too.
    expect(ops(p)).toEqual(['update-issue', 'comment', 'update-dashboard']);
    const [update, comment] = p.operations;
    expect(update).toMatchObject({ op: 'update-issue', number, threatId: 'TM-31', changed: ['status: Planned → In progress'] });
    expect(Object.keys(update!.op === 'update-issue' ? update!.changes : {})).toEqual(['body']);
    expect(comment).toMatchObject({ op: 'comment', number, threatId: 'TM-31' });
    const body = comment!.op === 'comment' ? comment!.body : '';
    expect(body).toContain('- status: Planned → In progress');
    expect(body).toContain(`[\`bbbbbbb\`](https://github.com/genomewell/platform/commit/${'b'.repeat(40)})`);
    expect(body).toContain('by [dave](https://github.com/dave)');
    // The new body links the model at the new commit.
    expect(update!.op === 'update-issue' && update!.changes.body).toContain(`/blob/${'b'.repeat(40)}/threat-model.yml#L`);
  });

  test('severity change: labels swap the severity label (keeping others) and the line names the CVSS scores', () => {
    const state = synced();
    const number = issueFor(state, 'TM-22').number;
    state.issues.find((i) => i.number === number)!.labels.push('needs-triage');
    const text = SMALL_MODEL.replace('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H');
    const p = plan(text, state, newCommit);
    const update = p.operations[0];
    expect(update).toMatchObject({
      op: 'update-issue',
      changes: { labels: ['threat', 'severity:high', 'stride:information-disclosure', 'needs-triage'] },
      changed: ['severity: Critical → High (CVSS 9.8 → 8.1)'],
    });
    expect(p.operations.filter((o) => o.op === 'comment')).toHaveLength(1);
  });

  test('due date change: new milestone created first, then the issue moves to it', () => {
    const state = synced();
    const p = plan(SMALL_MODEL.replace('due: 2026-03-31', 'due: 2026-04-15'), state, newCommit);
    // The dashboard lists open critical and high threats with their due dates, so it follows too.
    expect(ops(p)).toEqual(['create-milestone', 'update-issue', 'comment', 'update-dashboard']);
    expect(p.operations[1]).toMatchObject({
      changes: { milestone: 'Threats due 2026-04-15' },
      changed: ['due: 2026-03-31 → 2026-04-15'],
    });
  });

  test('a mitigation change costs two writes: the edit and the audit comment', () => {
    const state = synced();
    const p = plan(SMALL_MODEL.replace('Block public access; bucket policy denies non-TLS.', 'Block public access at the account level.'), state, newCommit);
    expect(ops(p)).toEqual(['update-issue', 'comment']);
    expect(p.operations[0]).toMatchObject({ changes: { body: expect.any(String) }, changed: ['mitigation updated'] });
  });

  test('title, owner and mitigation changes are all named in one comment', () => {
    const state = synced();
    const text = SMALL_MODEL.replace('title: S3 bucket misconfig leaks FASTQ/VCF', 'title: Public S3 bucket leaks FASTQ')
      .replace('    owner: appsec\n    status: open\n    due', '    owner: platform\n    status: open\n    due')
      .replace('Block public access; bucket policy denies non-TLS.', 'Block public access at the account level.');
    const p = plan(text, state, newCommit);
    // The title and owner show in the dashboard's list of open critical and high threats.
    expect(ops(p)).toEqual(['update-issue', 'comment', 'update-dashboard']);
    expect(p.operations[0]).toMatchObject({
      changes: { title: '[TM-22] Public S3 bucket leaks FASTQ', assignees: ['carol'] },
      changed: ['title: “[TM-22] S3 bucket misconfig leaks FASTQ/VCF” → “[TM-22] Public S3 bucket leaks FASTQ”', 'owner: appsec → platform', 'mitigation updated'],
    });
  });

  test('a status in close_statuses closes the issue as completed in the same edit, with the audit comment', () => {
    const state = synced();
    const p = plan(SMALL_MODEL.replace('status: planned', 'status: mitigated'), state, newCommit);
    expect(ops(p)).toEqual(['update-issue', 'comment', 'update-dashboard']);
    expect(p.operations[0]).toMatchObject({ changes: { state: 'closed', stateReason: 'completed' } });
    const comment = p.operations[1]!.op === 'comment' ? p.operations[1]!.body : '';
    expect(comment).toContain('status: Planned → Mitigated');
    expect(comment).toContain('closed as completed');
  });

  test('not-applicable closes the issue as not planned, on create and on change, and corrects one closed as completed', () => {
    const na = (text: string) => text.replace('status: planned', 'status: not-applicable\n    rationale: The portal has no admin role.');
    const created = plan(na(SMALL_MODEL), emptyState());
    expect(created.operations.find((o) => o.op === 'create-issue' && o.threatId === 'TM-31')).toMatchObject({ closeAs: 'not_planned' });
    expect(issueFor(applyPlan(emptyState(), created, FIRST_DAY).state, 'TM-31')).toMatchObject({ state: 'closed', stateReason: 'not_planned' });

    const changed = plan(na(SMALL_MODEL), synced(), newCommit);
    expect(changed.operations[0]).toMatchObject({ op: 'update-issue', changes: { state: 'closed', stateReason: 'not_planned' } });
    const comment = changed.operations[1]!.op === 'comment' ? changed.operations[1]!.body : '';
    expect(comment).toContain('status: Planned → Not applicable');
    expect(comment).toContain('closed as not planned');

    // Mitigated (closed as completed), then found not to apply: the reason follows; a resync then writes nothing.
    const mitigated = synced(SMALL_MODEL.replace('status: planned', 'status: mitigated'));
    const corrected = plan(na(SMALL_MODEL), mitigated, newCommit);
    expect(corrected.operations[0]).toMatchObject({ op: 'update-issue', changes: { state: 'closed', stateReason: 'not_planned' } });
    const after = applyPlan(mitigated, corrected, FIRST_DAY).state;
    expect(plan(na(SMALL_MODEL), after, newCommit).operations).toEqual([]);
  });

  test('a status that leaves the closing set reopens the issue', () => {
    const closedText = SMALL_MODEL.replace('status: planned', 'status: mitigated');
    const state = synced(closedText);
    const p = plan(SMALL_MODEL.replace('status: planned', 'status: in-progress'), state, newCommit);
    expect(ops(p)).toEqual(['update-issue', 'comment', 'update-dashboard']);
    expect(p.operations[0]).toMatchObject({ changes: { state: 'open', stateReason: 'reopened' } });
  });

  test('a component renamed (the threat itself unchanged) refreshes the body without an audit comment', () => {
    const state = synced();
    const p = plan(SMALL_MODEL.replace('name: FASTQ bucket', 'name: Genomics bucket'), state, newCommit);
    expect(ops(p)).toEqual(['update-issue', 'update-dashboard']);
    expect(p.operations[0]).toMatchObject({ threatId: 'TM-22', changed: ['description refreshed'] });
  });
});

describe('removal and return', () => {
  const withoutTm40 = SMALL_MODEL.slice(0, SMALL_MODEL.indexOf('  - id: TM-40'));

  test('a threat removed from the model: its issue closes as not planned with a comment', () => {
    const state = synced();
    const number = issueFor(state, 'TM-40').number;
    const p = plan(withoutTm40, state, newCommit);
    expect(ops(p)).toEqual(['update-issue', 'comment', 'update-dashboard']);
    expect(p.operations[0]).toMatchObject({ number, threatId: 'TM-40', changes: { state: 'closed', stateReason: 'not_planned' } });
    expect(p.operations[1]!.op === 'comment' && p.operations[1]!.body).toContain('`TM-40` is no longer in `threat-model.yml`');
  });

  test('a threat that comes back reopens its issue (no second issue)', () => {
    const removed = applyPlan(synced(), plan(withoutTm40, synced(), newCommit), FIRST_DAY).state;
    const p = plan(SMALL_MODEL, removed, { context: syncContext({ sha: 'c'.repeat(40) }) });
    expect(p.operations.some((o) => o.op === 'create-issue')).toBe(false);
    const reopen = p.operations.find((o) => o.op === 'update-issue' && o.threatId === 'TM-40');
    expect(reopen).toMatchObject({ changes: { state: 'open', stateReason: 'reopened' } });
    expect(reopen!.op === 'update-issue' && reopen!.changed.join('\n')).toContain('back in the model');
  });

  test('a model with no threats closes every threat issue but creates nothing', () => {
    const state = synced();
    const p = plan(SMALL_MODEL.slice(0, SMALL_MODEL.indexOf('threats:')), state, newCommit);
    expect(p.operations.filter((o) => o.op === 'update-issue').map((o) => o.op === 'update-issue' && o.changes.stateReason)).toEqual([
      'not_planned',
      'not_planned',
      'not_planned',
    ]);
  });

  test('an issue a person closed while the model says open is reopened, saying how to close it', () => {
    const state = synced();
    const issue = issueFor(state, 'TM-22');
    issue.state = 'closed';
    issue.stateReason = 'completed';
    const p = plan(SMALL_MODEL, state, newCommit);
    expect(ops(p)).toEqual(['update-issue', 'comment']);
    expect(p.operations[0]!.op === 'update-issue' && p.operations[0]!.changed[0]).toContain('change its status in the model');
  });
});

describe('duplicates', () => {
  function withCopy(state: RepoState, threatId: string, createdAt: string): { state: RepoState; copy: number } {
    const original = issueFor(state, threatId);
    const copy = { ...original, number: 99, createdAt, labels: [...original.labels], assignees: [...original.assignees] };
    return { state: { ...state, issues: [...state.issues, copy] }, copy: 99 };
  }

  test('two open issues for one threat: the oldest is kept, the other closed as a duplicate pointing at it', () => {
    const { state, copy } = withCopy(synced(), 'TM-22', '2026-03-02T00:00:00Z');
    const kept = issueFor(state, 'TM-22').number;
    const p = plan(SMALL_MODEL, state, newCommit);
    expect(p.operations).toEqual([
      { op: 'update-issue', number: copy, threatId: 'TM-22', changes: { state: 'closed', stateReason: 'duplicate' }, changed: [`closed as a duplicate of #${kept}`] },
      expect.objectContaining({ op: 'comment', number: copy, body: expect.stringContaining(`Duplicate of #${kept}`) }),
    ]);
  });

  test('the copy is kept when it is older (a replica race: lowest date wins)', () => {
    const { state, copy } = withCopy(synced(), 'TM-22', '2026-02-01T00:00:00Z');
    const original = issueFor(state, 'TM-22').number;
    const p = plan(SMALL_MODEL, state, newCommit);
    expect(p.operations.find((o) => o.op === 'update-issue' && o.changes.stateReason === 'duplicate')).toMatchObject({ number: original });
    expect(p.operations.find((o) => o.op === 'comment')).toMatchObject({ body: expect.stringContaining(`Duplicate of #${copy}`) });
  });

  test('two dashboards: the newer one is closed as a duplicate', () => {
    const state = synced();
    const dashboard = state.issues.find((i) => i.marker.kind === 'dashboard')!;
    state.issues.push({ ...dashboard, number: 120, createdAt: '2026-03-05T00:00:00Z' });
    const p = plan(SMALL_MODEL, state, newCommit);
    expect(p.operations[0]).toEqual({
      op: 'update-issue',
      number: 120,
      changes: { state: 'closed', stateReason: 'duplicate' },
      changed: [`closed as a duplicate of #${dashboard.number}`],
    });
    expect(ops(p)).toEqual(['update-issue', 'comment']);
  });
});

describe('assignees', () => {
  test('an owner who cannot be assigned is left out and reported, not fatal', () => {
    const p = plan(SMALL_MODEL, emptyState({ assignable: new Set(['alice', 'carol']) }));
    expect(p.operations.find((o) => o.op === 'create-issue' && o.threatId === 'TM-22')).toMatchObject({ fields: { assignees: ['alice'] } });
    expect(p.notes).toEqual([expect.stringMatching(/^bob cannot be assigned in genomewell\/security .* TM-22 is not assigned/)]);
  });

  test('assignees a person added stay; a former owner the app assigned is taken off', () => {
    const state = synced();
    issueFor(state, 'TM-31').assignees.push('erin');
    const text = SMALL_MODEL.replace('    owner: platform\n    status: planned', '    owner: appsec\n    status: planned');
    const p = plan(text, state, newCommit);
    expect(p.operations[0]).toMatchObject({ changes: { assignees: ['erin', 'alice', 'bob'] }, changed: ['owner: platform → appsec'] });
  });

  test('assign_owners false leaves assignees alone', () => {
    const state = synced();
    issueFor(state, 'TM-31').assignees.length = 0;
    const p = plan(SMALL_MODEL, state, { ...newCommit, config: config({ assign_owners: false }) });
    expect(p.operations.filter((o) => o.op === 'update-issue')).toEqual([]);
  });

  test('an assignee a person removed is restored quietly (no audit comment)', () => {
    const state = synced();
    issueFor(state, 'TM-31').assignees.length = 0;
    const p = plan(SMALL_MODEL, state, newCommit);
    expect(ops(p)).toEqual(['update-issue']);
    expect(p.operations[0]).toMatchObject({ changes: { assignees: ['carol'] }, changed: ['assignees: carol'] });
  });
});

describe('labels and milestones people set', () => {
  test('labels the app does not manage are never removed; a managed label a person removed comes back quietly', () => {
    const state = synced();
    const issue = issueFor(state, 'TM-22');
    issue.labels = ['threat', 'stride:information-disclosure', 'customer-facing', 'Stride:Tampering'];
    const p = plan(SMALL_MODEL, state, newCommit);
    expect(ops(p)).toEqual(['update-issue']);
    expect(p.operations[0]).toMatchObject({
      changes: { labels: ['threat', 'severity:critical', 'stride:information-disclosure', 'customer-facing'] },
      changed: ['labels: +severity:critical -Stride:Tampering'],
    });
  });

  test('a milestone a person set on a threat without a due date stays', () => {
    const state = synced();
    issueFor(state, 'TM-40').milestone = { number: 3, title: 'Q3 hardening' };
    expect(plan(SMALL_MODEL, state, newCommit).operations).toEqual([]);
  });

  test('the SLA due date counts from when the issue was first created', () => {
    const state = synced();
    issueFor(state, 'TM-31').createdAt = '2026-01-10T09:00:00Z';
    const p = plan(SMALL_MODEL, state, newCommit);
    // The earlier due date has passed: the audit comment, then the one overdue reminder.
    expect(ops(p)).toEqual(['create-milestone', 'update-issue', 'comment', 'comment', 'update-dashboard']);
    expect(p.operations[0]).toMatchObject({ title: 'Threats due 2026-02-09' });
    expect(p.operations[1]).toMatchObject({
      changes: { milestone: 'Threats due 2026-02-09' },
      changed: ['due: 2026-03-31 → 2026-02-09', 'reminder: overdue (due 2026-02-09), mentioning carol'],
    });
  });

  test('milestones switched off: no milestone operations, none set', () => {
    const p = plan(SMALL_MODEL, emptyState(), { config: config({ milestones: { enabled: false, title: 'Threats due {date}' } }) });
    expect(p.operations.some((o) => o.op === 'create-milestone')).toBe(false);
    expect(p.operations.every((o) => o.op !== 'create-issue' || o.fields.milestone === null)).toBe(true);
  });
});

describe('milestone granularity', () => {
  const milestoneOf = (p: GithubPlan) =>
    p.operations.flatMap((o) => (o.op === 'create-issue' ? [o.fields.milestone] : o.op === 'create-milestone' ? [`${o.title} @ ${o.dueOn}`] : []));
  const granular = (granularity: string) => ({ config: config({ milestones: { enabled: true, title: 'Threats due {date}', granularity } }) });

  test('date (the default): one milestone per due date, as before', () => {
    expect(milestoneOf(plan(SMALL_MODEL, emptyState()))).toEqual([
      'Threats due 2026-03-31 @ 2026-03-31T12:00:00Z',
      'Threats due 2026-03-31',
      'Threats due 2026-03-31',
      null,
    ]);
  });

  test('month and quarter: one milestone per period, due on its last day; none: no milestone at all', () => {
    expect(milestoneOf(plan(SMALL_MODEL, emptyState(), granular('month')))).toEqual([
      'Threats due 2026-03 @ 2026-03-31T12:00:00Z',
      'Threats due 2026-03',
      'Threats due 2026-03',
      null,
    ]);
    expect(milestoneOf(plan(SMALL_MODEL, emptyState(), granular('quarter')))).toEqual([
      'Threats due 2026-Q1 @ 2026-03-31T12:00:00Z',
      'Threats due 2026-Q1',
      'Threats due 2026-Q1',
      null,
    ]);
    expect(milestoneOf(plan(SMALL_MODEL, emptyState(), granular('none')))).toEqual([null, null, null]);
  });

  test('switching from dates to quarters moves each issue to its quarter (the date milestones were ours)', () => {
    const state = synced();
    const p = plan(SMALL_MODEL, state, { ...newCommit, ...granular('quarter') });
    expect(p.operations.filter((o) => o.op === 'create-milestone')).toHaveLength(1);
    const moved = p.operations.filter((o) => o.op === 'update-issue' && o.changes.milestone === 'Threats due 2026-Q1');
    expect(moved).toHaveLength(2);
  });

  test('many dates, few milestones: 24 due dates over two years make 8 quarters', async () => {
    const { milestonePeriod } = await import('../../../src/sync/github/milestones.ts');
    const dates = Array.from({ length: 24 }, (_, i) => `${2026 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-15`);
    expect(new Set(dates.map((d) => milestonePeriod(d, 'quarter').label)).size).toBe(8);
    expect(milestonePeriod('2028-02-10', 'month')).toEqual({ label: '2028-02', lastDay: '2028-02-29' });
    expect(milestonePeriod('2026-11-30', 'quarter')).toEqual({ label: '2026-Q4', lastDay: '2026-12-31' });
  });
});

describe('switches and public repositories', () => {
  test('a public repository without opt-in: nothing is filed, the note says how to turn it on', () => {
    const p = plan(SMALL_MODEL, emptyState({ private: false }));
    expect(p.operations).toEqual([]);
    expect(p.notes[0]).toContain('genomewell/security is public');
    // Another repository: the opt-in is the target's own (the sync puts it in `config.issues.public_repo`).
    expect(p.notes[0]).toContain('genomewell/security must set `issues.public_repo: true` in its own .github/threatloop.yml');
  });

  test('a public model repository without opt-in files nothing in itself, and says how to turn it on', () => {
    const p = plan(SMALL_MODEL, emptyState({ private: false }), { context: syncContext({ modelRepo: 'genomewell/security' }) });
    expect(p.operations).toEqual([]);
    expect(p.notes[0]).toContain('issues.public_repo: true');
    expect(p.notes[0]).toContain('issues.repo: org/private-security-repo');
  });

  test('a public repository with public_repo: true gets issues', () => {
    const p = plan(SMALL_MODEL, emptyState({ private: false }), { config: config({ public_repo: true }) });
    expect(p.operations.filter((o) => o.op === 'create-issue')).toHaveLength(3);
  });

  test('issues.enabled false: only a note', () => {
    const p = plan(SMALL_MODEL, synced(), { config: config({ enabled: false }) });
    expect(p).toEqual({ operations: [], notes: [expect.stringContaining('issues.enabled: false')] });
  });

  test('dashboard switched off: no dashboard, and an existing one is closed', () => {
    const off = config({ dashboard: { enabled: false, title: 'Threat model dashboard' } });
    expect(ops(plan(SMALL_MODEL, emptyState(), { config: off }))).not.toContain('create-dashboard');
    const state = synced();
    const dashboard = state.issues.find((i) => i.marker.kind === 'dashboard')!;
    const p = plan(SMALL_MODEL, state, { ...newCommit, config: off });
    expect(p.operations).toEqual([expect.objectContaining({ op: 'update-issue', number: dashboard.number, changes: { state: 'closed', stateReason: 'not_planned' } })]);
  });
});

describe('dashboard', () => {
  test('rewritten when lint warnings or notices change, otherwise left alone', () => {
    const state = synced();
    const warning = { rule: 'unscored', level: 'warning' as const, message: 'TM-40 has no CVSS vector', file: 'threat-model.yml', start: { line: 40, column: 5 } };
    const p = plan(SMALL_MODEL, state, { ...newCommit, lintWarnings: [warning], notices: ['Jira is unreachable: SEC issues wait for the next sync'] });
    expect(ops(p)).toEqual(['update-dashboard']);
    const body = p.operations[0]!.op === 'update-dashboard' ? (p.operations[0]!.changes.body ?? '') : '';
    expect(body).toContain('`threat-model.yml:40` unscored: TM-40 has no CVSS vector');
    expect(body).toContain('Jira is unreachable');
  });

  test('links issues created in the same sync once the applier knows their numbers', () => {
    const state = synced();
    const dashboard = state.issues.find((i) => i.marker.kind === 'dashboard')!;
    expect(dashboard.body).not.toContain('{{threatloop:issue:');
    expect(dashboard.body).toContain(`#${issueFor(state, 'TM-22').number}`);
  });

  test('a closed dashboard is reopened', () => {
    const state = synced();
    state.issues.find((i) => i.marker.kind === 'dashboard')!.state = 'closed';
    expect(plan(SMALL_MODEL, state, newCommit).operations).toEqual([
      expect.objectContaining({ op: 'update-dashboard', changes: { state: 'open', stateReason: 'reopened' } }),
    ]);
  });
});

describe('jira', () => {
  const jira = new Map([['TM-22', { key: 'SEC-12', url: 'https://genomewell.atlassian.net/browse/SEC-12' }]]);

  test('a Jira key is linked in the body and kept in the marker, quietly', () => {
    const state = synced();
    const p = plan(SMALL_MODEL, state, { ...newCommit, links: new Map([['jira', jira]]) });
    expect(ops(p)).toEqual(['update-issue']);
    expect(p.operations[0]).toMatchObject({ changed: ['jira: linked SEC-12'] });
    const after = applyPlan(state, p, FIRST_DAY).state;
    expect(issueFor(after, 'TM-22').marker).toMatchObject({ links: { jira: { key: 'SEC-12', url: 'https://genomewell.atlassian.net/browse/SEC-12' } } });
    expect(issueFor(after, 'TM-22').body).toContain('[SEC-12](https://genomewell.atlassian.net/browse/SEC-12)');
    // A later sync without Jira (e.g. Jira down) keeps the link: nothing to write.
    expect(plan(SMALL_MODEL, after, newCommit).operations).toEqual([]);
  });
});

test('operations are deterministic', () => {
  const state = synced();
  const text = SMALL_MODEL.replace('status: planned', 'status: mitigated').replace('due: 2026-03-31', 'due: 2026-05-01');
  expect(plan(text, state, newCommit)).toEqual(plan(text, state, newCommit));
});

describe('dashboard size', () => {
  test('a first sync of 500 threats plans the dashboard the next sync renders: the no-op resync writes nothing', async () => {
    const { generateModelText } = await import('../../../bench/generate-model.ts');
    const text = generateModelText({ threats: 500, components: 60, flows: 90 });
    const first = plan(text, emptyState());
    const after = applyPlan(emptyState(), first, FIRST_DAY).state;
    const dashboard = after.issues.find((i) => i.marker.kind === 'dashboard')!;
    expect(dashboard.body.length).toBeLessThanOrEqual(65_536);
    expect(plan(text, after, newCommit).operations).toEqual([]);
  });
});
