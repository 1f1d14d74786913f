/**
 * Open Threat Model (OTM 0.1 / 0.2, JSON or YAML; iriusrisk/OpenThreatModel) -> threat model.
 *
 * trustZones -> boundaries (trustRating through a table), components (their `parent` chain
 * decides the boundary; a cycle of parents is an error naming it), dataflows -> flows, code
 * representations -> `paths`; root `threats` are definitions whose instances sit on components
 * and dataflows: one threatloop threat per definition, targeting every element that carries
 * it. Every OTM id is kept (`refs: [otm:<id>]`, element ids), so `--merge` with a newer export
 * adds only what is new. Pure: text in, the imported model and its notes out.
 */
import { scoreCvss } from '../../model/cvss/index.ts';
import type { Severity, ThreatStatus } from '../../model/schema.ts';
import { ID_PATTERN, ImportBuilder, single, slugify } from '../builder.ts';
import { readDate, readStride } from '../cells.ts';
import { readJson, readYaml, type StructuredText } from '../structured.ts';
import type { ImportedThreat, ImportFormat, ImportOptions, ImportOutcome, SourcePlace } from '../types.ts';
import { OtmDocumentSchema, type OtmComponent, type OtmDocument, type OtmThreatInstance } from './schema.ts';
import { severityOfRisk, STATUS_PROGRESS, statusOfState, trustOfRating, UNZONED_TRUST_ZONE } from './tables.ts';
import { SEVERITIES } from '../../model/schema.ts';

/** A 5,000-threat OTM file is about 7 MB; refuse well before a file could exhaust memory. */
export const MAX_OTM_BYTES = 32 * 1024 * 1024;

/** Attribute keys threatloop's own export writes on a threat definition (read back here). */
export const THREATLOOP_ATTRIBUTES = ['cvss', 'severity', 'owner', 'due', 'strategy', 'verification', 'residual_risk', 'rationale', 'refs', 'acceptance', 'controls', 'tests'] as const;

const ADVICE = [
  ' - trust levels come from each trust zone’s trustRating (comments on each `trust`);',
  ' - component types are read from OTM component types (comments on each `type`);',
  ' - severities without a CVSS vector come from OTM likelihood × impact: add vectors (`threatloop cvss`);',
  ' - owners: add their GitHub logins (`github:`) to assign issues.',
];

export const otmFormat: ImportFormat = {
  id: 'otm',
  name: 'Open Threat Model',
  extensions: ['.otm', '.otm.json', '.otm.yaml', '.otm.yml'],
  maxBytes: MAX_OTM_BYTES,
  detect(text) {
    const head = text.slice(0, 64 * 1024);
    if (/^\s*\{[\s\S]*?"otmVersion"\s*:/.test(head)) return 0.95;
    if (/^otmVersion\s*:/m.test(head)) return 0.95;
    return 0;
  },
  parse: importOtm,
};

/** JSON or YAML text -> the OTM object, or where it is broken (aliases bounded: a "billion laughs" is refused). */
function readDocument(text: string, file: string): StructuredText {
  const trimmed = text.trimStart();
  return trimmed.startsWith('{') || trimmed.startsWith('[') ? readJson(text, file) : readYaml(text, file);
}

/** `['components', 2, 'parent']` -> `$.components[2].parent`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
}

export function importOtm(text: string, options: ImportOptions): ImportOutcome {
  const file = options.file;
  const read = readDocument(text, file);
  if (!read.ok) return { ok: false, message: read.message };
  if (read.value === null || typeof read.value !== 'object' || Array.isArray(read.value) || !('otmVersion' in read.value)) {
    return { ok: false, message: `${file}: not an Open Threat Model document (no top-level otmVersion)` };
  }
  const parsed = OtmDocumentSchema.safeParse(read.value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `${jsonPath(issue.path)}: ${issue.message}`);
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
    return { ok: false, message: `${file}: not a valid OTM document: ${issues.join('; ')}${more}`, path: jsonPath(parsed.error.issues[0]!.path) };
  }
  return mapDocument(parsed.data, options);
}

interface Carrier {
  /** threatloop id of the component or flow. */
  target: string;
  /** Its OTM id, for messages. */
  otmId: string;
  instance: OtmThreatInstance;
  path: string;
}

