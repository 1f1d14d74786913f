/**
 * The loader's cost is linear in its input: a mapping of tens of thousands of
 * keys (0.5 MB) is read on either reader, its duplicate key found at its line,
 * and its unknown keys reported without a finding per key. Speed is measured
 * in `npm run bench`; these assert the behaviour on the same inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { manyKeysModel } from '../../bench/many-keys.ts';
import { loadModel } from '../../src/model/load.ts';
import { parseYamlSource } from '../../src/model/source.ts';
import { parseYamlFast } from '../../src/model/yaml-fast-path.ts';

const brief = (text: string, options: { fastPath?: boolean } = {}) => {
  const parsed = parseYamlSource(text, 'model.yml', options);
  return parsed.ok ? 'ok' : parsed.findings.map((f) => `${f.rule}@${f.start.line}:${f.start.column} ${f.message}`);
};

describe('a mapping of 40,000 keys', () => {
  const keys = 40_000;

  it('is about half a megabyte and loads on the fast reader', () => {
    const text = manyKeysModel({ keys });
    expect(text.length).toBeGreaterThan(500_000);
    expect(parseYamlFast(text)).toBeDefined();
    expect(loadModel(text, 'model.yml').ok).toBe(true);
  });

  it('with one duplicate key: the finding is at the duplicate, from the fast reader and from `yaml`', () => {
    const text = manyKeysModel({ keys, duplicate: true });
    const line = text.split('\n').length - 1;
    const expected = [`yaml-syntax@${line}:5 Map keys must be unique`];
    expect(parseYamlFast(text)?.duplicateKeys).toHaveLength(1);
    expect(brief(text)).toEqual(expected);
    expect(brief(text, { fastPath: false })).toEqual(expected);
  });

  it('with an anchor and a duplicate: the fast reader still finds the duplicate (no `yaml` pass), same finding as `yaml`', () => {
    const text = manyKeysModel({ keys, duplicate: true, anchor: true });
    const expected = [`yaml-syntax@${text.split('\n').length - 1}:5 Map keys must be unique`];
    expect(parseYamlFast(text)?.duplicateKeys).toHaveLength(1);
    expect(brief(text)).toEqual(expected);
    expect(brief(text, { fastPath: false })).toEqual(expected);
  });

  it('with an anchor and no duplicate: read by `yaml`, which resolves anchors and aliases', () => {
    const text = manyKeysModel({ keys, anchor: true });
    expect(parseYamlFast(text)).toBeUndefined();
    expect(brief(text)).toEqual('ok');
    // An anchor on a key is never looked past.
    expect(parseYamlFast('version: 1\n&k a: 1\na: 2\n')).toBeUndefined();
  });

  it('as unknown top-level keys: 20 findings at their keys and a count of the rest, not 40,000', () => {
    const result = loadModel(manyKeysModel({ keys, topLevel: true }), 'model.yml');
    if (result.ok) throw new Error('expected unknown keys');
    const unknown = result.findings.filter((f) => f.message.includes('unknown key "'));
    expect(unknown).toHaveLength(20);
    expect(unknown[0]).toMatchObject({ start: { line: 4, column: 1 }, message: '(top level): unknown key "k0"' });
    expect(result.findings.map((f) => f.message)).toContain(`(top level): ${keys - 20} more unknown keys not shown`);
  });
});

describe('duplicate keys on the `yaml` path: one pass gives what `uniqueKeys: true` gave', () => {
  const keyText = fc.constantFrom('a', 'b', '"a"', "'b'", '1', '"1"', '~', 'null', '.nan', '.NaN', 'true', '0x1', '1.0', '[x]', '{k: v}');
  it('past an anchor on a value, the fast reader gives the same result as `yaml`', () => {
    fc.assert(
      fc.property(fc.array(keyText, { minLength: 1, maxLength: 7 }), fc.boolean(), fc.boolean(), (keys, flow, anchorInside) => {
        const entries = keys.map((k, i) => `${k}: ${anchorInside && i === 0 ? '&v ' : ''}1`);
        const inner = flow ? `{ ${entries.join(', ')} }` : `\n${entries.map((e) => `  ${e}`).join('\n')}`;
        const text = `top: ${anchorInside ? '' : '&t '}${inner}\nz: 2\n`;
        expect(brief(text)).toEqual(brief(text, { fastPath: false }));
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('same errors at the same positions, in block and flow mappings', () => {
    fc.assert(
      fc.property(fc.array(keyText, { minLength: 1, maxLength: 7 }), fc.boolean(), (keys, flow) => {
        // An anchor and an alias keep the file off the fast reader.
        const inner = flow ? `{ ${keys.map((k) => `${k}: 1`).join(', ')} }` : `\n${keys.map((k) => `  ${k}: 2`).join('\n')}`;
        const text = `top: &t ${inner}\nz: *t\n`;
        const counter = new LineCounter();
        const reference = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true, strict: true, logLevel: 'error' });
        const expected = reference.errors.map((e) => {
          const { line, col } = counter.linePos(e.pos[0]);
          return `yaml-syntax@${line}:${col} ${e.message.split('\n')[0]}`;
        });
        // `yaml` reports some errors of a mapping after those of its entries: compare the sets.
        const ours = brief(text, { fastPath: false });
        expect(ours === 'ok' ? [] : [...ours].sort()).toEqual(expected.sort());
      }),
      { numRuns: 400, seed: 9 },
    );
  });
});
