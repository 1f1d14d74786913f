/**
 * threat model -> Open Threat Model 0.2 (JSON). Boundaries are trust zones, components carry
 * their `paths` as code representations, flows are dataflows, each threat is a definition with
 * an instance on every target (`state` from its status) and its mitigation linked; what OTM has
 * no field for (CVSS vector, owner, due, strategy, rationale...) rides in the definition's
 * `attributes`, which threatloop's OTM import reads back. Pure.
 */
import { cvssSubscores, scoreCvss } from '../model/cvss/index.ts';
import { rateThreat } from '../model/rating.ts';
import { STRIDE_NAME, type Severity, type Threat, type ThreatModel } from '../model/schema.ts';
import { RATING_OF_TRUST, stateOfStatus, UNZONED_TRUST_ZONE } from '../import/otm/tables.ts';
import { slugify } from '../import/names.ts';

const CODE_REPRESENTATION = 'threatloop-code';

/** Largest v3 sub-scores (exploitability 8.22 × 0.85 × 0.77 × 0.85 × 0.85; impact with scope changed). */
const MAX_EXPLOITABILITY = 3.887;
const MAX_IMPACT = 6.05;

/** likelihood = impact for a threat rated without a v3 vector: the value whose square reads back as the same severity. */
const RISK_OF_SEVERITY: Record<Severity, number> = { critical: 90, high: 70, medium: 50, low: 30, none: 0 };

/**
 * OTM risk of a threat: from a v3.x vector, likelihood = exploitability / 3.887 and impact =
 * impact sub-score / 6.05, as percentages; from a v4.0 vector (no sub-scores), both are the base
 * score × 10; from a severity alone, both are the table value above; unscored: both 0.
 */
export function otmRisk(threat: Threat): { likelihood: number; impact: number } {
  if (threat.cvss) {
    const sub = cvssSubscores(threat.cvss.vector);
    if (sub) return { likelihood: percent(sub.exploitability / MAX_EXPLOITABILITY), impact: percent(sub.impact / MAX_IMPACT) };
    const scored = scoreCvss(threat.cvss.vector);
    if (scored.ok) return { likelihood: Math.round(scored.value.score * 10), impact: Math.round(scored.value.score * 10) };
  }
  const level = threat.severity === undefined ? 0 : RISK_OF_SEVERITY[threat.severity];
  return { likelihood: level, impact: level };
}

function percent(fraction: number): number {
  return Math.min(100, Math.max(0, Math.round(fraction * 100)));
}

export interface OtmExport {
  document: Record<string, unknown>;
  /** What the OTM file cannot hold (a target that is neither component nor flow). */
  notes: string[];
}

