import { describe, expect, it } from 'vitest';
import { ConfigSchema, DEFAULT_CONFIG } from '../../src/config/schema.ts';
import { planAcceptanceReview } from '../../src/lifecycle/acceptance.ts';
import { loadModel } from '../../src/model/load.ts';
import { acceptanceExpiredLabel, isManagedLabel, mergeLabels, missingLabelOperations, threatIssueLabels } from '../../src/sync/github/labels.ts';

const TEXT = `version: 1
system: { name: Test }
owners:
  sec: { name: Security, github: sec-lead }
components:
  - { id: api, name: API, type: process }
threats:
  - { id: A, title: Expired, stride: T, targets: api, severity: low, status: accepted, rationale: r, acceptance: { by: sec, on: 2025-01-01, expires: 2026-01-31 } }
  - { id: B, title: Expiring later, stride: T, targets: api, severity: low, status: transferred, rationale: r, acceptance: { by: sec, on: 2025-01-01, expires: 2026-02-25 } }
  - { id: C, title: Expiring sooner, stride: T, targets: api, severity: low, status: accepted, rationale: r, acceptance: { by: sec, on: 2025-11-10, review_every: 90d } }
  - { id: D, title: Fine, stride: T, targets: api, severity: low, status: accepted, rationale: r, acceptance: { by: sec, on: 2025-01-01, expires: 2027-01-01 } }
  - { id: E, title: Expired and not closing, stride: T, targets: api, severity: low, status: transferred, rationale: r, acceptance: { by: sec, on: 2025-01-01, expires: 2025-06-01 } }
`;

function model() {
  const loaded = loadModel(TEXT, 'tm.yml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.findings));
  return loaded.model;
}

describe('planAcceptanceReview', () => {
  it('expired acceptances reopen an issue whose status closes it; expiring ones are listed soonest first', () => {
    const config = ConfigSchema.parse({ issues: { close_statuses: ['mitigated', 'verified', 'accepted'] } });
    const review = planAcceptanceReview(model(), config, '2026-02-01');
    expect(review.expired.map((s) => [s.threatId, s.reopen, s.end.lastDay])).toEqual([
      ['A', true, '2026-01-31'],
      ['E', false, '2025-06-01'],
    ]);
    expect(review.expiring.map((s) => [s.threatId, s.daysLeft])).toEqual([
      ['C', 7],
      ['B', 24],
    ]);
    expect([...review.expiredIds]).toEqual(['A', 'E']);
  });

  it('renewing the acceptance takes the threat out of expired; lint.acceptance_warning_days widens expiring', () => {
    const renewed = model();
    renewed.threats[0]!.acceptance = { by: 'sec', on: '2026-02-01', expires: '2027-02-01' };
    expect(planAcceptanceReview(renewed, DEFAULT_CONFIG, '2026-02-01').expired.map((s) => s.threatId)).toEqual(['E']);
    const wide = ConfigSchema.parse({ lint: { acceptance_warning_days: 400 } });
    expect(planAcceptanceReview(model(), wide, '2026-02-01').expiring.map((s) => s.threatId)).toEqual(['C', 'B', 'D']);
  });
});

describe('the acceptance:expired label', () => {
  it('is managed (with the prefix) and carried only while the acceptance is expired', () => {
    expect(isManagedLabel('tm/acceptance:expired', 'tm/')).toBe(true);
    expect(isManagedLabel('acceptance:expired', 'tm/')).toBe(false);
    expect(isManagedLabel('acceptance:pending', '')).toBe(false);
    const plain = threatIssueLabels('', 'low', ['tampering']).map((l) => l.name);
    const expired = threatIssueLabels('', 'low', ['tampering'], { acceptanceExpired: true }).map((l) => l.name);
    expect(plain).toEqual(['threat', 'severity:low', 'stride:tampering']);
    expect(expired).toEqual([...plain, 'acceptance:expired']);
    // Renewed: the label goes, a person's label stays.
    expect(mergeLabels([...expired, 'team:blue'], plain, '')).toEqual([...plain, 'team:blue']);
  });

  it('is created only when an issue needs it', () => {
    const needed = threatIssueLabels('', 'low', ['tampering'], { acceptanceExpired: true });
    const ops = missingLabelOperations(needed, [{ name: 'threat', color: '5319e7', description: null }], '');
    expect(ops.map((o) => (o.op === 'create-label' ? o.name : o.op))).toEqual(['severity:low', 'stride:tampering', 'acceptance:expired']);
    expect(ops.at(-1)).toEqual({ op: 'create-label', ...acceptanceExpiredLabel('') });
    expect(missingLabelOperations(threatIssueLabels('', 'low', []), [], '').some((o) => o.op === 'create-label' && o.name === 'acceptance:expired')).toBe(false);
  });
});

describe('renderAcceptanceExpiredComment', () => {
  it('names who accepted it, when, and when it ended, without mentioning anyone', async () => {
    const { renderAcceptanceExpiredComment } = await import('../../src/lifecycle/acceptance.ts');
    const review = planAcceptanceReview(model(), DEFAULT_CONFIG, '2026-06-01');
    const [a, b] = review.expired;
    expect(renderAcceptanceExpiredComment(a!, model())).toBe(
      '**Risk acceptance expired.** Threat `A` was accepted by Security (`sec`) on 2025-01-01; the acceptance expired on 2026-01-31.\n\n' +
        "The issue is reopened and labelled `acceptance:expired` until the acceptance is renewed in the threat model (a new `on` or `expires`) or the threat's status changes.",
    );
    const lapsed = review.expired.find((s) => s.threatId === 'C')!;
    expect(renderAcceptanceExpiredComment(lapsed, model()).split('\n')[0]).toBe(
      '**Risk acceptance expired.** Threat `C` was accepted by Security (`sec`) on 2025-11-10; the acceptance lapsed on 2026-02-08: it was to be reviewed every 90d and was not renewed.',
    );
    expect(renderAcceptanceExpiredComment({ ...b!, acceptance: { ...b!.acceptance, by: 'octocat' } }, model())).toContain('transferred by `octocat` on 2025-01-01');
    expect(renderAcceptanceExpiredComment(a!, model())).not.toMatch(/@\w/);
  });
});
