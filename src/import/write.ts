/**
 * An import as YAML: a new `threat-model.yml` (block style, schema key order, comments
 * saying what to review), or new threats appended to an existing model file. Merging
 * finds where each section ends with yaml's Document API and inserts text there, so the
 * existing file keeps every byte: its comments, folded text, quoting and flow maps (a
 * re-stringified document would reflow them).
 */
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { isSourceRef, type ExistingModel, type ImportResult } from './types.ts';

export interface WriteContext {
  /** The source file as the user named it. */
  source: string;
  /** YYYY-MM-DD of the import. */
  date: string;
}

const STRINGIFY = { lineWidth: 0, indent: 2 } as const;

function header(context: WriteContext, advice: readonly string[]): string {
  return [
    ` Imported by \`threatloop import\` from ${context.source} on ${context.date}.`,
    ' Review before relying on it (`threatloop lint` lists what to fix):',
    ...advice,
  ].join('\n');
}

/** The imported model as a new YAML file. */
export function formatImportedModel(result: ImportResult, context: WriteContext): string {
  const doc = new Document(result.model);
  doc.commentBefore = header(context, result.advice);
  const root = doc.contents as YAMLMap;
  const keyOf = (name: string) => (root.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === name)?.key as Node | undefined;
  for (const section of ['owners', 'boundaries', 'components', 'flows', 'threats']) keyOf(section)!.spaceBefore = true;
  for (const [section, comment] of Object.entries(result.sectionComments)) if (comment) keyOf(section)!.commentBefore = comment;
  annotate(doc.get('boundaries') as YAMLSeq, doc.get('components') as YAMLSeq, doc.get('threats') as YAMLSeq, result);
  return doc.toString(STRINGIFY);
}

/** Trust comments on boundaries, type comments on components, notes before threats. */
function annotate(boundaries: YAMLSeq | undefined, components: YAMLSeq | undefined, threats: YAMLSeq | undefined, result: ImportResult): void {
  for (const item of boundaries?.items ?? []) {
    const map = item as YAMLMap;
    const comment = result.comments.boundaries.get(String(map.get('id')));
    const trust = map.get('trust', true) as Node | undefined;
    if (comment && trust) trust.comment = ` ${comment}`;
  }
  for (const item of components?.items ?? []) {
    const map = item as YAMLMap;
    const comment = result.comments.components.get(String(map.get('id')));
    const type = map.get('type', true) as Node | undefined;
    if (comment && type) type.comment = ` ${comment}`;
  }
  for (const [index, lines] of result.comments.threats) {
    const node = threats?.items[index] as Node | undefined;
    if (node) node.commentBefore = lines.map((l) => ` ${l}`).join('\n');
  }
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

type Section = 'owners' | 'boundaries' | 'components' | 'flows' | 'threats';

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
  const blocks: [Section, unknown, boolean][] = [
    ['owners', model.owners, Object.keys(model.owners).length > 0],
    ['boundaries', model.boundaries, model.boundaries.length > 0],
    ['components', model.components, model.components.length > 0],
    ['flows', model.flows, model.flows.length > 0],
    ['threats', model.threats, model.threats.length > 0],
  ];
  for (const [section, value, any] of blocks) {
    if (!any) continue;
    const block = new Document(value);
    if (section === 'threats') {
      const seq = block.contents as YAMLSeq;
      annotate(undefined, undefined, seq, result);
      const first = seq.items[0] as Node;
      first.commentBefore = ` Imported by \`threatloop import\` from ${context.source} on ${context.date}.${first.commentBefore ? `\n${first.commentBefore}` : ''}`;
    }
    if (section === 'components') annotate(undefined, block.contents as YAMLSeq, undefined, result);
    if (section === 'boundaries') annotate(block.contents as YAMLSeq, undefined, undefined, result);
    const text = block.toString(STRINGIFY);
    const edit = insertion(existing, root, section, text);
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
