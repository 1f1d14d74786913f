/**
 * The fast reader (js-yaml events + position index) against the `yaml`
 * reader: for any text, the same outcome, the same value, and the same
 * start AND end for every path (values and keys) and for paths that only
 * partly exist. The fast reader may step aside (fall back), never differ.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateModelText } from '../../bench/generate-model.ts';
import { parseYamlSource, type DocPath } from '../../src/model/source.ts';
import { parseYamlFast } from '../../src/model/yaml-fast-path.ts';

/** Every path into a value: containers, their entries, and a few that do not exist. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: DocPath[] = []): DocPath[] {
  out.push(prefix);
  if (Array.isArray(value)) {
    value.forEach((item, i) => pathsOf(item, [...prefix, i], out));
    out.push([...prefix, value.length], [...prefix, 'x'], [...prefix, -1]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
    out.push([...prefix, 'no-such-key'], [...prefix, 0]);
  } else {
    out.push([...prefix, 'below-a-scalar']);
  }
  return out;
}

/** Both readers agree on `text`; returns whether the fast reader took it (rather than stepping aside). */
function assertSameReading(text: string): boolean {
  const slow = parseYamlSource(text, 'model.yml', { fastPath: false });
  const fast = parseYamlSource(text, 'model.yml');
  expect(fast.ok).toBe(slow.ok);
  if (!slow.ok || !fast.ok) {
    if (!slow.ok && !fast.ok) expect(fast.findings).toEqual(slow.findings);
    return false;
  }
  expect(fast.value).toEqual(slow.value);
  for (const path of pathsOf(slow.value)) {
    expect({ path, span: fast.source.locate(path) }).toEqual({ path, span: slow.source.locate(path) });
    expect({ path, key: fast.source.locate(path, { key: true }) }).toEqual({ path, key: slow.source.locate(path, { key: true }) });
  }
  return parseYamlFast(text) !== undefined;
}

/** Runs the check and says (in the failure) which text broke it. */
function check(text: string): boolean {
  try {
    return assertSameReading(text);
  } catch (error) {
    throw new Error(`readers differ on ${JSON.stringify(text)}:\n${(error as Error).message}`);
  }
}

describe('fast reader vs yaml reader: real models', () => {
  it.each(['examples/genomewell/threat-model.yml', 'test/fixtures/genomewell-as-published.yml'])('%s', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(check(text)).toBe(true);
    expect(check(text.replaceAll('\n', '\r\n'))).toBe(true);
    expect(check(`\uFEFF${text}`)).toBe(true);
  });

  it('a generated benchmark-style model', () => {
    expect(check(generateModelText({ threats: 60, components: 12, flows: 20, seed: 7 }))).toBe(true);
  });
});

