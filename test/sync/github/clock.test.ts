/**
 * The clock in the GitHub plan, pure: expired acceptances, reminders, reused ids and ids to retire,
 * planned against the simulator's GitHub (plan → apply → plan), at fixed days.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../../src/config/schema.ts';
import { planGithubSync, type GithubPlanInput } from '../../../src/sync/github/plan.ts';
import { formatPlan } from '../../../src/sync/github/format-plan.ts';
import { boundMentions, MAX_REMINDER_MENTIONS } from '../../../src/sync/github/lifecycle.ts';
import type { GithubOperation, GithubPlan, RepoState } from '../../../src/sync/github/state.ts';
import type { DueReminder } from '../../../src/lifecycle/reminders.ts';
import { applyPlan, emptyState, model, syncContext } from './plan-simulator.ts';

const MODEL = (acceptance: string, extra = '') => `version: 1
system: { name: Clinic }
owners:
  ciso: { name: Chief Security Officer, github: [cso] }
  dev: { name: Dev team, github: [dana], team: genomewell/dev }
components:
  - { id: api, name: API, type: process }
threats:
  - id: TM-1
    title: Replay of signed URLs
    stride: S
    targets: api
    severity: medium
    owner: ciso
    status: accepted
    acceptance: ${acceptance}
  - id: TM-2
    title: Verbose errors
    stride: I
    targets: api
    severity: low
    owner: dev
    status: open
    due: 2027-02-15
${extra}`;

const ACCEPTED = MODEL('{ by: ciso, on: 2026-01-10, expires: 2027-01-31 }');
const RENEWED = MODEL('{ by: ciso, on: 2027-02-03, expires: 2027-08-31 }');

function plan(text: string, state: RepoState, today: string, overrides: Partial<GithubPlanInput> = {}): GithubPlan {
  return planGithubSync({ ...model(text), config: { ...DEFAULT_CONFIG }, state, context: syncContext({ today }), ...overrides });
}

/** Plans and applies a sync on `today`; returns the plan, the state after and the comments written. */
function sync(text: string, state: RepoState, today: string, overrides: Partial<GithubPlanInput> = {}) {
  const planned = plan(text, state, today, overrides);
  const applied = applyPlan(state, planned, today);
  return { plan: planned, ...applied };
}

const issue = (state: RepoState, id: string) => state.issues.find((i) => i.marker.threatId === id)!;
const onIssue = (ops: GithubOperation[], number: number) => ops.filter((o) => 'number' in o && o.number === number);

