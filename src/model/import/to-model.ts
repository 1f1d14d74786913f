/**
 * Spreadsheet rows -> the input of a `threat-model.yml`, plus a report of everything a
 * person should look at: guessed component types, flow ends matched to components by
 * abbreviation, duplicate ids, cells that could not be read. Pure: a parsed table in,
 * plain data out. Nothing is dropped silently: a cell that cannot be read is kept as
 * written (so lint points at it in the file) or noted on the threat, and reported.
 */
import { severityOf } from '../cvss/index.ts';
import type { Severity } from '../schema.ts';
import { readDate, readScore, readSeverity, readStatus, readStrategy, readStride, splitOwners, splitRefs, splitTargets } from './cells.ts';
import { columnLetter, findHeaderRow, HEADER_SEARCH_ROWS, HEADER_SPELLINGS, mapHeader, type ImportField } from './columns.ts';
import type { CsvTable } from './csv.ts';

type ComponentType = 'external-entity' | 'process' | 'data-store';

export interface ImportedComponent {
  id: string;
  name: string;
  type: ComponentType;
  boundary?: string;
  tech?: string[];
  owner?: string;
  paths?: string[];
  description?: string;
  out_of_scope?: { rationale: string };
}

export interface ImportedBoundary {
  id: string;
  name: string;
  trust: 'untrusted' | 'partner' | 'restricted' | 'trusted';
  description?: string;
}

export interface ImportedFlow {
  id: string;
  name: string;
  from: string;
  to: string;
  bidirectional?: true;
  data?: string[];
  protocol?: string;
  description?: string;
  out_of_scope?: { rationale: string };
}

export interface ImportedOwner {
  name?: string;
  github?: string[];
  email?: string;
}

/** A threat as written to YAML: values the sheet had but the schema rejects are kept as text for lint to point at. */
export interface ImportedThreat {
  id: string | number;
  title?: string;
  stride?: string | string[];
  targets?: string | string[];
  description?: string;
  cvss?: { vector: string; score?: number };
  severity?: string;
  strategy?: string | string[];
  mitigation?: string;
  owner?: string | string[];
  status?: string;
  due?: string;
  verification?: string;
  residual_risk?: string;
  rationale?: string;
  refs?: string[];
}

/** Key order is the schema's: the writer keeps it. */
export interface ImportedModel {
  version: 1;
  system: { name: string; description?: string };
  owners: Record<string, ImportedOwner>;
  boundaries: ImportedBoundary[];
  components: ImportedComponent[];
  flows: ImportedFlow[];
  threats: ImportedThreat[];
}

export interface ImportNote {
  /** `review`: a guess to confirm; `problem`: the sheet has something to fix. */
  kind: 'review' | 'problem';
  /** 1-based sheet row (header row included), when the note is about one. */
  row?: number;
  /** `C "Owner"`: spreadsheet column letter and header. */
  column?: string;
  message: string;
}

/** What a merge target already defines; the import resolves names against it and adds only what is new. */
export interface ExistingModel {
  threatIds: readonly string[];
  /** Every `refs` entry of the existing threats: a re-import recognises its threats by them. */
  threatRefs?: readonly string[];
  boundaries?: readonly { id: string; name?: string }[];
  components: readonly { id: string; name?: string }[];
  flows: readonly { id: string; from?: string; to?: string; bidirectional?: boolean }[];
  owners: readonly { key: string; name?: string }[];
}

export interface ImportOptions {
  /** The CSV file as the user named it (messages, default system name). */
  file: string;
  systemName?: string;
  existing?: ExistingModel;
}

export interface ImportResult {
  /** Only what is new when merging: components, flows and owners the existing model lacks. */
  model: ImportedModel;
  /** 1-based sheet row of the header. */
  headerRow: number;
  /** Data rows read (blank rows not counted). */
  rows: number;
  notes: ImportNote[];
  /** Comments for the YAML: why a component has its type; what a threat's row had that the model cannot hold. */
  comments: { components: Map<string, string>; threats: Map<number, string[]>; boundaries?: Map<string, string> };
  /** Threat ids left out because the existing model has them. */
  skipped: string[];
  /** Ids used by more than one row, with their rows. */
  duplicates: { id: string; rows: number[] }[];
}

