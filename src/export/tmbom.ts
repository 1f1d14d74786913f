/**
 * threat model -> CycloneDX TM-BOM (JSON), after the threat-modelling draft of CycloneDX 2.0:
 * branch `2.0-dev-threatmodeling` of CycloneDX/specification at commit cf0bc557 (12 July 2026;
 * the threat schema last changed in 84e4513c, 19 June 2026). test/export/tmbom.test.ts validates
 * every export against that commit's bundled schema (a copy in test/fixtures/cyclonedx-2.0/).
 *
 * Where each part goes (the draft splits architecture from threats):
 *   - the architecture is a blueprint (`blueprints[0]`, model type `data-flow`): components are
 *     assets, boundaries are trust zones, flows are flows between assets, and each pair of zones
 *     a flow crosses is a boundary;
 *   - `threats.threats[]`: STRIDE categories, CWE weaknesses, the assets and flows they affect,
 *     the control that mitigates them; a scenario per threat carries its likelihood, impact and
 *     risk score (CVSS vector and score); `threats.trustBoundaries[]` marks each boundary with
 *     the trust of its less trusted zone and the threats on the flows that cross it;
 *   - `controls[]`: a threat's mitigation, its implementation status from the threat's status;
 *   - `risks.risks[]`: a risk per threat with its status and response (strategy, owner, due).
 * What the draft has no field for (owners, paths, acceptance, verification...) is a
 * `threatloop:*` property. Written by hand: `@cyclonedx/cyclonedx-library` models CycloneDX 1.x,
 * which has no threats. Pure: the serial number and timestamp are inputs.
 */
import { rateThreat } from '../model/rating.ts';
import type { Boundary, Strategy, Threat, ThreatModel, ThreatStatus as Status, TRUST_LEVELS } from '../model/schema.ts';

type TrustLevel = (typeof TRUST_LEVELS)[number];
import { otmRisk } from './otm.ts';

export const TMBOM_DRAFT =
  'CycloneDX 2.0 threat-modelling draft: CycloneDX/specification branch 2.0-dev-threatmodeling, commit cf0bc557 (2026-07-12)';

type Json = Record<string, unknown>;

const property = (name: string, value: string | undefined) => (value === undefined || value === '' ? [] : [{ name: `threatloop:${name}`, value }]);
const withProperties = (properties: { name: string; value: string }[]) => (properties.length > 0 ? { properties } : {});

/** bom-refs are one namespace for the whole document: each kind of element gets its prefix. */
export const tmBomRef = {
  asset: (id: string) => `asset:${id}`,
  flow: (id: string) => `flow:${id}`,
  zone: (id: string) => `zone:${id}`,
  boundary: (a: string, b: string) => `boundary:${a}|${b}`,
  trustBoundary: (a: string, b: string) => `trust-boundary:${a}|${b}`,
  threat: (id: string) => `threat:${id}`,
  scenario: (id: string) => `scenario:${id}`,
  control: (id: string) => `control:${id}`,
  risk: (id: string) => `risk:${id}`,
  response: (id: string) => `response:${id}`,
};

/** The draft's trust levels run untrusted, semi-trusted, trusted, highly-trusted; ours untrusted to trusted. */
const TRUST_LEVEL: Record<TrustLevel, string> = { untrusted: 'untrusted', partner: 'semi-trusted', restricted: 'trusted', trusted: 'highly-trusted' };
const TRUST_ORDER: readonly TrustLevel[] = ['untrusted', 'partner', 'restricted', 'trusted'];

/** Asset types of the draft; an external entity has none (an `actor` asset needs a party), so it is a named custom type. */
const ASSET_TYPE = { process: 'process', 'data-store': 'data-store', 'external-entity': { name: 'external-entity' } } as const;

/** The control's implementation status; a threat that is accepted, transferred or does not apply says nothing about it. */
const CONTROL_STATUS: Partial<Record<Status, string>> = {
  open: 'proposed',
  planned: 'planned',
  'in-progress': 'in-progress',
  mitigated: 'implemented',
  verified: 'verified',
};

const RISK_STATUS: Record<Status, string> = {
  open: 'identified',
  planned: 'assessed',
  'in-progress': 'assessed',
  mitigated: 'mitigated',
  verified: 'mitigated',
  accepted: 'accepted',
  transferred: 'transferred',
  'not-applicable': 'retired',
};

const RESPONSE_STRATEGY: Record<Strategy, string> = { eliminate: 'avoid', mitigate: 'reduce', accept: 'accept', transfer: 'transfer' };

/** Our severities as the draft's risk score levels (`none` is `info`); an unscored threat has no score. */
const SCORE_LEVEL: Record<string, string> = { critical: 'critical', high: 'high', medium: 'medium', low: 'low', none: 'info' };

/** 0–100 (otmRisk: CVSS exploitability and impact subscores, else the severity) in five bands. */
function band<T extends string>(value: number, levels: readonly [T, T, T, T, T]): T {
  return levels[Math.min(4, Math.floor(value / 20))]!;
}

