/**
 * Threagile -> source model, from either of its two files:
 * - the model YAML (`threagile_version`, `technical_assets` with their `communication_links`,
 *   `trust_boundaries` with `technical_assets_inside` and `trust_boundaries_nested`,
 *   `individual_risk_categories` / `custom_risk_categories` with `risks_identified`, and
 *   `risk_tracking`, whose keys may hold `*` between the `@`s);
 * - its `risks.json` output (every risk the rules found, with `synthetic_id` and `risk_status`).
 * Threagile's own ids are kept as component, boundary and flow ids, so the risks of
 * `risks.json` merged into a model imported from the YAML land on the same components.
 */
import { outcome } from '../build.ts';
import { head, readJson, readYaml } from '../structured.ts';
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

export function looksLikeThreagileModel(value: unknown): boolean {
  return isRecord(value) && ('threagile_version' in value || isRecord(value.technical_assets));
}

export function looksLikeThreagileRisks(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((r) => isRecord(r) && typeof r.synthetic_id === 'string' && typeof r.category === 'string');
}

const KIND: Record<string, ElementKind> = { 'external-entity': 'external-entity', process: 'process', datastore: 'data-store' };

const STATUS: Record<string, SourceStatus> = {
  unchecked: 'open',
  'in-discussion': 'open',
  accepted: 'accepted',
  'in-progress': 'in-progress',
  mitigated: 'mitigated',
  'false-positive': 'not-applicable',
};

const STRIDE: Record<string, StrideCategory> = {
  spoofing: 'spoofing',
  tampering: 'tampering',
  repudiation: 'repudiation',
  'information-disclosure': 'information-disclosure',
  'denial-of-service': 'denial-of-service',
  'elevation-of-privilege': 'elevation-of-privilege',
};

/** The STRIDE category of each built-in Threagile rule (pkg/risks/builtin/*_rule.go): risks.json names only the rule. */
export const BUILTIN_RULE_STRIDE: Record<string, StrideCategory> = {
  'accidental-secret-leak': 'information-disclosure',
  'code-backdooring': 'tampering',
  'container-baseimage-backdooring': 'tampering',
  'container-platform-escape': 'elevation-of-privilege',
  'cross-site-request-forgery': 'spoofing',
  'cross-site-scripting': 'tampering',
  'dos-risky-access-across-trust-boundary': 'denial-of-service',
  'incomplete-model': 'information-disclosure',
  'ldap-injection': 'tampering',
  'missing-authentication': 'elevation-of-privilege',
  'missing-authentication-second-factor': 'elevation-of-privilege',
  'missing-build-infrastructure': 'tampering',
  'missing-cloud-hardening': 'tampering',
  'missing-file-validation': 'spoofing',
  'missing-hardening': 'tampering',
  'missing-identity-propagation': 'elevation-of-privilege',
  'missing-identity-provider-isolation': 'elevation-of-privilege',
  'missing-identity-store': 'spoofing',
  'missing-network-segmentation': 'elevation-of-privilege',
  'missing-vault-isolation': 'elevation-of-privilege',
  'missing-vault': 'information-disclosure',
  'missing-waf': 'tampering',
  'mixed-targets-on-shared-runtime': 'elevation-of-privilege',
  'path-traversal': 'information-disclosure',
  'push-instead-of-pull-deployment': 'tampering',
  'search-query-injection': 'tampering',
  'server-side-request-forgery': 'information-disclosure',
  'service-registry-poisoning': 'spoofing',
  'sql-nosql-injection': 'tampering',
  'unchecked-deployment': 'tampering',
  'unencrypted-asset': 'information-disclosure',
  'unencrypted-communication': 'information-disclosure',
  'unguarded-access-from-internet': 'elevation-of-privilege',
  'unguarded-direct-datastore-access': 'elevation-of-privilege',
  'unnecessary-communication-link': 'elevation-of-privilege',
  'unnecessary-data-asset': 'elevation-of-privilege',
  'unnecessary-data-transfer': 'elevation-of-privilege',
  'unnecessary-technical-asset': 'elevation-of-privilege',
  'untrusted-deserialization': 'tampering',
  'wrong-communication-link-content': 'information-disclosure',
  'wrong-trust-boundary-content': 'elevation-of-privilege',
  'xml-external-entity': 'information-disclosure',
};

