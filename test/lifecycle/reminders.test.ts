import { describe, expect, it } from 'vitest';
import { ConfigSchema, DEFAULT_CONFIG } from '../../src/config/schema.ts';
import { dueReminders, formatReminded, parseReminded, renderReminderComment, type ReminderRecord } from '../../src/lifecycle/reminders.ts';
import { loadModel } from '../../src/model/load.ts';
import { parseMarker, renderMarker } from '../../src/sync/github/marker.ts';
import { planGithubSync } from '../../src/sync/github/plan.ts';
import { applyPlan, config, emptyState, model as simulatorModel, SMALL_MODEL, syncContext } from '../sync/github/plan-simulator.ts';

const TEXT = `version: 1
system: { name: Test }
owners:
  sec: { name: Security, github: [lena], team: acme/security }
  ghost: { name: No login }
components:
  - { id: api, name: API, type: process }
threats:
  - { id: T1, title: Overdue, stride: S, targets: api, severity: high, owner: sec, due: 2026-11-30 }
  - { id: T2, title: Due soon, stride: S, targets: api, severity: high, owner: [sec, ghost], due: 2026-12-07 }
  - { id: T3, title: Later, stride: S, targets: api, severity: high, owner: sec, due: 2026-12-10 }
  - { id: T4, title: Mitigated, stride: S, targets: api, severity: high, owner: sec, due: 2026-01-01, status: mitigated }
  - { id: T5, title: No owner login, stride: S, targets: api, severity: low, owner: ghost, due: 2026-12-04 }
  - { id: T6, title: No due date, stride: S, targets: api, severity: low }
`;
const loaded = loadModel(TEXT, 'tm.yml');
if (!loaded.ok) throw new Error('fixture');
const model = loaded.model;
const TODAY = '2026-12-02';
const none = new Map<string, ReminderRecord | undefined>();

describe('dueReminders', () => {
  it('overdue and within before_due_days (default 7), open threats only, owners as logins and teams', () => {
    const due = dueReminders({ model, config: DEFAULT_CONFIG, today: TODAY, reminded: none });
    expect(due.map((r) => [r.threatId, r.threshold, r.daysLeft, r.handles])).toEqual([
      ['T1', 'overdue', -2, ['lena', 'acme/security']],
      ['T2', 'due-soon', 5, ['lena', 'acme/security']],
      ['T5', 'due-soon', 2, []],
    ]);
  });

  it('once per threshold: the next day nothing; passing the date gives the overdue one; a new due date starts again', () => {
    const first = dueReminders({ model, config: DEFAULT_CONFIG, today: TODAY, reminded: none });
    const sent = new Map(first.map((r) => [r.threatId, r.record]));
    // The next day: only T3, which has just entered the 7-day window; nothing already sent comes again.
    expect(dueReminders({ model, config: DEFAULT_CONFIG, today: '2026-12-03', reminded: sent }).map((r) => r.threatId)).toEqual(['T3']);
    sent.set('T3', { threshold: 'due-soon', due: '2026-12-10' });
    expect(dueReminders({ model, config: DEFAULT_CONFIG, today: '2026-12-04', reminded: sent })).toEqual([]);
    const later = dueReminders({ model, config: DEFAULT_CONFIG, today: '2026-12-08', reminded: sent });
    expect(later.map((r) => [r.threatId, r.threshold])).toEqual([
      ['T2', 'overdue'],
      ['T5', 'overdue'],
    ]);
    const moved = structuredClone(model);
    moved.threats[0]!.due = '2026-12-01';
    expect(dueReminders({ model: moved, config: DEFAULT_CONFIG, today: TODAY, reminded: sent }).map((r) => r.threatId)).toEqual(['T1']);
  });

  it('an overdue threat never reminded before gets only the overdue reminder', () => {
    const sentNothing = dueReminders({ model, config: DEFAULT_CONFIG, today: '2027-01-01', reminded: none });
    expect(sentNothing.every((r) => r.threshold === 'overdue')).toBe(true);
    const afterDueSoon = new Map([['T1', { threshold: 'due-soon', due: '2026-11-30' } as ReminderRecord]]);
    expect(dueReminders({ model, config: DEFAULT_CONFIG, today: TODAY, reminded: afterDueSoon }).map((r) => [r.threatId, r.threshold])[0]).toEqual(['T1', 'overdue']);
  });

  it('config: overdue off, before_due_days null or 0, a custom window; the sync’s own due dates', () => {
    const quiet = ConfigSchema.parse({ reminders: { overdue: false, before_due_days: null } });
    expect(dueReminders({ model, config: quiet, today: TODAY, reminded: none })).toEqual([]);
    const wide = ConfigSchema.parse({ reminders: { overdue: false, before_due_days: 30 } });
    expect(dueReminders({ model, config: wide, today: TODAY, reminded: none }).map((r) => r.threatId)).toEqual(['T2', 'T3', 'T5']);
    const sla = dueReminders({ model, config: DEFAULT_CONFIG, today: TODAY, reminded: none, dueOf: (t) => (t.id === 'T6' ? '2026-12-01' : undefined) });
    expect(sla.map((r) => [r.threatId, r.threshold])).toEqual([['T6', 'overdue']]);
    expect(ConfigSchema.safeParse({ reminders: { before_due_days: -1 } }).success).toBe(false);
  });

  it('the comment mentions the owners and says it will not repeat', () => {
    const [overdue, soon] = dueReminders({ model, config: DEFAULT_CONFIG, today: TODAY, reminded: none });
    const [today] = dueReminders({ model, config: DEFAULT_CONFIG, today: '2026-12-04', reminded: new Map([['T1', undefined]]) }).filter((r) => r.threatId === 'T5');
    expect(renderReminderComment(overdue!)).toBe(
      '@lena @acme/security: threat `T1` Overdue was due on 2026-11-30 (2 days ago).\n\nMitigate it, or change its `status`, `due` date or acceptance in the threat model. This is the only overdue reminder for this due date.',
    );
    expect(renderReminderComment(soon!).split('\n')[0]).toBe('@lena @acme/security: threat `T2` Due soon is due on 2026-12-07 (in 5 days).');
    expect(renderReminderComment(today!).split('\n')[0]).toBe('threat `T5` No owner login is due today (2026-12-04). It has no owner with a GitHub login to remind; set `owner` in the model.');
  });
});

