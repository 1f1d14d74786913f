/**
 * OWASP pytm `--json` output -> source model. Elements come by class (`Actor`, `Server`,
 * `Process`, `Lambda`, `Datastore` …) in `actors`, `assets` and `elements` (the same element
 * may appear in several), flows in `flows` with `source`/`sink` names, boundaries with
 * `inBoundary` names. A finding's `id` is a sequence number of the run and changes from
 * one run to the next (pytm issue #154), so a threat's id is built from what is stable:
 * the rule id (`threat_id`, e.g. INP02) and the element it is on.
 */
import { outcome } from '../build.ts';
import { head, readJson } from '../structured.ts';
import type { ImportFormat } from '../types.ts';
import type { StrideCategory } from '../../model/schema.ts';
import { slugify } from '../names.ts';
import {
  isRecord,
  list,
  mapSeverity,
  oneLine,
  SEVERITY_TABLES,
  SeverityGuesses,
  str,
  type ElementKind,
  type SourceBoundary,
  type SourceElement,
  type SourceFlow,
  type SourceNote,
  type SourceRead,
  type SourceStatus,
  type SourceThreat,
} from '../source.ts';
import { scoreCvss, severityOf } from '../../model/cvss/index.ts';

export function looksLikePytm(value: unknown): boolean {
  return isRecord(value) && Array.isArray(value.findings) && (Array.isArray(value.flows) || Array.isArray(value.elements)) && ('threatsFile' in value || Array.isArray(value.actors) || Array.isArray(value.assets));
}

const KIND_BY_CLASS: Record<string, ElementKind> = {
  Actor: 'external-entity',
  ExternalEntity: 'external-entity',
  Datastore: 'data-store',
  Process: 'process',
  SetOfProcesses: 'process',
  Server: 'process',
  Lambda: 'process',
  Agent: 'process',
  LLM: 'process',
  Asset: 'process',
};

/**
 * pytm's rule library has no STRIDE field; its rule-id families read as STRIDE like this
 * (a documented guess, listed on every threat it rates).
 */
export const PYTM_FAMILY_STRIDE: Record<string, StrideCategory> = {
  INP: 'tampering', // input validation and injection
  SC: 'tampering', // script and content injection
  LB: 'tampering', // API manipulation
  API: 'tampering',
  CR: 'spoofing', // sessions, credentials, protocol manipulation
  AA: 'spoofing', // authentication abuse
  AC: 'elevation-of-privilege', // access control
  DS: 'information-disclosure', // data exposure
  DE: 'information-disclosure', // interception, sniffing
  DR: 'information-disclosure',
  HA: 'information-disclosure', // reverse engineering, fingerprinting
  DO: 'denial-of-service',
  LLM: 'tampering',
};

const RESPONSE_STATUS: Record<string, { status: SourceStatus; strategy?: 'eliminate' | 'transfer' | 'accept' }> = {
  mitigated: { status: 'mitigated' },
  transferred: { status: 'transferred', strategy: 'transfer' },
  avoided: { status: 'mitigated', strategy: 'eliminate' },
  accepted: { status: 'accepted', strategy: 'accept' },
};

