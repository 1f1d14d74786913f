import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import { readSbom } from '../../src/sbom/read.ts';
import { cveIds, planVex, vexBomJson } from '../../src/sbom/vex.ts';
import { MODEL_TEXT, SBOM_TEXT } from './fixtures.ts';

const loaded = loadModel(MODEL_TEXT, 'threat-model.yml');
if (!loaded.ok) throw new Error(loaded.findings[0]!.message);
const model = loaded.model;
const read = readSbom(SBOM_TEXT, 'bom.cdx.json');
if (!read.ok) throw new Error(read.findings[0]!.message);
const sbom = read.sbom;

describe('planVex', () => {
  const plan = planVex(model, sbom);

  it('one statement per CVE of each mitigated or verified threat, affecting the SBOM components its targets link to', () => {
    expect(plan.statements.map((s) => [s.threat.id, s.cve, s.affects.map((c) => c.name)])).toEqual([
      ['T1', 'CVE-2024-0727', ['api-image', 'express', 'openssl']],
      ['T2', 'CVE-2024-1111', ['@acme/auth']],
      ['T2', 'CVE-2024-2222', ['@acme/auth']],
    ]);
    expect(plan.statements[0]!.detail).toBe(
      'Threat T1 "OpenSSL flaw reachable through the API" is verified in the threat model. Mitigation: TLS terminates at the load balancer; the API never parses TLS itself. Verification: Pen test 2025-03 found no TLS listener on the API hosts.',
    );
    expect(plan.statements[1]!.detail).toContain('Verification: not yet verified.');
  });

  it('says why a threat that names a CVE gives no statement', () => {
    expect(plan.skipped).toEqual([
      { threatId: 'T3', cve: 'CVE-2024-3333', reason: 'status is open; only mitigated or verified threats say "not affected"' },
      { threatId: 'T4', cve: 'CVE-2024-4444', reason: 'none of its targets (db) is a component with `sbom` entries' },
    ]);
    const stale = loadModel(MODEL_TEXT.replace('sbom: "pkg:npm/@acme/auth@1.2.0"', 'sbom: pkg:npm/left-pad'), 'm.yml');
    if (!stale.ok) throw new Error('fixture');
    expect(planVex(stale.model, sbom).skipped).toContainEqual({
      threatId: 'T2',
      cve: 'CVE-2024-1111',
      reason: "its targets' sbom entries are not in bom.cdx.json: pkg:npm/left-pad",
    });
  });

  it('finds CVE ids in plain refs and inside links, once each, upper-cased', () => {
    expect(cveIds(model.threats[0]!)).toEqual(['CVE-2024-0727']);
    expect(cveIds({ ...model.threats[0]!, refs: ['see cve-2023-12345 and CVE-2023-12345', 'CWE-79', 'CVE-20-1'] })).toEqual(['CVE-2023-12345']);
  });
});

describe('vexBomJson', () => {
  const json = vexBomJson(planVex(model, sbom), {
    timestamp: new Date('2025-06-01T00:00:00Z'),
    serialNumber: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    toolVersion: '1.2.3',
  });
  const doc = JSON.parse(json);

  it('is valid CycloneDX 1.6 by the library’s own strict JSON schema validator', async () => {
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    expect(await validator.validate(json)).toBeNull();
    // The validator does check: a state outside the spec is refused.
    expect(await validator.validate(json.replaceAll('"not_affected"', '"unaffected"'))).not.toBeNull();
  });

  it('says not_affected, protected_by_mitigating_control, with the detail, for the SBOM components by their bom-refs', () => {
    expect(doc).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', serialNumber: 'urn:uuid:00000000-0000-4000-8000-000000000001' });
    expect(doc.metadata.timestamp).toBe('2025-06-01T00:00:00.000Z');
    expect(doc.metadata.tools.components).toEqual([expect.objectContaining({ name: 'threatloop', version: '1.2.3' })]);
    const t1 = doc.vulnerabilities.find((v: { 'bom-ref': string }) => v['bom-ref'] === 'threatloop:T1:CVE-2024-0727');
    expect(t1).toMatchObject({
      id: 'CVE-2024-0727',
      source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-0727' },
      analysis: { state: 'not_affected', justification: 'protected_by_mitigating_control', detail: expect.stringContaining('Threat T1 ') },
    });
    // The SBOM's bom-refs; a component without one (openssl) is referred to by its purl.
    expect(t1.affects.map((a: { ref: string }) => a.ref).sort()).toEqual(['api-image', 'pkg:deb/debian/openssl@3.0.13?arch=amd64', 'pkg:npm/express@4.19.2']);
    const refs = new Set(doc.components.map((c: { 'bom-ref': string }) => c['bom-ref']));
    for (const v of doc.vulnerabilities) for (const a of v.affects) expect(refs.has(a.ref), a.ref).toBe(true);
    expect(doc.vulnerabilities).toHaveLength(3);
  });

  it('an empty plan is still a valid document', async () => {
    const empty = vexBomJson({ statements: [], skipped: [] }, { timestamp: new Date('2025-06-01T00:00:00Z'), toolVersion: '1.2.3' });
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(empty)).toBeNull();
  });
});