/** Threagile's id of a communication link: `<source asset id>><title slug>` (pkg/model/parse.go createDataFlowId). */
export function communicationLinkId(sourceAssetId: string, title: string): string {
  return `${sourceAssetId}>${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[-\s]+|[-\s]+$/g, '')}`;
}

/** A threatloop id for a Threagile id: `@` and `>` are not id characters. */
function threatloopId(threagileId: string): string {
  return threagileId.replace(/@/g, ':').replace(/>/g, '.').replace(/[^A-Za-z0-9._:-]/g, '-');
}

/** HTML in Threagile titles (`<b>Risk</b> at <b>Asset</b>`) as plain text. */
function plain(text: string): string {
  return oneLine(text.replace(/<[^>]{0,200}>/g, ''));
}

interface Tracking {
  key: string;
  status?: string;
  justification?: string;
  ticket?: string;
  date?: string;
  checkedBy?: string;
  stars: number;
  used: boolean;
}

/** `*` matches one or more characters other than `@` (as in Threagile); parts are compared one by one and the whole id must match. */
function matchesPattern(pattern: string, id: string): boolean {
  const patternParts = pattern.split('@');
  const idParts = id.split('@');
  if (patternParts.length !== idParts.length) return false;
  return patternParts.every((p, i) => globPart(p, idParts[i]!));
}

/** Glob match of one part with `*` only: linear in practice, no backtracking blow-up (two pointers). */
function globPart(pattern: string, text: string): boolean {
  if (pattern === '*') return text.length > 0;
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t + 1; // `*` takes at least one character
      t = mark;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

function readTracking(value: unknown, notes: SourceNote[]): Tracking[] {
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, t]) => {
    if (!isRecord(t)) {
      notes.push({ kind: 'problem', where: `risk_tracking.${key}`, message: 'is not a mapping; ignored' });
      return [];
    }
    const date = t.date instanceof Date ? t.date.toISOString().slice(0, 10) : str(t.date);
    return [
      {
        key,
        ...(str(t.status) ? { status: str(t.status)! } : {}),
        ...(str(t.justification) ? { justification: str(t.justification)! } : {}),
        ...(str(t.ticket) ? { ticket: str(t.ticket)! } : {}),
        ...(date ? { date } : {}),
        ...(str(t.checked_by) ? { checkedBy: str(t.checked_by)! } : {}),
        stars: [...key].filter((c) => c === '*').length,
        used: false,
      },
    ];
  });
}

/** The tracking entry for a risk: its exact id, else the wildcard pattern with the fewest `*` (the first in the file on a tie). */
function trackingFor(id: string, tracking: Tracking[], where: string, notes: SourceNote[]): Tracking | undefined {
  const exact = tracking.find((t) => t.key === id);
  if (exact) return exact;
  const matches = tracking.filter((t) => t.stars > 0 && matchesPattern(t.key, id)).sort((a, b) => a.stars - b.stars);
  if (matches.length > 1) notes.push({ kind: 'review', where, message: `risk ${id} matches ${matches.length} risk_tracking patterns (${matches.map((m) => m.key).join(', ')}); ${matches[0]!.key} is used` });
  return matches[0];
}

interface RiskInput {
  syntheticId: string;
  category: string;
  title: string;
  severity?: string;
  status?: string;
  likelihood?: string;
  impact?: string;
  asset?: string;
  link?: string;
  where: string;
}

interface CategoryInfo {
  stride?: StrideCategory;
  strideAsWritten?: string;
  description?: string;
  mitigation?: string;
  cwe?: number;
  title?: string;
}

