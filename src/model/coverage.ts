/**
 * STRIDE-per-element coverage: for every component and flow, the STRIDE
 * categories that apply to its type, the threats that cover each, the waivers
 * (`waive: { R: "why" }`) and what is still missing. Also the flows that enter
 * a more trusted boundary, and whether they carry the threats and transport
 * such a crossing needs. Pure: a model in, data out (lint, reports and the PR
 * comment all read this one result).
 */
import { buildGraph, type ModelGraph } from './graph.ts';
import {
  STRIDE_CATEGORIES,
  TRUST_LEVELS,
  type Component,
  type ComponentType,
  type Flow,
  type StrideCategory,
  type ThreatModel,
} from './schema.ts';

export type ElementType = ComponentType | 'flow';
export type ElementKind = 'component' | 'flow';

/**
 * Which STRIDE categories apply to each kind of DFD element (Shostack's
 * STRIDE-per-element table): external entities can be spoofed and can deny
 * their actions; data stores can be tampered with, read, flooded, and (for
 * logs) disputed; flows can be altered, read or cut; processes face all six.
 */
export const APPLICABLE_STRIDE: Readonly<Record<ElementType, readonly StrideCategory[]>> = {
  'external-entity': ['spoofing', 'repudiation'],
  process: STRIDE_CATEGORIES,
  'data-store': ['tampering', 'repudiation', 'information-disclosure', 'denial-of-service'],
  flow: ['tampering', 'information-disclosure', 'denial-of-service'],
};

export type CategoryState = 'covered' | 'waived' | 'missing';

export interface CategoryCoverage {
  category: StrideCategory;
  state: CategoryState;
  /** Ids of the threats against this element in this category, in model order. */
  threats: string[];
  /** The element's waiver for this category, if any (kept even when a threat also covers it). */
  waiver?: string;
}

export interface ElementCoverage {
  id: string;
  name: string;
  kind: ElementKind;
  type: ElementType;
  /** Index in `components` or `flows` (for YAML positions). */
  index: number;
  /** Out of scope elements need no threats: every category is reported, none is missing. */
  outOfScope: boolean;
  /** One entry per applicable category, in STRIDE order. */
  categories: CategoryCoverage[];
  /** Applicable categories with neither a threat nor a waiver (empty when out of scope). */
  missing: StrideCategory[];
  /** Waived categories that do not apply to this element's type (the waiver says nothing). */
  inapplicableWaivers: StrideCategory[];
  /** Threats in categories the type does not need (e.g. spoofing on a flow): shown, never required. */
  beyondType: { category: StrideCategory; threats: string[] }[];
}

export interface CoverageSummary {
  /** Elements in scope. */
  elements: number;
  /** Applicable (element, category) cells of in-scope elements, by state. */
  cells: Record<CategoryState, number>;
}

export interface StrideCoverage {
  elements: ElementCoverage[];
  summary: CoverageSummary;
}

/** Coverage of every component, then every flow, in model order. */
export function strideCoverage(model: ThreatModel, graph: ModelGraph = buildGraph(model)): StrideCoverage {
  const elements = [
    ...model.components.map((component, index) => elementCoverage(component, 'component', component.type, index, graph)),
    ...model.flows.map((flow, index) => elementCoverage(flow, 'flow', 'flow', index, graph)),
  ];
  const cells: Record<CategoryState, number> = { covered: 0, waived: 0, missing: 0 };
  let inScope = 0;
  for (const element of elements) {
    if (element.outOfScope) continue;
    inScope++;
    for (const category of element.categories) cells[category.state]++;
  }
  return { elements, summary: { elements: inScope, cells } };
}

function elementCoverage(
  element: Component | Flow,
  kind: ElementKind,
  type: ElementType,
  index: number,
  graph: ModelGraph,
): ElementCoverage {
  const applicable = APPLICABLE_STRIDE[type];
  const threats = graph.threatsByTarget.get(element.id) ?? [];
  const waivers = element.waive ?? {};
  const outOfScope = element.out_of_scope !== undefined;
  const categories = applicable.map((category): CategoryCoverage => {
    const covering = threats.filter((t) => t.stride.includes(category)).map((t) => t.id);
    const waiver = waivers[category];
    const state: CategoryState = covering.length > 0 ? 'covered' : waiver !== undefined ? 'waived' : 'missing';
    return { category, state, threats: covering, ...(waiver !== undefined ? { waiver } : {}) };
  });
  return {
    id: element.id,
    name: 'name' in element && element.name ? element.name : element.id,
    kind,
    type,
    index,
    outOfScope,
    categories,
    missing: outOfScope ? [] : categories.filter((c) => c.state === 'missing').map((c) => c.category),
    inapplicableWaivers: STRIDE_CATEGORIES.filter((c) => waivers[c] !== undefined && !applicable.includes(c)),
    beyondType: STRIDE_CATEGORIES.filter((c) => !applicable.includes(c)).flatMap((category) => {
      const covering = threats.filter((t) => t.stride.includes(category)).map((t) => t.id);
      return covering.length > 0 ? [{ category, threats: covering }] : [];
    }),
  };
}

