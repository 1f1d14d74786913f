import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.ts';
import { acceptanceEnd, addInterval, reviewAcceptances } from '../../src/model/acceptance.ts';
import type { Finding } from '../../src/model/findings.ts';
import { lintOptionsFromConfig } from '../../src/config/lint-options.ts';
import { lintModelText, type LintOptions } from '../../src/model/lint/index.ts';

import { RATIONALE_PLACEHOLDER } from '../../src/model/lint/lifecycle.ts';
import { loadModel } from '../../src/model/load.ts';

const PER_ELEMENT_OFF = { 'stride-coverage': 'off', 'boundary-crossing-flow': 'off' } as const;

const TODAY = '2026-06-01';

/** One component, one owner, then the threats given (each a block of `key: value` lines). */
function model(threats: string[], extra = ''): string {
  return `version: 1
system:
  name: Test
  out_of_scope: []
owners:
  sec: { name: Security, github: sec-lead }
components:
  - { id: api, name: API, type: process, owner: sec, paths: ["src/**"] }
threats:
${threats
  .map((fields, i) =>
    [`  - id: T${i + 1}`, `    title: Threat ${i + 1}`, '    stride: T', '    targets: api', '    owner: sec', ...fields.split('\n').filter(Boolean).map((l) => `    ${l}`)].join('\n'),
  )
  .join('\n')}
${extra}`;
}

const ACCEPTED = 'status: accepted\nrationale: Low impact, costly fix';

function lint(text: string, options: Partial<LintOptions> = {}) {
  // STRIDE-per-element coverage has its own tests: these small models are about acceptances and ids.
  return lintModelText(text, 'tm.yml', { today: TODAY, ...options, rules: { ...PER_ELEMENT_OFF, ...options.rules } });
}
const brief = (findings: readonly Finding[]) => findings.map((f) => `${f.rule}:${f.level}@${f.start.line}:${f.start.column}`);

describe('acceptance schema', () => {
  it('accepts { by, on, expires, review_every } in block and flow style, `by` with or without @', () => {
    const text = model([
      `${ACCEPTED}\nseverity: low\nacceptance:\n  by: "@octo-cat"\n  on: 2026-01-10\n  expires: 2026-12-31\n  review_every: 6m`,
      `${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2026-01-10, review_every: 90d }`,
    ]);
    const loaded = loadModel(text, 'tm.yml');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.model.threats[0]!.acceptance).toEqual({ by: 'octo-cat', on: '2026-01-10', expires: '2026-12-31', review_every: '6m' });
    expect(loaded.model.threats[1]!.acceptance?.by).toBe('sec');
  });

  it('needs an end (expires or review_every), a real interval and an expiry after `on`, each positioned', () => {
    const noEnd = lint(model([`${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2026-01-10 }`])).findings;
    expect(noEnd).toHaveLength(1);
    expect(noEnd[0]!.message).toContain('needs `expires` (a date) or `review_every`');
    const badInterval = lint(model([`${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2026-01-10, review_every: quarterly }`])).findings;
    expect(badInterval[0]!.message).toContain('"quarterly" is not an interval such as 90d, 12w or 6m');
    expect(badInterval[0]!.start.line).toBe(18);
    const backwards = lint(model([`${ACCEPTED}\nseverity: low\nacceptance:\n  by: sec\n  on: 2026-01-10\n  expires: 2025-01-10`])).findings;
    expect(brief(backwards)).toEqual(['schema:error@21:16']);
    expect(backwards[0]!.message).toContain('must not be before `on`');
  });
});