export function exportTmBom(model: ThreatModel, options: { serialNumber: string; timestamp: string; toolVersion: string }): Json {
  const flowIds = new Set(model.flows.map((f) => f.id));
  const componentIds = new Set(model.components.map((c) => c.id));
  const targetRef = (id: string) => (flowIds.has(id) ? tmBomRef.flow(id) : tmBomRef.asset(id));
  const knownTargets = (t: Threat) => t.targets.filter((id) => flowIds.has(id) || componentIds.has(id));
  const boundaryOf = new Map(model.components.flatMap((c) => (c.boundary ? [[c.id, c.boundary] as const] : [])));
  const boundaries = new Map(model.boundaries.map((b) => [b.id, b]));

  // A boundary of the draft separates two zones: one for every pair of zones a flow crosses.
  const crossings = new Map<string, { zones: [Boundary, Boundary]; flows: Set<string> }>();
  for (const flow of model.flows) {
    const from = boundaries.get(boundaryOf.get(flow.from) ?? '');
    const to = boundaries.get(boundaryOf.get(flow.to) ?? '');
    if (!from || !to || from.id === to.id) continue;
    const zones: [Boundary, Boundary] = from.id < to.id ? [from, to] : [to, from];
    const key = `${zones[0].id}|${zones[1].id}`;
    const crossing = crossings.get(key) ?? { zones, flows: new Set<string>() };
    crossing.flows.add(flow.id);
    crossings.set(key, crossing);
  }

  const mitigated = model.threats.filter((t) => t.mitigation?.trim());
  return {
    specFormat: 'CycloneDX',
    specVersion: '2.0',
    serialNumber: `urn:uuid:${options.serialNumber}`,
    version: 1,
    metadata: {
      timestamp: options.timestamp,
      tools: { components: [{ type: 'application', name: 'threatloop', version: options.toolVersion }] },
      component: { type: 'application', 'bom-ref': 'system', name: model.system.name, ...(model.system.description ? { description: model.system.description } : {}) },
    },
    blueprints: [
      {
        'bom-ref': 'blueprint',
        name: model.system.name,
        ...(model.system.description ? { description: model.system.description } : {}),
        modelTypes: ['data-flow'],
        assets: model.components.map((c) => ({
          'bom-ref': tmBomRef.asset(c.id),
          type: ASSET_TYPE[c.type],
          name: c.name,
          ...(c.boundary ? { zone: tmBomRef.zone(c.boundary) } : {}),
          ...(c.tech?.length ? { tags: [...new Set(c.tech)] } : {}),
          ...withProperties([
            ...property('id', c.id),
            ...property('description', c.description),
            ...property('owner', c.owner),
            ...(c.paths ?? []).flatMap((p) => property('path', p)),
            ...property('out-of-scope', c.out_of_scope?.rationale),
          ]),
        })),
        zones: model.boundaries.map((b) => ({
          'bom-ref': tmBomRef.zone(b.id),
          name: b.name,
          ...(b.description ? { description: b.description } : {}),
          type: 'trust',
          ...withProperties([...property('id', b.id), ...property('trust', b.trust), ...(b.assets ?? []).flatMap((a) => property('asset', a))]),
        })),
        boundaries: [...crossings.values()].map(({ zones: [a, b] }) => ({
          'bom-ref': tmBomRef.boundary(a.id, b.id),
          name: `${a.name} / ${b.name}`,
          type: 'trust',
          zones: [tmBomRef.zone(a.id), tmBomRef.zone(b.id)],
        })),
        flows: model.flows.map((f) => ({
          'bom-ref': tmBomRef.flow(f.id),
          name: f.name ?? f.id,
          type: 'data',
          source: tmBomRef.asset(f.from),
          destination: tmBomRef.asset(f.to),
          ...(f.bidirectional ? { bidirectional: true } : {}),
          ...(f.protocol ? { protocols: [f.protocol] } : {}),
          ...withProperties([
            ...property('id', f.id),
            ...property('description', f.description),
            ...[...new Set(f.data ?? [])].flatMap((d) => property('data', d)),
            ...property('out-of-scope', f.out_of_scope?.rationale),
          ]),
        })),
      },
    ],
    threats: {
      methodologies: ['STRIDE'],
      threats: model.threats.map((t) => {
        const cwes = [...new Set((t.refs ?? []).flatMap((r) => /^CWE-(\d+)$/i.exec(r.trim())?.[1] ?? []))].map(Number).filter((n) => n >= 1);
        const affected = [...new Set(knownTargets(t).map(targetRef))];
        return {
          'bom-ref': tmBomRef.threat(t.id),
          name: t.title,
          ...(t.description ? { description: t.description } : {}),
          origin: 'adversarial',
          categories: [...new Set(t.stride)].map((category) => ({ taxonomy: 'STRIDE', category })),
          ...(cwes.length > 0 ? { weaknesses: cwes.map((cweId) => ({ cweId })) } : {}),
          ...(affected.length > 0 ? { affectedAssets: affected } : {}),
          ...(t.mitigation?.trim() ? { mitigations: [tmBomRef.control(t.id)] } : {}),
          ...withProperties([
            ...property('id', t.id),
            ...property('status', t.status),
            ...property('rationale', t.rationale),
            ...(t.refs ?? []).flatMap((r) => property('ref', r)),
            ...(t.controls ?? []).flatMap((c) => property('control', c)),
            ...(t.tests ?? []).flatMap((c) => property('test', c)),
          ]),
        };
      }),
      scenarios: model.threats.map((t) => {
        const risk = otmRisk(t);
        const rating = rateThreat(t);
        const affected = [...new Set(knownTargets(t).map(targetRef))];
        return {
          'bom-ref': tmBomRef.scenario(t.id),
          name: `${t.title} (${t.targets.join(', ')})`,
          threats: [tmBomRef.threat(t.id)],
          likelihood: { level: band(risk.likelihood, ['very-low', 'low', 'medium', 'high', 'very-high']), score: risk.likelihood },
          impact: { level: band(risk.impact, ['negligible', 'low', 'moderate', 'major', 'catastrophic']), score: risk.impact },
          ...(SCORE_LEVEL[rating.rating] ? { riskScore: riskScore(t, rating) } : {}),
          ...(affected.length > 0 ? { affectedAssets: affected } : {}),
        };
      }),
      trustBoundaries: [...crossings.values()].map(({ zones: [a, b], flows }) => {
        const lessTrusted = TRUST_ORDER.indexOf(a.trust) <= TRUST_ORDER.indexOf(b.trust) ? a : b;
        const threats = model.threats.filter((t) => t.targets.some((id) => flows.has(id))).map((t) => tmBomRef.threat(t.id));
        return {
          'bom-ref': tmBomRef.trustBoundary(a.id, b.id),
          boundary: tmBomRef.boundary(a.id, b.id),
          name: `${a.name} / ${b.name}`,
          trustLevel: TRUST_LEVEL[lessTrusted.trust],
          ...(threats.length > 0 ? { threatsAtBoundary: threats } : {}),
        };
      }),
    },
    ...(mitigated.length > 0
      ? {
          controls: mitigated.map((t) => {
            const targets = [...new Set(knownTargets(t).map(targetRef))];
            const status = CONTROL_STATUS[t.status];
            return {
              'bom-ref': tmBomRef.control(t.id),
              name: `Mitigation of ${t.id}: ${t.title}`,
              description: t.mitigation!,
              ...(status ? { status } : {}),
              ...(targets.length > 0 ? { appliesTo: targets } : {}),
              ...withProperties([...property('verification', t.verification)]),
            };
          }),
        }
      : {}),
    risks: {
      risks: model.threats.map((t) => {
        const strategies = t.strategy ?? [];
        const status = CONTROL_STATUS[t.status];
        return {
          'bom-ref': tmBomRef.risk(t.id),
          name: t.title,
          statement: t.description?.trim() || t.title,
          relatedThreats: [tmBomRef.threat(t.id)],
          ...(knownTargets(t).length > 0 ? { affects: [...new Set(knownTargets(t).map(targetRef))] } : {}),
          ...(t.residual_risk ? { residualRisk: { rationale: t.residual_risk } } : {}),
          responses: strategies.map((strategy) => ({
            'bom-ref': tmBomRef.response(`${t.id}:${strategy}`),
            strategy: RESPONSE_STRATEGY[strategy],
            ...(strategy !== 'accept' && strategy !== 'transfer' && t.mitigation?.trim() ? { controls: [tmBomRef.control(t.id)] } : {}),
            ...(status ? { status } : {}),
            // A due date is a day; the draft wants a date-time: the start of that day, UTC.
            ...(t.due ? { targetDate: `${t.due}T00:00:00Z` } : {}),
          })),
          status: RISK_STATUS[t.status],
          ...withProperties([
            ...(t.owner ?? []).flatMap((o) => property('owner', o)),
            ...property('due', t.due),
            ...property('accepted-by', t.acceptance?.by),
            ...property('accepted-on', t.acceptance?.on),
            ...property('acceptance-expires', t.acceptance?.expires),
            ...property('acceptance-review-every', t.acceptance?.review_every),
          ]),
        };
      }),
    },
  };
}

/** The draft's risk score: our rating as its level, with the CVSS vector and base score when there is one. */
function riskScore(threat: Threat, rating: ReturnType<typeof rateThreat>): Json {
  const cvss = rating.cvss;
  return {
    level: SCORE_LEVEL[rating.rating],
    ...(cvss && threat.cvss ? { score: cvss.score, vector: threat.cvss.vector, methodology: { name: `CVSS v${cvss.version}` } } : {}),
  };
}