describe('the reminded marker attribute', () => {
  it('round-trips; a marker without it renders exactly as before; a damaged value reads as none', () => {
    const old = '<!-- threatloop:threat id="T1" status="open" rating="high" -->';
    expect(renderMarker(parseMarker(old)!)).toBe(old);
    const marker = { ...parseMarker(old)!, reminded: formatReminded({ threshold: 'overdue', due: '2026-11-30' }) };
    const text = renderMarker(marker);
    expect(text).toBe('<!-- threatloop:threat id="T1" status="open" rating="high" reminded="overdue%3A2026-11-30" -->');
    expect(parseMarker(text)).toEqual(marker);
    expect(parseReminded(parseMarker(text)!.reminded)).toEqual({ threshold: 'overdue', due: '2026-11-30' });
    expect(parseReminded('overdue:2026-02-30')).toBeUndefined();
    expect(parseReminded('weekly:2026-02-01')).toBeUndefined();
    expect(parseReminded(undefined)).toBeUndefined();
  });

  it('the sync keeps it when it rewrites an issue, and an unchanged model still syncs with zero writes', () => {
    const input = { ...simulatorModel(SMALL_MODEL), config: config(), context: syncContext() };
    const first = applyPlan(emptyState(), planGithubSync({ ...input, state: emptyState() }), '2026-03-01').state;
    const issue = first.issues.find((i) => i.marker.kind === 'threat')!;
    issue.marker = { ...issue.marker, reminded: 'due-soon:2026-03-05' };
    issue.body = issue.body.replace(/ -->/, ' reminded="due-soon%3A2026-03-05" -->');
    expect(planGithubSync({ ...input, state: first }).operations).toEqual([]);
    const retitled = SMALL_MODEL.replace(/title: ([^\n]+)/, 'title: $1 (renamed)');
    const update = planGithubSync({ ...simulatorModel(retitled), config: config(), context: syncContext(), state: first }).operations.find(
      (o) => o.op === 'update-issue' && o.number === issue.number,
    );
    expect(update && 'changes' in update && update.changes.body).toContain('reminded="due-soon%3A2026-03-05"');
  });
});
