import { describe, expect, test } from 'vitest';
import type { SyncOutcome } from '../../src/sync/run.ts';
import { describeSync } from '../../src/sync/summary.ts';

const base: SyncOutcome = {
  status: 'applied',
  modelRepo: 'genomewell/platform',
  modelPath: 'threat-model.yml',
  issuesRepo: 'genomewell/security',
  sha: 'a'.repeat(40),
  findings: [],
  configFound: true,
  notes: [],
  requests: { reads: 12, writes: 0 },
};

describe('check run summary of a sync', () => {
  test('in sync: says so once, without "Applied 0 of 0 operations"', () => {
    const s = describeSync({ ...base, plan: { operations: [], notes: [] }, apply: { applied: 0, writes: 0, remaining: 0, errors: [], created: new Map() } });
    expect(s.title).toBe('0 errors, 0 warnings · issues already in sync');
    expect(s.summary).toContain('Issues in genomewell/security are in sync with the model: nothing to do.');
    expect(s.summary).not.toContain('Applied');
  });

  test('an interrupted sync says when it resumes in the date format of the other outputs, to the minute', () => {
    const s = describeSync({
      ...base,
      status: 'incomplete',
      plan: { operations: [{ op: 'create-label', name: 'threat', color: 'ffffff', description: '' }], notes: [] },
      apply: { applied: 0, writes: 0, remaining: 1, errors: [], created: new Map(), stoppedBy: 'budget' },
      resumeAt: new Date('2026-03-01T10:10:42.123Z'),
    });
    expect(s.summary).toContain('it resumes after 2026-03-01 10:10 UTC.');
    expect(s.summary).toContain('Applied 0 of 1 operations');
    expect(s.title).toBe('0 errors, 0 warnings · sync in progress: 0 of 1 writes; resumes at 10:10 UTC');
  });

  test('a long sync shows its progress in the title: writes done of writes planned, and when it resumes', () => {
    const label = { op: 'create-label' as const, name: 'threat', color: 'ffffff', description: '' };
    const s = describeSync({
      ...base,
      status: 'incomplete',
      plan: { operations: Array(1159).fill(label), notes: [] },
      apply: { applied: 312, writes: 312, remaining: 847, errors: [], created: new Map(), stoppedBy: 'rate-limit' },
      resumeAt: new Date('2026-03-01T14:10:00Z'),
    });
    expect(s.title).toBe('0 errors, 0 warnings · sync in progress: 312 of 1,159 writes; resumes at 14:10 UTC');
  });

  test('every title separates the lint counts from the outcome the same way', () => {
    const error = { rule: 'schema', level: 'error' as const, message: 'x', file: 'threat-model.yml', start: { line: 1, column: 1 } };
    expect(describeSync({ ...base, status: 'invalid', findings: [error] }).title).toBe('1 error, 0 warnings · issues not synced');
  });

  test('overdue threats open the summary, then expired acceptances; a synced model with an expired acceptance fails the check', () => {
    const at = (rule: string, level: 'error' | 'warning', message: string, line: number) => ({ rule, level, message, file: 'threat-model.yml', start: { line, column: 1 } });
    const s = describeSync({
      ...base,
      findings: [
        at('unscored', 'warning', 'threat TM-3 has no severity', 3),
        at('acceptance-expired', 'error', 'threat TM-1: the acceptance by ciso expired on 2027-01-31', 10),
        at('overdue', 'warning', 'threat TM-2 is open and was due 2027-02-15 (1 days ago)', 20),
      ],
      plan: { operations: [], notes: [] },
      apply: { applied: 0, writes: 0, remaining: 0, errors: [], created: new Map() },
    });
    expect(s.conclusion).toBe('failure');
    expect(s.summary.split('\n').slice(2, 8)).toEqual([
      '**Overdue (1)**',
      '- threat TM-2 is open and was due 2027-02-15 (1 days ago)',
      '',
      '**Expired acceptances (1)**',
      '- threat TM-1: the acceptance by ciso expired on 2027-01-31',
      '',
    ]);
  });

  test('threats past their rating’s SLA join the overdue list, after those past the model’s own due date', () => {
    const s = describeSync({
      ...base,
      findings: [{ rule: 'overdue', level: 'warning', message: 'threat TM-2 is open and was due 2027-02-15 (1 days ago)', file: 'threat-model.yml', start: { line: 20, column: 1 } }],
      plan: { operations: [], notes: [], slaOverdue: [{ threatId: 'TM-3', due: '2027-01-31', slaDays: 30, from: '2027-01-01' }] },
      apply: { applied: 0, writes: 0, remaining: 0, errors: [], created: new Map() },
    });
    expect(s.summary.split('\n').slice(2, 6)).toEqual([
      '**Overdue (2)**',
      '- threat TM-2 is open and was due 2027-02-15 (1 days ago)',
      "- threat TM-3 was due 2027-01-31: the 30-day SLA for its rating, counted from its issue's creation on 2027-01-01",
      '',
    ]);
  });
});