function riskThreat(
  risk: RiskInput,
  category: CategoryInfo,
  tracking: Tracking | undefined,
  targets: { assets: Set<string>; links: Set<string> },
  severities: SeverityGuesses,
  notes: SourceNote[],
): SourceThreat {
  const id = threatloopId(risk.syntheticId);
  const comments: string[] = [];
  const threat: SourceThreat = {
    id,
    refs: [`threagile:${risk.syntheticId}`],
    title: plain(risk.title) || category.title || risk.category,
    stride: category.stride ? [category.stride] : [],
    targets: [],
    status: 'open',
    where: risk.where,
    comments,
  };
  if (category.strideAsWritten) threat.strideAsWritten = category.strideAsWritten;
  if (!category.stride) notes.push({ kind: 'problem', where: risk.where, message: `risk ${risk.syntheticId}: rule "${risk.category}" has no STRIDE category threatloop knows; choose one` });
  if (category.cwe) threat.refs.push(`CWE-${category.cwe}`);
  if (category.description) threat.description = category.description;
  if (category.mitigation) threat.mitigation = category.mitigation;
  if (risk.link && targets.links.has(risk.link)) threat.targets.push(risk.link);
  if (risk.asset && targets.assets.has(risk.asset)) threat.targets.push(risk.asset);
  if (threat.targets.length === 0) notes.push({ kind: 'problem', where: risk.where, message: `risk ${risk.syntheticId} names no technical asset or communication link of the model; it has no target` });

  const mapped = mapSeverity(SEVERITY_TABLES.threagile!, risk.severity);
  if (mapped.severity) {
    threat.severity = mapped.severity;
    severities.add(risk.severity!, mapped.severity, id);
  } else if (mapped.unreadable) comments.push(`Threagile severity "${mapped.unreadable}" is not one of low, medium, elevated, high, critical.`);
  if (risk.likelihood || risk.impact) comments.push(`Threagile rating: likelihood ${risk.likelihood ?? '?'}, impact ${risk.impact ?? '?'}.`);

  const statusText = tracking?.status ?? risk.status ?? 'unchecked';
  const status = STATUS[statusText];
  if (status) threat.status = status;
  else notes.push({ kind: 'problem', where: risk.where, message: `risk ${risk.syntheticId}: status "${statusText}" unknown; imported as open` });
  if (statusText === 'in-discussion') comments.push('Threagile status: in discussion.');
  if (tracking) {
    tracking.used = true;
    if (tracking.ticket) threat.refs.push(tracking.ticket);
    if (tracking.justification && (threat.status === 'accepted' || threat.status === 'not-applicable')) threat.rationale = tracking.justification;
    else if (tracking.justification) comments.push(`Threagile risk tracking: ${oneLine(tracking.justification)}`);
    const by = [tracking.checkedBy ? `checked by ${tracking.checkedBy}` : '', tracking.date ? `on ${tracking.date}` : ''].filter(Boolean).join(' ');
    if (by) comments.push(`Threagile risk tracking ${tracking.key}: ${by}.`);
  }
  if ((threat.status === 'accepted' || threat.status === 'not-applicable') && !threat.rationale) {
    threat.rationale = `${statusText} in Threagile${tracking ? '' : ' (risks.json has no justification: it is in risk_tracking of the Threagile model)'}`;
    notes.push({ kind: 'review', where: risk.where, message: `risk ${risk.syntheticId}: ${statusText} without a justification here: write the rationale` });
  }
  return threat;
}

