import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { lintModelText } from '../../src/model/lint/index.ts';
import { loadModel } from '../../src/model/load.ts';

const PUBLISHED = readFileSync('test/fixtures/genomewell-as-published.yml', 'utf8');

/** The loader's contract: a model, or at least one error finding with a real position. */
function assertLoads(text: string): void {
  const result = loadModel(text, 'model.yml');
  if (result.ok) return;
  expect(result.findings.some((f) => f.level === 'error')).toBe(true);
  for (const f of result.findings) {
    expect(f.start.line).toBeGreaterThanOrEqual(1);
    expect(f.start.column).toBeGreaterThanOrEqual(1);
    expect(typeof f.message).toBe('string');
  }
}

/** Lint runs every rule over whatever loads; it must not throw either. */
function assertLints(text: string): void {
  const result = lintModelText(text, 'model.yml', { today: '2025-06-01' });
  expect(result.model !== undefined || result.findings.some((f) => f.level === 'error')).toBe(true);
  for (const f of result.findings) expect(f.start.line).toBeGreaterThanOrEqual(1);
}

/** Edits a real model: delete, insert, duplicate or swap lines, or splice text in. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string(), fc.constantFrom(': ', '- ', '&a ', '*a', '{', ']', '"', '\t', '\n  ', '<<: *a', '!!binary ', 'null', '~')) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), at: fc.nat(), with: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, edits: Mutation[]): string {
  for (const edit of edits) {
    const lines = text.split('\n');
    switch (edit.kind) {
      case 'delete': {
        const at = edit.at % (text.length + 1);
        text = text.slice(0, at) + text.slice(at + edit.length);
        break;
      }
      case 'insert': {
        const at = edit.at % (text.length + 1);
        text = text.slice(0, at) + edit.text + text.slice(at);
        break;
      }
      case 'duplicate-line': {
        const at = edit.at % lines.length;
        lines.splice(at, 0, lines[at]!);
        text = lines.join('\n');
        break;
      }
      case 'swap-lines': {
        const a = edit.at % lines.length;
        const b = edit.with % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        text = lines.join('\n');
        break;
      }
    }
  }
  return text;
}

describe('loader properties (fast-check)', () => {
  it('arbitrary strings never throw', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), assertLoads), { numRuns: 500 });
  });

  it('YAML-ish strings never throw', () => {
    const token = fc.constantFrom('version: 1\n', 'system:\n', '  name: x\n', 'threats:\n', '  - ', 'id: 1', '{', '}', '[', ']', ', ', ': ', '&a ', '*a ', '? ', '|\n', '>\n', '"', "'", '#', '\t', '\n', '---\n', '%YAML 1.1\n', '!!str ', '<<: ');
    fc.assert(fc.property(fc.array(token, { maxLength: 60 }), (tokens) => assertLoads(tokens.join(''))), { numRuns: 500 });
  });

  it('arbitrary bytes, decoded as the CLI decodes files, never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => assertLoads(new TextDecoder().decode(bytes))),
      { numRuns: 300 },
    );
  });

  it('any YAML value never throws (schema findings, not exceptions)', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node')),
        fc.dictionary(fc.constantFrom('version', 'system', 'name', 'threats', 'components', 'flows', 'owners', 'id', 'targets', 'cvss', 'due', 'x'), tie('node')),
      ),
    })).node;
    fc.assert(fc.property(value, (v) => assertLoads(stringify(v))), { numRuns: 300 });
  });

  it('mutations of a real model never throw, in the loader or in lint', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
        const text = mutate(PUBLISHED, edits);
        assertLoads(text);
        assertLints(text);
      }),
      { numRuns: 150 },
    );
  });
});
