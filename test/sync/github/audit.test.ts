import { describe, expect, test } from 'vitest';
import { describeChanges, type AuditedState } from '../../../src/sync/github/audit.ts';

const state = (synced: AuditedState['synced']): AuditedState => ({ title: '[TM-1] Leak', synced: { digest: 'same', ...synced }, body: '' });

describe('audit lines', () => {
  test('statuses and severities read as the issue body names them', () => {
    expect(describeChanges(state({ status: 'open', rating: 'high', score: 8.1 }), state({ status: 'in-progress', rating: 'critical', score: 9.8 }))).toEqual([
      'status: Open → In progress',
      'severity: High → Critical (CVSS 8.1 → 9.8)',
    ]);
  });

  test('a value an old marker holds that the schema no longer knows is shown as written', () => {
    expect(describeChanges(state({ status: 'wontfix' }), state({ status: 'accepted' }))).toEqual(['status: wontfix → Accepted']);
    expect(describeChanges(state({}), state({ status: 'open' }))).toEqual(['status: unknown → Open']);
  });
});
