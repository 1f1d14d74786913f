/**
 * The one way an importer builds a model: boundaries, components, flows, owners and threats
 * are added by name or by source id, resolved against what a merge target already defines
 * (only what is new is kept), and every guess, problem or loss is noted where the source has
 * it. Pure: a format's mapper calls it, then `build()` returns plain data.
 */
import { guessComponentType, slugify } from './names.ts';
import type {
  ExistingModel,
  ImportedBoundary,
  ImportedComponent,
  ImportedFlow,
  ImportedModel,
  ImportedOwner,
  ImportedThreat,
  ImportNote,
  ImportOptions,
  ImportResult,
  SourcePlace,
} from './types.ts';
import { isSourceRef } from './types.ts';

export { guessComponentType, slugify } from './names.ts';

type ComponentType = ImportedComponent['type'];
type Trust = ImportedBoundary['trust'];

/** A valid threatloop id (the schema's rule). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

interface ComponentEntry extends ImportedComponent {
  created: boolean;
  /** Created for a flow end named nowhere else: never an abbreviation target (keeps the result independent of order). */
  flowEndOnly?: boolean;
}

export interface ComponentSpec {
  name: string;
  /** Omitted: guessed from the name, and the guess noted for review. */
  type?: ComponentType;
  /** The source's own id: the component's id when it is a valid one, so a re-import gets the same id. */
  sourceId?: string;
  /** `otm:<id>`: how flows and threats of the same source refer to it (`resolve`). */
  ref?: string;
  boundary?: string;
  paths?: string[];
  tech?: string[];
  /** Key in `owners` (from `owner()`). */
  owner?: string;
  description?: string;
  /** Why the source marks it out of scope. */
  outOfScope?: string;
  /** A comment on the written `type` (why it is what it is). */
  typeComment?: string;
  flowEndOnly?: boolean;
  /** For the guessed-type note: the name as the source wrote it, and how it was found (`, a flow end`). */
  asWritten?: string;
  how?: string;
}

export interface FlowSpec {
  from: string;
  to: string;
  bidirectional?: boolean;
  name?: string;
  sourceId?: string;
  ref?: string;
  data?: string[];
  protocol?: string;
  description?: string;
  outOfScope?: string;
}

export interface BoundarySpec {
  name: string;
  trust: Trust;
  sourceId?: string;
  ref?: string;
  description?: string;
  /** A comment on the written `trust` (how it was derived). */
  trustComment?: string;
}

export class ImportBuilder {
  readonly notes: ImportNote[] = [];
  private readonly existing: ExistingModel | undefined;
  private readonly components = new Map<string, ComponentEntry>();
  private readonly componentBySlug = new Map<string, string>();
  private readonly componentComments = new Map<string, string>();
  private readonly boundaries = new Map<string, ImportedBoundary & { created: boolean }>();
  private readonly boundaryComments = new Map<string, string>();
  private readonly flows = new Map<string, ImportedFlow & { created: boolean }>();
  private readonly flowIds = new Set<string>();
  private readonly owners = new Map<string, ImportedOwner & { created: boolean }>();
  private readonly existingOwnerByName = new Map<string, string>();
  private readonly refs = new Map<string, string>();
  private readonly threats: ImportedThreat[] = [];
  private readonly threatComments = new Map<number, string[]>();
  private readonly placesById = new Map<string, SourcePlace[]>();
  private readonly skipped: string[] = [];
  private threatsSeen = 0;

  private readonly options: ImportOptions;

  constructor(options: ImportOptions) {
    this.options = options;
    const existing = options.existing;
    this.existing = existing;
    for (const b of existing?.boundaries ?? []) this.boundaries.set(b.id, { id: b.id, name: b.name ?? b.id, trust: 'untrusted', created: false });
    for (const c of existing?.components ?? []) {
      this.components.set(c.id, { id: c.id, name: c.name ?? c.id, type: 'process', created: false });
      this.componentBySlug.set(c.id, c.id);
      if (c.name) this.componentBySlug.set(slugify(c.name), c.id);
    }
    for (const f of existing?.flows ?? []) {
      this.flowIds.add(f.id);
      if (f.from !== undefined && f.to !== undefined) this.flows.set(flowKey(f.from, f.to, f.bidirectional === true), { id: f.id, name: f.id, from: f.from, to: f.to, created: false });
    }
    for (const o of existing?.owners ?? []) {
      this.owners.set(o.key, { ...(o.name ? { name: o.name } : {}), created: false });
      if (o.name) this.existingOwnerByName.set(slugify(o.name, 'owner'), o.key);
    }
  }

