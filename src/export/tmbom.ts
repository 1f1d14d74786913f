/**
 * threat model -> CycloneDX TM-BOM (JSON). Follows the threat-model draft of CycloneDX 2.0:
 * `schema/2.0/model/cyclonedx-threat-2.0.schema.json` in CycloneDX/specification (development
 * snapshot read in December 2026; the draft still changes). Threats are `threats.threats[]`
 * with STRIDE categories (`taxonomy: STRIDE`) and CWE weaknesses; each threat's targets,
 * likelihood/impact and state are a threat scenario; trust boundaries are
 * `threats.trustBoundaries[]`; components and flows are BOM components and services.
 * Written by hand: `@cyclonedx/cyclonedx-library` models CycloneDX 1.x, which has no threats.
 * Pure: the serial number and timestamp are inputs.
 */
import { rateThreat } from '../model/rating.ts';
import type { ThreatModel } from '../model/schema.ts';
import { otmRisk } from './otm.ts';

export const TMBOM_DRAFT = 'CycloneDX 2.0 draft, schema/2.0/model/cyclonedx-threat-2.0.schema.json (December 2026 snapshot)';

const property = (name: string, value: string | undefined) => (value === undefined || value === '' ? [] : [{ name: `threatloop:${name}`, value }]);

export function exportTmBom(model: ThreatModel, options: { serialNumber: string; timestamp: string; toolVersion: string }): Record<string, unknown> {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '2.0',
    serialNumber: `urn:uuid:${options.serialNumber}`,
    version: 1,
    metadata: {
      timestamp: options.timestamp,
      tools: { components: [{ type: 'application', name: 'threatloop', version: options.toolVersion }] },
      component: { type: 'application', 'bom-ref': 'system', name: model.system.name, ...(model.system.description ? { description: model.system.description } : {}) },
    },
    components: model.components.map((c) => ({
      type: c.type === 'data-store' ? 'data' : 'application',
      'bom-ref': c.id,
      name: c.name,
      ...(c.description ? { description: c.description } : {}),
      properties: [...property('type', c.type), ...property('boundary', c.boundary), ...(c.paths ?? []).flatMap((p) => property('path', p))],
    })),
    services: model.flows.map((f) => ({
      'bom-ref': f.id,
      name: f.name ?? f.id,
      ...(f.description ? { description: f.description } : {}),
      properties: [...property('from', f.from), ...property('to', f.to), ...property('bidirectional', f.bidirectional ? 'true' : undefined), ...property('protocol', f.protocol)],
    })),
    threats: {
      methodologies: ['STRIDE'],
      trustBoundaries: model.boundaries.map((b) => ({
        'bom-ref': b.id,
        name: b.name,
        ...(b.description ? { description: b.description } : {}),
        properties: property('trust', b.trust),
      })),
      threats: model.threats.map((t) => {
        const cwes = (t.refs ?? []).flatMap((r) => /^CWE-(\d+)$/i.exec(r)?.[1] ?? []);
        return {
          'bom-ref': `threat:${t.id}`,
          name: t.title,
          ...(t.description ? { description: t.description } : {}),
          categories: t.stride.map((category) => ({ taxonomy: 'STRIDE', category })),
          ...(cwes.length > 0 ? { weaknesses: cwes.map((id) => ({ cwe: Number(id) })) } : {}),
          properties: [
            ...property('id', t.id),
            ...property('status', t.status),
            ...property('severity', rateThreat(t).rating),
            ...property('cvss', t.cvss?.vector),
            ...property('mitigation', t.mitigation),
            ...property('owner', t.owner?.join(', ')),
            ...property('due', t.due),
            ...property('rationale', t.rationale),
          ],
        };
      }),
      scenarios: model.threats.map((t) => {
        const risk = otmRisk(t);
        return {
          'bom-ref': `scenario:${t.id}`,
          name: `${t.title} (${t.targets.join(', ')})`,
          threats: [`threat:${t.id}`],
          affectedAssets: t.targets,
          properties: [...property('likelihood', String(risk.likelihood)), ...property('impact', String(risk.impact)), ...property('status', t.status)],
        };
      }),
    },
  };
}