describe('acceptance lint', () => {
  it('acceptance-missing: a warning for low and medium threats, an error for critical and high, at the status', () => {
    const result = lint(model([`${ACCEPTED}\nseverity: low`, `${ACCEPTED}\nseverity: high`, 'status: transferred\nrationale: Insurer carries it\nseverity: critical']));
    expect(brief(result.findings)).toEqual(['acceptance-missing:warning@15:13', 'acceptance-missing:error@23:13', 'acceptance-missing:error@31:13']);
    expect(result.findings[2]!.message).toBe(
      'threat T3 is transferred but does not say who accepted it and until when; add `acceptance: { by: <owner or login>, on: YYYY-MM-DD, expires: YYYY-MM-DD }`',
    );
  });

  it('acceptance-missing: a level set in lint.rules applies to every finding', () => {
    const text = model([`${ACCEPTED}\nseverity: low`, `${ACCEPTED}\nseverity: high`]);
    expect(brief(lint(text, { rules: { 'acceptance-missing': 'error' } }).findings)).toEqual(['acceptance-missing:error@15:13', 'acceptance-missing:error@23:13']);
    expect(brief(lint(text, { rules: { 'acceptance-missing': 'warning' } }).findings)).toEqual(['acceptance-missing:warning@15:13', 'acceptance-missing:warning@23:13']);
    expect(lint(text, { rules: { 'acceptance-missing': 'off' } }).findings).toEqual([]);
  });

  it('acceptance-expired: after the last day of `expires`, or after a missed review, at the field that set the end', () => {
    const text = model([
      `${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2025-01-01, expires: 2026-05-31 }`,
      `${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2026-01-01, review_every: 12w, expires: 2027-01-01 }`,
      `${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2025-01-01, expires: 2026-06-01 }`,
    ]);
    const result = lint(text, { rules: { 'acceptance-expiring': 'off' } });
    expect(brief(result.findings)).toEqual(['acceptance-expired:error@18:53', 'acceptance-expired:error@27:58']);
    expect(result.findings[0]!.message).toBe(
      'threat T1: the acceptance by sec expired on 2026-05-31, 1 day ago; renew it (a new `on` or `expires`) or change the status',
    );
    expect(result.findings[1]!.message).toBe(
      'threat T2: the acceptance by sec was due for review on 2026-03-26 (12w after 2026-01-01), 67 days ago; renew it (a new `on` or `expires`) or change the status',
    );
  });

  it('acceptance-expiring: within lint.acceptance_warning_days (default 30), the last day included', () => {
    const text = model([
      `${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2025-01-01, expires: 2026-07-01 }`,
      `${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2025-01-01, expires: 2026-07-02 }`,
      `${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2025-01-01, expires: 2026-06-01 }`,
    ]);
    expect(brief(lint(text).findings)).toEqual(['acceptance-expiring:warning@18:53', 'acceptance-expiring:warning@36:53']);
    expect(lint(text).findings[1]!.message).toBe('threat T3: the acceptance by sec expires today (2026-06-01)');
    const config = ConfigSchema.parse({ lint: { acceptance_warning_days: 31 } });
    expect(lint(text, lintOptionsFromConfig(config, TODAY)).findings).toHaveLength(3);
    expect(lint(text, { acceptanceWarningDays: 0 }).findings).toHaveLength(1);
  });

  it('ignores acceptances on threats that are not accepted or transferred', () => {
    const text = model(['status: mitigated\nseverity: low\nacceptance: { by: sec, on: 2020-01-01, expires: 2020-02-01 }']);
    expect(lint(text).findings).toEqual([]);
  });
});

describe('retired ids', () => {
  it('id-reused: a threat whose id is retired, naming the line of the retired entry; numbers compare as strings', () => {
    const result = lint(model(['severity: low', 'severity: low'], 'retired: [T2, 42]\n'));
    expect(brief(result.findings)).toEqual(['id-reused:error@16:9']);
    expect(result.findings[0]!.message).toBe('threat id "T2" is retired (line 22): it belonged to a removed threat; give this threat a new id');
    const numeric = model(['severity: low']).replace('id: T1', 'id: 42') + 'retired:\n  - 42\n';
    expect(brief(lint(numeric).findings)).toEqual(['id-reused:error@10:9']);
  });

  it('a retired list that no threat uses is clean', () => {
    expect(lint(model(['severity: low'], 'retired: [T7]\n')).findings).toEqual([]);
  });
});