/** Trust levels from least to most trusted. */
const TRUST_RANK: Readonly<Record<(typeof TRUST_LEVELS)[number], number>> = Object.fromEntries(
  TRUST_LEVELS.map((level, rank) => [level, rank]),
) as Record<(typeof TRUST_LEVELS)[number], number>;

export interface BoundaryCrossing {
  flow: Flow;
  /** Index in `flows`. */
  index: number;
  /** The less trusted end's boundary and the more trusted end's (a bidirectional flow enters in one direction). */
  fromBoundary: string;
  toBoundary: string;
  /** Threats against the flow in tampering or information disclosure. */
  tamperingOrDisclosureThreats: string[];
  /** Why the protocol looks like plaintext, when it does. */
  plaintext?: string;
}

/**
 * Flows that cross from a less trusted boundary into a more trusted one (for
 * a bidirectional flow, either way). Flows out of scope, or with an end
 * outside any known boundary, are not judged: their trust cannot be compared.
 */
export function boundaryCrossingFlows(model: ThreatModel, graph: ModelGraph = buildGraph(model)): BoundaryCrossing[] {
  const trustOf = (componentId: string) => {
    const boundaryId = graph.components.get(componentId)?.boundary;
    const boundary = boundaryId === undefined ? undefined : graph.boundaries.get(boundaryId);
    return boundary ? { id: boundary.id, rank: TRUST_RANK[boundary.trust] } : undefined;
  };
  const crossings: BoundaryCrossing[] = [];
  model.flows.forEach((flow, index) => {
    if (flow.out_of_scope) return;
    const from = trustOf(flow.from);
    const to = trustOf(flow.to);
    if (!from || !to || from.rank === to.rank) return;
    if (from.rank > to.rank && !flow.bidirectional) return;
    const [lower, higher] = from.rank < to.rank ? [from, to] : [to, from];
    const threats = (graph.threatsByTarget.get(flow.id) ?? [])
      .filter((t) => t.stride.includes('tampering') || t.stride.includes('information-disclosure'))
      .map((t) => t.id);
    const plaintext = flow.protocol === undefined ? undefined : plaintextProtocol(flow.protocol);
    crossings.push({
      flow,
      index,
      fromBoundary: lower.id,
      toBoundary: higher.id,
      tamperingOrDisclosureThreats: threats,
      ...(plaintext ? { plaintext } : {}),
    });
  });
  return crossings;
}

/** Protocols that carry data readable and alterable on the wire, unless the text also names a secure transport. */
const PLAINTEXT_PROTOCOLS = /\b(http|ftp|telnet|ws|mqtt|ldap|smtp|imap|pop3|amqp|redis|snmpv[12]c?|tftp|rsh|nfs|smb)\b/i;
const SECURE_TRANSPORT = /\b(tls|ssl|mtls|https|wss|ftps|sftp|ssh|ldaps|starttls|imaps|pop3s|amqps|mqtts|rediss|ipsec|wireguard|vpn)\b/i;
/** Words that say plaintext outright, whatever else the text names. */
const SAYS_PLAINTEXT = /\b(plain\s*text|clear\s*text|unencrypted|no\s+tls|without\s+tls|no\s+encryption)\b/i;

/**
 * Why a flow's free-text `protocol` looks like plaintext, or undefined. A narrow
 * word list rather than a protocol parser: the field is prose ("HTTPS (TLS
 * 1.2+)", "PostgreSQL over TLS"), so only unambiguous names count.
 */
export function plaintextProtocol(protocol: string): string | undefined {
  const says = SAYS_PLAINTEXT.exec(protocol);
  if (says) return `the protocol says "${says[0]}"`;
  const name = PLAINTEXT_PROTOCOLS.exec(protocol);
  if (name && !SECURE_TRANSPORT.test(protocol)) return `${name[0]} without TLS`;
  return undefined;
}