  // Notes --------------------------------------------------------------------------------

  review(message: string, where: SourcePlace = {}): void {
    this.notes.push({ kind: 'review', ...where, message });
  }

  problem(message: string, where: SourcePlace = {}): void {
    this.notes.push({ kind: 'problem', ...where, message });
  }

  /** Something the source holds that the written model will not keep. */
  lost(message: string, where: SourcePlace = {}): void {
    this.notes.push({ kind: 'lost', ...where, message });
  }

  // Source refs --------------------------------------------------------------------------

  /** The threatloop id an element of the source (`otm:<id>`) became. */
  resolve(ref: string): string | undefined {
    return this.refs.get(ref);
  }

  // Boundaries ---------------------------------------------------------------------------

  boundary(spec: BoundarySpec): string {
    const known = spec.ref === undefined ? undefined : this.refs.get(spec.ref);
    if (known !== undefined) return known;
    const candidate = this.preferredId(spec.sourceId, spec.name, 'boundary');
    const existing = this.boundaries.get(candidate);
    if (existing && !existing.created) return this.remember(spec.ref, candidate);
    const id = this.unusedId(candidate);
    this.boundaries.set(id, {
      id,
      name: spec.name.trim() || id,
      trust: spec.trust,
      ...(spec.description ? { description: spec.description } : {}),
      created: true,
    });
    if (spec.trustComment) this.boundaryComments.set(id, spec.trustComment);
    return this.remember(spec.ref, id);
  }

  findBoundary(name: string): string | undefined {
    if (this.boundaries.has(name)) return name;
    const slug = slugify(name, '');
    return [...this.boundaries.values()].find((b) => b.id === slug || slugify(b.name, '') === slug)?.id;
  }

  // Components ---------------------------------------------------------------------------

  /** The component a name means, by id or slugged name. */
  findComponent(name: string): string | undefined {
    if (this.components.has(name)) return name;
    return this.componentBySlug.get(slugify(name));
  }

  componentName(id: string): string | undefined {
    return this.components.get(id)?.name;
  }

  /** A name that abbreviates exactly one component's name (`API Gw`, `App Logic`, `RDS`). */
  findComponentByAbbreviation(name: string): string | 'ambiguous' | undefined {
    const short = words(name);
    if (short.length === 0) return undefined;
    const matches = [...this.components.values()].filter((c) => {
      if (c.flowEndOnly) return false;
      const long = words(c.name);
      if (short.length === 1 && long.length > 1 && long[0] === short[0]) return true;
      return short.length === long.length && short.every((w, i) => abbreviates(w, long[i]!));
    });
    if (matches.length > 1) return 'ambiguous';
    return matches[0]?.id;
  }

