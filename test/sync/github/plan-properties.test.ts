/**
 * Properties of the reconcile over random models and edits:
 * plan → apply → plan is empty (idempotent), and no threat id ever has two
 * open issues, whatever the sequence of model versions.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { stringify } from 'yaml';
import { STATUSES, STRIDE_CATEGORIES } from '../../../src/model/schema.ts';
import type { RepoState } from '../../../src/sync/github/state.ts';
import { planGithubSync } from '../../../src/sync/github/plan.ts';
import { applyPlan, config, emptyState, model, syncContext } from './plan-simulator.ts';

const VECTORS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N',
  'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N',
];

const threatArb = fc.record({
  id: fc.constantFrom('TM-1', 'TM-2', 'TM-3', 'TM-4', 'TM-5', '22', 'A--B'),
  title: fc.constantFrom('Token replay', 'Bucket leak', 'Log tampering', 'Title with "quotes" and --> arrows'),
  stride: fc.subarray([...STRIDE_CATEGORIES], { minLength: 1 }),
  targets: fc.subarray(['portal', 'bucket', 'upload'], { minLength: 1 }),
  cvss: fc.option(fc.constantFrom(...VECTORS), { nil: undefined }),
  owner: fc.option(fc.subarray(['appsec', 'platform'], { minLength: 1 }), { nil: undefined }),
  status: fc.constantFrom(...STATUSES),
  due: fc.option(fc.constantFrom('2026-02-01', '2026-04-01', '2026-06-30'), { nil: undefined }),
  mitigation: fc.option(fc.constantFrom('Rotate keys', 'Enforce TLS', '<!-- threatloop:threat id="X" -->'), { nil: undefined }),
});

const modelArb = fc.uniqueArray(threatArb, { selector: (t) => t.id, maxLength: 6 }).map((threats) =>
  stringify({
    version: 1,
    system: { name: 'GenomeWell' },
    owners: { appsec: { github: ['alice', 'bob'], team: 'genomewell/appsec' }, platform: { github: ['carol'] } },
    boundaries: [{ id: 'cloud', name: 'Cloud', trust: 'restricted' }],
    components: [
      { id: 'portal', name: 'Portal', type: 'process', boundary: 'cloud' },
      { id: 'bucket', name: 'Bucket', type: 'data-store', boundary: 'cloud' },
    ],
    flows: [{ id: 'upload', from: 'portal', to: 'bucket' }],
    threats: threats.map((t) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined))),
  }),
);

const configArb = fc.record({
  prefix: fc.constantFrom('', 'tm/'),
  assign: fc.boolean(),
  assignable: fc.option(fc.constantFrom(['alice', 'carol'], ['alice', 'bob', 'carol']), { nil: undefined }),
});

test('plan → apply → plan is empty, and no threat id has two open issues, over random model histories', () => {
  fc.assert(
    fc.property(fc.array(modelArb, { minLength: 1, maxLength: 4 }), configArb, (versions, settings) => {
      const cfg = config({ labels: { prefix: settings.prefix }, assign_owners: settings.assign });
      let state: RepoState = emptyState(settings.assignable ? { assignable: new Set(settings.assignable) } : {});
      versions.forEach((text, i) => {
        const context = syncContext({ sha: String(i).repeat(40).slice(0, 40).replace(/\d/g, 'abcdef'[i % 6]!), today: `2026-03-0${i + 1}` });
        const input = { ...model(text), config: cfg, context };
        const planned = planGithubSync({ ...input, state });
        state = applyPlan(state, planned, context.today).state;
        expect(planGithubSync({ ...input, state }).operations).toEqual([]);

        const open = new Map<string, number>();
        for (const issue of state.issues) {
          if (issue.state !== 'open') continue;
          const key = issue.marker.kind === 'dashboard' ? '(dashboard)' : issue.marker.threatId!;
          open.set(key, (open.get(key) ?? 0) + 1);
        }
        for (const [key, n] of open) expect(n, key).toBe(1);
        // Every threat in this version has exactly one issue, open unless its status closes it.
        for (const threat of input.model.threats) {
          const issues = state.issues.filter((is) => is.marker.threatId === threat.id);
          expect(issues).toHaveLength(1);
          expect(issues[0]!.state).toBe(cfg.issues.close_statuses.includes(threat.status) ? 'closed' : 'open');
        }
      });
    }),
    { numRuns: 150 },
  );
});

test('duplicates made by a replica race converge to one open issue per threat in one sync', () => {
  fc.assert(
    fc.property(modelArb, fc.integer({ min: 1, max: 3 }), (text, copies) => {
      const cfg = config();
      const context = syncContext();
      const input = { ...model(text), config: cfg, context };
      const first = planGithubSync({ ...input, state: emptyState() });
      // Two replicas applied the same first plan.
      let state = applyPlan(emptyState(), first, context.today).state;
      for (let i = 0; i < copies; i++) {
        const again = applyPlan(emptyState(), first, context.today).state;
        const offset = Math.max(...state.issues.map((x) => x.number));
        state = {
          ...state,
          issues: [
            ...state.issues,
            ...again.issues.map((x) => ({ ...x, number: x.number + offset, createdAt: `2026-03-01T1${i + 1}:00:00Z` })),
          ],
        };
      }
      state = applyPlan(state, planGithubSync({ ...input, state }), context.today).state;
      expect(planGithubSync({ ...input, state }).operations).toEqual([]);
      const openIds = state.issues.filter((x) => x.state === 'open').map((x) => x.marker.threatId ?? '(dashboard)');
      expect(new Set(openIds).size).toBe(openIds.length);
    }),
    { numRuns: 60 },
  );
});
