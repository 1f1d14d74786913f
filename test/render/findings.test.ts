import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.ts';
import { LINT_RULES } from '../../src/model/lint/index.ts';
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

  it('is a valid empty run when there is nothing to report', () => {
    const empty = JSON.parse(formatFindingsSarif([], '1.2.3'));
    expect(empty.runs[0].results).toEqual([]);
  });
});