export type ImportOutcome = { ok: true; result: ImportResult } | { ok: false; message: string; row?: number };

const DATA_STORE_WORDS = new Set(['database', 'databases', 'db', 'rds', 'dynamodb', 'postgres', 'postgresql', 'mysql', 'storage', 's3', 'bucket', 'buckets', 'log', 'logs', 'store', 'datastore']);
const EXTERNAL_WORDS = new Set(['customer', 'customers', 'user', 'users', 'partner', 'partners', 'patient', 'patients', 'clinician', 'clinicians', 'vendor', 'vendors', 'supplier', 'suppliers']);

/** `Web App (React)` -> `web-app`: lowercase ASCII words joined by `-`, the bracketed detail dropped. */
export function slugify(name: string, fallback = 'component'): string {
  const withoutDetail = name.replace(/\([^)]*\)/g, ' ');
  const base = (withoutDetail.trim() === '' ? name : withoutDetail)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return base === '' ? fallback : base;
}

/** Words of a name without its bracketed detail: `API Gw` -> [api, gw]. */
function words(name: string): string[] {
  return slugify(name, '').split('-').filter((w) => w !== '');
}

/** The type a component's name suggests, and the word that suggested it. */
export function guessComponentType(name: string): { type: ComponentType; because?: string } {
  const tokens = name.toLowerCase().normalize('NFKD').split(/[^a-z0-9]+/);
  const store = tokens.find((t) => DATA_STORE_WORDS.has(t));
  if (store) return { type: 'data-store', because: store };
  const external = tokens.find((t) => EXTERNAL_WORDS.has(t));
  if (external) return { type: 'external-entity', because: external };
  return { type: 'process' };
}

/** `gw` abbreviates `gateway`, `notif` `notification`, `svc` `service`: same first letter, letters in order. */
function abbreviates(short: string, long: string): boolean {
  if (short === long) return true;
  if (short[0] !== long[0]) return false;
  let j = 0;
  for (const ch of long) if (ch === short[j]) j++;
  return j === short.length;
}

const FLOW_PREFIX = /^\s*data[\s-]*flows?\b\s*[:\-–]?\s*/i;
const ARROW = /\s*(↔|<->|<=>|⇄|⟷|->|→|=>|⇒|<-|←)\s*/;

interface FlowEnds {
  left: string;
  right: string;
  direction: 'both' | 'forward' | 'backward';
}

/** `Dataflow Customer ↔ Web App` -> its two ends; undefined for a component. */
export function parseFlowTarget(target: string): FlowEnds | { error: string } | undefined {
  const prefixed = FLOW_PREFIX.test(target);
  const rest = target.replace(FLOW_PREFIX, '');
  let split = ARROW.exec(rest);
  if (!split && prefixed) split = /\s+to\s+/i.exec(rest);
  if (!split) return prefixed ? { error: `"${target}" names a data flow but not its two ends (write "Dataflow A ↔ B" or "A -> B")` } : undefined;
  const left = rest.slice(0, split.index).trim();
  const right = rest.slice(split.index + split[0].length).trim();
  if (left === '' || right === '') return { error: `"${target}" is missing one end of the flow` };
  const arrow = (split[1] ?? 'to').trim();
  const direction = ['<-', '←'].includes(arrow) ? 'backward' : ['->', '→', '=>', '⇒', 'to'].includes(arrow) ? 'forward' : 'both';
  return { left, right, direction };
}

interface ComponentEntry extends ImportedComponent {
  created: boolean;
  /** Created for a flow end the sheet abbreviates nowhere else: never an abbreviation target (keeps the result independent of row order). */
  flowEndOnly?: boolean;
}

/** Components by id, existing first, and the resolution of the names the sheet uses. */
class Components {
  readonly byId = new Map<string, ComponentEntry>();
  readonly reservedIds: Set<string>;
  private readonly bySlug = new Map<string, string>();