describe('an acceptance that expires', () => {
  const first = sync(ACCEPTED, emptyState(), '2027-01-20');
  const tm1 = issue(first.state, 'TM-1');

  test('while it holds, the accepted threat’s issue is closed', () => {
    expect(tm1.state).toBe('closed');
    expect(tm1.labels).not.toContain('acceptance:expired');
  });

  test('the day after it ends: reopened, labelled, one comment naming who accepted it and the date; the next run writes nothing', () => {
    const expired = sync(ACCEPTED, first.state, '2027-02-01');
    const ops = onIssue(expired.plan.operations, tm1.number);
    expect(ops.map((o) => o.op)).toEqual(['update-issue', 'comment']);
    const update = ops[0] as Extract<GithubOperation, { op: 'update-issue' }>;
    expect(update.changes).toMatchObject({ state: 'open', stateReason: 'reopened' });
    expect(update.changes.labels).toContain('acceptance:expired');
    expect(update.changed[0]).toBe('reopened: the acceptance (accepted by ciso) ended on 2027-01-31; renew it in the model to close the issue');
    const comment = expired.comments.filter((c) => c.number === tm1.number);
    expect(comment).toHaveLength(1);
    expect(comment[0]!.body).toContain('accepted by Chief Security Officer (`ciso`) on 2026-01-10; the acceptance expired on 2027-01-31');
    expect(expired.plan.operations.some((o) => o.op === 'create-label' && o.name === 'acceptance:expired')).toBe(true);
    expect(issue(expired.state, 'TM-1')).toMatchObject({ state: 'open', marker: { expired: '2027-01-31' } });

    expect(plan(ACCEPTED, expired.state, '2027-02-01').operations).toEqual([]);
    // Days later, still expired: nothing new either.
    expect(onIssue(plan(ACCEPTED, expired.state, '2027-02-09').operations, tm1.number)).toEqual([]);
  });

  test('the dry run shows all of it', () => {
    const text = formatPlan(plan(ACCEPTED, first.state, '2027-02-01'));
    expect(text).toContain('+ label      acceptance:expired');
    expect(text).toMatch(/↺ reopen\s+#1 TM-1 {2}reopened: the acceptance \(accepted by ciso\) ended on 2027-01-31/);
    expect(text).toContain('+ comment    #1 TM-1  **Risk acceptance expired.**');
  });

  test('a person who removes the label gets it back quietly; the comment is not repeated', () => {
    const expired = sync(ACCEPTED, first.state, '2027-02-01').state;
    issue(expired, 'TM-1').labels = issue(expired, 'TM-1').labels.filter((l) => l !== 'acceptance:expired');
    const again = plan(ACCEPTED, expired, '2027-02-02');
    expect(onIssue(again.operations, tm1.number).map((o) => o.op)).toEqual(['update-issue']);
  });

  test('renewed in the model: closed again, the label off, one audit comment; then nothing', () => {
    const expired = sync(ACCEPTED, first.state, '2027-02-01').state;
    const renewed = sync(RENEWED, expired, '2027-02-03');
    const ops = onIssue(renewed.plan.operations, tm1.number);
    expect(ops.map((o) => o.op)).toEqual(['update-issue', 'comment']);
    const after = issue(renewed.state, 'TM-1');
    expect(after.state).toBe('closed');
    expect(after.labels).not.toContain('acceptance:expired');
    expect(after.marker.expired).toBeUndefined();
    const comment = renewed.comments.find((c) => c.number === tm1.number)!.body;
    expect(comment).toContain('**Threat closed**');
    expect(comment).toContain('acceptance renewed (accepted by ciso on 2027-02-03, holds until 2027-08-31): label `acceptance:expired` removed');
    expect(plan(RENEWED, renewed.state, '2027-02-03').operations).toEqual([]);
  });

  test('a review_every that was missed lapses the acceptance the same way', () => {
    const text = MODEL('{ by: ciso, on: 2026-10-01, review_every: 90d }');
    const synced = sync(text, emptyState(), '2026-12-01').state;
    const lapsed = plan(text, synced, '2027-01-01');
    const comment = lapsed.operations.find((o) => o.op === 'comment' && o.number === issue(synced, 'TM-1').number);
    expect(comment && comment.op === 'comment' && comment.body).toContain('lapsed on 2026-12-30: it was to be reviewed every 90d');
  });

  test('a threat filed after its acceptance ended is filed open, with the label', () => {
    const created = plan(ACCEPTED, emptyState(), '2027-02-01').operations.find((o) => o.op === 'create-issue' && o.threatId === 'TM-1');
    expect(created).toMatchObject({ op: 'create-issue', fields: { labels: expect.arrayContaining(['acceptance:expired']) } });
    expect(created && 'closeAs' in created ? created.closeAs : undefined).toBeUndefined();
  });
});

describe('reminders', () => {
  const filed = sync(ACCEPTED, emptyState(), '2027-01-20').state;
  const tm2 = issue(filed, 'TM-2');

  test('due soon (7 days before), then overdue: two comments in all, each mentioning the owners, never daily', () => {
    expect(onIssue(plan(ACCEPTED, filed, '2027-02-07').operations, tm2.number)).toEqual([]);
    const soon = sync(ACCEPTED, filed, '2027-02-08');
    const soonComments = soon.comments.filter((c) => c.number === tm2.number);
    expect(soonComments).toHaveLength(1);
    expect(soonComments[0]!.body).toMatch(/^@dana @genomewell\/dev: threat `TM-2` Verbose errors is due on 2027-02-15 \(in 7 days\)\./);
    expect(issue(soon.state, 'TM-2').marker.reminded).toBe('due-soon:2027-02-15');
    expect(plan(ACCEPTED, soon.state, '2027-02-09').operations.filter((o) => 'number' in o && o.number === tm2.number)).toEqual([]);

    const overdue = sync(ACCEPTED, soon.state, '2027-02-16');
    const overdueComments = overdue.comments.filter((c) => c.number === tm2.number);
    expect(overdueComments).toHaveLength(1);
    expect(overdueComments[0]!.body).toContain('was due on 2027-02-15 (1 day ago)');
    expect(issue(overdue.state, 'TM-2').marker.reminded).toBe('overdue:2027-02-15');
    expect(plan(ACCEPTED, overdue.state, '2027-02-17').operations.filter((o) => 'number' in o && o.number === tm2.number)).toEqual([]);
  });

  test('a due date moved later starts afresh: reminded again when the new date comes near', () => {
    const overdue = sync(ACCEPTED, sync(ACCEPTED, filed, '2027-02-08').state, '2027-02-16').state;
    const moved = ACCEPTED.replace('due: 2027-02-15', 'due: 2027-03-31');
    const change = sync(moved, overdue, '2027-02-17');
    // The audit comment for the new date; no reminder (the new date is six weeks away).
    expect(change.comments.filter((c) => c.number === tm2.number).map((c) => c.body.split('\n')[0])).toEqual([
      expect.stringContaining('**Threat changed**'),
    ]);
    const near = sync(moved, change.state, '2027-03-25');
    expect(near.comments.filter((c) => c.number === tm2.number).map((c) => c.body)).toEqual([expect.stringContaining('is due on 2027-03-31 (in 6 days)')]);
  });

  test('reminders: { overdue: false, before_due_days: null } sends none', () => {
    const config: Config = { ...DEFAULT_CONFIG, reminders: { overdue: false, before_due_days: null } };
    expect(plan(ACCEPTED, filed, '2027-03-01', { config }).operations.filter((o) => o.op === 'comment' && o.number === tm2.number)).toEqual([]);
  });

  test('a threat filed already overdue: the new issue is the notice, recorded as reminded; the next sync adds nothing', () => {
    const late = sync(ACCEPTED, emptyState(), '2027-03-01');
    expect(issue(late.state, 'TM-2').marker.reminded).toBe('overdue:2027-02-15');
    expect(plan(ACCEPTED, late.state, '2027-03-02').operations.filter((o) => o.op !== 'update-dashboard')).toEqual([]);
  });

  test('reminders count as writes like every other comment, so the write budget bounds them', () => {
    const many = `version: 1
system: { name: Many }
owners: { dev: { github: [dana] } }
components: [{ id: api, name: API, type: process }]
threats:
${Array.from({ length: 40 }, (_, i) => `  - { id: T-${i + 1}, title: Threat ${i + 1}, stride: S, targets: api, severity: low, owner: dev, due: 2027-02-15 }`).join('\n')}
`;
    const state = sync(many, emptyState(), '2027-01-01').state;
    const p = plan(many, state, '2027-03-01');
    expect(p.operations.filter((o) => o.op === 'comment')).toHaveLength(40);
    expect(p.operations.filter((o) => o.op === 'update-issue')).toHaveLength(40);
  });
});

describe('mentions are bounded', () => {
  const reminder = (handles: string[]): DueReminder => ({
    threatId: 'T',
    title: 'T',
    threshold: 'overdue',
    due: '2027-01-01',
    daysLeft: -1,
    owners: ['x'],
    handles,
    record: { threshold: 'overdue', due: '2027-01-01' },
  });

  test(`at most ${MAX_REMINDER_MENTIONS} mentions; logins that are not collaborators and other organisations' teams are named, not mentioned`, () => {
    const handles = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'stranger', 'genomewell/dev', 'other-org/red-team'];
    const bounded = boundMentions(reminder(handles), { owner: 'genomewell', assignable: new Set(['a1', 'a2', 'a3', 'a4', 'a5', 'A6']) });
    expect(bounded.handles).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(bounded.notMentioned).toEqual(['a6', 'stranger', 'genomewell/dev', 'other-org/red-team']);
  });

  test('hundreds of owners: five mentions and twenty names, the rest counted', () => {
    const handles = Array.from({ length: 300 }, (_, i) => `user${i}`);
    const bounded = boundMentions(reminder(handles), { owner: 'genomewell' });
    expect(bounded.handles).toHaveLength(5);
    expect(bounded.notMentioned).toHaveLength(21);
    expect(bounded.notMentioned!.at(-1)).toBe('… and 275 more');
  });
});

