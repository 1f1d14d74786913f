/**
 * An import as YAML: a new `threat-model.yml` (block style, schema key order, comments
 * saying what to review), or new threats appended to an existing model file. Merging
 * finds where each section ends with yaml's Document API and inserts text there, so the
 * existing file keeps every byte: its comments, folded text, quoting and flow maps (a
 * re-stringified document would reflow them).
 *
 * The new text is written with js-yaml's dumper, one list item at a time, and the comments
 * are placed between and after those items: building a `yaml` Document of a 5,000-threat
 * import and stringifying it took four times as long (about 550 ms against 140 ms of CPU),
 * most of an import's time. Both are YAML 1.2 core schema writers; test/import/write.test.ts
 * reads every kind of string back through the model loader.
 */
import { CORE_SCHEMA, dump } from 'js-yaml';
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { isSourceRef, type ExistingModel, type ImportResult } from './types.ts';

export interface WriteContext {
  /** The source file as the user named it. */
  source: string;
  /** YYYY-MM-DD of the import. */
  date: string;
}

/**
 * Core schema (dates and `yes` stay plain strings, as the loader reads them), no folding, no
 * anchors; `undefined` values are left out, as `yaml` leaves them out.
 */
const DUMP = { schema: CORE_SCHEMA, lineWidth: -1, noRefs: true, skipInvalid: true, quoteStyle: 'double' } as const;

type Section = 'owners' | 'boundaries' | 'components' | 'flows' | 'threats';

function header(context: WriteContext, advice: readonly string[]): string {
  return [
    ` Imported by \`threatloop import\` from ${context.source} on ${context.date}.`,
    ' Review before relying on it (`threatloop lint` lists what to fix):',
    ...advice,
  ].join('\n');
}

/**
 * A comment as `#` lines at `indent`. Every line break YAML knows (LF, CR LF, a lone CR) starts
 * a new `#` line: a comment holds text from the source file, and must never become YAML content.
 */
function commentBlock(text: string, indent = ''): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => `${indent}#${line === ' ' ? '' : line}`)
    .join('\n')
    .concat('\n');
}

/** A comment after a value on its line: one line, whatever it held. */
function lineComment(text: string): string {
  return ` #${text.replace(/\r\n|\r|\n/g, ' ')}`;
}

/** The first line of a list item (dumped at column 0) that holds its own key `key` (not a nested one). */
const OWN_KEY_LINE = { trust: /^ {2}trust: [^\n]*/m, type: /^ {2}type: [^\n]*/m } as const;

/**
 * A section's value as YAML at column 0, comments included: a block list (`- id: ...`) with the
 * threats' notes before their items and trust/type guesses after the line they explain, or the
 * owners mapping. Empty: `[]` or `{}`.
 */
function sectionText(section: Section, result: ImportResult, leading?: string): string {
  const value = result.model[section];
  if (section === 'owners') return dump(value, DUMP);
  const items = value as readonly Record<string, unknown>[];
  if (items.length === 0) return '[]\n';
  const lineComments = section === 'boundaries' ? result.comments.boundaries : section === 'components' ? result.comments.components : undefined;
  const ownKey = section === 'boundaries' ? OWN_KEY_LINE.trust : OWN_KEY_LINE.type;
  let text = '';
  items.forEach((item, index) => {
    if (index === 0 && leading !== undefined) text += commentBlock(leading);
    const before = section === 'threats' ? result.comments.threats.get(index) : undefined;
    if (before) for (const line of before) text += commentBlock(` ${line}`);
    let itemText = dump([item], DUMP);
    const comment = lineComments?.get(String(item.id));
    if (comment) itemText = itemText.replace(ownKey, (line) => line + lineComment(` ${comment}`));
    text += itemText;
  });
  return text;
}

/** Every line that has text shifted right by `by` spaces; empty lines stay empty, line ends stay as they are. */
function shifted(text: string, by: number): string {
  const pad = ' '.repeat(by);
  return text.replace(/^(?=[^\n])/gm, pad);
}

