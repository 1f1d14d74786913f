/**
 * The import writer (src/import/write.ts): whatever strings a source file holds, the YAML it
 * writes reads back (through both of the model loader's readers) as exactly the imported model,
 * and no comment, whatever it holds, becomes YAML content.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatImportedModel, mergeIntoModelText } from '../../src/import/index.ts';
import type { ImportedModel, ImportResult } from '../../src/import/types.ts';
import { parseYamlSource } from '../../src/model/source.ts';

const CONTEXT = { source: 'model.json', date: '2026-01-01' };

/** Strings a YAML writer must quote or block to keep them strings (and as they are). */
const TRICKY = [
  '', ' ', 'true', 'True', 'FALSE', 'yes', 'no', 'on', 'off', 'null', 'Null', '~', '0', '-1', '+1', '0o17', '0x1F', '1e3', '1_000', '.5', '5.',
  '.inf', '-.Inf', '.NaN', '2026-01-01', '2026-01-01T10:00:00Z', '12:30', '- a', '-', '? x', ': x', 'a: b', 'a:b', '#x', 'a #b', 'a#b', '[x]', '{x: 1}',
  '*x', '&x', '!x', '!!str x', '|x', '>x', '%x', '@x', '`x', "'x", '"x', ' x', 'x ', '\tx', 'x\t', 'x\n', '\nx', 'a\n\nb', 'a\n  b', 'a\r\nb', 'a\rb',
  'a\u0085b', 'a\u2028b', '\uFEFFx', '---', '...', '--- x', 'x\n---\ny', '\u00e9\u4e2d\u{1F600}', 'a\\b', 'C:\\path', '<script>', 'key: value # c',
];

// U+FFFD is left out: the loader refuses it as the mark of a file that was not UTF-8, whoever wrote it.
const anyText = fc
  .oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.array(fc.constantFrom(...TRICKY), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')))
  .map((s) => s.replaceAll('\uFFFD', '?'));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const importResults: fc.Arbitrary<ImportResult> = fc
  .record({
    systemName: anyText,
    description: optional(anyText),
    owners: fc.dictionary(anyText, fc.record({ name: optional(anyText), github: optional(fc.array(anyText, { maxLength: 2 })) }, { requiredKeys: [] }), { maxKeys: 3 }),
    boundaries: fc.array(fc.record({ id: anyText, name: anyText, trust: fc.constantFrom('untrusted', 'partner', 'restricted', 'trusted' as const), comment: optional(anyText) }), { maxLength: 3 }),
    components: fc.array(
      fc.record({ id: anyText, name: anyText, type: fc.constantFrom('process', 'data-store', 'external-entity' as const), description: optional(anyText), paths: optional(fc.array(anyText, { maxLength: 2 })), comment: optional(anyText) }),
      { maxLength: 3 },
    ),
    flows: fc.array(fc.record({ id: anyText, name: anyText, from: anyText, to: anyText, protocol: optional(anyText) }), { maxLength: 2 }),
    threats: fc.array(
      fc.record({
        id: fc.oneof(anyText, fc.nat()),
        title: optional(anyText),
        stride: optional(fc.oneof(anyText, fc.array(anyText, { maxLength: 2 }))),
        description: optional(anyText),
        mitigation: optional(anyText),
        cvss: optional(fc.record({ vector: anyText, score: optional(fc.double({ min: 0, max: 10, noNaN: true })) })),
        refs: optional(fc.array(anyText, { maxLength: 3 })),
        comments: optional(fc.array(anyText, { minLength: 1, maxLength: 3 })),
      }),
      { maxLength: 4 },
    ),
    sectionComment: optional(anyText),
    advice: fc.array(anyText, { maxLength: 2 }),
  })
  .map((g) => {
    const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'comment' && k !== 'comments')) as T;
    const model: ImportedModel = {
      version: 1,
      system: strip({ name: g.systemName, description: g.description }),
      owners: Object.fromEntries(Object.entries(g.owners).map(([k, o]) => [k, strip(o)])),
      boundaries: g.boundaries.map(strip),
      components: g.components.map(strip),
      flows: g.flows.map(strip),
      threats: g.threats.map((t) => strip({ ...t, cvss: t.cvss ? strip(t.cvss) : undefined })),
    };
    return {
      format: 'otm',
      model,
      rows: g.threats.length,
      notes: [],
      comments: {
        boundaries: new Map(g.boundaries.flatMap((b) => (b.comment ? [[b.id, b.comment] as const] : []))),
        components: new Map(g.components.flatMap((c) => (c.comment ? [[c.id, c.comment] as const] : []))),
        threats: new Map(g.threats.flatMap((t, i) => (t.comments ? [[i, t.comments] as const] : []))),
      },
      advice: g.advice,
      sectionComments: g.sectionComment === undefined ? {} : { threats: g.sectionComment, boundaries: g.sectionComment },
      skipped: [],
      duplicates: [],
    } satisfies ImportResult;
  });

