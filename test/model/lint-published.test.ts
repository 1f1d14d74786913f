import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateChecklist, lintModelText } from '../../src/model/lint/index.ts';

const PUBLISHED = 'test/fixtures/genomewell-as-published.yml';
const EXAMPLE = 'examples/genomewell/threat-model.yml';
const TODAY = '2025-06-01';

const lintFile = (file: string) => lintModelText(readFileSync(file, 'utf8'), file, { today: TODAY });

describe('the GenomeWell case study as published', () => {
  const result = lintFile(PUBLISHED);
  const lines = readFileSync(PUBLISHED, 'utf8').split('\n');
  const lineOf = (needle: string, from = 0) => lines.findIndex((l, i) => i >= from && l.includes(needle)) + 1;

  it('loads: every table row is representable', () => {
    expect(result.model?.threats).toHaveLength(53);
    expect(result.model?.components).toHaveLength(12);
    expect(result.model?.boundaries).toHaveLength(4);
  });

  it('has exactly the seven published defects as errors: ids 42-46 reused, two scores that do not match their vectors', () => {
    const errors = result.findings.filter((f) => f.level === 'error');
    const second = lineOf('- id: 42', lineOf('- id: 48'));
    const expected = [
      ['cvss-score-mismatch', lineOf('score: 9.1'), 'threat 22: stated score 9.1 does not match the vector, which scores 10.0'],
      ['cvss-score-mismatch', lineOf('score: 8.8'), 'threat 31: stated score 8.8 does not match the vector, which scores 8.1'],
      ...[42, 43, 44, 45, 46].map((id) => {
        const first = lineOf(`- id: ${id}`);
        const again = lineOf(`- id: ${id}`, second - 1);
        return ['duplicate-id', again, `threat id "${id}" is used twice: line ${first} and line ${again}`];
      }),
    ];
    expect(errors.map((f) => [f.rule, f.start.line, f.message])).toEqual(
      expected
        .sort((a, b) => (a[1] as number) - (b[1] as number))
        .map(([rule, line, message]) => [rule, line, expect.stringContaining(message as string)]),
    );
    expect(new Set(errors.map((f) => f.start.line)).size).toBe(7);
  });

  it('fails the closure checklist on consistency, and on the gaps the case study admits', () => {
    const items = evaluateChecklist(result.model!, result.findings);
    const failed = items.filter((i) => !i.passed).map((i) => i.id);
    expect(failed).toContain('consistency');
    expect(failed).toContain('clarity'); // most threats were never scored
    expect(items.find((i) => i.id === 'completeness')?.passed).toBe(true);
    expect(items.find((i) => i.id === 'rationales')?.passed).toBe(true);
  });
});

describe('the clean GenomeWell example', () => {
  it('lints with no errors, and warns only about STRIDE-per-element coverage', () => {
    const result = lintFile(EXAMPLE);
    expect(result.findings.filter((f) => f.level === 'error')).toEqual([]);
    expect(new Set(result.findings.map((f) => f.rule))).toEqual(new Set(['stride-coverage', 'boundary-crossing-flow']));
  });
});