describe('fast reader vs yaml reader: constructs', () => {
  const cases: Record<string, string> = {
    'scalars of every style': 'a: plain\nb: "double \\t \\u00e9 \\n"\nc: \'single \'\' quote\'\nd: 2026-03-01\ne: on\nf: yes\ng: ~\nh: 0x1F\ni: 0o17\nj: 1e3\nk: .inf\nl: -.Inf\nm: .nan\nn: 1_000\no: 0b11\np: 012\nq: 3.\nr: +4\ns: 1e999\nt: Null\nu: FALSE\n',
    'empty values': 'a:\nb:   \nc: # note\nd:\n  - \n  -   # c\n  - x\n  -\ne:',
    'block scalars': 'a: |\n  line1\n  line2\n\nb: >-\n  folded\n  text\nc: |+\n  kept\n\n\nd: >\n  x\n\n   more\n  y\ne: | # comment\n  z\nf: |2\n   indented\ng: |\n  last\n\n',
    'block scalar at end of file without newline': 'a: |\n  x\n  y',
    'block scalar in a sequence': '- |\n  a\n- >-\n  b\n  c\n-\n  |\n  d\n',
    'multi-line plain and quoted': 'a: plain\n  multi\n  line\nb: "q\n  x"\nc: \'s\n\n  t\'\n',
    'flow collections': 'a: [p, q ]\nb: {k: v, "l": [1, 2, {m: n}]}\nc: []\nd: {}\ne: [ a , # x\n  b ,\n ]\nf: []   \n',
    'nested blocks': 'top:\n  nested:\n    deep: 1\n  other: 2\n# end\nlist:\n- a\n- b: 1\n  c: 2\n- - x\n  - y\n',
    'comments and blank lines': '# head\n\na: 1   # c\n\n# d\nb:\n  # inner\n  - x # y\n\n  - z\n# tail\n',
    'tabs in values': 'a: x\ty\nb:\t"t"\nc: [a,\tb]\n',
    'keys quoted and odd': '"a b": 1\n\'c\': 2\nd e: 3\n"": 4\n__proto__: 5\nconstructor: 6\n',
    'document markers': '---\na: 1\n...\n',
    'top-level sequence': '- 1\n- two\n',
    'top-level scalar': 'just text\n',
    'anchors and aliases (fallback)': 'a: &x 1\nb: *x\n',
    'merge key (fallback)': 'a: &x {k: 1}\nb:\n  <<: *x\n',
    'tags (fallback)': 'a: !!str 1\nb: !custom x\n',
    'directive (fallback)': '%YAML 1.1\n---\na: yes\n',
    'non-string keys (fallback)': '1: a\n~: b\ntrue: c\n',
    'complex keys (fallback)': '? [a, b]\n: c\n{d: 1}: e\n',
    'duplicate keys (error)': 'a: 1\nb: 2\na: 3\n',
    'syntax error': 'a: [1, 2\nb: 3\n',
    'bad indentation': 'a:\n  b: 1\n c: 2\n',
    'tab indentation': 'a:\n\tb: 1\n',
    'two documents': 'a: 1\n---\nb: 2\n',
    'implicit pair in flow sequence (fallback)': 'a: [b: 1, c]\n',
    'empty values in flow (fallback)': 'a: {b, c: }\nd: [e, ]\n',
    'more-indented leading blank line in block scalar': 'a: |\n     \n  x\n',
    'long key': `${'k'.repeat(1100)}: 1\n`,
    'lone CR line ends (classic Mac)': 'a: 1\rb:\r  c: 2\r',
    'CR CR LF line ends (a doubly converted file)': 'version: 1\r\r\nb: x\r\r\n',
    'a CR inside a plain value': 'a: x\ry\nb: 2\n',
  };
  it.each(Object.entries(cases))('%s', (_name, text) => {
    check(text);
    check(text.replaceAll('\n', '\r\n'));
    check(`\uFEFF${text}`);
  });

  it('takes the fast path for plain models', () => {
    for (const name of ['scalars of every style', 'empty values', 'block scalars', 'flow collections', 'nested blocks', 'comments and blank lines']) {
      expect({ name, fast: parseYamlFast(cases[name]!) !== undefined }).toEqual({ name, fast: true });
    }
  });

  it('steps aside for what only yaml reads safely', () => {
    for (const name of ['anchors and aliases (fallback)', 'merge key (fallback)', 'tags (fallback)', 'directive (fallback)', 'non-string keys (fallback)', 'syntax error', 'two documents']) {
      expect({ name, fast: parseYamlFast(cases[name]!) !== undefined }).toEqual({ name, fast: false });
    }
  });

  it('reports duplicate keys itself (a huge file plus one duplicate must not force the slow reader)', () => {
    expect(parseYamlFast(cases['duplicate keys (error)']!)?.duplicateKeys).toEqual([10]);
  });
});

// ---- generated YAML text, in every style the fast reader claims to handle ----

type Tree =
  | { kind: 'plain'; text: string }
  | { kind: 'single' | 'double'; text: string }
  | { kind: 'multiline'; words: string[] }
  | { kind: 'block'; style: '|' | '>'; chomp: '' | '-' | '+'; lines: string[]; trailingBlank: number }
  | { kind: 'empty' }
  | { kind: 'flow-seq'; items: Tree[] }
  | { kind: 'flow-map'; entries: [string, Tree][] }
  | { kind: 'map'; entries: { key: string; quoted: boolean; value: Tree; comment: boolean; blankBefore: boolean; commentLine: CommentLine }[] }
  | { kind: 'seq'; items: { value: Tree; comment: boolean; commentLine: CommentLine }[] };
/** A comment line after an entry, at the entry's indentation plus this (or none). */
type CommentLine = number | null;
const commentLine = fc.constantFrom<CommentLine>(null, null, null, 0, 0, -2, 2, -4);