  constructor(existing: ExistingModel | undefined, reservedIds: Set<string>) {
    this.reservedIds = reservedIds;
    for (const c of existing?.components ?? []) {
      this.byId.set(c.id, { id: c.id, name: c.name ?? c.id, type: 'process', created: false });
      this.bySlug.set(c.id, c.id);
      if (c.name) this.bySlug.set(slugify(c.name), c.id);
    }
  }

  /** The component a name means, by id or slugged name. */
  find(name: string): ComponentEntry | undefined {
    const id = this.byId.has(name) ? name : this.bySlug.get(slugify(name));
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** A flow end that abbreviates exactly one component's name (`API Gw`, `App Logic`, `RDS`). */
  findByAbbreviation(name: string): ComponentEntry | 'ambiguous' | undefined {
    const short = words(name);
    if (short.length === 0) return undefined;
    const matches = [...this.byId.values()].filter((c) => {
      if (c.flowEndOnly) return false;
      const long = words(c.name);
      if (short.length === 1 && long.length > 1 && long[0] === short[0]) return true;
      return short.length === long.length && short.every((w, i) => abbreviates(w, long[i]!));
    });
    if (matches.length > 1) return 'ambiguous';
    return matches[0];
  }

  create(name: string, flowEndOnly = false): ComponentEntry {
    const base = slugify(name);
    let id = base;
    for (let n = 2; this.byId.has(id) || this.reservedIds.has(id); n++) id = `${base}-${n}`;
    const entry: ComponentEntry = { id, name: name.trim(), type: guessComponentType(name).type, created: true, ...(flowEndOnly ? { flowEndOnly } : {}) };
    this.byId.set(id, entry);
    this.bySlug.set(base, id);
    return entry;
  }
}

/** Rows -> model input and the import report. `table.rows[0]` is sheet row 1. */
export function rowsToModel(table: CsvTable, options: ImportOptions): ImportOutcome {
  const headerIndex = findHeaderRow(table.rows);
  if (headerIndex === undefined) return { ok: false, message: noHeaderMessage(table) };
  const header = table.rows[headerIndex]!;
  const { fields, ignored } = mapHeader(header);
  const notes: ImportNote[] = [];
  const columnName = (index: number) => `${columnLetter(index)} "${header[index]?.trim() ?? ''}"`;
  const at = (field: ImportField) => (fields[field] === undefined ? undefined : columnName(fields[field]));

  for (const column of ignored) {
    if (column.reason === 'blank') continue;
    const message =
      column.reason === 'repeated'
        ? `a second column for ${column.field} is ignored; column ${columnName(column.usedIndex!)} is used`
        : `unknown column, ignored${column.suggestion ? `; did you mean "${column.suggestion}"?` : ''}`;
    notes.push({ kind: 'problem', row: headerIndex + 1, column: columnName(column.index), message });
  }
  for (const field of ['title', 'stride', 'target'] as const) {
    if (fields[field] === undefined) {
      notes.push({
        kind: 'problem',
        row: headerIndex + 1,
        message: `no ${HEADER_SPELLINGS[field][0]} column (${HEADER_SPELLINGS[field].map((s) => `"${s}"`).join(', ')}): every threat needs \`${field === 'target' ? 'targets' : field}\`; lint lists them`,
      });
    }
  }

  const cell = (row: readonly string[], field: ImportField): string => {
    const index = fields[field];
    return index === undefined ? '' : (row[index] ?? '').trim();
  };
  const dataRows: { row: readonly string[]; number: number }[] = [];
  for (let i = headerIndex + 1; i < table.rows.length; i++) {
    const row = table.rows[i]!;
    if (row.every((c) => c.trim() === '')) continue;
    dataRows.push({ row, number: i + 1 });
  }
  if (dataRows.length === 0) return { ok: false, message: `no threats: the sheet has a header on row ${headerIndex + 1} but no rows below it`, row: headerIndex + 1 };

  const existing = options.existing;
  const existingThreats = new Set(existing?.threatIds ?? []);
  const components = new Components(existing, new Set(existing?.flows.map((f) => f.id) ?? []));
  const componentComments = new Map<string, string>();
  const flows = new Map<string, ImportedFlow & { created: boolean }>();
  for (const f of existing?.flows ?? []) {
    if (f.from !== undefined && f.to !== undefined) flows.set(flowKey(f.from, f.to, f.bidirectional === true), { id: f.id, name: f.id, from: f.from, to: f.to, created: false });
  }
  const flowIds = new Set([...(existing?.flows.map((f) => f.id) ?? [])]);

  // Pass 1: every component the sheet names, so flow ends can be matched against all of them.
  for (const { row, number } of dataRows) {
    for (const target of splitTargets(cell(row, 'target'))) {
      const flow = parseFlowTarget(target);
      if (flow !== undefined && !('error' in flow)) continue;
      if (components.find(target)) continue;
      const created = components.create(target);
      noteType(created, target, number);
    }
  }

  function noteType(component: ComponentEntry, asWritten: string, row: number, how = ''): void {
    const guess = guessComponentType(component.name);
    const why = guess.because ? `guessed from "${guess.because}"` : 'the default';
    componentComments.set(component.id, guess.because ? `guessed from "${guess.because}": review` : 'default: review');
    notes.push({
      kind: 'review',
      row,
      column: at('target'),
      message: `component ${component.id} ("${asWritten}")${how}: type ${component.type} (${why})`,
    });
  }

  const readAs = new Set<string>();
  const flowEnd = (name: string, row: number): string => {
    const exact = components.find(name);
    if (exact) return exact.id;
    const abbreviated = components.findByAbbreviation(name);
    if (abbreviated && abbreviated !== 'ambiguous') {
      // Once per spelling: the first row that uses it.
      if (!readAs.has(name)) {
        readAs.add(name);
        notes.push({ kind: 'review', row, column: at('target'), message: `flow end "${name}" read as component ${abbreviated.id} ("${abbreviated.name}")` });
      }
      return abbreviated.id;
    }
    const created = components.create(name, true);
    noteType(created, name, row, `, a flow end${abbreviated === 'ambiguous' ? ' that abbreviates several components' : ''}`);
    return created.id;
  };

  const resolveTarget = (target: string, row: number): string => {
    const flow = parseFlowTarget(target);
    if (flow === undefined || 'error' in flow) {
      if (flow) notes.push({ kind: 'problem', row, column: at('target'), message: `${flow.error}; read as a component` });
      const component = components.find(target)!;
      if (component.name !== target && !readAs.has(target)) {
        readAs.add(target);
        notes.push({ kind: 'review', row, column: at('target'), message: `"${target}" read as component ${component.id} ("${component.name}")` });
      }
      return component.id;
    }
    let from = flowEnd(flow.left, row);
    let to = flowEnd(flow.right, row);
    if (flow.direction === 'backward') [from, to] = [to, from];
    const bidirectional = flow.direction === 'both';
    const key = flowKey(from, to, bidirectional);
    const known = flows.get(key) ?? (bidirectional ? undefined : flows.get(flowKey(from, to, true)));
    if (known) return known.id;
    const base = slugify(`${from}-${to}`, 'flow');
    let id = base;
    for (let n = 2; flowIds.has(id) || components.byId.has(id); n++) id = `${base}-${n}`;
    flowIds.add(id);
    const name = `${flow.left} ${bidirectional ? '↔' : '→'} ${flow.right}`;
    flows.set(key, { id, name: flow.direction === 'backward' ? `${flow.right} → ${flow.left}` : name, from, to, ...(bidirectional ? { bidirectional: true as const } : {}), created: true });
    return id;
  };

  const owners = new Map<string, ImportedOwner & { created: boolean }>();
  for (const o of existing?.owners ?? []) owners.set(o.key, { ...(o.name ? { name: o.name } : {}), created: false });
  const existingOwnerByName = new Map((existing?.owners ?? []).flatMap((o) => (o.name ? [[slugify(o.name, 'owner'), o.key] as const] : [])));
  const resolveOwner = (text: string): string => {
    const login = /^@([A-Za-z0-9][A-Za-z0-9-]*)$/.exec(text)?.[1];
    const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? text : undefined;
    const key = slugify(login ?? (email ? email.split('@')[0]! : text), 'owner');
    const known = owners.has(key) ? key : existingOwnerByName.get(key);
    if (known !== undefined) return known;
    owners.set(key, { ...(login ? { github: [login] } : email ? { email } : { name: text }), created: true });
    return key;
  };

  const threats: ImportedThreat[] = [];
  const threatComments = new Map<number, string[]>();
  const rowsById = new Map<string, number[]>();
  const skipped: string[] = [];

  for (const { row, number } of dataRows) {
    const problem = (field: ImportField | undefined, message: string) =>
      notes.push({ kind: 'problem', row: number, ...(field && at(field) ? { column: at(field)! } : {}), message });
    const comments: string[] = [];

    let id = cell(row, 'id');
    if (id === '') {
      id = `row-${number}`;
      problem('id', `no ID: imported as "${id}"; give it a real id`);
    }
    if (existingThreats.has(id)) {
      skipped.push(id);
      continue;
    }
    rowsById.set(id, [...(rowsById.get(id) ?? []), number]);

    const threat: ImportedThreat = { id: /^(0|[1-9]\d{0,14})$/.test(id) ? Number(id) : id };
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(id)) problem('id', `id "${id}" has characters an id cannot (letters, digits, ".", "_", ":" or "-"); kept as written for you to rename`);

    const title = cell(row, 'title');
    if (title !== '') threat.title = title;
    else if (fields.title !== undefined) problem('title', 'no threat title');

    const strideCell = cell(row, 'stride');
    if (strideCell !== '') {
      const stride = readStride(strideCell);
      if (stride.ok) threat.stride = single(stride.value);
      else {
        threat.stride = strideCell;
        problem('stride', `${stride.message}; kept as written`);
      }
    } else if (fields.stride !== undefined) problem('stride', 'no STRIDE category');

    const targets = splitTargets(cell(row, 'target')).map((t) => resolveTarget(t, number));
    if (targets.length > 0) threat.targets = single([...new Set(targets)]);
    else if (fields.target !== undefined) problem('target', 'no component or data flow');

    const description = cell(row, 'description');
    if (description !== '') threat.description = description;

    // CVSS: a vector (with the stated score, for lint to compare), or a score without one.
    const vector = cell(row, 'vector').replace(/\s+/g, '');
    const scoreCell = cell(row, 'score');
    const score = scoreCell === '' ? undefined : readScore(scoreCell);
    if (score && !score.ok) {
      problem('score', `${score.message}; noted on the threat`);
      comments.push(`The sheet's score "${scoreCell}" could not be read.`);
    }
    const stated = score?.ok ? score.value : undefined;
    if (vector !== '') threat.cvss = { vector, ...(stated ? { score: stated.score } : {}) };
    const severityCell = cell(row, 'severity');
    let severity: Severity | undefined;
    if (severityCell !== '') {
      const read = readSeverity(severityCell);
      if (read.ok) severity = read.value;
      else {
        threat.severity = severityCell;
        problem('severity', `${read.message}; kept as written`);
      }
    }
    if (stated && vector === '') {
      severity ??= stated.severity ?? severityOf(stated.score);
      comments.push(`CVSS base score ${stated.score.toFixed(1)} stated without a vector: add the vector (\`threatloop cvss\` scores it).`);
      notes.push({ kind: 'review', row: number, column: at('score'), message: `score ${stated.score.toFixed(1)} has no vector: kept as severity ${severity}; add the vector` });
    }
    if (severity === undefined && stated?.severity !== undefined) severity = stated.severity;
    if (severity !== undefined) threat.severity = severity;

    const strategyCell = cell(row, 'strategy');
    if (strategyCell !== '') {
      const { strategies, rest } = readStrategy(strategyCell);
      if (strategies.length > 0) threat.strategy = single(strategies);
      if (rest !== '') {
        comments.push(`Strategy in the sheet: "${strategyCell}" ("${rest}" is not one of eliminate, mitigate, accept, transfer).`);
        notes.push({ kind: 'review', row: number, column: at('strategy'), message: `strategy "${strategyCell}": ${strategies.length > 0 ? `read as ${strategies.join(' + ')}; ` : ''}"${rest}" kept as a comment on the threat` });
      }
    }

    const mitigation = cell(row, 'mitigation');
    if (mitigation !== '') threat.mitigation = mitigation;

    const ownerNames = splitOwners(cell(row, 'owner'));
    if (ownerNames.length > 0) threat.owner = single([...new Set(ownerNames.map(resolveOwner))]);

    const statusCell = cell(row, 'status');
    if (statusCell !== '') {
      const status = readStatus(statusCell);
      if (status.ok) {
        if (status.value !== 'open') threat.status = status.value;
      } else {
        threat.status = statusCell;
        problem('status', `${status.message}; kept as written`);
      }
    }

    const dueCell = cell(row, 'due');
    if (dueCell !== '') {
      const due = readDate(dueCell);
      if (due.ok) threat.due = due.value;
      else {
        threat.due = dueCell;
        problem('due', `${due.message}; kept as written`);
      }
    }

    for (const field of ['verification', 'residual_risk', 'rationale'] as const) {
      const text = cell(row, field);
      if (text !== '') threat[field] = text;
    }
    const refs = splitRefs(cell(row, 'refs'));
    if (refs.length > 0) threat.refs = refs;

    if (comments.length > 0) threatComments.set(threats.length, comments);
    threats.push(threat);
  }

