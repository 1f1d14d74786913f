import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { editThreats, type ThreatEdit } from '../../src/model/edit.ts';
import { loadModel } from '../../src/model/load.ts';
import { STATUSES, type ThreatStatus } from '../../src/model/schema.ts';

const HEAD = `# Test model
version: 1
system: { name: Test }
components:
  - { id: api, name: API, type: process }
threats:
`;

function edit(text: string, edits: ThreatEdit[]): string {
  const result = editThreats(text, 'tm.yml', edits);
  if (!result.ok) throw new Error(result.findings.map((f) => `${f.start.line}:${f.start.column} ${f.message}`).join('\n'));
  return result.text;
}

describe('editThreats: examples', () => {
  it('changes the status value in place and adds verification right after it, keeping comments and quoting', () => {
    const text = `${HEAD}  # first threat
  - id: T1   # the id
    title: "Stolen token"
    stride: S
    targets: api
    status: 'in-progress'  # since March

    description: first
  # second
  - id: T2
    title: Other
    stride: T
    targets: api
`;
    const out = edit(text, [{ id: 'T1', status: 'mitigated', verification: 'Closed by @lena: https://github.com/o/r/pull/12' }]);
    expect(out).toBe(
      text.replace(
        "    status: 'in-progress'  # since March\n",
        "    status: 'mitigated'  # since March\n    verification: \"Closed by @lena: https://github.com/o/r/pull/12\"\n",
      ),
    );
  });

  it('edits a threat written as a flow mapping, on its line, in its quoting', () => {
    const text = `${HEAD}  - { id: T1, title: A, stride: S, targets: api, status: "open" }   # keep me
  - { id: 2, title: B, stride: S, targets: api }
`;
    const out = edit(text, [
      { id: 'T1', status: 'mitigated', verification: 'PR 12, merged' },
      { id: '2', status: 'verified' },
    ]);
    expect(out).toBe(`${HEAD}  - { id: T1, title: A, stride: S, targets: api, status: "mitigated", verification: "PR 12, merged" }   # keep me
  - { id: 2, title: B, stride: S, targets: api, status: verified }
`);
  });

  it('adds a missing status after the last key, also at the end of a file without a final newline', () => {
    const text = `${HEAD}  - id: T1
    title: A
    stride: S
    targets: [api]
    # trailing comment
  - id: T2
    title: B
    stride: S
    targets: api`;
    const out = edit(text, [{ id: 'T1', status: 'planned' }, { id: 'T2', status: 'accepted', rationale: 'Cheap to live with' }]);
    expect(out).toBe(`${HEAD}  - id: T1
    title: A
    stride: S
    targets: [api]
    status: planned
    # trailing comment
  - id: T2
    title: B
    stride: S
    targets: api
    status: accepted
    rationale: Cheap to live with`);
  });

  it('replaces a block scalar in its own style, and keeps the blank lines after it', () => {
    const text = `${HEAD}  - id: T1
    title: A
    stride: S
    targets: api
    status: accepted
    rationale: >-
      An old reason
      over two lines

    # next
  - id: T2
    title: B
    stride: S
    targets: api
    verification: |
      tested
`;
    const out = edit(text, [{ id: 'T1', rationale: 'A new reason' }, { id: 'T2', verification: 'two\nlines' }]);
    expect(out).toBe(`${HEAD}  - id: T1
    title: A
    stride: S
    targets: api
    status: accepted
    rationale: >-
      A new reason

    # next
  - id: T2
    title: B
    stride: S
    targets: api
    verification: "two\\nlines"
`);
  });

  it('an unchanged value is left alone', () => {
    const open = `${HEAD}  - { id: T1, title: A, stride: S, targets: api, status: open }\n`;
    expect(edit(open, [{ id: 'T1', status: 'open' }])).toBe(open);
  });

  it('keeps CRLF line ends', () => {
    const text = `${HEAD}  - id: T1\n    title: A\n    stride: S\n    targets: api\n    status: open\n`.replace(/\n/g, '\r\n');
    const out = edit(text, [{ id: 'T1', status: 'mitigated', verification: 'ok' }]);
    expect(out).toBe(text.replace('status: open\r\n', 'status: mitigated\r\n    verification: ok\r\n'));
  });

  it('quotes what YAML would read differently (numbers, booleans, comments, indicators, control characters)', () => {
    const text = `${HEAD}  - { id: T1, title: A, stride: S, targets: api }\n  - id: T2\n    title: B\n    stride: S\n    targets: api\n`;
    for (const value of ['true', '12', '2026-01-01', 'a # b', '- x', '@x', 'x: y', ' padded', 'null', 'tab\there', 'bad \ufffd char', '{x}', '']) {
      const out = edit(text, [{ id: 'T1', verification: value }, { id: 'T2', verification: value }]);
      const loaded = loadModel(out, 'tm.yml');
      expect(loaded.ok).toBe(true);
      if (loaded.ok) expect(loaded.model.threats.map((t) => t.verification)).toEqual([value, value]);
    }
  });

  it('a model that does not load, an unknown or duplicated id, a value that is too long: findings and no text', () => {
    const broken = editThreats(`${HEAD}  - id: T1\n    title: [unclosed\n`, 'tm.yml', [{ id: 'T1', status: 'mitigated' }]);
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.findings[0]!.rule).toBe('yaml-syntax');
    const text = `${HEAD}  - { id: T1, title: A, stride: S, targets: api }\n  - { id: T1, title: B, stride: S, targets: api }\n  - { id: T3, title: C, stride: S, targets: api }\n`;
    const missing = editThreats(text, 'tm.yml', [{ id: 'T9', status: 'mitigated' }]);
    expect(missing).toMatchObject({ ok: false, findings: [{ rule: 'model-edit', message: 'threat T9 is not in the model (removed or renamed since it was proposed)' }] });
    const twice = editThreats(text, 'tm.yml', [{ id: 'T1', status: 'mitigated' }]);
    expect(twice).toMatchObject({ ok: false, findings: [{ message: 'threat id "T1" is used twice, so the edit cannot tell which threat is meant' }] });
    const long = editThreats(text, 'tm.yml', [{ id: 'T3', verification: 'x'.repeat(5000) }]);
    expect(long).toMatchObject({ ok: false, findings: [{ message: 'threat T3: the new verification is longer than 4000 characters' }] });
  });

  it('refuses aliases and merge keys rather than editing through them', () => {
    const text = `${HEAD}  - &base { id: T1, title: A, stride: S, targets: api, status: open }\n  - id: T2\n    title: B\n    stride: S\n    targets: api\n    status: *st\n`;
    const aliased = `${HEAD}  - id: T1\n    title: A\n    stride: S\n    targets: api\n    status: &st open\n  - id: T2\n    title: B\n    stride: S\n    targets: api\n    status: *st\n`;
    expect(editThreats(aliased, 'tm.yml', [{ id: 'T2', status: 'mitigated' }])).toMatchObject({
      ok: false,
      findings: [{ message: 'threat T2: `status` is not a plain value (an alias, list or mapping), so it cannot be edited in place' }],
    });
    expect(editThreats(text, 'tm.yml', [{ id: 'T1', status: 'mitigated' }]).ok).toBe(false);
  });

  it('refuses a status the schema does not know (the edited model would not load)', () => {
    const text = `${HEAD}  - { id: T1, title: A, stride: S, targets: api }\n`;
    const result = editThreats(text, 'tm.yml', [{ id: 'T1', status: 'archived' as ThreatStatus }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.findings[0]!.message).toMatch(/^the edited model would not load: /);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: only the changed lines change, and the result loads with exactly the requested values.

/** Line ranges (0-based, inclusive) that an edit of these threats may touch: the edited keys' lines, or a flow mapping's lines. */
function editableLines(text: string, edits: readonly ThreatEdit[]): Set<number> {
  const doc = parseDocument(text);
  const threats = isMap(doc.contents) ? doc.contents.get('threats', true) : undefined;
  const lines = new Set<number>();
  if (!isSeq(threats)) return lines;
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length - 1;
  for (const e of edits) {
    const item = threats.items.find((t) => isMap(t) && String(t.get('id')) === e.id);
    if (!isMap(item)) continue;
    const mark = (from: number, to: number) => {
      for (let l = lineOf(from); l <= lineOf(Math.max(from, to - 1)); l++) lines.add(l);
    };
    if (item.flow) {
      mark(item.range![0], item.range![1]);
      continue;
    }
    for (const pair of item.items) {
      if (!isScalar(pair.key) || !['status', 'verification', 'rationale'].includes(String(pair.key.value))) continue;
      if ((e as unknown as Record<string, unknown>)[String(pair.key.value)] === undefined) continue;
      const value = pair.value as { range?: [number, number, number] } | null;
      mark(pair.key.range![0], value?.range?.[1] ?? pair.key.range![1]);
    }
  }
  return lines;
}

/** Indexes of lines only in `a` and only in `b`, by longest common subsequence. */
function lineDiff(all: readonly string[], other: readonly string[]): { removed: number[]; added: number[] } {
  // The common head and tail first: the table is then only as big as the edited stretch.
  let head = 0;
  while (head < all.length && head < other.length && all[head] === other[head]) head++;
  let tail = 0;
  while (tail < all.length - head && tail < other.length - head && all[all.length - 1 - tail] === other[other.length - 1 - tail]) tail++;
  const a = all.slice(head, all.length - tail);
  const b = other.slice(head, other.length - tail);
  const n = a.length;
  const m = b.length;
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const removed: number[] = [];
  const added: number[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) removed.push(i++);
    else added.push(j++);
  }
  while (i < n) removed.push(i++);
  while (j < m) added.push(j++);
  return { removed: removed.map((l) => l + head), added: added.map((l) => l + head) };
}

function checkEdit(text: string, edits: ThreatEdit[]): void {
  const result = editThreats(text, 'tm.yml', edits);
  if (!result.ok) throw new Error(`edit failed: ${result.findings[0]?.message}\n${text}\n${JSON.stringify(edits)}`);
  const out = result.text;
  const { removed, added } = lineDiff(text.split('\n'), out.split('\n'));
  const before = editableLines(text, edits);
  const after = editableLines(out, edits);
  expect(removed.filter((l) => !before.has(l))).toEqual([]);
  expect(added.filter((l) => !after.has(l))).toEqual([]);
  const loaded = loadModel(out, 'tm.yml');
  expect(loaded.ok).toBe(true);
  if (!loaded.ok) return;
  for (const e of edits) {
    const threat = loaded.model.threats.find((t) => t.id === e.id)!;
    if (e.status !== undefined) expect(threat.status).toBe(e.status);
    if (e.verification !== undefined) expect(threat.verification).toBe(e.verification);
    if (e.rationale !== undefined) expect(threat.rationale).toBe(e.rationale);
  }
}

const status = fc.constantFrom(...STATUSES);
const freeText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.constantFrom('Closed by @lena-vogt-gw as completed: https://github.com/genomewell/app/pull/412', 'PR #12, merged 2026-12-01', "it's done", 'yes'),
);

function editsFor(ids: readonly string[]) {
  return fc
    .subarray([...ids], { minLength: 1 })
    .chain((chosen) =>
      fc.tuple(
        ...chosen.map((id) =>
          fc.record({ status, verification: fc.option(freeText, { nil: undefined }), rationale: fc.option(freeText, { nil: undefined }) }).map((r): ThreatEdit => ({
            id,
            status: r.status,
            ...(r.verification !== undefined ? { verification: r.verification } : {}),
            ...(r.rationale !== undefined ? { rationale: r.rationale } : {}),
          })),
        ),
      ),
    );
}

describe('editThreats: properties', () => {
  it('on the GenomeWell example: only the edited lines change, and it re-loads with the requested values', () => {
    const text = readFileSync(new URL('../../examples/genomewell/threat-model.yml', import.meta.url), 'utf8');
    const loaded = loadModel(text, 'tm.yml');
    if (!loaded.ok) throw new Error('example does not load');
    const ids = loaded.model.threats.map((t) => t.id);
    fc.assert(fc.property(editsFor(ids), (edits) => checkEdit(text, edits)), { numRuns: 8 });
  });

  /** A threat written in block or flow style, with comments and blank lines between keys and after values. */
  const threatText = fc
    .record({
      flow: fc.boolean(),
      status: fc.option(fc.tuple(status, fc.constantFrom('plain', 'double', 'single')), { nil: undefined }),
      verification: fc.option(fc.constantFrom('plain text', '"quoted: text"', "'single'", '>-\n      folded\n      text', '|\n      literal\n'), { nil: undefined }),
      comments: fc.array(fc.constantFrom('# note', '# status: done?', '', '#'), { maxLength: 3 }),
      trailing: fc.constantFrom('', '  # trailing', ' #x'),
      extra: fc.constantFrom('', 'description: a note', 'refs: [CWE-1, CWE-2]', 'refs:\n  - CWE-1\n  - CWE-2'),
    })
    .map((t) => ({ ...t, verification: t.flow && t.verification?.startsWith('>') ? 'flowtext' : t.flow && t.verification?.startsWith('|') ? 'flowtext' : t.verification }));

  it('on generated models with comments: only the edited lines change, and it re-loads with the requested values', () => {
    const model = fc.array(threatText, { minLength: 1, maxLength: 6 }).map((threats) => {
      const lines: string[] = [HEAD.trimEnd()];
      threats.forEach((t, i) => {
        const quote = (s: ThreatStatus, q: string) => (q === 'double' ? `"${s}"` : q === 'single' ? `'${s}'` : s);
        const fields: string[] = [`id: T${i}`, `title: Threat ${i}`, 'stride: S', 'targets: api'];
        if (t.status) fields.push(`status: ${quote(t.status[0], t.status[1])}`);
        if (t.verification !== undefined) fields.push(`verification: ${t.verification}`);
        if (t.flow) {
          if (t.extra && !t.extra.includes('\n')) fields.push(t.extra);
          lines.push(`  - { ${fields.join(', ')} }${t.trailing}`);
        } else {
          if (t.extra) fields.push(t.extra);
          const body = fields.flatMap((f, j) => [
            ...(j > 0 ? t.comments.map((c) => (c === '' ? '' : `    ${c}`)).slice(0, j % 2) : []),
            ...f.split('\n').map((l, k) => (k === 0 ? `    ${l}` : `    ${l}`)),
          ]);
          body[0] = `  - ${body[0]!.slice(4)}`;
          body[1] = `${body[1]}${t.trailing}`;
          lines.push(...body, ...t.comments.map((c) => (c === '' ? '' : `  ${c}`)));
        }
      });
      return { text: `${lines.join('\n')}\n`, ids: threats.map((_, i) => `T${i}`) };
    });
    fc.assert(
      fc.property(
        model.chain((m) => fc.tuple(fc.constant(m.text), editsFor(m.ids))),
        ([text, edits]) => {
          if (!loadModel(text, 'tm.yml').ok) throw new Error(`generated model does not load:\n${text}`);
          checkEdit(text, edits);
        },
      ),
      { numRuns: 100 },
    );
  });
});