describe('an id that comes back for another threat', () => {
  const withExtra = `${ACCEPTED}  - { id: TM-9, title: Old threat about backups, stride: D, targets: api, severity: low, status: open }\n`;
  const removed = sync(ACCEPTED, sync(withExtra, emptyState(), '2027-01-01').state, '2027-01-02');

  test('the removed threat’s issue is closed as not planned, and the plan suggests retiring its id', () => {
    expect(issue(removed.state, 'TM-9')).toMatchObject({ state: 'closed', stateReason: 'not_planned' });
    expect(plan(ACCEPTED, removed.state, '2027-01-03').notes).toContainEqual(expect.stringContaining('Threat id TM-9 left the model but is not retired: add `retired: [TM-9]`'));
    expect(plan(ACCEPTED.replace('threats:', 'retired: [TM-9]\nthreats:'), removed.state, '2027-01-03').notes).toEqual([]);
  });

  test('reopened for a new threat only with an audit comment that says the id was reused, old title → new title', () => {
    const reused = `${ACCEPTED}  - { id: TM-9, title: Stolen laptops, stride: I, targets: api, severity: low, status: open }\n`;
    const back = sync(reused, removed.state, '2027-01-03');
    const number = issue(removed.state, 'TM-9').number;
    expect(onIssue(back.plan.operations, number).map((o) => o.op)).toEqual(['update-issue', 'comment']);
    const comment = back.comments.find((c) => c.number === number)!.body;
    expect(comment).toContain('**Threat id reused**');
    expect(comment).toContain('id reused: `TM-9` had left the model (this issue was closed as not planned) and now names another threat: “[TM-9] Old threat about backups” → “[TM-9] Stolen laptops”');
    expect(plan(reused, back.state, '2027-01-03').operations).toEqual([]);
  });

  test('the same threat coming back unchanged is not called a reuse', () => {
    const back = sync(withExtra, removed.state, '2027-01-03');
    const comment = back.comments.find((c) => c.number === issue(removed.state, 'TM-9').number)!.body;
    expect(comment).toContain('**Threat reopened**');
    expect(comment).not.toContain('reused');
  });
});