/** The value both of the loader's readers give the text (they must agree). */
function readBack(text: string): unknown {
  const fast = parseYamlSource(text, 'threat-model.yml');
  const slow = parseYamlSource(text, 'threat-model.yml', { fastPath: false });
  if (!fast.ok) throw new Error(`does not read back: ${JSON.stringify(fast.findings[0])}\n${text}`);
  if (!slow.ok) throw new Error(`yaml does not read it back: ${JSON.stringify(slow.findings[0])}\n${text}`);
  expect(fast.value).toEqual(slow.value);
  return fast.value;
}

describe('the import writer', () => {
  it('writes YAML that reads back as exactly the imported model, whatever strings and comments it holds', () => {
    fc.assert(
      fc.property(importResults, (result) => {
        const text = formatImportedModel(result, CONTEXT);
        expect(readBack(text)).toEqual(result.model);
        expect(text.startsWith('# Imported by `threatloop import` from model.json on 2026-01-01.\n')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('appends to an existing model so that it reads back as the model plus the import', () => {
    const existing = 'version: 1\nsystem:\n  name: Shop # kept\nowners: {}\nboundaries: []\ncomponents:\n  - id: web\n    name: Web\n    type: process\nflows: []\nthreats: []\n';
    fc.assert(
      fc.property(importResults, (result) => {
        const merged = mergeIntoModelText(existing, 'threat-model.yml', result, CONTEXT);
        if (!merged.ok) throw new Error(merged.message);
        const { model } = result;
        expect(readBack(merged.text)).toEqual({
          version: 1,
          system: { name: 'Shop' },
          owners: model.owners,
          boundaries: model.boundaries,
          components: [{ id: 'web', name: 'Web', type: 'process' }, ...model.components],
          flows: model.flows,
          threats: model.threats,
        });
      }),
      { numRuns: 150 },
    );
  });

  it('keeps a comment with line breaks in it a comment: a carriage return in a source file cannot add a key', () => {
    const result: ImportResult = {
      format: 'otm',
      model: {
        version: 1,
        system: { name: 'S' },
        owners: {},
        boundaries: [{ id: 'b', name: 'B', trust: 'trusted' }],
        components: [{ id: 'c', name: 'C', type: 'process' }],
        flows: [],
        threats: [{ id: 'T1', title: 't' }],
      },
      rows: 1,
      notes: [],
      comments: {
        boundaries: new Map([['b', 'rating 10\r  owner: mallory']]),
        components: new Map([['c', 'guessed\n  paths: ["**"]']]),
        threats: new Map([[0, ['note\r  status: mitigated', 'second\r\nthird']]]),
      },
      advice: [' advice\r\nstatus: x'],
      sectionComments: { threats: ' about threats\rsystem: x' },
      skipped: [],
      duplicates: [],
    };
    const text = formatImportedModel(result, CONTEXT);
    expect(readBack(text)).toEqual(result.model);
    expect(text).toContain('    trust: trusted # rating 10   owner: mallory\n');
    expect(text).toContain('    type: process # guessed   paths: ["**"]\n');
    expect(text).toContain('  # note\n  #  status: mitigated\n  # second\n  #third\n  - id: T1\n');
    expect(text).not.toMatch(/\r/);
  });
});