describe('rationale-placeholder', () => {
  it('flags the placeholder a proposal writes until a person replaces it', () => {
    const result = lint(model([`status: mitigated\nseverity: low\nrationale: "${RATIONALE_PLACEHOLDER}"`]));
    expect(brief(result.findings)).toEqual(['rationale-placeholder:error@17:16']);
  });
});

describe('acceptance dates', () => {
  it('adds days, weeks and calendar months (clamped to the month end)', () => {
    expect(addInterval('2026-01-01', '90d')).toBe('2026-04-01');
    expect(addInterval('2026-01-01', '2w')).toBe('2026-01-15');
    expect(addInterval('2027-01-31', '1m')).toBe('2027-02-28');
    expect(addInterval('2028-01-31', '1m')).toBe('2028-02-29');
    expect(addInterval('2026-11-15', '3m')).toBe('2027-02-15');
    expect(addInterval('2026-05-31', '12m')).toBe('2027-05-31');
  });

  it('ends at the earlier of expires and the next review', () => {
    expect(acceptanceEnd({ by: 'a', on: '2026-01-01', expires: '2026-03-01', review_every: '6m' })).toEqual({ lastDay: '2026-03-01', by: 'expires' });
    expect(acceptanceEnd({ by: 'a', on: '2026-01-01', expires: '2026-12-01', review_every: '6m' })).toEqual({ lastDay: '2026-07-01', by: 'review_every' });
  });

  it('reviewAcceptances: expired and expiring accepted or transferred threats, in model order', () => {
    const loaded = loadModel(
      model([
        `${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2025-01-01, expires: 2026-05-01 }`,
        `${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2025-01-01, expires: 2026-06-20 }`,
        `${ACCEPTED}\nseverity: low\nacceptance: { by: sec, on: 2025-01-01, expires: 2027-01-01 }`,
        `${ACCEPTED}\nseverity: low`,
        'status: open\nseverity: low\nacceptance: { by: sec, on: 2025-01-01, expires: 2025-02-01 }',
      ]),
      'tm.yml',
    );
    if (!loaded.ok) throw new Error('model did not load');
    const states = reviewAcceptances(loaded.model, TODAY, 30);
    expect(states.map((s) => [s.threatId, s.state, s.daysLeft, s.end.lastDay])).toEqual([
      ['T1', 'expired', -31, '2026-05-01'],
      ['T2', 'expiring', 19, '2026-06-20'],
    ]);
  });
});

describe('suggestRetiredIds', () => {
  const load = (text: string) => {
    const loaded = loadModel(text, 'tm.yml');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.findings));
    return loaded.model;
  };

  it('suggests the ids of removed threats and retired ids dropped from the list, once each, not ones already retired', async () => {
    const { suggestRetiredIds } = await import('../../src/model/retired.ts');
    const previous = load(model(['severity: low', 'severity: low', 'severity: low'], 'retired: [T9, T8]\n'));
    const current = load(model(['severity: low'], 'retired: [T8, T3]\n'));
    expect(suggestRetiredIds(previous, current)).toEqual([
      { id: 'T2', why: 'removed' },
      { id: 'T9', why: 'dropped' },
    ]);
    expect(suggestRetiredIds(current, current)).toEqual([]);
  });

  it('does not suggest an id a current threat still uses (a renumbered model is a person’s decision)', async () => {
    const { suggestRetiredIds } = await import('../../src/model/retired.ts');
    const previous = load(model(['severity: low', 'severity: low']));
    const current = load(model(['severity: low', 'severity: high']).replace('title: Threat 2', 'title: Something else'));
    expect(suggestRetiredIds(previous, current)).toEqual([]);
  });
});