export function exportOtm(model: ThreatModel): OtmExport {
  const notes: string[] = [];
  const componentIds = new Set(model.components.map((c) => c.id));
  const flowIds = new Set(model.flows.map((f) => f.id));
  const instances = new Map<string, { threat: string; state: string; mitigations?: { mitigation: string; state: string }[] }[]>();
  const mitigations: Record<string, unknown>[] = [];
  for (const threat of model.threats) {
    const mitigationId = `${threat.id}-mitigation`;
    if (threat.mitigation?.trim()) {
      mitigations.push({
        id: mitigationId,
        name: threat.mitigation.split('\n')[0]!.slice(0, 80),
        description: threat.mitigation,
        // threatloop does not rate mitigations: 100 says "addresses the threat as planned".
        riskReduction: 100,
      });
    }
    for (const target of threat.targets) {
      if (!componentIds.has(target) && !flowIds.has(target)) {
        notes.push(`threat ${threat.id}: target ${target} is neither a component nor a flow; OTM has no place for it`);
        continue;
      }
      const mitigationState = threat.status === 'mitigated' || threat.status === 'verified' ? 'implemented' : 'required';
      const list = instances.get(target) ?? [];
      list.push({
        threat: threat.id,
        state: stateOfStatus(threat.status),
        ...(threat.mitigation?.trim() ? { mitigations: [{ mitigation: mitigationId, state: mitigationState }] } : {}),
      });
      instances.set(target, list);
    }
  }
  const unzoned = model.components.some((c) => c.boundary === undefined);
  const hasCode = model.components.some((c) => (c.paths ?? []).length > 0);
  const document = {
    otmVersion: '0.2.0',
    project: {
      name: model.system.name,
      id: slugify(model.system.name, 'threat-model'),
      ...(model.system.description ? { description: model.system.description } : {}),
      ...(Object.keys(model.owners).length > 0 ? { attributes: { 'threatloop-owners': JSON.stringify(model.owners) } } : {}),
    },
    ...(hasCode ? { representations: [{ name: 'Code', id: CODE_REPRESENTATION, type: 'code' }] } : {}),
    trustZones: [
      ...model.boundaries.map((b) => ({
        id: b.id,
        name: b.name,
        ...(b.description ? { description: b.description } : {}),
        risk: { trustRating: RATING_OF_TRUST[b.trust] },
      })),
      ...(unzoned ? [{ id: UNZONED_TRUST_ZONE, name: 'No trust boundary', description: 'Components the threat model places in no trust boundary.', risk: { trustRating: 0 } }] : []),
    ],
    components: model.components.map((c) => ({
      id: c.id,
      name: c.name,
      type: c.type,
      ...(c.description ? { description: c.description } : {}),
      parent: { trustZone: c.boundary ?? UNZONED_TRUST_ZONE },
      ...((c.paths ?? []).length > 0 ? { representations: c.paths!.map((file, i) => ({ representation: CODE_REPRESENTATION, id: `${c.id}-code-${i + 1}`, file })) } : {}),
      ...((c.tech ?? []).length > 0 ? { tags: c.tech } : {}),
      ...(instances.has(c.id) ? { threats: instances.get(c.id) } : {}),
    })),
    dataflows: model.flows.map((f) => ({
      id: f.id,
      name: f.name ?? f.id,
      ...(f.description ? { description: f.description } : {}),
      ...(f.bidirectional ? { bidirectional: true } : {}),
      source: f.from,
      destination: f.to,
      ...(f.protocol || f.data ? { attributes: { ...(f.protocol ? { protocol: f.protocol } : {}), ...(f.data ? { data: f.data.join(', ') } : {}) } } : {}),
      ...(instances.has(f.id) ? { threats: instances.get(f.id) } : {}),
    })),
    threats: model.threats.map((t) => {
      const cwes = (t.refs ?? []).filter((r) => /^CWE-\d+$/i.test(r));
      const otherRefs = (t.refs ?? []).filter((r) => !/^CWE-\d+$/i.test(r) && !r.startsWith('otm:'));
      const rating = rateThreat(t);
      const attributes: Record<string, string> = {
        ...(t.cvss ? { cvss: t.cvss.vector } : { severity: rating.rating }),
        ...(t.owner ? { owner: t.owner.join(', ') } : {}),
        ...(t.due ? { due: t.due } : {}),
        ...(t.strategy ? { strategy: t.strategy.join(', ') } : {}),
        ...(t.verification ? { verification: t.verification } : {}),
        ...(t.residual_risk ? { residual_risk: t.residual_risk } : {}),
        ...(t.rationale ? { rationale: t.rationale } : {}),
        ...(otherRefs.length > 0 ? { refs: otherRefs.join(' ') } : {}),
        // Structured values as JSON text (OTM attributes are flat), read back by the OTM import.
        ...(t.acceptance ? { acceptance: JSON.stringify(t.acceptance) } : {}),
        ...(t.controls?.length ? { controls: JSON.stringify(t.controls) } : {}),
        ...(t.tests?.length ? { tests: JSON.stringify(t.tests) } : {}),
      };
      return {
        id: t.id,
        name: t.title,
        ...(t.description ? { description: t.description } : {}),
        categories: t.stride.map((s) => STRIDE_NAME[s]),
        ...(cwes.length > 0 ? { cwes } : {}),
        risk: otmRisk(t),
        attributes,
      };
    }),
    ...(mitigations.length > 0 ? { mitigations } : {}),
  };
  return { document, notes };
}
