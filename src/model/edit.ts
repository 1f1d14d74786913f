/**
 * The in-place edit a proposal commits: a few fields of a few threats change
 * and every other byte of the file stays as the team wrote it (comments,
 * blank lines, quoting, key order, flow or block style). The `yaml`
 * package's Document gives each node's source range; we splice new text into
 * exactly those ranges instead of re-serialising the document, which would
 * rewrite the whole file.
 *
 * Pure and all-or-nothing: a model that does not load, a threat that is not
 * there, or a result that would not re-load as asked gives findings and no text.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Finding } from './findings.ts';
import { loadModel } from './load.ts';
import type { ThreatModel, ThreatStatus } from './schema.ts';
import { offsetToPosition } from './source.ts';

/** Threat fields an edit may set: `status`, plus the evidence or reason that goes with it. */
export interface ThreatEdit {
  /** The threat's id as the model states it (compared as strings). */
  id: string;
  status?: ThreatStatus;
  /** The whole new `verification` text (a proposal writes the evidence link here). */
  verification?: string;
  /** The whole new `rationale` text (why a threat is not applicable or accepted). */
  rationale?: string;
}

type EditedField = 'status' | 'verification' | 'rationale';
const EDITED_FIELDS: readonly EditedField[] = ['status', 'verification', 'rationale'];

/** Longer texts belong in a linked document, not a model line; also bounds what an issue comment can add. */
export const MAX_EDIT_VALUE_CHARS = 4000;

export type ModelEditResult = { ok: true; text: string } | { ok: false; findings: Finding[] };

interface Splice {
  start: number;
  end: number;
  text: string;
}

export function editThreats(text: string, file: string, edits: readonly ThreatEdit[]): ModelEditResult {
  const loaded = loadModel(text, file);
  if (!loaded.ok) return { ok: false, findings: loaded.findings };
  const fail = (message: string, offset = 0, path?: (string | number)[]): ModelEditResult => ({
    ok: false,
    findings: [{ rule: 'model-edit', level: 'error', message, file, start: offsetToPosition(text, offset), ...(path ? { path } : {}) }],
  });

  const doc = parseDocument(text, { uniqueKeys: true, strict: true, logLevel: 'error' });
  if (doc.errors.length > 0) return fail(`the model cannot be edited in place: ${doc.errors[0]!.message}`, doc.errors[0]!.pos[0]);
  const threats = isMap(doc.contents) ? doc.contents.get('threats', true) : undefined;
  if (!isSeq(threats)) return fail('the model has no `threats` list to edit');

  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const indexById = new Map<string, number>();
  loaded.model.threats.forEach((t, i) => indexById.set(t.id, indexById.has(t.id) ? -1 : i));
  const splices: Splice[] = [];
  const seen = new Set<string>();
  for (const edit of edits) {
    if (seen.has(edit.id)) return fail(`threat ${edit.id} is edited twice in one proposal`);
    seen.add(edit.id);
    const index = indexById.get(edit.id);
    if (index === undefined) return fail(`threat ${edit.id} is not in the model (removed or renamed since it was proposed)`);
    if (index === -1) return fail(`threat id "${edit.id}" is used twice, so the edit cannot tell which threat is meant`);
    const item = threats.items[index];
    if (!isMap(item) || !item.range) return fail(`threat ${edit.id} is not written as a mapping (an alias?), so it cannot be edited in place`, 0, ['threats', index]);
    if (item.items.some((pair) => isScalar(pair.key) && pair.key.value === '<<')) {
      return fail(`threat ${edit.id} uses a merge key (<<), so it cannot be edited in place`, item.range[0], ['threats', index]);
    }
    for (const field of EDITED_FIELDS) {
      const value = edit[field];
      if (value === undefined) continue;
      if (value.length > MAX_EDIT_VALUE_CHARS) return fail(`threat ${edit.id}: the new ${field} is longer than ${MAX_EDIT_VALUE_CHARS} characters`);
      const splice = fieldSplice(text, item, field, value, newline);
      if (typeof splice === 'string') return fail(`threat ${edit.id}: ${splice}`, item.range[0], ['threats', index, field]);
      if (splice) splices.push(splice);
    }
  }

  // Back to front, so earlier offsets stay valid; insertions at one offset keep the edit order.
  const ordered = splices.map((s, order) => ({ ...s, order })).sort((a, b) => b.start - a.start || b.order - a.order);
  let result = text;
  for (const s of ordered) result = result.slice(0, s.start) + s.text + result.slice(s.end);

  const check = verifyEdit(loaded.model, result, file, edits);
  return check ? fail(check) : { ok: true, text: result };
}

