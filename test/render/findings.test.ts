import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.ts';
import { LINT_RULES, lintModelText } from '../../src/model/lint/index.ts';
import {
  formatFindingsJson,
  formatFindingsSarif,
  formatFindingsSummary,
  formatFindingsText,
} from '../../src/render/findings.ts';

const FINDINGS: Finding[] = [
  {
    rule: 'duplicate-id',
    level: 'error',
    message: 'threat id "42" is used twice: line 10 and line 20',
    file: 'threat-model.yml',
    start: { line: 20, column: 9 },
    end: { line: 20, column: 11 },
    path: ['threats', 3, 'id'],
  },
  {
    rule: 'unscored',
    level: 'warning',
    message: 'threat 7 is unscored',
    file: './models/threat model.yml',
    start: { line: 3, column: 5 },
  },
];

describe('formatFindingsText', () => {
  it('prints file:line:col severity rule message, one per line', () => {
    expect(formatFindingsText(FINDINGS)).toBe(
      [
        'threat-model.yml:20:9 error duplicate-id threat id "42" is used twice: line 10 and line 20',
        './models/threat model.yml:3:5 warning unscored threat 7 is unscored',
      ].join('\n'),
    );
    expect(formatFindingsText([])).toBe('');
  });

  it('summarises with plurals', () => {
    expect(formatFindingsSummary(FINDINGS, 'threat-model.yml')).toBe('1 error, 1 warning in threat-model.yml');
    expect(formatFindingsSummary([], 'm.yml')).toBe('0 errors, 0 warnings in m.yml');
  });
});

describe('formatFindingsJson', () => {
  it('is the findings plus counts', () => {
    const parsed = JSON.parse(formatFindingsJson(FINDINGS));
    expect(parsed.summary).toEqual({ errors: 1, warnings: 1 });
    expect(parsed.findings).toEqual(FINDINGS);
  });
});

describe('formatFindingsSarif', () => {
  const sarif = JSON.parse(formatFindingsSarif(FINDINGS, '1.2.3'));
  const run = sarif.runs[0];

  it('is SARIF 2.1.0 with the tool and every rule described', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(run.tool.driver).toMatchObject({ name: 'threatloop', version: '1.2.3' });
    const rules = run.tool.driver.rules as { id: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }[];
    expect(rules.map((r) => r.id)).toEqual(Object.keys(LINT_RULES));
    for (const rule of rules) {
      expect(rule.shortDescription.text).toBe(LINT_RULES[rule.id]!.description);
      expect(rule.defaultConfiguration.level).toBe(LINT_RULES[rule.id]!.level);
    }
  });

  it('has one result per finding with rule, level, message and a region code scanning accepts', () => {
    expect(run.results).toHaveLength(2);
    const [dup, unscored] = run.results;
    expect(dup).toMatchObject({
      ruleId: 'duplicate-id',
      level: 'error',
      message: { text: 'threat id "42" is used twice: line 10 and line 20' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'threat-model.yml', uriBaseId: '%SRCROOT%' },
            region: { startLine: 20, startColumn: 9, endLine: 20, endColumn: 11 },
          },
        },
      ],
    });
    expect(run.tool.driver.rules[dup.ruleIndex].id).toBe('duplicate-id');
    expect(dup.partialFingerprints['threatloop/v1']).toMatch(/^[0-9a-f]{32}$/);
    // Relative URI with forward slashes, no leading ./, spaces encoded; no end when none is known.
    expect(unscored.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'models/threat%20model.yml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3, startColumn: 5 },
    });
  });

  it('fingerprints survive line moves but not a change of finding', () => {
    const moved = JSON.parse(formatFindingsSarif([{ ...FINDINGS[0]!, start: { line: 99, column: 9 } }], '1.2.3'));
    expect(moved.runs[0].results[0].partialFingerprints).toEqual(run.results[0].partialFingerprints);
    const other = JSON.parse(formatFindingsSarif([{ ...FINDINGS[0]!, rule: 'schema' }], '1.2.3'));
    expect(other.runs[0].results[0].partialFingerprints).not.toEqual(run.results[0].partialFingerprints);
  });

  describe('on a linted model', () => {
    const MODEL = `version: 1
system: { name: "Démo 😀", out_of_scope: [] }
components:
  - { id: user, name: User, type: external-entity, waive: { R: Buys anonymously } }
threats:
  - { id: T1, title: "Phish 😀", stride: S, targets: usr, severity: low }
  - { id: T2, title: Late, stride: S, targets: user, severity: low, due: 2025-01-01 }
  - { id: T2, title: Again, stride: S, targets: user, severity: low }
`;
    const sarifOf = (text: string, today: string) => {
      const { findings, model } = lintModelText(text, 'threat-model.yml', { today });
      return JSON.parse(formatFindingsSarif(findings, '1.2.3', model)).runs[0];
    };
    const prints = (run: { results: { ruleId: string; partialFingerprints: Record<string, string> }[] }) =>
      run.results.map((r) => `${r.ruleId} ${r.partialFingerprints['threatloop/v1']}`).sort();

    it('counts columns as the finding positions do: UTF-16 code units', () => {
      const run = sarifOf(MODEL, '2025-03-01');
      expect(run.columnKind).toBe('utf16CodeUnits');
      const target = run.results.find((r: { ruleId: string }) => r.ruleId === 'unknown-reference');
      const line = MODEL.split('\n')[5]!;
      // The emoji before it is two UTF-16 units: the column points at `usr` when counted in them.
      expect(line.slice(target.locations[0].physicalLocation.region.startColumn - 1)).toMatch(/^usr/);
    });

    it('keeps each alert\'s fingerprint from day to day and when threats are added above it', () => {
      const before = sarifOf(MODEL, '2025-03-01');
      expect(before.results.map((r: { ruleId: string }) => r.ruleId).sort()).toEqual(['duplicate-id', 'overdue', 'unknown-reference']);
      // Tomorrow: the overdue message says one more day, but it is the same alert.
      expect(prints(sarifOf(MODEL, '2025-03-02'))).toEqual(prints(before));
      // A new threat at the top moves every line and index below it: same alerts.
      const added = MODEL.replace('threats:\n', 'threats:\n  - { id: T0, title: New, stride: S, targets: user, severity: low }\n');
      expect(prints(sarifOf(added, '2025-03-01'))).toEqual(prints(before));
      // A different problem is a different alert.
      const other = MODEL.replace('targets: usr', 'targets: nobody');
      expect(prints(sarifOf(other, '2025-03-01'))).not.toEqual(prints(before));
    });
  });

  it('is a valid empty run when there is nothing to report', () => {
    const empty = JSON.parse(formatFindingsSarif([], '1.2.3'));
    expect(empty.runs[0].results).toEqual([]);
  });
});
