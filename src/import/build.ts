/**
 * A source model (any tool) -> the import result the YAML writer takes: readable ids made
 * once for every format, targets resolved, and, with `--merge`, only what the existing
 * model lacks. A threat is "already there" when its id or any of its refs (`td:<uuid>`,
 * `tm7:<key>` …) is in the existing model, so a newer export of the same source adds only
 * its new threats and changes nothing else.
 */
import { slugify, type ExistingModel, type ImportedBoundary, type ImportedComponent, type ImportedFlow, type ImportedModel, type ImportedThreat, type ImportNote, type ImportResult } from '../model/import/to-model.ts';
import { FORMAT_TITLES, guessTrust, oneLine, type SourceModel, type SourceNote } from './source.ts';

export interface BuildOptions {
  /** The file as the user named it (messages, default system name). */
  file: string;
  systemName?: string;
  existing?: ExistingModel;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** Unique readable ids: `web-server`, then `web-server-2` for the next element of that name. */
class IdSpace {
  private readonly used = new Set<string>();
  claim(base: string): string {
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }
  reserve(id: string): void {
    this.used.add(id);
  }
}

export function buildImport(source: SourceModel, options: BuildOptions): ImportResult {
  const existing = options.existing;
  const notes: ImportNote[] = source.notes.map(toImportNote);
  // Each element gets the id a fresh import would give it (document order, `-2` for a
  // repeated name); when the existing model already has that id, it is the same element.
  const fresh = new IdSpace();
  const existingIds = new Set([...(existing?.components ?? []), ...(existing?.flows ?? []), ...(existing?.boundaries ?? [])].map((e) => e.id));
  const place = (base: string): { id: string; existed: boolean } => {
    const id = fresh.claim(base);
    if (existingIds.has(id)) return { id, existed: true };
    return { id, existed: false };
  };

  // Boundaries.
  const boundaryId = new Map<string, string>();
  const boundaries: ImportedBoundary[] = [];
  const boundaryComments = new Map<string, string>();
  for (const b of source.boundaries) {
    const { id, existed } = place(b.idHint && ID_PATTERN.test(b.idHint) ? b.idHint : slugify(b.name, 'boundary'));
    boundaryId.set(b.key, id);
    if (existed) continue;
    let trust = b.trust;
    if (trust === undefined) {
      const guess = guessTrust(b.name);
      trust = guess.trust;
      const why = guess.because ? `guessed from "${guess.because}"` : `${FORMAT_TITLES[source.format]} has no trust level: the default`;
      boundaryComments.set(id, `${why}: review`);
      notes.push({ kind: 'review', message: `${b.where}: boundary ${id} ("${b.name}"): trust ${trust} (${why})` });
    }
    boundaries.push({ id, name: b.name, trust, ...(b.description ? { description: b.description } : {}) });
  }

  // Owners named by elements: a key per distinct name.
  const owners: Record<string, { name: string }> = {};
  const existingOwners = new Map((existing?.owners ?? []).flatMap((o) => [[o.key, o.key] as const, ...(o.name ? [[slugify(o.name, 'owner'), o.key] as const] : [])]));
  const ownerKey = (name: string): string => {
    const slug = slugify(name, 'owner');
    const known = existingOwners.get(slug);
    if (known !== undefined) return known;
    owners[slug] ??= { name };
    return slug;
  };

  // Components.
  const elementId = new Map<string, string>();
  const components: ImportedComponent[] = [];
  const componentComments = new Map<string, string>();
  for (const e of source.elements) {
    const { id, existed } = place(e.idHint && ID_PATTERN.test(e.idHint) ? e.idHint : slugify(e.name));
    elementId.set(e.key, id);
    if (existed) continue;
    const component: ImportedComponent = { id, name: e.name, type: e.kind };
    const boundary = e.boundary === undefined ? undefined : boundaryId.get(e.boundary);
    if (boundary !== undefined) component.boundary = boundary;
    if (e.tech?.length) component.tech = e.tech;
    if (e.owner) component.owner = ownerKey(e.owner);
    if (e.paths?.length) component.paths = e.paths;
    if (e.description) component.description = e.description;
    if (e.outOfScope !== undefined) component.out_of_scope = { rationale: e.outOfScope || `marked out of scope in ${FORMAT_TITLES[source.format]} without a reason` };
    components.push(component);
    const guesses = [e.kindGuess ? `type ${e.kind}: ${e.kindGuess}` : '', e.boundaryGuess && boundary ? `boundary ${boundary}: ${e.boundaryGuess}` : ''].filter(Boolean);
    if (guesses.length > 0) {
      componentComments.set(id, `${guesses.join('; ')}: review`);
      notes.push({ kind: 'review', message: `${e.where}: component ${id} ("${e.name}"): ${guesses.join('; ')}` });
    }
  }

  // Flows.
  const flowId = new Map<string, string>();
  const flows: ImportedFlow[] = [];
  for (const f of source.flows) {
    const from = elementId.get(f.from);
    const to = elementId.get(f.to);
    if (from === undefined || to === undefined) {
      notes.push({ kind: 'problem', message: `${f.where}: flow "${f.name}" names an element the file does not have; left out` });
      continue;
    }
    const { id, existed } = place(f.idHint && ID_PATTERN.test(f.idHint) ? f.idHint : slugify(`${from}-${to}`, 'flow'));
    flowId.set(f.key, id);
    if (existed) continue;
    const flow: ImportedFlow = { id, name: f.name, from, to };
    if (f.bidirectional) flow.bidirectional = true;
    if (f.data?.length) flow.data = f.data;
    if (f.protocol) flow.protocol = f.protocol;
    if (f.description) flow.description = f.description;
    if (f.outOfScope !== undefined) flow.out_of_scope = { rationale: f.outOfScope || `marked out of scope in ${FORMAT_TITLES[source.format]} without a reason` };
    flows.push(flow);
  }

  // Threats.
  const existingThreatIds = new Set(existing?.threatIds ?? []);
  const existingRefs = new Set(existing?.threatRefs ?? []);
  const threatIds = new Set<string>();
  const threats: ImportedThreat[] = [];
  const threatComments = new Map<number, string[]>();
  const skipped: string[] = [];
  const duplicates: { id: string; rows: number[] }[] = [];
  for (const t of source.threats) {
    if (existingThreatIds.has(t.id) || t.refs.some((r) => existingRefs.has(r))) {
      skipped.push(t.id);
      continue;
    }
    let id = t.id;
    if (threatIds.has(id)) {
      let n = 2;
      while (threatIds.has(`${t.id}-${n}`) || existingThreatIds.has(`${t.id}-${n}`)) n++;
      id = `${t.id}-${n}`;
      notes.push({ kind: 'problem', message: `${t.where}: threat id ${t.id} is used twice in the file: this one is imported as ${id}` });
      duplicates.push({ id: t.id, rows: [] });
    }
    threatIds.add(id);
    const targets = [...new Set(t.targets.map((key) => elementId.get(key) ?? flowId.get(key) ?? boundaryTarget(key)))].filter((v): v is string => v !== undefined);
    function boundaryTarget(key: string): undefined {
      notes.push({ kind: 'problem', message: `${t.where}: threat ${id} is on "${key}", which is not an imported element or flow; the target is left out` });
      return undefined;
    }
    const threat: ImportedThreat = { id: /^(0|[1-9]\d{0,14})$/.test(id) ? Number(id) : id, title: oneLine(t.title) || `Untitled threat ${id}` };
    if (t.stride.length > 0) threat.stride = t.stride.length === 1 ? t.stride[0]! : t.stride;
    else if (t.strideAsWritten) threat.stride = t.strideAsWritten;
    if (targets.length > 0) threat.targets = targets.length === 1 ? targets[0]! : targets;
    if (t.description) threat.description = t.description;
    if (t.cvss) threat.cvss = { vector: t.cvss };
    if (t.severity && !t.cvss) threat.severity = t.severity;
    if (t.strategy?.length) threat.strategy = t.strategy.length === 1 ? t.strategy[0]! : t.strategy;
    if (t.mitigation) threat.mitigation = t.mitigation;
    if (t.owner?.length) {
      const keys = [...new Set(t.owner.map(ownerKey))];
      threat.owner = keys.length === 1 ? keys[0]! : keys;
    }
    if (t.status !== 'open') threat.status = t.status;
    if (t.rationale) threat.rationale = t.rationale;
    if (t.refs.length > 0) threat.refs = t.refs;
    if (t.comments.length > 0) threatComments.set(threats.length, t.comments);
    threats.push(threat);
  }

  const fileBase = options.file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '').replace(/\.(tc|otm)$/, '');
  const systemName = options.systemName?.trim() || source.systemName?.trim() || fileBase || 'Imported threat model';
  if (!options.systemName?.trim() && !source.systemName?.trim() && !existing) {
    notes.push({ kind: 'review', message: `system.name "${systemName}" is the file's name; pass --system-name or edit it` });
  }
  const model: ImportedModel = {
    version: 1,
    system: { name: systemName, ...(source.systemDescription && !existing ? { description: source.systemDescription } : {}) },
    owners,
    boundaries,
    components,
    flows,
    threats,
  };
  return {
    model,
    headerRow: 0,
    rows: source.threats.length,
    notes: notes.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'problem' ? -1 : 1)),
    comments: { components: componentComments, threats: threatComments, boundaries: boundaryComments },
    skipped,
    duplicates,
  };
}

function toImportNote(note: SourceNote): ImportNote {
  return { kind: note.kind, message: note.where ? `${note.where}: ${note.message}` : note.message };
}
