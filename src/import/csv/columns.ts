/**
 * Spreadsheet header -> threat fields. Headers are compared without case, spaces or
 * punctuation (`Component / Data-flow` = `component dataflow`), against the spellings
 * threat registers use (the GenomeWell tables, Excel templates, risk registers).
 */
import { didYouMean } from '../../model/validate.ts';

export const IMPORT_FIELDS = [
  'id',
  'title',
  'description',
  'stride',
  'target',
  'vector',
  'score',
  'severity',
  'strategy',
  'mitigation',
  'owner',
  'status',
  'due',
  'verification',
  'residual_risk',
  'refs',
  'rationale',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Header spellings per field, as people write them (shown in messages); the first is the canonical one. */
export const HEADER_SPELLINGS: Record<ImportField, readonly string[]> = {
  id: ['ID', 'Threat ID', 'Ref', 'Ref ID', 'Threat Ref', '#'],
  title: ['Threat', 'Title', 'One-line Threat Description', 'Threat Description', 'Threat Title', 'Summary'],
  description: ['Description', 'Details', 'Threat Details', 'Notes'],
  stride: ['STRIDE', 'Category', 'STRIDE Category', 'Threat Category'],
  target: ['Component / Data-flow', 'Component', 'Target', 'Element', 'DFD Element', 'Affected Component', 'Affected Component(s)', 'Affected Components', 'Asset', 'Location'],
  vector: ['CVSS Vector', 'Vector', 'CVSS Vector String'],
  score: ['Base Score', 'CVSS', 'Score', 'CVSS Score', 'CVSS Base Score'],
  severity: ['Severity', 'CVSS Severity', 'Risk Rating', 'Rating', 'Risk Level'],
  strategy: ['Strategy', 'Mitigation Strategy', 'Treatment', 'Risk Treatment', 'Response'],
  mitigation: ['Mitigation Action', 'Mitigation', 'Mitigations', 'Mitigation / Control', 'Countermeasure', 'Countermeasures', 'Control', 'Controls', 'Action'],
  owner: ['Owner', 'Owners', 'Assignee', 'Responsible', 'Risk Owner', 'Threat Owner'],
  status: ['Status', 'State', 'Mitigation Status'],
  due: ['Due Date', 'Due', 'Deadline', 'Target Date'],
  verification: ['Verification Method', 'Verification'],
  residual_risk: ['Residual Risk', 'Residual Risk Summary'],
  refs: ['Linked Ticket', 'Ticket', 'Tickets', 'Jira Ticket', 'Jira', 'Refs', 'References', 'Links'],
  rationale: ['Rationale', 'Justification'],
};

/**
 * `Component / Data-flow` -> `componentdataflow`; `#` stays `#` (it has no letters to keep).
 * A CVSS version in the header is dropped: `CVSS v3.1 Vector` is the `CVSS Vector` column.
 */
export function headerKey(header: string): string {
  const trimmed = header.trim();
  const key = trimmed
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]/g, '')
    .replace(/^cvssv?[234]\d?(?=[a-z])/, 'cvss');
  return key === '' ? trimmed : key;
}

const FIELD_BY_KEY = new Map<string, ImportField>(
  IMPORT_FIELDS.flatMap((field) => HEADER_SPELLINGS[field].map((spelling) => [headerKey(spelling), field] as const)),
);
const SPELLING_BY_KEY = new Map<string, string>(
  IMPORT_FIELDS.flatMap((field) => HEADER_SPELLINGS[field].map((spelling) => [headerKey(spelling), spelling] as const)),
);

export interface IgnoredColumn {
  /** 0-based column index. */
  index: number;
  header: string;
  /** A known spelling it looks like a typo of. */
  suggestion?: string;
  /** Why it is ignored: not a known column, or a second column for a field already mapped. */
  reason: 'unknown' | 'repeated' | 'blank';
  /** For a repeated column: the field and the column that is used instead. */
  field?: ImportField;
  usedIndex?: number;
}