const WORDS = ['a', 'id', 'TM-1', '2026-03-01', 'on', 'yes', 'no', '~', 'null', 'true', 'False', '12', '-3', '+4', '0o17', '0x1F', '1.5', '1e3', '.inf', '.nan', '1_000', '0b11', '012', '3.', 'é', 'x y', 'a\tb', 'http://x.y/z?q=1#frag', "it's", 'C:\\p', 'a: b', '- x', '#c', 'x #c', '"q"', "'", 'end '];
const word = fc.constantFrom(...WORDS);
const plainWord = fc.constantFrom(...WORDS.filter((w) => /^[\w.~+é-]([\w .~+é/:?=#-]*[\w.~é])?$/.test(w) && !/: |^- | #/.test(w)));
const key = fc.constantFrom('id', 'name', 'a', 'b', 'threats', 'cvss', 'x y', 'on', '__proto__', 'k-2');
const quotedText = fc.oneof(word, fc.string({ maxLength: 12 }));

const { tree } = fc.letrec<{ tree: Tree; scalar: Tree; flow: Tree; block: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('scalar'), tie('block'), tie('flow')),
  scalar: fc.oneof(
    plainWord.map((text) => ({ kind: 'plain' as const, text })),
    quotedText.map((text) => ({ kind: 'single' as const, text })),
    quotedText.map((text) => ({ kind: 'double' as const, text })),
    fc.array(plainWord, { minLength: 2, maxLength: 3 }).map((words) => ({ kind: 'multiline' as const, words })),
    fc.record({
      kind: fc.constant('block' as const),
      style: fc.constantFrom('|' as const, '>' as const),
      chomp: fc.constantFrom('' as const, '-' as const, '+' as const),
      lines: fc.array(fc.oneof(word, fc.constant(''), word.map((w) => `  ${w}`)), { minLength: 1, maxLength: 4 }),
      trailingBlank: fc.nat(2),
    }),
    fc.constant({ kind: 'empty' as const }),
  ),
  flow: fc.oneof(
    { depthSize: 'small' },
    fc.array(fc.oneof(plainWord.map((text) => ({ kind: 'plain' as const, text })), quotedText.map((text) => ({ kind: 'double' as const, text })), tie('flow')), { maxLength: 3 }).map((items) => ({ kind: 'flow-seq' as const, items })),
    fc.array(fc.tuple(key, fc.oneof(plainWord.map((text) => ({ kind: 'plain' as const, text })), tie('flow'))), { maxLength: 3 }).map((entries) => ({ kind: 'flow-map' as const, entries })),
  ),
  block: fc.oneof(
    { depthSize: 'small' },
    fc.array(fc.record({ key, quoted: fc.boolean(), value: tie('tree'), comment: fc.boolean(), blankBefore: fc.boolean(), commentLine }), { minLength: 1, maxLength: 4 }).map((entries) => ({ kind: 'map' as const, entries })),
    fc.array(fc.record({ value: tie('tree'), comment: fc.boolean(), commentLine }), { minLength: 1, maxLength: 4 }).map((items) => ({ kind: 'seq' as const, items })),
  ),
}));

function singleQuoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Flow-context text of a node. */
function emitFlow(node: Tree): string {
  switch (node.kind) {
    case 'plain':
      return node.text;
    case 'double':
      return JSON.stringify(node.text);
    case 'flow-seq':
      return `[${node.items.map(emitFlow).join(', ')}]`;
    case 'flow-map':
      return `{ ${node.entries.map(([k, v]) => `${k}: ${emitFlow(v)}`).join(', ')} }`;
    default:
      return '""';
  }
}

/** Text that follows `key:` or `- ` for a node at `indent` (its own lines indented by indent + 2). */
function emitAfterIndicator(node: Tree, indent: number, comment: boolean): string {
  const pad = ' '.repeat(indent + 2);
  const note = comment ? ' # note' : '';
  switch (node.kind) {
    case 'plain':
      return ` ${node.text}${note}\n`;
    case 'single':
      return ` ${singleQuoted(node.text)}${note}\n`;
    case 'double':
      return ` ${JSON.stringify(node.text)}${note}\n`;
    case 'multiline':
      return ` ${node.words.join(`\n${pad}`)}\n`;
    case 'empty':
      return `${note}\n`;
    case 'block': {
      const body = node.lines.map((line) => (line === '' ? '' : `${pad}${line}`)).join('\n');
      return ` ${node.style}${node.chomp}${note}\n${body}\n${'\n'.repeat(node.trailingBlank)}`;
    }
    case 'flow-seq':
    case 'flow-map':
      return ` ${emitFlow(node)}${note}\n`;
    case 'map':
    case 'seq':
      return `${note}\n${emitBlock(node, indent + 2)}`;
  }
}

function emitCommentLine(indent: number, delta: CommentLine): string {
  return delta === null ? '' : `${' '.repeat(Math.max(0, indent + delta))}# about the entry above\n`;
}

function emitBlock(node: Tree, indent: number): string {
  const pad = ' '.repeat(indent);
  if (node.kind === 'map') {
    return node.entries
      .map((e) => `${e.blankBefore ? '\n' : ''}${pad}${e.quoted ? JSON.stringify(e.key) : e.key}:${emitAfterIndicator(e.value, indent, e.comment)}${emitCommentLine(indent, e.commentLine)}`)
      .join('');
  }
  if (node.kind === 'seq') return node.items.map((item) => `${pad}-${emitAfterIndicator(item.value, indent, item.comment)}${emitCommentLine(indent, item.commentLine)}`).join('');
  return emitAfterIndicator(node, indent - 2, false).trimStart();
}

describe('fast reader vs yaml reader: generated YAML', () => {
  it('agree on value and every position, in LF, CRLF and with a BOM', () => {
    let fastRuns = 0;
    let runs = 0;
    fc.assert(
      fc.property(tree, fc.constantFrom('lf', 'crlf', 'bom'), (node, ending) => {
        let text = emitBlock(node, 0);
        if (ending === 'crlf') text = text.replaceAll('\n', '\r\n');
        if (ending === 'bom') text = `\uFEFF${text}`;
        runs++;
        if (check(text)) fastRuns++;
      }),
      { numRuns: 600, seed: 20260301 },
    );
    // The comparison means something only if the fast reader took most of these texts.
    expect(fastRuns / runs).toBeGreaterThan(0.5);
  });
});