/** The imported model as a new YAML file. */
export function formatImportedModel(result: ImportResult, context: WriteContext): string {
  const { model } = result;
  let text = `${commentBlock(header(context, result.advice))}\n${dump({ version: model.version, system: model.system }, DUMP)}`;
  for (const section of ['owners', 'boundaries', 'components', 'flows', 'threats'] as const) {
    const comment = section === 'owners' ? undefined : result.sectionComments[section];
    const value = sectionText(section, result);
    const empty = value === '[]\n' || value === '{}\n';
    text += `\n${comment ? commentBlock(comment) : ''}${section}:${empty ? ` ${value}` : `\n${shifted(value, 2)}`}`;
  }
  return text;
}

export type ExistingModelText = { ok: true; existing: ExistingModel } | { ok: false; message: string; line?: number };

/**
 * What a merge target defines (ids and names), read leniently: the file only has to be
 * YAML with the model's sections, not a model that passes lint.
 */
export function readExistingModel(text: string, file: string): ExistingModelText {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    return { ok: false, message: `${file} is not valid YAML (${error.message.split('\n')[0]}); fix it before merging`, line: error.linePos?.[0]?.line };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return { ok: false, message: `${file} cannot be read (${error instanceof Error ? error.message : String(error)})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: `${file} is not a threat model (its top level is not a mapping of sections)` };
  }
  const model = value as Record<string, unknown>;
  const list = (key: string) => (Array.isArray(model[key]) ? (model[key] as unknown[]) : []).filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object');
  const text_ = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : undefined);
  const owners = model.owners !== null && typeof model.owners === 'object' && !Array.isArray(model.owners) ? (model.owners as Record<string, unknown>) : {};
  return {
    ok: true,
    existing: {
      threatIds: list('threats').flatMap((t) => (text_(t.id) === undefined ? [] : [text_(t.id)!])),
      threatRefs: Object.fromEntries(
        list('threats').flatMap((t) => (text_(t.id) === undefined || !Array.isArray(t.refs) ? [] : t.refs.flatMap((r) => (typeof r === 'string' && isSourceRef(r.trim()) ? [[r.trim(), text_(t.id)!] as const] : [])))),
      ),
      boundaries: list('boundaries').flatMap((b) => (text_(b.id) === undefined ? [] : [{ id: text_(b.id)!, ...(text_(b.name) ? { name: text_(b.name)! } : {}) }])),
      components: list('components').flatMap((c) => (text_(c.id) === undefined ? [] : [{ id: text_(c.id)!, ...(text_(c.name) ? { name: text_(c.name)! } : {}) }])),
      flows: list('flows').flatMap((f) =>
        text_(f.id) === undefined
          ? []
          : [{ id: text_(f.id)!, ...(text_(f.from) ? { from: text_(f.from)! } : {}), ...(text_(f.to) ? { to: text_(f.to)! } : {}), bidirectional: f.bidirectional === true }],
      ),
      owners: Object.entries(owners).map(([key, o]) => {
        const name = o !== null && typeof o === 'object' ? text_((o as Record<string, unknown>).name) : undefined;
        return { key, ...(name ? { name } : {}) };
      }),
    },
  };
}

export type MergeOutcome =
  | { ok: true; text: string; added: { threats: number; boundaries: number; components: number; flows: number; owners: number } }
  | { ok: false; message: string; line?: number };

/**
 * Appends the import's new owners, boundaries, components, flows and threats to an existing model's
 * text. The existing text is unchanged apart from the inserted lines (an empty `[]` or `{}`
 * section becomes a block). A section written as a non-empty flow collection (`[a, b]`)
 * cannot be appended to without rewriting it: that is refused, with its line.
 */
export function mergeIntoModelText(existing: string, file: string, result: ImportResult, context: WriteContext): MergeOutcome {
  const doc = parseDocument(existing);
  if (doc.errors.length > 0) return { ok: false, message: `${file} is not valid YAML; fix it before merging` };
  const root = doc.contents;
  if (!isMap(root) || root.flow) return { ok: false, message: `${file} is not a threat model (its top level is not a block mapping of sections)` };
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const edits: { at: number; end: number; text: string }[] = [];
  const { model } = result;
  const blocks: [Section, boolean][] = [
    ['owners', Object.keys(model.owners).length > 0],
    ['boundaries', model.boundaries.length > 0],
    ['components', model.components.length > 0],
    ['flows', model.flows.length > 0],
    ['threats', model.threats.length > 0],
  ];
  for (const [section, any] of blocks) {
    if (!any) continue;
    const leading = section === 'threats' ? ` Imported by \`threatloop import\` from ${context.source} on ${context.date}.` : undefined;
    const edit = insertion(existing, root, section, sectionText(section, result, leading));
    if ('message' in edit) return { ok: false, message: `${file}: ${edit.message}`, line: edit.line };
    edits.push(edit);
  }
  let merged = existing;
  // From the end, so offsets stay valid; at the same offset (sections added at the end of the
  // file) the later section goes in first, so they end up in schema order.
  const ordered = edits.map((edit, order) => ({ ...edit, order })).sort((a, b) => b.at - a.at || b.order - a.order);
  for (const edit of ordered) {
    merged = merged.slice(0, edit.at) + edit.text.replace(/\r?\n/g, eol) + merged.slice(edit.end);
  }
  return {
    ok: true,
    text: merged,
    added: {
      threats: model.threats.length,
      boundaries: model.boundaries.length,
      components: model.components.length,
      flows: model.flows.length,
      owners: Object.keys(model.owners).length,
    },
  };
}