  /**
   * Adds a component, or returns the id of the one the merge target (or this source, by
   * ref) already has. A missing type is guessed from the name and noted for review.
   */
  component(spec: ComponentSpec, where: SourcePlace = {}): string {
    const known = spec.ref === undefined ? undefined : this.refs.get(spec.ref);
    if (known !== undefined) return known;
    if (spec.sourceId === undefined) {
      const byName = this.findComponent(spec.name);
      if (byName !== undefined) return this.remember(spec.ref, byName);
    } else {
      const candidate = this.preferredId(spec.sourceId, spec.name, 'component');
      const existing = this.components.get(candidate);
      if (existing && !existing.created) return this.remember(spec.ref, candidate);
    }
    const base = this.preferredId(spec.sourceId, spec.name, 'component');
    const id = this.unusedId(base);
    const guess = spec.type === undefined ? guessComponentType(spec.name) : undefined;
    const entry: ComponentEntry = {
      id,
      name: spec.name.trim() || id,
      type: spec.type ?? guess!.type,
      ...(spec.boundary ? { boundary: spec.boundary } : {}),
      ...(spec.tech && spec.tech.length > 0 ? { tech: spec.tech } : {}),
      ...(spec.owner ? { owner: spec.owner } : {}),
      ...(spec.paths && spec.paths.length > 0 ? { paths: spec.paths } : {}),
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.outOfScope !== undefined ? { out_of_scope: { rationale: spec.outOfScope } } : {}),
      created: true,
      ...(spec.flowEndOnly ? { flowEndOnly: true } : {}),
    };
    this.components.set(id, entry);
    this.componentBySlug.set(slugify(spec.name), id);
    if (guess) {
      const why = guess.because ? `guessed from "${guess.because}"` : 'the default';
      this.componentComments.set(id, guess.because ? `guessed from "${guess.because}": review` : 'default: review');
      this.review(`component ${id} ("${spec.asWritten ?? spec.name}")${spec.how ?? ''}: type ${entry.type} (${why})`, where);
    } else if (spec.typeComment) {
      this.componentComments.set(id, spec.typeComment);
    }
    return this.remember(spec.ref, id);
  }

  // Flows --------------------------------------------------------------------------------

  /** Adds a flow between two component ids, or returns the one that already joins them. */
  flow(spec: FlowSpec): string {
    const known = spec.ref === undefined ? undefined : this.refs.get(spec.ref);
    if (known !== undefined) return known;
    const bidirectional = spec.bidirectional === true;
    const key = flowKey(spec.from, spec.to, bidirectional);
    const same = this.flows.get(key) ?? (bidirectional ? undefined : this.flows.get(flowKey(spec.from, spec.to, true)));
    if (same && (spec.sourceId === undefined || !same.created)) return this.remember(spec.ref, same.id);
    const base = spec.sourceId !== undefined && ID_PATTERN.test(spec.sourceId) ? spec.sourceId : slugify(`${spec.from}-${spec.to}`, 'flow');
    const existing = this.flows.get(key);
    if (existing && existing.id === base) return this.remember(spec.ref, base);
    const id = this.unusedId(base);
    this.flowIds.add(id);
    const entry = {
      id,
      name: spec.name ?? `${this.componentName(spec.from) ?? spec.from} ${bidirectional ? '↔' : '→'} ${this.componentName(spec.to) ?? spec.to}`,
      from: spec.from,
      to: spec.to,
      ...(bidirectional ? { bidirectional: true as const } : {}),
      ...(spec.data && spec.data.length > 0 ? { data: spec.data } : {}),
      ...(spec.protocol ? { protocol: spec.protocol } : {}),
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.outOfScope !== undefined ? { out_of_scope: { rationale: spec.outOfScope } } : {}),
      created: true,
    };
    // Keyed by ends for name resolution; a second flow between the same ends keeps its own id.
    this.flows.set(this.flows.has(key) ? `${key}\u0000${id}` : key, entry);
    return this.remember(spec.ref, id);
  }

  /** A flow by its id (the merge target's or this source's). */
  findFlow(id: string): string | undefined {
    return this.flowIds.has(id) ? id : undefined;
  }

  // Owners -------------------------------------------------------------------------------

  /** `@login`, an email or a name -> the owner key (existing owners matched by key or name). */
  owner(text: string): string {
    const login = /^@([A-Za-z0-9][A-Za-z0-9-]*)$/.exec(text)?.[1];
    const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? text : undefined;
    const key = slugify(login ?? (email ? email.split('@')[0]! : text), 'owner');
    const known = this.owners.has(key) ? key : this.existingOwnerByName.get(key);
    if (known !== undefined) return known;
    this.owners.set(key, { ...(login ? { github: [login] } : email ? { email } : { name: text }), created: true });
    return key;
  }

  hasOwner(key: string): boolean {
    return this.owners.has(key);
  }

  /** An owner under the source's own key (threatloop's export), unless one already has that key. */
  ownerWithKey(key: string, owner: ImportedOwner): string {
    if (!this.owners.has(key)) this.owners.set(key, { ...owner, created: true });
    return key;
  }

  // Threats ------------------------------------------------------------------------------

  /**
   * Adds a threat, unless the merge target has its id or one of its source refs (then it is
   * skipped and named in the report). `at` is where its id is in the source; comments go
   * above it in the YAML.
   */
  threat(threat: ImportedThreat, at: SourcePlace = {}, comments: string[] = []): 'added' | 'skipped' {
    this.threatsSeen++;
    const id = String(threat.id);
    const existingIds = this.existing?.threatIds ?? [];
    const byRef = (threat.refs ?? []).filter(isSourceRef).map((r) => this.existing?.threatRefs?.[r]).find((t) => t !== undefined);
    if (existingIds.includes(id) || byRef !== undefined) {
      if (!this.skipped.includes(byRef ?? id)) this.skipped.push(byRef ?? id);
      return 'skipped';
    }
    this.placesById.set(id, [...(this.placesById.get(id) ?? []), at]);
    if (comments.length > 0) this.threatComments.set(this.threats.length, comments);
    this.threats.push(threat);
    return 'added';
  }

  /** The model and the report. `headerRow` and `rows` are the CSV's; other formats count threats. */
  build(format: string, extra: { headerRow?: number; rows?: number; advice?: string[]; sectionComments?: ImportResult['sectionComments'] } = {}): ImportResult {
    const duplicates: ImportResult['duplicates'] = [];
    for (const [id, places] of this.placesById) {
      if (places.length < 2) continue;
      const rows = places.flatMap((p) => (p.row === undefined ? [] : [p.row]));
      const paths = places.flatMap((p) => (p.path === undefined ? [] : [p.path]));
      duplicates.push({ id, ...(rows.length > 0 ? { rows } : {}), ...(paths.length > 0 ? { paths } : {}) });
      const list = rows.length > 0 ? `rows ${rows.join(', ')}` : paths.join(', ');
      this.problem(`id ${id} is used ${rows.length > 0 ? 'on' : 'at'} ${list}: all kept; give each threat its own id`, places[1]);
    }

    const fileBase = this.options.file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '').replace(/\.tc$/, '');
    const systemName = this.options.systemName?.trim() || this.sourceSystemName || fileBase || 'Imported threat model';
    if (!this.options.systemName?.trim() && !this.existing && !this.sourceSystemName) {
      this.review(`system.name "${systemName}" is the file's name; pass --system-name or edit it`);
    }
    const model: ImportedModel = {
      version: 1,
      system: { name: systemName, ...(this.sourceSystemDescription ? { description: this.sourceSystemDescription } : {}) },
      owners: Object.fromEntries([...this.owners].filter(([, o]) => o.created).map(([key, o]) => [key, withoutCreated(o)])),
      boundaries: [...this.boundaries.values()].filter((b) => b.created).map(withoutCreated),
      components: [...this.components.values()].filter((c) => c.created).map(({ created: _c, flowEndOnly: _f, ...c }) => c),
      flows: [...this.flows.values()].filter((f) => f.created).map(withoutCreated),
      threats: this.threats,
    };
    return {
      format,
      model,
      ...(extra.headerRow !== undefined ? { headerRow: extra.headerRow } : {}),
      rows: extra.rows ?? this.threatsSeen,
      notes: sortNotes(this.notes),
      comments: { components: this.componentComments, boundaries: this.boundaryComments, threats: this.threatComments },
      advice: extra.advice ?? [],
      sectionComments: extra.sectionComments ?? {},
      skipped: this.skipped,
      duplicates,
    };
  }

  /** The system name the source itself gives (an OTM `project.name`), used unless --system-name says otherwise. */
  sourceSystemName: string | undefined;
  /** What the source says about the system (an OTM project's description and owner). */
  sourceSystemDescription: string | undefined;

  // Ids ----------------------------------------------------------------------------------

  private preferredId(sourceId: string | undefined, name: string, fallback: string): string {
    if (sourceId !== undefined && ID_PATTERN.test(sourceId.trim())) return sourceId.trim();
    return slugify(name || sourceId || '', fallback);
  }

  /** Ids are unique across boundaries, components and flows: a target id must say which it is. */
  private unusedId(base: string): string {
    let id = base;
    for (let n = 2; this.components.has(id) || this.flowIds.has(id) || this.boundaries.has(id); n++) id = `${base}-${n}`;
    return id;
  }

  private remember(ref: string | undefined, id: string): string {
    if (ref !== undefined) this.refs.set(ref, id);
    return id;
  }
}

