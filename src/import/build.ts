/**
 * A source model (Threat Dragon, TMT, threat-composer, Threagile, pytm) -> the seam's
 * ImportBuilder, once for all five formats. Each element gets the id a fresh import would
 * give it (its tool id when that reads well, else its slugged name, `-2` for a repeated
 * name, in document order) and passes it as `sourceId`, so a re-import of a newer export
 * finds the same element in the merge target; threats carry their tool refs, so the
 * builder skips the ones the target already has.
 */
import { ID_PATTERN, ImportBuilder, single, slugify } from './builder.ts';
import { FORMAT_TITLES, guessTrust, oneLine, type SourceModel, type SourceRead } from './source.ts';
import type { ImportedThreat, ImportOptions, ImportOutcome, ImportResult } from './types.ts';

/** Unique readable ids: `web-server`, then `web-server-2` for the next element of that name. */
class IdSpace {
  private readonly used = new Set<string>();
  claim(base: string): string {
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }
}

export function toImport(source: SourceModel, options: ImportOptions): ImportResult {
  const title = FORMAT_TITLES[source.format];
  const builder = new ImportBuilder(options);
  if (source.systemName) builder.sourceSystemName = source.systemName;
  if (source.systemDescription && !options.existing) builder.sourceSystemDescription = source.systemDescription;
  for (const note of source.notes) {
    const where = note.where ? { path: note.where } : {};
    if (note.kind === 'review') builder.review(note.message, where);
    else builder.problem(note.message, where);
  }
  const fresh = new IdSpace();
  // On --merge, what the target already has is not reported again.
  const known = new Set([...(options.existing?.boundaries ?? []), ...(options.existing?.components ?? [])].map((e) => e.id));
  const preferred = (idHint: string | undefined, name: string, fallback: string) => fresh.claim(idHint && ID_PATTERN.test(idHint) ? idHint : slugify(name, fallback));

  const boundaryId = new Map<string, string>();
  for (const b of source.boundaries) {
    const guess = b.trust === undefined ? guessTrust(b.name) : undefined;
    const why = guess ? (guess.because ? `guessed from "${guess.because}"` : `${title} records no trust level: the default`) : undefined;
    const id = builder.boundary({
      name: b.name,
      trust: b.trust ?? guess!.trust,
      sourceId: preferred(b.idHint, b.name, 'boundary'),
      ref: b.ref,
      ...(b.description ? { description: b.description } : {}),
      ...(why ? { trustComment: `${why}: review` } : {}),
    });
    boundaryId.set(b.key, id);
    if (why && !known.has(id)) builder.review(`boundary ${id} ("${b.name}"): trust ${b.trust ?? guess!.trust} (${why})`, { path: b.where });
  }

  const elementId = new Map<string, string>();
  for (const e of source.elements) {
    const boundary = e.boundary === undefined ? undefined : boundaryId.get(e.boundary);
    const guesses = [e.kindGuess ? `type ${e.kind}: ${e.kindGuess}` : '', e.boundaryGuess && boundary ? `boundary ${boundary}: ${e.boundaryGuess}` : ''].filter(Boolean);
    const id = builder.component(
      {
        name: e.name,
        type: e.kind,
        sourceId: preferred(e.idHint, e.name, 'component'),
        ref: e.ref,
        ...(boundary ? { boundary } : {}),
        ...(e.paths?.length ? { paths: e.paths } : {}),
        ...(e.tech?.length ? { tech: e.tech } : {}),
        ...(e.owner ? { owner: builder.owner(e.owner) } : {}),
        ...(e.description ? { description: e.description } : {}),
        ...(e.outOfScope !== undefined ? { outOfScope: e.outOfScope || `marked out of scope in ${title} without a reason` } : {}),
        ...(guesses.length ? { typeComment: `${guesses.join('; ')}: review` } : {}),
      },
      { path: e.where },
    );
    elementId.set(e.key, id);
    if (guesses.length && !known.has(id)) builder.review(`component ${id} ("${e.name}"): ${guesses.join('; ')}`, { path: e.where });
  }

  const flowId = new Map<string, string>();
  for (const f of source.flows) {
    const from = elementId.get(f.from);
    const to = elementId.get(f.to);
    if (from === undefined || to === undefined) {
      builder.problem(`flow "${f.name}" joins an element the file does not have; left out`, { path: f.where });
      continue;
    }
    const id = builder.flow({
      from,
      to,
      name: f.name,
      sourceId: preferred(f.idHint, `${from}-${to}`, 'flow'),
      ref: f.ref,
      ...(f.bidirectional ? { bidirectional: true } : {}),
      ...(f.data?.length ? { data: f.data } : {}),
      ...(f.protocol ? { protocol: f.protocol } : {}),
      ...(f.description ? { description: f.description } : {}),
      ...(f.outOfScope !== undefined ? { outOfScope: f.outOfScope || `marked out of scope in ${title} without a reason` } : {}),
    });
    flowId.set(f.key, id);
  }

  for (const t of source.threats) {
    const targets = [...new Set(t.targets.flatMap((key) => {
      const id = elementId.get(key) ?? flowId.get(key);
      if (id === undefined) builder.problem(`threat ${t.id} is on "${key}", which is not an imported element or flow; that target is left out`, { path: t.where });
      return id === undefined ? [] : [id];
    }))];
    const threat: ImportedThreat = { id: /^(0|[1-9]\d{0,14})$/.test(t.id) ? Number(t.id) : t.id, title: oneLine(t.title) || `Untitled threat ${t.id}` };
    if (t.stride.length > 0) threat.stride = single(t.stride);
    else if (t.strideAsWritten) threat.stride = t.strideAsWritten;
    if (targets.length > 0) threat.targets = single(targets);
    if (t.description) threat.description = t.description;
    if (t.cvss) threat.cvss = { vector: t.cvss };
    else if (t.severity) threat.severity = t.severity;
    if (t.strategy?.length) threat.strategy = single(t.strategy);
    if (t.mitigation) threat.mitigation = t.mitigation;
    if (t.owner?.length) threat.owner = single([...new Set(t.owner.map((o) => builder.owner(o)))]);
    if (t.status !== 'open') threat.status = t.status;
    if (t.rationale) threat.rationale = t.rationale;
    if (t.refs.length > 0) threat.refs = t.refs;
    builder.threat(threat, { path: t.where }, t.comments);
  }

  return builder.build(source.format, {
    advice: [
      ` - read from ${title}; every guess is commented where it is (component types, boundary membership taken from the diagram, trust levels, severities mapped from the tool's scale);`,
      ' - each threat keeps its id in the tool under `refs`: `threatloop import --merge` with a newer export adds only what is new;',
      ' - add `paths` (globs of the code) to components so pull requests get threat context;',
      ' - owners are names from the tool: add their GitHub logins (`github:`) to assign issues.',
    ],
    sectionComments: { boundaries: ` Trust boundaries as ${title} draws them; it records no trust level, so each \`trust\` is a guess to review.` },
  });
}

/** A reader's outcome as the seam's: the file named in every message. */
export function outcome(read: SourceRead, options: ImportOptions): ImportOutcome {
  if (!read.ok) return { ok: false, message: `${options.file}: ${read.where && !read.message.includes(read.where) ? `${read.where}: ` : ''}${read.message}`, ...(read.where ? { path: read.where } : {}) };
  return { ok: true, result: toImport(read.source, options) };
}
