/**
 * VEX from the threat model: a threat that names a CVE in `refs` and is
 * mitigated or verified says the product is not affected by that CVE because
 * a mitigating control protects it. `planVex` decides the statements (pure
 * data, printable); `vexBomJson` builds the CycloneDX document with the
 * CycloneDX library's models and JSON serializer.
 */
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { buildGraph } from '../model/graph.ts';
import type { Threat, ThreatModel, ThreatStatus } from '../model/schema.ts';
import type { Sbom, SbomComponent } from './read.ts';

/** The statuses that claim a threat's control is in place. */
export const VEX_STATUSES: ReadonlySet<ThreatStatus> = new Set(['mitigated', 'verified']);

const CVE_ID = /\bCVE-\d{4}-\d{4,}\b/gi;

export interface VexStatement {
  threat: Threat;
  /** Upper-case CVE id, e.g. CVE-2024-3094. */
  cve: string;
  /** SBOM components linked (`sbom`) from the threat's target components, in model order, each once. */
  affects: SbomComponent[];
  /** The analysis detail: threat id, status, mitigation and verification. */
  detail: string;
}

export interface VexSkip {
  threatId: string;
  cve: string;
  reason: string;
}

export interface VexPlan {
  statements: VexStatement[];
  /** Threats that name a CVE but give no statement, and why (printed for the user). */
  skipped: VexSkip[];
}

/** CVE ids a threat's refs name (plain ids or inside links), upper-case, each once. */
export function cveIds(threat: Threat): string[] {
  const ids = (threat.refs ?? []).flatMap((ref) => [...ref.matchAll(CVE_ID)].map((m) => m[0].toUpperCase()));
  return [...new Set(ids)];
}

export function planVex(model: ThreatModel, sbom: Sbom): VexPlan {
  const graph = buildGraph(model);
  const statements: VexStatement[] = [];
  const skipped: VexSkip[] = [];
  for (const threat of model.threats) {
    const cves = cveIds(threat);
    if (cves.length === 0) continue;
    const skip = (reason: string) => skipped.push(...cves.map((cve) => ({ threatId: threat.id, cve, reason })));
    if (!VEX_STATUSES.has(threat.status)) {
      skip(`status is ${threat.status}; only mitigated or verified threats say "not affected"`);
      continue;
    }
    const affects: SbomComponent[] = [];
    const unresolved: string[] = [];
    for (const target of new Set(threat.targets)) {
      for (const ref of graph.components.get(target)?.sbom ?? []) {
        const found = sbom.find(ref);
        if (found.length === 0) unresolved.push(ref);
        for (const component of found) if (!affects.includes(component)) affects.push(component);
      }
    }
    if (affects.length === 0) {
      skip(
        unresolved.length > 0
          ? `its targets' sbom entries are not in ${sbom.file}: ${unresolved.join(', ')}`
          : `none of its targets (${threat.targets.join(', ')}) is a component with \`sbom\` entries`,
      );
      continue;
    }
    for (const cve of cves) statements.push({ threat, cve, affects, detail: statementDetail(threat) });
  }
  return { statements, skipped };
}

function statementDetail(threat: Threat): string {
  const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
  const mitigation = threat.mitigation?.trim() || 'no mitigation text in the model';
  const verification = threat.verification?.trim() || 'not yet verified';
  return `Threat ${threat.id} "${threat.title}" is ${threat.status} in the threat model. Mitigation: ${sentence(mitigation)} Verification: ${sentence(verification)}`;
}

export interface VexDocumentOptions {
  /** When the document was made (metadata.timestamp). */
  timestamp: Date;
  /** urn:uuid:… serial number; the CLI derives it from the inputs so the same inputs give the same file. */
  serialNumber?: string;
  toolVersion: string;
}

/** The CycloneDX 1.6 VEX document, as JSON text. */
export function vexBomJson(plan: VexPlan, options: VexDocumentOptions): string {
  const bom = new Models.Bom();
  if (options.serialNumber) bom.serialNumber = options.serialNumber;
  bom.metadata.timestamp = options.timestamp;
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'threatloop', { version: options.toolVersion }),
  );
  // The affected SBOM components are copied with their bom-refs, so each `affects` ref resolves inside this document.
  const copies = new Map<SbomComponent, Models.Component>();
  const copyOf = (component: SbomComponent): Models.Component => {
    let copy = copies.get(component);
    if (!copy) {
      copy = new Models.Component(componentType(component.type), component.name, {
        bomRef: component.bomRef ?? component.purl ?? component.path,
        ...(component.version !== undefined ? { version: component.version } : {}),
        ...(component.purl !== undefined ? { purl: component.purl } : {}),
      });
      copies.set(component, copy);
      bom.components.add(copy);
    }
    return copy;
  };
  for (const statement of plan.statements) {
    const vulnerability = new Models.Vulnerability.Vulnerability({
      bomRef: `threatloop:${statement.threat.id}:${statement.cve}`,
      id: statement.cve,
      source: new Models.Vulnerability.Source({ name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${statement.cve}` }),
      analysis: new Models.Vulnerability.Analysis({
        state: Enums.Vulnerability.AnalysisState.NotAffected,
        justification: Enums.Vulnerability.AnalysisJustification.ProtectedByMitigatingControl,
        detail: statement.detail,
      }),
    });
    for (const component of statement.affects) vulnerability.affects.add(new Models.Vulnerability.Affect(copyOf(component).bomRef));
    bom.vulnerabilities.add(vulnerability);
  }
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

export const VEX_SPEC_VERSION = Spec.Version.v1dot6;

const COMPONENT_TYPES = new Set<string>(Object.values(Enums.ComponentType));

function componentType(type: string | undefined): Enums.ComponentType {
  return type !== undefined && COMPONENT_TYPES.has(type) ? (type as Enums.ComponentType) : Enums.ComponentType.Library;
}