export function readThreagileModel(value: unknown): SourceRead {
  if (!looksLikeThreagileModel(value)) return { ok: false, message: 'not a Threagile model (no `threagile_version` or `technical_assets`)' };
  const model = value as Record<string, unknown>;
  const notes: SourceNote[] = [];
  const elements: SourceElement[] = [];
  const flows: SourceFlow[] = [];
  const boundaries: SourceBoundary[] = [];
  const assets = isRecord(model.technical_assets) ? model.technical_assets : {};
  const assetIds = new Set<string>();
  const linkIds = new Set<string>();
  const dangling: string[] = [];

  for (const [title, raw] of Object.entries(assets)) {
    const where = `technical_assets.${title}`;
    if (!isRecord(raw)) continue;
    const id = str(raw.id) ?? slugify(title);
    assetIds.add(id);
    const type = str(raw.type) ?? '';
    const kind = KIND[type];
    const tech = [...(str(raw.technology) ? [str(raw.technology)!] : []), ...list(raw.technologies).flatMap((t) => (str(t) ? [str(t)!] : []))];
    elements.push({
      key: id,
      idHint: id,
      ref: `threagile:${id}`,
      name: title,
      kind: kind ?? 'process',
      ...(kind ? {} : { kindGuess: `Threagile type "${type}" is not external-entity, process or datastore` }),
      where,
      ...(str(raw.description) ? { description: str(raw.description)! } : {}),
      ...(tech.length ? { tech } : {}),
      ...(str(raw.owner) ? { owner: str(raw.owner)! } : {}),
      ...(raw.out_of_scope === true ? { outOfScope: str(raw.justification_out_of_scope) ?? '' } : {}),
    });
  }
  for (const [title, raw] of Object.entries(assets)) {
    if (!isRecord(raw)) continue;
    const sourceId = str(raw.id) ?? slugify(title);
    for (const [linkTitle, link] of Object.entries(isRecord(raw.communication_links) ? raw.communication_links : {})) {
      const where = `technical_assets.${title}.communication_links.${linkTitle}`;
      if (!isRecord(link)) continue;
      const target = str(link.target);
      if (!target || !assetIds.has(target)) {
        dangling.push(`${where}: target ${target ? `"${target}" is not the id of a technical asset` : 'is missing'}`);
        continue;
      }
      const linkId = communicationLinkId(sourceId, linkTitle);
      linkIds.add(linkId);
      const data = [...list(link.data_assets_sent), ...list(link.data_assets_received)].flatMap((d) => (str(d) ? [str(d)!] : []));
      flows.push({
        key: linkId,
        idHint: threatloopId(linkId),
        ref: `threagile:${linkId}`,
        name: linkTitle,
        from: sourceId,
        to: target,
        where,
        ...(str(link.protocol) ? { protocol: str(link.protocol)! } : {}),
        ...(data.length ? { data: [...new Set(data)] } : {}),
        ...(str(link.description) ? { description: str(link.description)! } : {}),
      });
    }
  }
  if (dangling.length > 0) {
    return { ok: false, message: `${dangling.length} communication link${dangling.length === 1 ? ' has' : 's have'} no target asset:\n${dangling.map((d) => `  ${d}`).join('\n')}` };
  }

  // Boundaries: an asset belongs to the boundary that lists it; nesting is kept in the description.
  const parentOf = new Map<string, string>();
  const tbs = isRecord(model.trust_boundaries) ? model.trust_boundaries : {};
  for (const [, raw] of Object.entries(tbs)) {
    if (!isRecord(raw) || !str(raw.id)) continue;
    for (const nested of list(raw.trust_boundaries_nested)) if (str(nested)) parentOf.set(str(nested)!, str(raw.id)!);
  }
  const nameOf = new Map(Object.entries(tbs).flatMap(([title, raw]) => (isRecord(raw) && str(raw.id) ? [[str(raw.id)!, title] as const] : [])));
  for (const [title, raw] of Object.entries(tbs)) {
    const where = `trust_boundaries.${title}`;
    if (!isRecord(raw)) continue;
    const id = str(raw.id) ?? slugify(title, 'boundary');
    const parent = parentOf.get(id);
    const ownDescription = str(raw.description) && str(raw.description) !== title ? str(raw.description)!.replace(/\.?$/, '.') : '';
    const description = [ownDescription, str(raw.type) ? `Threagile type: ${str(raw.type)}.` : '', parent ? `Nested in ${nameOf.get(parent) ?? parent}.` : '']
      .filter(Boolean)
      .join(' ');
    boundaries.push({ key: id, idHint: id, ref: `threagile:${id}`, name: title, where, ...(parent ? { parent } : {}), ...(description ? { description } : {}) });
    for (const inside of list(raw.technical_assets_inside)) {
      const assetId = str(inside);
      const element = elements.find((e) => e.key === assetId);
      if (!element) notes.push({ kind: 'problem', where: `${where}.technical_assets_inside`, message: `"${assetId}" is not the id of a technical asset; ignored` });
      else if (element.boundary && element.boundary !== id) notes.push({ kind: 'problem', where, message: `asset ${assetId} is inside ${element.boundary} and ${id}; ${element.boundary} is kept` });
      else element.boundary = id;
    }
  }

  // Risks identified by hand, with their categories.
  const tracking = readTracking(model.risk_tracking, notes);
  const severities = new SeverityGuesses('Threagile');
  const threats: SourceThreat[] = [];
  const categories: [string, Record<string, unknown>, string][] = [];
  if (isRecord(model.individual_risk_categories)) for (const [title, c] of Object.entries(model.individual_risk_categories)) if (isRecord(c)) categories.push([title, c, `individual_risk_categories.${title}`]);
  list(model.custom_risk_categories).forEach((c, i) => {
    if (isRecord(c)) categories.push([str(c.title) ?? str(c.id) ?? `category ${i}`, c, `custom_risk_categories[${i}]`]);
  });
  for (const [title, c, where] of categories) {
    const categoryId = str(c.id) ?? slugify(title);
    const strideText = str(c.stride);
    const stride = strideText ? STRIDE[strideText.toLowerCase()] : undefined;
    const info: CategoryInfo = {
      title,
      ...(stride ? { stride } : strideText ? { strideAsWritten: strideText } : {}),
      ...(str(c.description) || str(c.impact) ? { description: [str(c.description), str(c.impact) ? `Impact: ${str(c.impact)}` : ''].filter(Boolean).join('\n') } : {}),
      ...(str(c.mitigation) ? { mitigation: str(c.mitigation)! } : {}),
      ...(typeof c.cwe === 'number' && c.cwe > 0 ? { cwe: c.cwe } : {}),
    };
    for (const [riskTitle, r] of Object.entries(isRecord(c.risks_identified) ? c.risks_identified : {})) {
      if (!isRecord(r)) continue;
      const parts = [str(r.most_relevant_technical_asset), str(r.most_relevant_communication_link), str(r.most_relevant_trust_boundary), str(r.most_relevant_shared_runtime), str(r.most_relevant_data_asset)];
      const syntheticId = [categoryId, ...parts.filter(Boolean)].join('@');
      const risk: RiskInput = {
        syntheticId,
        category: categoryId,
        title: riskTitle,
        where: `${where}.risks_identified.${plain(riskTitle)}`,
        ...(str(r.severity) ? { severity: str(r.severity)! } : {}),
        ...(str(r.exploitation_likelihood) ? { likelihood: str(r.exploitation_likelihood)! } : {}),
        ...(str(r.exploitation_impact) ? { impact: str(r.exploitation_impact)! } : {}),
        ...(parts[0] ? { asset: parts[0] } : {}),
        ...(parts[1] ? { link: parts[1] } : {}),
      };
      threats.push(riskThreat(risk, info, trackingFor(syntheticId, tracking, risk.where, notes), { assets: assetIds, links: linkIds }, severities, notes));
    }
  }
  const unused = tracking.filter((t) => !t.used);
  if (unused.length > 0) {
    notes.push({
      kind: 'review',
      where: 'risk_tracking',
      message: `${unused.length} risk_tracking entr${unused.length === 1 ? 'y is' : 'ies are'} for risks Threagile's rules find (${unused.map((t) => t.key).join(', ')}): import its risks.json with --merge to get them (their status comes with it; tickets and justifications stay in this file)`,
    });
  }
  const overview = isRecord(model.business_overview) ? str(model.business_overview.description) : undefined;
  return {
    ok: true,
    source: {
      format: 'threagile',
      ...(str(model.title) ? { systemName: oneLine(str(model.title)!) } : {}),
      ...(overview ? { systemDescription: plain(overview) } : {}),
      boundaries,
      elements,
      flows,
      threats,
      notes: [...notes, ...severities.notes()],
    },
  };
}

