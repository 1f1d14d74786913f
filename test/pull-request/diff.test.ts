import { describe, expect, it } from 'vitest';
import { diffModels, isEmptyDiff } from '../../src/pull-request/diff.ts';
import { paymentsModel } from './fixtures.ts';

describe('diffModels', () => {
  it('is empty for the same model', () => {
    expect(isEmptyDiff(diffModels(paymentsModel(), paymentsModel()))).toBe(true);
  });

  it('names the components and flows new at head (a flow and a component may share nothing but the id), with what each lacks', () => {
    const head = paymentsModel();
    head.components.push({ id: 'queue', name: 'Queue', type: 'data-store', boundary: 'vpc', out_of_scope: { rationale: 'Managed by the platform team' } });
    head.flows.push({ id: 'f-api-worker', from: 'api', to: 'worker' });
    head.threats.push({ id: 'TM-7', title: 'Job tampering', stride: ['tampering', 'information-disclosure'], targets: ['f-api-worker'], severity: 'low', status: 'open' });
    const diff = diffModels(paymentsModel(), head);
    expect(diff.addedElements).toEqual([
      { id: 'queue', name: 'Queue', kind: 'component', type: 'data-store', outOfScope: true, missing: [] },
      { id: 'f-api-worker', name: 'f-api-worker', kind: 'flow', type: 'flow', outOfScope: false, missing: ['denial-of-service'] },
    ]);
    expect(isEmptyDiff(diffModels(paymentsModel(), head))).toBe(false);
    // Removing an element is not an addition; an unchanged model adds nothing.
    expect(diffModels(head, paymentsModel()).addedElements).toEqual([]);
    expect(diffModels(paymentsModel(), paymentsModel()).addedElements).toEqual([]);
  });

  it('reports added, removed, re-scored, status, owner, due, title and target changes', () => {
    const base = paymentsModel();
    const head = paymentsModel();
    head.threats = head.threats.filter((t) => t.id !== 'TM-4');
    const tm1 = head.threats.find((t) => t.id === 'TM-1')!;
    tm1.cvss = { vector: 'CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N' };
    tm1.status = 'mitigated';
    tm1.owner = ['security'];
    tm1.due = undefined;
    const tm2 = head.threats.find((t) => t.id === 'TM-2')!;
    tm2.title = 'SQL injection in the search endpoint';
    tm2.targets = ['api'];
    head.threats.push({ ...tm2, id: 'TM-9', title: 'New threat', severity: 'critical', targets: ['db'] });

    const diff = diffModels(base, head);
    expect(diff.added.map((t) => [t.id, t.score.rating])).toEqual([['TM-9', 'critical']]);
    expect(diff.removed.map((t) => [t.id, t.score.rating])).toEqual([['TM-4', 'low']]);
    const [first, second] = diff.changed;
    expect(first).toMatchObject({
      id: 'TM-1',
      rescored: { from: { rating: 'critical', score: 9.8 }, to: { rating: 'medium', score: 5.3 } },
      status: { from: 'planned', to: 'mitigated' },
      owner: { from: ['backend'], to: ['security'] },
      due: { from: '2026-01-31', to: undefined },
    });
    expect(first?.titleChange).toBeUndefined();
    expect(second).toMatchObject({
      id: 'TM-2',
      titleChange: { from: 'SQL injection in search', to: 'SQL injection in the search endpoint' },
      targets: { from: ['api', 'db'], to: ['api'] },
    });
    expect(second?.rescored).toBeUndefined();
    expect(diff.changed).toHaveLength(2);
  });

  it('notices a severity change on a threat without a vector', () => {
    const head = paymentsModel();
    head.threats.find((t) => t.id === 'TM-4')!.severity = 'high';
    expect(diffModels(paymentsModel(), head).changed[0]?.rescored).toEqual({ from: { rating: 'low' }, to: { rating: 'high' } });
  });
});