/** Words of a name without its bracketed detail: `API Gw` -> [api, gw]. */
function words(name: string): string[] {
  return slugify(name, '').split('-').filter((w) => w !== '');
}

/** `gw` abbreviates `gateway`, `notif` `notification`, `svc` `service`: same first letter, letters in order. */
function abbreviates(short: string, long: string): boolean {
  if (short === long) return true;
  if (short[0] !== long[0]) return false;
  let j = 0;
  for (const ch of long) if (ch === short[j]) j++;
  return j === short.length;
}

function withoutCreated<T extends { created: boolean }>(entry: T): Omit<T, 'created'> {
  const { created: _created, ...rest } = entry;
  return rest;
}

function flowKey(from: string, to: string, bidirectional: boolean): string {
  return bidirectional ? `${[from, to].sort().join('\u0000')}\u0000both` : `${from}\u0000${to}`;
}

/** Notes in source order (by row; notes without one first), stable otherwise. */
function sortNotes(notes: ImportNote[]): ImportNote[] {
  return notes
    .map((note, i) => ({ note, i }))
    .sort((a, b) => (a.note.row ?? 0) - (b.note.row ?? 0) || a.i - b.i)
    .map(({ note }) => note);
}

/** One value alone, several as a list: how a person writes `stride: S` or `stride: [S, T]`. */
export function single<T>(values: T[]): T | T[] {
  return values.length === 1 ? values[0]! : values;
}