describe('the dashboard', () => {
  test('overdue first, then expired and expiring acceptances; without any, it renders as before', () => {
    const soonToEnd = MODEL('{ by: ciso, on: 2026-01-10, expires: 2027-03-10 }');
    const state = sync(soonToEnd, emptyState(), '2027-01-01').state;
    const body = (text: string, today: string) => {
      const p = plan(text, state, today);
      const op = p.operations.find((o) => o.op === 'update-dashboard');
      if (op?.op !== 'update-dashboard' || op.changes.body === undefined) throw new Error('the dashboard should change');
      return op.changes.body;
    };
    const later = body(soonToEnd, '2027-02-20');
    expect(later).toContain('#### Acceptances expiring in 30 days (1)\n\n- #1 **TM-1** (Accepted by Chief Security Officer on 2026-01-10, ends 2027-03-10)');
    expect(later.indexOf('#### Overdue (1)')).toBeLessThan(later.indexOf('#### Acceptances expiring'));
    expect(later.indexOf('#### Overdue (1)')).toBeLessThan(later.indexOf('#### Unowned') === -1 ? Infinity : later.indexOf('#### Unowned'));
    const ended = body(soonToEnd, '2027-03-11');
    expect(ended).toContain('#### Expired acceptances (1)\n\n- #1 **TM-1** (Accepted by Chief Security Officer on 2026-01-10, ended 2027-03-10)');
  });

  test('no acceptance ending and nothing overdue: the same text as without the acceptance input', () => {
    const state = sync(ACCEPTED, emptyState(), '2026-06-01').state;
    const dashboard = state.issues.find((i) => i.marker.kind === 'dashboard')!;
    const p = plan(ACCEPTED, state, '2026-06-01');
    expect(p.operations).toEqual([]);
    expect(dashboard.body).toContain('No critical or high threat is open, nothing is overdue');
  });
});

describe('overdue by the SLA (no `due` in the model)', () => {
  // TM-3 (high, no due): 30 days from its issue's creation by default. Lint's `overdue` cannot see it.
  const WITH_SLA = MODEL('{ by: ciso, on: 2026-01-10, expires: 2028-01-31 }', `  - id: TM-3
    title: Token in logs
    stride: I
    targets: api
    severity: high
    owner: dev
    status: open
`);
  const state = sync(WITH_SLA, emptyState(), '2027-01-01').state;

  test('the plan lists it once the SLA has passed, longest overdue first, and not while it holds or once closed', () => {
    expect(plan(WITH_SLA, state, '2027-01-31').slaOverdue).toBeUndefined();
    expect(plan(WITH_SLA, state, '2027-02-01').slaOverdue).toEqual([{ threatId: 'TM-3', due: '2027-01-31', slaDays: 30, from: '2027-01-01' }]);
    expect(plan(WITH_SLA.replace('severity: high\n    owner: dev\n    status: open', 'severity: high\n    owner: dev\n    status: mitigated'), state, '2027-03-01').slaOverdue).toBeUndefined();
    // TM-2's own `due` (2027-02-15) is lint's to report, not the plan's.
    expect(plan(WITH_SLA, state, '2027-03-01').slaOverdue?.map((o) => o.threatId)).toEqual(['TM-3']);
  });
});