export function readThreagileRisks(value: unknown): SourceRead {
  if (!looksLikeThreagileRisks(value)) return { ok: false, message: 'not a Threagile risks.json (a list of risks with `synthetic_id` and `category`)' };
  const notes: SourceNote[] = [];
  const severities = new SeverityGuesses('Threagile');
  const elements = new Map<string, SourceElement>();
  const risks = value as Record<string, unknown>[];
  // risks.json names assets by id only: each becomes a component with that id, so a merge
  // into the model imported from the YAML finds the existing one.
  const assetIds = new Set<string>();
  for (const [i, r] of risks.entries()) {
    const asset = str(r.most_relevant_technical_asset) ?? str(r.most_relevant_communication_link)?.split('>')[0];
    if (asset && !elements.has(asset)) {
      elements.set(asset, { key: asset, idHint: asset, ref: `threagile:${asset}`, name: asset, kind: 'process', kindGuess: 'risks.json names the technical asset only; import the Threagile model first and merge these risks into it', where: `[${i}]` });
      assetIds.add(asset);
    }
  }
  const threats = risks.map((r, i) => {
    const syntheticId = str(r.synthetic_id)!;
    const category = str(r.category)!;
    const link = str(r.most_relevant_communication_link);
    const risk: RiskInput = {
      syntheticId,
      category,
      title: str(r.title) ?? category,
      where: `[${i}] (${syntheticId})`,
      ...(str(r.severity) ? { severity: str(r.severity)! } : {}),
      ...(str(r.risk_status) ? { status: str(r.risk_status)! } : {}),
      ...(str(r.exploitation_likelihood) ? { likelihood: str(r.exploitation_likelihood)! } : {}),
      ...(str(r.exploitation_impact) ? { impact: str(r.exploitation_impact)! } : {}),
      // A link's risk is filed on the asset it leaves from: risks.json cannot say where the link goes.
      ...((str(r.most_relevant_technical_asset) ?? link?.split('>')[0]) ? { asset: (str(r.most_relevant_technical_asset) ?? link?.split('>')[0])! } : {}),
    };
    const stride = BUILTIN_RULE_STRIDE[category];
    return riskThreat(risk, { ...(stride ? { stride } : {}), title: category }, undefined, { assets: assetIds, links: new Set() }, severities, notes);
  });
  return { ok: true, source: { format: 'threagile', boundaries: [], elements: [...elements.values()], flows: [], threats, notes: [...notes, ...severities.notes()] } };
}

export const threagileFormat: ImportFormat = {
  id: 'threagile',
  name: 'Threagile (model YAML or risks.json)',
  extensions: ['.yaml', '.yml', 'risks.json'],
  maxBytes: 8 * 1024 * 1024, // hand-written models and their risk lists: a few hundred kilobytes
  detect(text) {
    const start = head(text);
    if (start.trimStart().startsWith('[')) return start.includes('"synthetic_id"') && start.includes('"category"') ? 0.9 : 0;
    return /^(threagile_version|technical_assets)\s*:/m.test(start) ? 0.9 : 0;
  },
  parse(text, options) {
    if (text.trimStart().startsWith('[')) {
      const json = readJson(text, options.file);
      return json.ok ? outcome(readThreagileRisks(json.value), options) : json;
    }
    const yaml = readYaml(text, options.file, { merge: true });
    return yaml.ok ? outcome(readThreagileModel(yaml.value), options) : yaml;
  },
};