  const duplicates = [...rowsById.entries()].filter(([, rows]) => rows.length > 1).map(([id, rows]) => ({ id, rows }));
  for (const { id, rows } of duplicates) {
    notes.push({
      kind: 'problem',
      row: rows[1],
      column: at('id'),
      message: `id ${id} is used on rows ${rows.join(', ')}: all kept; give each threat its own id`,
    });
  }

  const fileBase = options.file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  const systemName = options.systemName?.trim() || fileBase || 'Imported threat model';
  if (!options.systemName?.trim() && !existing) {
    notes.push({ kind: 'review', message: `system.name "${systemName}" is the file's name; pass --system-name or edit it` });
  }

  const model: ImportedModel = {
    version: 1,
    system: { name: systemName },
    owners: Object.fromEntries([...owners].filter(([, o]) => o.created).map(([key, o]) => [key, withoutCreated(o)])),
    boundaries: [],
    components: [...components.byId.values()].filter((c) => c.created).map(({ id, name, type }) => ({ id, name, type })),
    flows: [...flows.values()].filter((f) => f.created).map(withoutCreated),
    threats,
  };
  return {
    ok: true,
    result: {
      model,
      headerRow: headerIndex + 1,
      rows: dataRows.length,
      notes: sortNotes(notes),
      comments: { components: componentComments, threats: threatComments },
      skipped,
      duplicates,
    },
  };
}