export function readPytm(value: unknown): SourceRead {
  if (!looksLikePytm(value)) return { ok: false, message: 'not pytm --json output (no `findings` with `flows` or `elements`)' };
  const model = value as Record<string, unknown>;
  const notes: SourceNote[] = [];
  const boundaries: SourceBoundary[] = [];
  const boundaryNames = new Set<string>();
  list(model.boundaries).forEach((b, i) => {
    if (!isRecord(b) || !str(b.name) || boundaryNames.has(str(b.name)!)) return;
    boundaryNames.add(str(b.name)!);
    const parent = str(b.inBoundary);
    boundaries.push({
      key: str(b.name)!,
      ref: `pytm:${str(b.name)!}`,
      name: str(b.name)!,
      where: `boundaries[${i}]`,
      ...(parent ? { parent, description: `Inside ${parent} (pytm).` } : str(b.description) ? { description: str(b.description)! } : {}),
    });
  });
  const elements = new Map<string, SourceElement>();
  for (const section of ['actors', 'assets', 'elements'] as const) {
    list(model[section]).forEach((e, i) => {
      if (!isRecord(e) || !str(e.name) || elements.has(str(e.name)!)) return;
      const name = str(e.name)!;
      const where = `${section}[${i}]`;
      const klass = str(e.__class__) ?? 'Asset';
      const kind = KIND_BY_CLASS[klass];
      const boundary = str(e.inBoundary);
      const paths = list(e.sourceFiles).flatMap((p) => (str(p) ? [str(p)!] : []));
      if (boundary && !boundaryNames.has(boundary)) notes.push({ kind: 'problem', where, message: `element "${name}" is in boundary "${boundary}", which the file does not list; left without a boundary` });
      elements.set(name, {
        key: name,
        ref: `pytm:${name}`,
        name,
        kind: kind ?? 'process',
        ...(kind ? {} : { kindGuess: `pytm class ${klass} is not one threatloop knows` }),
        where,
        ...(boundary && boundaryNames.has(boundary) ? { boundary } : {}),
        ...(paths.length ? { paths } : {}),
        ...(klass !== 'Actor' && klass !== 'Datastore' && klass !== 'Process' && kind ? { tech: [klass] } : {}),
        ...(str(e.description) ? { description: str(e.description)! } : {}),
        ...(e.inScope === false ? { outOfScope: '' } : {}),
      });
    });
  }
  const flows: SourceFlow[] = [];
  const dangling: string[] = [];
  const flowCount = new Map<string, number>();
  list(model.flows).forEach((f, i) => {
    if (!isRecord(f)) return;
    const where = `flows[${i}]`;
    const name = str(f.name) ?? `flow ${i}`;
    const source = str(f.source);
    const sink = str(f.sink);
    const missing = [!source || !elements.has(source) ? `source ${source ? `"${source}" is not an element` : 'is missing'}` : '', !sink || !elements.has(sink) ? `sink ${sink ? `"${sink}" is not an element` : 'is missing'}` : ''].filter(Boolean);
    if (missing.length > 0) {
      dangling.push(`${where} "${name}": ${missing.join(' and ')}`);
      return;
    }
    // Flow names may repeat (requests and their responses); the n-th of a name keeps its place.
    const n = (flowCount.get(name) ?? 0) + 1;
    flowCount.set(name, n);
    const key = n === 1 ? `flow:${name}` : `flow:${name}#${n}`;
    const data = list(f.data).flatMap((d) => (str(d) ? [str(d)!] : []));
    const paths = list(f.sourceFiles).flatMap((p) => (str(p) ? [str(p)!] : []));
    flows.push({
      key,
      ref: `pytm:${key}`,
      name,
      from: source!,
      to: sink!,
      where,
      ...(str(f.protocol) ? { protocol: str(f.protocol)! } : {}),
      ...(data.length ? { data } : {}),
      ...(str(f.description) || str(f.note) ? { description: [str(f.description), str(f.note)].filter(Boolean).join('\n') } : {}),
      ...(f.inScope === false ? { outOfScope: '' } : {}),
    });
    if (paths.length) notes.push({ kind: 'review', where, message: `flow "${name}" lists source files (${paths.join(', ')}): threatloop keeps paths on components only` });
  });
  if (dangling.length > 0) {
    return { ok: false, message: `${dangling.length} flow${dangling.length === 1 ? '' : 's'} with an end that is not an element:\n${dangling.map((d) => `  ${d}`).join('\n')}` };
  }
  // A finding names its target by name: an element, or a flow (the first flow of that name).
  const targetKey = (name: string): string | undefined => (elements.has(name) ? name : flows.some((f) => f.key === `flow:${name}`) ? `flow:${name}` : undefined);

  const severities = new SeverityGuesses('pytm');
  const threats: SourceThreat[] = [];
  const ids = new Map<string, number>();
  const read = (raw: unknown, where: string, excluded: boolean) => {
    if (!isRecord(raw)) return;
    const rule = str(raw.threat_id) ?? str(raw.SID) ?? '';
    const targetName = str(raw.target) ?? '';
    const target = targetKey(targetName);
    const base = `${rule || 'finding'}-${slugify(targetName, 'target')}`;
    const n = (ids.get(base) ?? 0) + 1;
    ids.set(base, n);
    const id = n === 1 ? base : `${base}-${n}`;
    const comments: string[] = [];
    const threat: SourceThreat = {
      id,
      refs: [`pytm:${rule}@${targetName}`, ...references(str(raw.references))],
      title: oneLine(htmlText(str(raw.description) ?? rule)),
      stride: [],
      targets: target ? [target] : [],
      status: 'open',
      where,
      comments,
    };
    if (!target) notes.push({ kind: 'problem', where, message: `finding ${rule} is on "${targetName}", which is not an element or flow of the file; it has no target` });
    const details = htmlText(str(raw.details) ?? '');
    if (details) threat.description = details;
    const mitigations = htmlText(str(raw.mitigations) ?? '');
    if (mitigations) threat.mitigation = mitigations;
    const family = rule.replace(/\d+$/, '');
    const stride = PYTM_FAMILY_STRIDE[family];
    if (stride) {
      threat.stride = [stride];
      comments.push(`STRIDE ${stride} from pytm's rule family ${family}: review.`);
    } else notes.push({ kind: 'problem', where, message: `finding ${id}: rule ${rule || '(none)'} has no STRIDE mapping; choose one` });

    const cvss = str(raw.cvss);
    if (cvss?.toUpperCase().startsWith('CVSS:') && scoreCvss(cvss.replace(/\s+/g, '')).ok) threat.cvss = cvss.replace(/\s+/g, '');
    else if (cvss && Number.isFinite(Number(cvss)) && Number(cvss) >= 0 && Number(cvss) <= 10) {
      threat.severity = severityOf(Number(cvss));
      comments.push(`pytm cvss ${cvss} has no vector: rated ${threat.severity} from the score.`);
    }
    if (!threat.cvss && !threat.severity) {
      const severityText = str(raw.severity);
      const mapped = mapSeverity(SEVERITY_TABLES.pytm!, severityText);
      if (mapped.severity) {
        threat.severity = mapped.severity;
        severities.add(severityText!, mapped.severity, id);
      } else if (mapped.unreadable) comments.push(`pytm severity "${mapped.unreadable}" is not one of Very High, High, Medium, Low, Very Low.`);
    }
    if (excluded) {
      const assumption = isRecord(raw.assumption) ? raw.assumption : {};
      threat.status = 'not-applicable';
      threat.rationale = [str(assumption.name), str(assumption.description)].filter(Boolean).join(': ') || 'excluded by an assumption in pytm';
      return threats.push(threat);
    }
    const response = (str(raw.response) ?? '').toLowerCase();
    const mapped = RESPONSE_STATUS[response];
    if (mapped) {
      threat.status = mapped.status;
      if (mapped.strategy) threat.strategy = [mapped.strategy];
    } else if (response) notes.push({ kind: 'problem', where, message: `finding ${id}: response "${response}" unknown; imported as open` });
    if (threat.status === 'accepted' || threat.status === 'transferred') threat.rationale = `${response} in pytm (the finding's response)`;
    threats.push(threat);
  };
  list(model.findings).forEach((f, i) => read(f, `findings[${i}]`, false));
  list(model.excluded_findings).forEach((f, i) => read(f, `excluded_findings[${i}]`, true));
  const rated = threats.filter((t) => t.comments.some((c) => c.startsWith('STRIDE ')));
  if (rated.length > 0) notes.push({ kind: 'review', message: `STRIDE of ${rated.length} threat${rated.length === 1 ? '' : 's'} read from pytm's rule families (INP → tampering, AC → elevation of privilege …; see the README): pytm rules carry no STRIDE category` });
  return {
    ok: true,
    source: {
      format: 'pytm',
      ...(str(model.name) ? { systemName: oneLine(str(model.name)!) } : {}),
      ...(str(model.description) ? { systemDescription: str(model.description)! } : {}),
      boundaries,
      elements: [...elements.values()],
      flows,
      threats,
      notes: [...notes, ...severities.notes()],
    },
  };
}

/** pytm HTML-escapes finding text for its reports (`&lt;`, `&#x27;`): plain text again. */
function htmlText(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/\\\$/g, '$')
    .replace(/&amp;/g, '&')
    .trim();
}

/** `https://capec.mitre.org/…, CVE-1999-0906, http://cwe.mitre.org/data/definitions/120.html` -> refs. */
function references(text: string | undefined): string[] {
  if (!text) return [];
  return [...new Set(text.split(/,\s*/).map((r) => r.trim()).filter(Boolean))];
}

export const pytmFormat: ImportFormat = {
  id: 'pytm',
  name: 'OWASP pytm --json output',
  extensions: ['.json'],
  maxBytes: 32 * 1024 * 1024,
  detect(text) {
    const start = head(text);
    if (!start.trimStart().startsWith('{')) return 0;
    // pytm writes keys sorted: every element has `__class__`, `findings` and `inBoundary`.
    return start.includes('"__class__"') && start.includes('"findings"') && start.includes('"inBoundary"') ? 0.85 : 0;
  },
  parse(text, options) {
    const json = readJson(text, options.file);
    return json.ok ? outcome(readPytm(json.value), options) : json;
  },
};