export interface ColumnMap {
  /** Field -> 0-based column index. */
  fields: Partial<Record<ImportField, number>>;
  ignored: IgnoredColumn[];
}

/** `--map`: header -> field, for headers the importer does not know (compared as header keys). */
export type HeaderMap = ReadonlyMap<string, ImportField>;

/** Field names `--map` takes: the fields, and the model's own key where it differs (`targets`). */
const FIELD_ALIASES: Record<string, ImportField> = { targets: 'target', cvss: 'vector', residualrisk: 'residual_risk', ticket: 'refs' };

/**
 * `Risk Level=severity,Affected Component(s)=targets` -> a header map, or what is wrong with
 * it (a pair without `=`, an unknown field, with a did-you-mean).
 */
export function parseHeaderMap(text: string): { ok: true; map: HeaderMap } | { ok: false; message: string } {
  const map = new Map<string, ImportField>();
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = pair.lastIndexOf('=');
    if (eq <= 0 || eq === pair.length - 1) return { ok: false, message: `"${pair}" is not Header=field` };
    const header = pair.slice(0, eq).trim();
    const name = pair.slice(eq + 1).trim().toLowerCase();
    const field = (IMPORT_FIELDS as readonly string[]).includes(name) ? (name as ImportField) : FIELD_ALIASES[name.replace(/[^a-z_]/g, '')];
    if (!field) {
      const hint = didYouMean(name, [...IMPORT_FIELDS, 'targets']);
      return { ok: false, message: `"${name}" is not a field (${[...IMPORT_FIELDS].join(', ')})${hint ? `; did you mean "${hint}"?` : ''}` };
    }
    map.set(headerKey(header), field);
  }
  return { ok: true, map };
}

/** Maps a header row; the first column for a field wins, later ones are reported. `--map` entries come before the spellings. */
export function mapHeader(header: readonly string[], extra: HeaderMap = new Map()): ColumnMap {
  const fields: Partial<Record<ImportField, number>> = {};
  const ignored: IgnoredColumn[] = [];
  header.forEach((cell, index) => {
    if (cell.trim() === '') {
      ignored.push({ index, header: cell, reason: 'blank' });
      return;
    }
    const field = extra.get(headerKey(cell)) ?? FIELD_BY_KEY.get(headerKey(cell));
    if (field === undefined) {
      const hint = didYouMean(headerKey(cell), [...FIELD_BY_KEY.keys()]);
      ignored.push({ index, header: cell, reason: 'unknown', ...(hint ? { suggestion: SPELLING_BY_KEY.get(hint)! } : {}) });
      return;
    }
    const used = fields[field];
    if (used !== undefined) {
      ignored.push({ index, header: cell, reason: 'repeated', field, usedIndex: used });
      return;
    }
    fields[field] = index;
  });
  // No title column but a description one: the description is the threat's title.
  if (fields.title === undefined && fields.description !== undefined) {
    fields.title = fields.description;
    delete fields.description;
  }
  return { fields, ignored };
}

/** How many of a row's cells are known headers: a header row has an ID column and at least one more. */
function headerScore(row: readonly string[], extra?: HeaderMap): number {
  const map = mapHeader(row, extra);
  if (map.fields.id === undefined) return 0;
  return Object.keys(map.fields).length;
}

/** How far down a sheet a header may sit below title rows ("Threat register", a blank row, ...). */
export const HEADER_SEARCH_ROWS = 10;

/**
 * The 0-based index of the header row: the first of the first rows that has an ID column and
 * another known column; undefined when none does.
 */
export function findHeaderRow(rows: readonly (readonly string[])[], extra?: HeaderMap): number | undefined {
  for (let i = 0; i < Math.min(rows.length, HEADER_SEARCH_ROWS); i++) {
    if (headerScore(rows[i]!, extra) >= 2) return i;
  }
  return undefined;
}

/** A, B, ..., Z, AA, AB, ...: columns as the spreadsheet labels them. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}
