import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.ts';
import { loadModel } from '../../src/model/load.ts';
import { INPUT_LIMITS } from '../../src/model/limits.ts';

function failure(text: string): Finding[] {
  const result = loadModel(text, 'model.yml');
  if (result.ok) throw new Error('expected the model to be refused');
  expect(result.findings.length).toBeGreaterThan(0);
  for (const f of result.findings) {
    expect(f.level).toBe('error');
    expect(f.file).toBe('model.yml');
    expect(f.start.line).toBeGreaterThanOrEqual(1);
    expect(f.start.column).toBeGreaterThanOrEqual(1);
    expect(f.message).not.toMatch(/\n|    at /); // one line, no stack
  }
  return result.findings;
}

const first = (text: string) => {
  const f = failure(text)[0]!;
  return `${f.rule}@${f.start.line}:${f.start.column} ${f.message}`;
};

const VALID = 'version: 1\nsystem:\n  name: Test\n';

describe('loadModel: bad input is a finding with a position, never a throw or a hang', () => {
  it('accepts the smallest valid model, with a byte-order mark too', () => {
    expect(loadModel(VALID, 'model.yml').ok).toBe(true);
    expect(loadModel(`\uFEFF${VALID}`, 'model.yml').ok).toBe(true);
  });

  it('malformed YAML: the parser’s message at the line it stops', () => {
    expect(first('version: 1\nsystem:\n  name: x\n bad: 2\n')).toBe('yaml-syntax@4:1 All mapping items must start at the same column');
    expect(first('version: 1\nsystem: { name: x\nthreats: []\n')).toMatch(/^yaml-syntax@3:1 Flow map/);
    expect(first('version: 1\nsystem:\n\tname: x\n')).toBe('yaml-syntax@3:1 Tabs are not allowed as indentation');
  });

  it('wrong types: one schema finding per problem, at the value', () => {
    const findings = failure('version: "1"\nsystem: yes\nthreats: { a: 1 }\n');
    expect(findings.map((f) => `${f.start.line}:${f.start.column} ${f.message}`)).toEqual([
      '1:10 version: "1" is not allowed; expected 1',
      '2:9 system: must be a mapping, not string "yes"',
      '3:10 threats: must be a list, not a mapping',
    ]);
  });

  it('a file over the size limit is refused before parsing', () => {
    const text = `${VALID}${'# padding to ten megabytes\n'.repeat(Math.ceil((10 * 1024 * 1024) / 27))}`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(INPUT_LIMITS.model);
    expect(first(text)).toMatch(/^file-too-large@1:1 file is 10\.0 MB; the limit is 8\.0 MB/);
  });

  it('alias bombs (billion laughs) are refused', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(first(`${levels.join('\n')}\n`)).toMatch(/^yaml-syntax@1:1 YAML could not be read: Excessive alias count/);
  });

  it('binary garbage and invalid UTF-8 (decoded as U+FFFD) are refused at the first bad byte', () => {
    expect(first('\u0000\u0001\u0002PNG')).toBe('yaml-syntax@1:1 file is not UTF-8 text (binary data found)');
    const decoded = new TextDecoder().decode(Buffer.from([...Buffer.from('version: 1\nsystem: x'), 0xff, 0xfe]));
    expect(first(decoded)).toBe('yaml-syntax@2:10 file is not UTF-8 text (binary data found)');
  });

  it('a carriage return without a line feed (classic Mac, or CR CR LF) is named, at its line, whichever reader runs', () => {
    const message = 'line ends with a carriage return (CR) not followed by a line feed; save the file with LF or CRLF line ends';
    expect(first('version: 1\rsystem:\r  name: Test\r')).toBe(`yaml-syntax@1:11 ${message}`);
    expect(first('version: 1\r\nsystem:\r\r\n  name: Test\r\n')).toBe(`yaml-syntax@2:8 ${message}`);
    expect(loadModel(VALID.replaceAll('\n', '\r\n'), 'model.yml').ok).toBe(true);
  });

  it('an empty file, whitespace only or comments only', () => {
    for (const text of ['', '   \n\n', '# nothing here\n\n  # at all\n']) {
      expect(first(text)).toBe('yaml-syntax@1:1 file is empty: expected a YAML mapping starting with `version: 1`');
    }
  });

  it('a long blank run before an error does not hang the emptiness check', () => {
    expect(first(`${'\n'.repeat(5000)}${' '.repeat(5000)}x: [`)).toMatch(/^yaml-syntax@5001:/);
  });

  it('a list, a scalar or null at the top level', () => {
    expect(first('- a\n- b\n')).toBe('schema@1:1 the model must be a YAML mapping with `version: 1`, not a list');
    expect(first('hello\n')).toBe('schema@1:1 the model must be a YAML mapping with `version: 1`, not a string ("hello")');
    expect(first('~\n')).toMatch(/not an empty document \(null\)$/);
  });

  it('duplicate keys, at the second key', () => {
    expect(first('version: 1\nsystem:\n  name: a\n  name: b\n')).toBe('yaml-syntax@4:3 Map keys must be unique');
    expect(first('version: 1\nsystem: { name: a }\nowners:\n  sec: {}\n  sec: {}\n')).toBe('yaml-syntax@5:3 Map keys must be unique');
  });

  it('several documents in one file', () => {
    expect(first(`${VALID}---\n${VALID}`)).toMatch(/^yaml-syntax@4:1 Source contains multiple documents/);
  });

  it('absurdly deep nesting is reported, not a stack overflow', () => {
    expect(first('['.repeat(50_000))).toMatch(/nesting is too deep/);
    expect(first(`${'['.repeat(5000)}${']'.repeat(5000)}`)).toMatch(/nesting is too deep/);
  });

  it('thousands of syntax errors are capped, with a count of the rest', () => {
    const findings = failure('x: ]\n'.repeat(3000));
    expect(findings).toHaveLength(21);
    expect(findings[20]!.message).toMatch(/^\d+ more YAML syntax errors not shown/);
  });

  it('unknown keys get a did-you-mean at the key', () => {
    expect(first(`${VALID}thraets: []\n`)).toBe('schema@4:1 (top level): unknown key "thraets"; did you mean "threats"?');
  });

  it('a mapping used as a key is a schema finding, not a Node warning on stderr', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const result = loadModel(`${VALID}? [a, b]\n: x\n`, 'threat-model.yml');
      expect(result.ok).toBe(false);
      // Node emits process warnings on the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