/** The splice that sets `field` to `value` in a threat's mapping, undefined when it already has that value, or why it cannot. */
function fieldSplice(text: string, map: YAMLMap, field: EditedField, value: string, newline: string): Splice | undefined | string {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === field) as Pair<Scalar, Node | null> | undefined;
  if (pair) {
    const node = pair.value;
    if (node && !isScalar(node)) return `\`${field}\` is not a plain value (an alias, list or mapping), so it cannot be edited in place`;
    if (node?.value === value) return undefined;
    if (!node?.range || node.range[0] === node.range[1]) {
      // `status:` with nothing after it: the value goes right after the colon.
      const at = node?.range?.[0] ?? pair.key.range![1] + 1;
      return { start: at, end: at, text: ` ${renderScalar(value, { flow: map.flow === true, style: undefined, indent: '', newline })}` };
    }
    const [start, valueEnd] = node.range;
    let end = valueEnd;
    const style = node.type;
    if (style === 'BLOCK_FOLDED' || style === 'BLOCK_LITERAL') {
      // A block scalar's range runs to the end of its last line; blank lines after the text (kept by `|+`) stay.
      const slice = text.slice(start, valueEnd);
      const trailing = /\r?\n(?:[ \t]*\r?\n)*$/.exec(slice);
      if (trailing) end = start + trailing.index;
    }
    return { start, end, text: renderScalar(value, { flow: map.flow === true, style, indent: blockIndent(text, start, end), newline }) };
  }

  // A new key: after `status` for its evidence or reason (one hunk in the diff), else after the last key.
  const anchor = (field !== 'status' && map.items.find((p) => isScalar(p.key) && p.key.value === 'status')) || map.items.at(-1);
  if (!anchor || !isScalar(anchor.key) || !anchor.key.range) return 'the threat has no keys to place the new one after';
  const anchorEnd = (anchor.value as Node | null)?.range?.[1] ?? anchor.key.range[1];
  if (map.flow) {
    return { start: anchorEnd, end: anchorEnd, text: `, ${field}: ${renderScalar(value, { flow: true, style: undefined, indent: '', newline })}` };
  }
  const first = map.items[0]!.key as Scalar;
  const keyColumn = first.range![0] - lineStart(text, first.range![0]);
  const indent = ' '.repeat(keyColumn);
  const line = `${indent}${field}: ${renderScalar(value, { flow: false, style: undefined, indent: `${indent}  `, newline })}${newline}`;
  if (text[anchorEnd - 1] === '\n') return { start: anchorEnd, end: anchorEnd, text: line };
  const eol = text.indexOf('\n', anchorEnd);
  if (eol === -1) return { start: text.length, end: text.length, text: `${newline}${line.slice(0, -newline.length)}` };
  return { start: eol + 1, end: eol + 1, text: line };
}

interface ScalarContext {
  /** Inside a flow mapping, where `,` `[` `]` `{` `}` end a plain scalar. */
  flow: boolean;
  /** The style the old value was written in, kept when the new value allows it. */
  style: Scalar['type'] | undefined;
  /** Indentation of a block scalar's text. */
  indent: string;
  newline: string;
}

/** `value` as YAML source in the old value's style when that can hold it, else plain when safe, else double-quoted. */
function renderScalar(value: string, context: ScalarContext): string {
  const oneLine = !/[\r\n]/.test(value) && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffd]/.test(value.replace(/\t/g, ''));
  switch (context.style) {
    case 'QUOTE_DOUBLE':
      return doubleQuoted(value);
    case 'QUOTE_SINGLE':
      return oneLine ? `'${value.replace(/'/g, "''")}'` : doubleQuoted(value);
    case 'BLOCK_FOLDED':
    case 'BLOCK_LITERAL':
      // One trimmed line keeps the block style (`>-` or `|-`); anything subtler is quoted.
      if (oneLine && value.length > 0 && value.trim() === value && !context.flow) {
        return `${context.style === 'BLOCK_FOLDED' ? '>' : '|'}-${context.newline}${context.indent}${value}`;
      }
      return doubleQuoted(value);
    default:
      return oneLine && isSafePlain(value, context.flow) ? value : doubleQuoted(value);
  }
}

/** Plain only when YAML reads the text back as this very string, in this context. */
function isSafePlain(value: string, flow: boolean): boolean {
  if (value.length === 0 || value.trim() !== value || value.includes('\t')) return false;
  try {
    const doc = parseDocument(flow ? `{k: ${value}}` : `k: ${value}`, { logLevel: 'silent' });
    if (doc.errors.length > 0 || doc.warnings.length > 0) return false;
    const read = doc.toJS() as unknown;
    return typeof read === 'object' && read !== null && (read as Record<string, unknown>).k === value && Object.keys(read).length === 1;
  } catch {
    return false;
  }
}

/** JSON's escapes are YAML's; characters the loader refuses as binary, or editors hide, are escaped too. */
function doubleQuoted(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The indentation of a block scalar's first text line (between `start` and `end`). */
function blockIndent(text: string, start: number, end: number): string {
  const body = text.slice(start, end).split('\n').slice(1);
  const line = body.find((l) => l.trim() !== '');
  return line ? /^[ ]*/.exec(line)![0] : '  ';
}

/** Why the edited text is not exactly the old model with the edits applied, or undefined when it is. */
function verifyEdit(before: ThreatModel, text: string, file: string, edits: readonly ThreatEdit[]): string | undefined {
  const after = loadModel(text, file);
  if (!after.ok) return `the edited model would not load: ${after.findings[0]?.message ?? 'unknown error'}`;
  const expected = structuredClone(before);
  for (const edit of edits) {
    const threat = expected.threats.find((t) => t.id === edit.id)!;
    for (const field of EDITED_FIELDS) {
      if (edit[field] !== undefined) (threat as Record<string, unknown>)[field] = edit[field];
    }
  }
  return canonical(after.model) === canonical(expected) ? undefined : 'the in-place edit changed more than the requested fields';
}

/** JSON with sorted keys: the loader's key order follows the schema, an edited copy's does not. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