function indent(text: string, by: number): string {
  const pad = ' '.repeat(by);
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n')
    .concat('\n');
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text[i] === '\n') line++;
  return line;
}

/** Where and what to insert so `section` gains `block` (YAML for a list or mapping at column 0). */
function insertion(text: string, root: YAMLMap, section: Section, block: string): { at: number; end: number; text: string } | { message: string; line: number } {
  const pair = (root.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === section);
  if (!pair) {
    // No such section: add it at the end of the file.
    const newline = text === '' || text.endsWith('\n') ? '' : '\n';
    return { at: text.length, end: text.length, text: `${newline}${section}:\n${indent(block, 2)}` };
  }
  const key = pair.key as Node;
  const keyColumn = key.range![0] - lineStart(text, key.range![0]);
  const value = pair.value as Node | null;
  const isEmpty =
    value === null ||
    (isScalar(value) && (value.value === null || value.value === '')) ||
    ((isSeq(value) || isMap(value)) && value.items.length === 0);
  if (isEmpty) {
    // `threats:`, `threats: []`, `owners: {}`: the value becomes a block under the key.
    const colon = text.indexOf(':', key.range![1]);
    const end = value?.range ? value.range[1] : colon + 1;
    return { at: colon + 1, end, text: `\n${indent(block, keyColumn + 2)}`.replace(/\n$/, '') };
  }
  const wrongKind = section === 'owners' ? !isMap(value) : !isSeq(value);
  if (wrongKind) return { message: `\`${section}\` is not a ${section === 'owners' ? 'mapping' : 'list'}`, line: lineOf(text, value.range![0]) };
  if ((value as YAMLSeq | YAMLMap).flow) {
    return { message: `\`${section}\` is written in flow style ([...] or {...}); write it as a block list to merge into it`, line: lineOf(text, value.range![0]) };
  }
  const first = (value as YAMLSeq | YAMLMap).items[0]!;
  const firstOffset = isSeq(value) ? value.range![0] : ((first as Pair).key as Node).range![0];
  const column = firstOffset - lineStart(text, firstOffset);
  const end = value.range![1];
  const newline = end > 0 && text[end - 1] !== '\n' ? '\n' : '';
  return { at: end, end, text: newline + indent(block, column) };
}