function withoutCreated<T extends { created: boolean }>(entry: T): Omit<T, 'created'> {
  const { created: _created, ...rest } = entry;
  return rest;
}

function flowKey(from: string, to: string, bidirectional: boolean): string {
  return bidirectional ? `${[from, to].sort().join('\u0000')}\u0000both` : `${from}\u0000${to}`;
}

function single<T>(values: T[]): T | T[] {
  return values.length === 1 ? values[0]! : values;
}

function sortNotes(notes: ImportNote[]): ImportNote[] {
  return notes
    .map((note, i) => ({ note, i }))
    .sort((a, b) => (a.note.row ?? 0) - (b.note.row ?? 0) || a.i - b.i)
    .map(({ note }) => note);
}

function noHeaderMessage(table: CsvTable): string {
  const first = table.rows.find((r) => r.some((c) => c.trim() !== ''));
  if (!first) return 'the file has no rows';
  const map = mapHeader(first);
  const shown = first
    .slice(0, 8)
    .map((c) => `"${c.trim().slice(0, 30)}"`)
    .join(', ');
  const row = table.rows.indexOf(first) + 1;
  if (map.fields.id === undefined) {
    return `no ID column in the first ${HEADER_SEARCH_ROWS} rows (row ${row} reads ${shown}${first.length > 8 ? ', ...' : ''}); name the column of threat ids ${HEADER_SPELLINGS.id
      .slice(0, 3)
      .map((s) => `"${s}"`)
      .join(', ')} or "#"`;
  }
  return `no header row: row ${row} has an ID column but no other known column (e.g. "Threat", "STRIDE", "Component")`;
}