function mapDocument(otm: OtmDocument, options: ImportOptions): ImportOutcome {
  const file = options.file;
  const build = new ImportBuilder(options);
  build.sourceSystemName = otm.project.name.trim() || undefined;
  const projectOwner = [otm.project.owner, otm.project.ownerContact ? `<${otm.project.ownerContact}>` : ''].filter((s) => s).join(' ');
  const about = [otm.project.description ?? '', projectOwner ? `Project owner: ${projectOwner}.` : ''].filter((s) => s.trim() !== '').join('\n');
  if (about) build.sourceSystemDescription = about;
  if (!/^0\.[12](\.\d+)?$/.test(otm.otmVersion.trim())) {
    build.review(`otmVersion ${otm.otmVersion} is not 0.1 or 0.2: read as 0.2`, { path: '$.otmVersion' });
  }
  const lostAttributes = (attributes: Record<string, unknown> | null | undefined, path: string, what: string) => {
    const keys = Object.keys(attributes ?? {}).filter((k) => !isEmpty(attributes![k]));
    if (keys.length > 0) build.lost(`${what}: attributes ${keys.join(', ')} are not kept`, { path: `${path}.attributes` });
  };
  // threatloop's own export keeps the owners (keys, names, logins) as one project attribute.
  const { 'threatloop-owners': ownersJson, ...projectAttributes } = otm.project.attributes ?? {};
  if (typeof ownersJson === 'string') {
    try {
      const owners = JSON.parse(ownersJson) as Record<string, { name?: string; github?: string[]; team?: string; jira?: string; email?: string }>;
      for (const [key, o] of Object.entries(owners)) {
        if (!ID_PATTERN.test(key) || o === null || typeof o !== 'object') continue;
        build.ownerWithKey(key, {
          ...(typeof o.name === 'string' ? { name: o.name } : {}),
          ...(Array.isArray(o.github) ? { github: o.github.filter((g) => typeof g === 'string') } : {}),
          ...(typeof o.team === 'string' ? { team: o.team } : {}),
          ...(typeof o.jira === 'string' ? { jira: o.jira } : {}),
          ...(typeof o.email === 'string' ? { email: o.email } : {}),
        });
      }
    } catch {
      build.problem('project attribute threatloop-owners is not JSON; owners are made from the threats’ owner attributes', { path: '$.project.attributes' });
    }
  }
  lostAttributes(projectAttributes, '$.project', 'project');

  const zones = otm.trustZones ?? [];
  const components = otm.components ?? [];
  const zoneIndex = new Map(zones.map((z, i) => [z.id, i]));
  const componentIndex = new Map(components.map((c, i) => [c.id, i]));

  // Parents: a trust zone or component id; follow them to the trust zone a component sits in.
  const cycle = findParentCycle(otm, zoneIndex, componentIndex);
  if (cycle) return { ok: false, message: `${file}: ${cycle.path}: the parents form a cycle: ${cycle.chain}`, path: cycle.path };

  for (const [i, zone] of zones.entries()) {
    const path = `$.trustZones[${i}]`;
    if (zone.id === UNZONED_TRUST_ZONE) continue;
    const trust = trustOfRating(zone.risk.trustRating);
    build.boundary({
      name: zone.name,
      trust,
      sourceId: zone.id,
      ref: `otm:${zone.id}`,
      ...(zone.description ? { description: zone.description } : {}),
      trustComment: `trustRating ${zone.risk.trustRating}`,
    });
    const parent = zone.parent?.trustZone ?? zone.parent?.component;
    if (parent !== undefined) build.review(`trust zone ${zone.id} sits inside ${parent}: threatloop boundaries do not nest, so they sit side by side`, { path: `${path}.parent` });
    lostAttributes(zone.attributes, path, `trust zone ${zone.id}`);
  }

  const codeRepresentations = new Set((otm.representations ?? []).filter((r) => r.type.toLowerCase() === 'code').map((r) => r.id));
  const assetNames = new Map((otm.assets ?? []).map((a) => [a.id, a.name]));
  const assetName = (id: string | null) => (id === null ? undefined : (assetNames.get(id) ?? id));
  const carriers = new Map<string, Carrier[]>();
  const carry = (target: string, otmId: string, instances: readonly OtmThreatInstance[] | null | undefined, path: string) => {
    (instances ?? []).forEach((instance, k) => {
      const list = carriers.get(instance.threat) ?? [];
      list.push({ target, otmId, instance, path: `${path}.threats[${k}]` });
      carriers.set(instance.threat, list);
    });
  };

  for (const [i, component] of components.entries()) {
    const path = `$.components[${i}]`;
    const zone = zoneOf(component, components, componentIndex);
    if (zone.missing !== undefined) build.problem(`component ${component.id}: parent ${zone.missing} is not a trust zone or component of this file; no boundary set`, { path: `${path}.parent` });
    if (zone.via.length > 0) {
      build.review(`component ${component.id} sits inside component ${zone.via.join(' inside ')}: placed in its trust zone${zone.id ? ` ${zone.id}` : ''}`, { path: `${path}.parent` });
    }
    const boundary = zone.id === undefined || zone.id === UNZONED_TRUST_ZONE ? undefined : build.resolve(`otm:${zone.id}`);
    const paths = (component.representations ?? []).filter((r) => codeRepresentations.has(r.representation) && r.file).map((r) => r.file!);
    const processed = (component.assets?.processed ?? []).map(assetName).filter((n): n is string => n !== undefined);
    const stored = (component.assets?.stored ?? []).map(assetName).filter((n): n is string => n !== undefined);
    const description = [
      component.description ?? '',
      processed.length > 0 ? `Processes: ${processed.join(', ')}.` : '',
      stored.length > 0 ? `Stores: ${stored.join(', ')}.` : '',
    ]
      .filter((s) => s !== '')
      .join('\n');
    const type = componentType(component);
    if (type.guessed) build.review(`component ${component.id} ("${component.name}"): OTM type "${component.type}" read as ${type.type}`, { path: `${path}.type` });
    const id = build.component(
      {
        name: component.name,
        type: type.type,
        sourceId: component.id,
        ref: `otm:${component.id}`,
        ...(boundary ? { boundary } : {}),
        ...(paths.length > 0 ? { paths: [...new Set(paths)] } : {}),
        tech: (component.tags ?? []).filter((t): t is string => typeof t === 'string' && t.trim() !== ''),
        ...(description ? { description } : {}),
        ...(type.guessed ? { typeComment: `OTM type "${component.type}": review` } : {}),
      },
      { path },
    );
    lostAttributes(component.attributes, path, `component ${component.id}`);
    carry(id, component.id, component.threats, path);
  }

  for (const [i, flow] of (otm.dataflows ?? []).entries()) {
    const path = `$.dataflows[${i}]`;
    const from = build.resolve(`otm:${flow.source}`);
    const to = build.resolve(`otm:${flow.destination}`);
    const zoneEnd = [flow.source, flow.destination].find((end) => zoneIndex.has(end));
    if (from === undefined || to === undefined || zoneEnd !== undefined) {
      const bad = from === undefined ? `source ${flow.source}` : `destination ${flow.destination}`;
      build.lost(`dataflow ${flow.id} ("${flow.name}"): its ${bad} is not a component of this file; the flow and its threat instances are not imported`, { path });
      continue;
    }
    const tags = (flow.tags ?? []).filter((t): t is string => typeof t === 'string' && t.trim() !== '');
    // threatloop's own export keeps protocol and data names as attributes.
    const { protocol, data: dataNames, ...flowAttributes } = flow.attributes ?? {};
    const description = [flow.description ?? '', tags.length > 0 ? `OTM tags: ${tags.join(', ')}.` : ''].filter((s) => s !== '').join('\n');
    const data = [
      ...(flow.assets ?? []).map(assetName).filter((n): n is string => n !== undefined),
      ...(typeof dataNames === 'string' ? dataNames.split(/\s*,\s*/).filter((d) => d !== '') : []),
    ];
    const id = build.flow({
      from,
      to,
      bidirectional: flow.bidirectional === true,
      name: flow.name,
      sourceId: flow.id,
      ref: `otm:${flow.id}`,
      ...(data.length > 0 ? { data } : {}),
      ...(typeof protocol === 'string' && protocol !== '' ? { protocol } : {}),
      ...(description ? { description } : {}),
    });
    lostAttributes(flowAttributes, path, `dataflow ${flow.id}`);
    carry(id, flow.id, flow.threats, path);
  }

  const mitigations = new Map((otm.mitigations ?? []).map((m, i) => [m.id, { mitigation: m, path: `$.mitigations[${i}]` }]));
  const definitions = new Set((otm.threats ?? []).map((t) => t.id));
  for (const [threatId, list] of carriers) {
    if (definitions.has(threatId)) continue;
    for (const c of list) build.lost(`threat instance on ${c.otmId} refers to threat ${threatId}, which is not in the root threats`, { path: `${c.path}.threat` });
  }

  for (const [i, definition] of (otm.threats ?? []).entries()) {
    const path = `$.threats[${i}]`;
    const place: SourcePlace = { path };
    const attributes = definition.attributes ?? {};
    const attribute = (key: string) => {
      const value = attributes[key];
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
    };
    const comments: string[] = [];
    const id = ID_PATTERN.test(definition.id.trim()) ? definition.id.trim() : slugify(definition.id, 'threat');
    if (id !== definition.id) build.review(`threat id "${definition.id}" is not a threatloop id: imported as ${id}`, { path: `${path}.id` });
    const threat: ImportedThreat = { id, title: definition.name };

    // STRIDE from categories; other categories are kept as a comment.
    const stride: string[] = [];
    const other: string[] = [];
    for (const category of definition.categories ?? []) {
      if (category === null || category.trim() === '') continue;
      const read = readStride(category);
      if (read.ok) stride.push(...read.value.filter((s) => !stride.includes(s)));
      else other.push(category.trim());
    }
    if (stride.length > 0) threat.stride = single(stride);
    else build.problem(`threat ${id}: no STRIDE category among its categories${other.length > 0 ? ` (${other.join(', ')})` : ''}; lint lists it`, { path: `${path}.categories` });
    if (other.length > 0) comments.push(`OTM categories that are not STRIDE: ${other.join(', ')}.`);

    const list = carriers.get(definition.id) ?? [];
    const targets = [...new Set(list.map((c) => c.target))];
    if (targets.length > 0) threat.targets = single(targets);
    else build.problem(`threat ${id}: no component or dataflow carries it; add its targets`, place);
    if (definition.description) threat.description = definition.description;

    // Severity: our own export's CVSS vector, else likelihood × impact through the table.
    const vector = attribute('cvss');
    const statedSeverity = attribute('severity');
    if (vector !== undefined && scoreCvss(vector).ok) threat.cvss = { vector };
    else if (vector === undefined && statedSeverity !== undefined && (statedSeverity === 'unscored' || (SEVERITIES as readonly string[]).includes(statedSeverity))) {
      if (statedSeverity !== 'unscored') threat.severity = statedSeverity;
    } else {
      if (vector !== undefined) build.problem(`threat ${id}: attribute cvss "${vector}" is not a CVSS vector; severity from likelihood × impact instead`, { path: `${path}.attributes.cvss` });
      const likelihood = definition.risk.likelihood;
      const severity: Severity = severityOfRisk(likelihood ?? 100, definition.risk.impact);
      threat.severity = severity;
      const how = `likelihood ${likelihood ?? 'not given (taken as 100)'} × impact ${definition.risk.impact}`;
      comments.push(`Severity ${severity} from OTM ${how}: add a CVSS vector.`);
      build.review(`threat ${id}: severity ${severity} from ${how}`, { path: `${path}.risk` });
    }
    if (definition.risk.likelihoodComment) comments.push(`Likelihood: ${definition.risk.likelihoodComment}`);
    if (definition.risk.impactComment) comments.push(`Impact: ${definition.risk.impactComment}`);

    const strategy = attribute('strategy');
    if (strategy !== undefined) threat.strategy = single(strategy.split(/\s*,\s*/));

    // Mitigations linked from its instances, in order of first mention.
    const linked = new Map<string, string[]>();
    for (const c of list) {
      for (const m of c.instance.mitigations ?? []) {
        if (m?.mitigation == null) continue;
        linked.set(m.mitigation, [...(linked.get(m.mitigation) ?? []), ...(m.state ? [`${m.state} on ${c.otmId}`] : [])]);
      }
    }
    const texts: string[] = [];
    for (const [mitigationId, states] of linked) {
      const found = mitigations.get(mitigationId);
      if (!found) {
        build.lost(`threat ${id}: mitigation ${mitigationId} is not in the root mitigations`, place);
        continue;
      }
      const { mitigation } = found;
      const description = mitigation.description?.trim();
      texts.push(!description ? mitigation.name : description.startsWith(mitigation.name) ? description : `${mitigation.name}: ${description}`);
      if (states.length > 0) comments.push(`Mitigation ${mitigationId} (risk reduction ${mitigation.riskReduction}): ${states.join(', ')}.`);
    }
    if (texts.length > 0) threat.mitigation = texts.join('\n');

    const owner = attribute('owner');
    if (owner !== undefined) {
      const keys = owner.split(/\s*,\s*/).filter((o) => o !== '').map((o) => (build.hasOwner(o) ? o : build.owner(o)));
      threat.owner = single([...new Set(keys)]);
    }

    const status = statusOf(list, (message, where) => build.problem(`threat ${id}: ${message}`, where));
    if (status !== 'open') threat.status = status;

    const due = attribute('due');
    if (due !== undefined) {
      const read = readDate(due);
      threat.due = read.ok ? read.value : due;
      if (!read.ok) build.problem(`threat ${id}: due ${read.message}; kept as written`, { path: `${path}.attributes.due` });
    }
    for (const key of ['verification', 'residual_risk', 'rationale'] as const) {
      const value = attribute(key);
      if (value !== undefined) threat[key] = value;
    }
    const acceptance = attribute('acceptance');
    if (acceptance !== undefined) {
      const read = readAcceptance(acceptance);
      if (read) threat.acceptance = read;
      else {
        // Another tool's attribute of that name: kept as written, as other attributes are.
        comments.push(`OTM attribute acceptance: ${acceptance}`);
        build.review(`threat ${id}: attribute acceptance is not threatloop's { by, on, expires } JSON: kept as a comment; write \`acceptance\` if it records one`, { path: `${path}.attributes.acceptance` });
      }
    }
    const cwes = (definition.cwes ?? []).filter((c): c is string => typeof c === 'string' && c.trim() !== '').map((c) => (/^\d+$/.test(c.trim()) ? `CWE-${c.trim()}` : c.trim()));
    const moreRefs = attribute('refs')?.split(/\s+/) ?? [];
    threat.refs = [...new Set([`otm:${definition.id}`, ...cwes, ...moreRefs])];
    for (const key of ['controls', 'tests'] as const) {
      const value = attribute(key);
      if (value === undefined) continue;
      const list = readStringList(value);
      if (list) threat[key] = list;
      else comments.push(`OTM attribute ${key}: ${value}`);
    }

    const tags = (definition.tags ?? []).filter((t): t is string => typeof t === 'string' && t.trim() !== '');
    if (tags.length > 0) comments.push(`OTM tags: ${tags.join(', ')}.`);
    for (const [key, value] of Object.entries(attributes)) {
      if ((THREATLOOP_ATTRIBUTES as readonly string[]).includes(key) || isEmpty(value)) continue;
      comments.push(`OTM attribute ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
    build.threat(threat, place, comments);
  }

  return {
    ok: true,
    result: build.build('otm', {
      advice: ADVICE,
      sectionComments: {
        boundaries: ' Trust zones of the OTM file: trust from trustRating (0–24 untrusted, 25–49 partner, 50–74 restricted, 75–100 trusted).',
      },
    }),
  };
}

/**
 * The status of a definition from the states of its instances. Differing states are
 * reported, and the least advanced is kept (one open instance keeps the threat open).
 */
function statusOf(carriers: readonly Carrier[], problem: (message: string, where: SourcePlace) => void): ThreatStatus {
  const statuses: { status: ThreatStatus; carrier: Carrier }[] = [];
  for (const carrier of carriers) {
    const status = statusOfState(carrier.instance.state);
    if (status === undefined) {
      problem(`instance state "${carrier.instance.state}" on ${carrier.otmId} is not a state threatloop knows; read as open`, { path: `${carrier.path}.state` });
      statuses.push({ status: 'open', carrier });
    } else statuses.push({ status, carrier });
  }
  if (statuses.length === 0) return 'open';
  const least = statuses.reduce((a, b) => (STATUS_PROGRESS[b.status] < STATUS_PROGRESS[a.status] ? b : a));
  if (statuses.some((s) => s.status !== least.status)) {
    problem(
      `its instances differ in state (${statuses.map((s) => `${s.carrier.otmId}: ${s.carrier.instance.state}`).join(', ')}); status ${least.status}, the least advanced, is kept`,
      { path: least.carrier.path },
    );
  }
  return least.status;
}

const EXACT_TYPES = new Set(['process', 'data-store', 'external-entity']);
const STORE_WORDS = /\b(database|db|datastore|data-store|store|storage|bucket|s3|queue|cache|table|file-?system|repository|vault)\b/i;
const EXTERNAL_WORDS = /\b(client|browser|user|actor|external|mobile|partner|third-party|internet|saas)\b/i;

/** OTM types are free (IriusRisk library names such as `web-client`, `CD-MONGODB`): read by their words. */
function componentType(component: OtmComponent): { type: 'process' | 'data-store' | 'external-entity'; guessed: boolean } {
  const type = component.type.trim().toLowerCase();
  if (EXACT_TYPES.has(type)) return { type: type as 'process', guessed: false };
  const words = `${type.replace(/[_-]+/g, ' ')} ${(component.tags ?? []).join(' ')}`;
  if (STORE_WORDS.test(words) || /mongo|postgres|mysql|redis|dynamo|rds|sql/i.test(type)) return { type: 'data-store', guessed: true };
  if (EXTERNAL_WORDS.test(words)) return { type: 'external-entity', guessed: true };
  return { type: 'process', guessed: true };
}

/** The trust zone a component sits in, following component parents; the components passed on the way. */
function zoneOf(component: OtmComponent, components: readonly OtmComponent[], index: ReadonlyMap<string, number>): { id?: string; via: string[]; missing?: string } {
  const via: string[] = [];
  let current = component;
  // Cycles were refused before this runs, so the walk ends; the bound is a second guard.
  for (let steps = 0; steps <= components.length; steps++) {
    const parent = current.parent;
    if (parent.trustZone !== undefined) return { id: parent.trustZone, via };
    if (parent.component === undefined) return { via };
    const next = index.get(parent.component);
    if (next === undefined) return { via, missing: parent.component };
    via.push(parent.component);
    current = components[next]!;
  }
  return { via };
}

/**
 * A cycle among parents (component in component, zone in zone or component), as the JSON path
 * of the element where it is found and the chain of ids that closes it. Linear: each element
 * is walked once (colouring: on the current path, or finished).
 */
function findParentCycle(otm: OtmDocument, zoneIndex: ReadonlyMap<string, number>, componentIndex: ReadonlyMap<string, number>): { path: string; chain: string } | undefined {
  type Node = { kind: 'zone' | 'component'; index: number };
  const parentOf = (node: Node): Node | undefined => {
    const element = node.kind === 'zone' ? otm.trustZones![node.index]! : otm.components![node.index]!;
    const parent = element.parent;
    if (!parent) return undefined;
    if (parent.component !== undefined) {
      const i = componentIndex.get(parent.component);
      return i === undefined ? undefined : { kind: 'component', index: i };
    }
    if (parent.trustZone !== undefined) {
      const i = zoneIndex.get(parent.trustZone);
      return i === undefined ? undefined : { kind: 'zone', index: i };
    }
    return undefined;
  };
  const key = (n: Node) => `${n.kind}:${n.index}`;
  const label = (n: Node) => `${n.kind === 'zone' ? otm.trustZones![n.index]!.id : otm.components![n.index]!.id} (${n.kind === 'zone' ? 'trust zone' : 'component'})`;
  const pathOf = (n: Node) => `$.${n.kind === 'zone' ? 'trustZones' : 'components'}[${n.index}].parent`;
  const done = new Set<string>();
  const starts: Node[] = [
    ...(otm.trustZones ?? []).map((_, index) => ({ kind: 'zone' as const, index })),
    ...(otm.components ?? []).map((_, index) => ({ kind: 'component' as const, index })),
  ];
  for (const start of starts) {
    const onPath = new Map<string, number>();
    const walk: Node[] = [];
    let node: Node | undefined = start;
    while (node && !done.has(key(node))) {
      const at = onPath.get(key(node));
      if (at !== undefined) {
        const loop = [...walk.slice(at), node];
        return { path: pathOf(walk[at]!), chain: loop.map(label).join(' → ') };
      }
      onPath.set(key(node), walk.length);
      walk.push(node);
      node = parentOf(node);
    }
    for (const n of walk) done.add(key(n));
  }
  return undefined;
}

/** threatloop's own `acceptance` attribute (JSON text) -> its fields, or undefined when it is not that. */
function readAcceptance(text: string): ImportedThreat['acceptance'] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  if (typeof fields.by !== 'string' || typeof fields.on !== 'string') return undefined;
  const optional = (key: 'expires' | 'review_every') => (typeof fields[key] === 'string' ? { [key]: fields[key] } : {});
  return { by: fields.by, on: fields.on, ...optional('expires'), ...optional('review_every') };
}

/** A JSON list of strings (threatloop's `controls` and `tests` attributes), or undefined. */
function readStringList(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (typeof value === 'object' && Object.keys(value as object).length === 0);
}
