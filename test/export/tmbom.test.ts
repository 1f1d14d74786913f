/**
 * The TM-BOM export against the CycloneDX 2.0 threat-modelling draft it follows: every export
 * validates against the draft's bundled schema (test/fixtures/cyclonedx-2.0/SOURCE.md says which
 * commit), and every reference in it names an element of the same document.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateModelText } from '../../bench/generate-model.ts';
import { exportTmBom } from '../../src/export/index.ts';
import { loadModel } from '../../src/model/load.ts';
import { STATUSES, STRATEGIES, STRIDE_CATEGORIES, ThreatModelSchema, TRUST_LEVELS, type ThreatModel } from '../../src/model/schema.ts';

const DRAFT = JSON.parse(readFileSync('test/fixtures/cyclonedx-2.0/cyclonedx-2.0-bundled.min.schema.json', 'utf8')) as object;
const OPTIONS = { serialNumber: '00000000-0000-4000-8000-000000000000', timestamp: '2026-01-01T00:00:00Z', toolVersion: '0.1.0' };

// Both format plugins are CommonJS without ESM types: loaded as such.
const require = createRequire(import.meta.url);
const addFormats = require('ajv-formats') as (ajv: Ajv2020) => void; // date-time, uri, ...
const addFormats2019 = require('ajv-formats-draft2019') as (ajv: Ajv2020) => void; // iri-reference, idn-email
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
addFormats2019(ajv);
// The bundle refers to three schemas outside it (licences, cryptographic assets, behaviours).
// The export writes none of those fields: stand-ins that reject any value keep it that way.
ajv.addSchema({ $id: 'https://cyclonedx.org/schema/spdx.schema.json', not: {} });
ajv.addSchema({ $id: 'https://cyclonedx.org/schema/behavior-taxonomy.schema.json', not: {} });
ajv.addSchema({ $id: 'https://cyclonedx.org/schema/cryptography-defs.schema.json', definitions: { algorithmFamiliesEnum: { not: {} }, ellipticCurvesEnum: { not: {} } } });
const validateDraft = ajv.compile(DRAFT);

function load(text: string): ThreatModel {
  const loaded = loadModel(text, 'threat-model.yml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.findings.slice(0, 3)));
  return loaded.model;
}

function expectValid(bom: unknown): void {
  const valid = validateDraft(bom);
  expect(valid, JSON.stringify(validateDraft.errors?.slice(0, 5), null, 1)).toBe(true);
}

/** Every bom-ref defined in the document, and every reference made in it (by the draft's field names). */
function references(bom: unknown): { defined: string[]; used: { path: string; ref: string }[] } {
  const defined: string[] = [];
  const used: { path: string; ref: string }[] = [];
  const REF_FIELDS = new Set(['zone', 'source', 'destination', 'boundary', 'zones', 'threats', 'affectedAssets', 'mitigations', 'threatsAtBoundary', 'appliesTo', 'relatedThreats', 'affects', 'controls']);
  const walk = (value: unknown, path: string, field?: string) => {
    if (typeof value === 'string' && field !== undefined && REF_FIELDS.has(field)) used.push({ path, ref: value });
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, field));
    else if (value !== null && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'bom-ref' && typeof v === 'string') defined.push(v);
        // `threats` is both the section and a scenario's list of references: only strings are references.
        walk(v, `${path}.${key}`, key);
      }
    }
  };
  walk(bom, '$');
  return { defined, used };
}

function expectReferencesResolve(bom: unknown): void {
  const { defined, used } = references(bom);
  expect(new Set(defined).size, 'bom-refs are unique').toBe(defined.length);
  const known = new Set(defined);
  expect(used.filter((u) => !known.has(u.ref))).toEqual([]);
}

describe('TM-BOM export (CycloneDX 2.0 threat-modelling draft)', () => {
  it('the GenomeWell model: valid against the draft, every reference resolves', () => {
    const model = load(readFileSync('examples/genomewell/threat-model.yml', 'utf8'));
    const bom = exportTmBom(model, OPTIONS) as {
      specFormat: string;
      specVersion: string;
      blueprints: { assets: { 'bom-ref': string; zone?: string }[]; zones: unknown[]; flows: unknown[]; boundaries: { zones: string[] }[] }[];
      threats: { threats: { 'bom-ref': string; categories: unknown[]; weaknesses?: { cweId: number }[] }[]; scenarios: { threats: string[] }[]; trustBoundaries: { boundary: string; trustLevel: string }[] };
      risks: { risks: { status: string }[] };
    };
    expectValid(bom);
    expectReferencesResolve(bom);
    expect([bom.specFormat, bom.specVersion]).toEqual(['CycloneDX', '2.0']);
    const [blueprint] = bom.blueprints;
    expect(blueprint!.assets).toHaveLength(model.components.length);
    expect(blueprint!.zones).toHaveLength(model.boundaries.length);
    expect(blueprint!.flows).toHaveLength(model.flows.length);
    expect(bom.threats.threats).toHaveLength(model.threats.length);
    expect(bom.threats.scenarios.map((s) => s.threats)).toEqual(model.threats.map((t) => [`threat:${t.id}`]));
    const first = model.threats[0]!;
    expect(bom.threats.threats[0]!.categories).toEqual(first.stride.map((category) => ({ taxonomy: 'STRIDE', category })));
    const cwes = model.threats.flatMap((t) => (t.refs ?? []).filter((r) => /^CWE-\d+$/.test(r)));
    expect(bom.threats.threats.flatMap((t) => t.weaknesses ?? []).length).toBe(cwes.length);
    // A trust boundary for each pair of zones that a flow crosses, marked with the less trusted side.
    expect(bom.threats.trustBoundaries.length).toBe(blueprint!.boundaries.length);
    expect(bom.threats.trustBoundaries.length).toBeGreaterThan(0);
  });

  it('a 500-threat generated model is valid against the draft', () => {
    const bom = exportTmBom(load(generateModelText({ threats: 500, components: 60, flows: 120 })), OPTIONS);
    expectValid(bom);
    expectReferencesResolve(bom);
  });

  it('any model: valid against the draft, references resolve, boundaries where flows cross zones', () => {
    const ids = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
    const models = fc
      .record({
        zones: fc.uniqueArray(fc.record({ id: ids.map((s) => `z-${s}`), trust: fc.constantFrom(...TRUST_LEVELS) }), { selector: (z) => z.id, maxLength: 3 }),
        components: fc.uniqueArray(ids.map((s) => `c-${s}`), { minLength: 1, maxLength: 5 }),
        flowPairs: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 5 }),
      })
      .chain(({ zones, components, flowPairs }) => {
        const flows = flowPairs.map(([a, b], i) => ({ id: `f-${i}`, from: components[a % components.length]!, to: components[b % components.length]! }));
        const targets = [...components, ...flows.map((f) => f.id)];
        const threat = fc.record(
          {
            title: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
            stride: fc.uniqueArray(fc.constantFrom(...STRIDE_CATEGORIES), { minLength: 1, maxLength: 3 }),
            targets: fc.uniqueArray(fc.constantFrom(...targets), { minLength: 1, maxLength: 3 }),
            cvss: fc.option(fc.constantFrom('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:N/SC:N/SI:N/SA:N'), { nil: undefined }),
            severity: fc.option(fc.constantFrom('critical', 'high', 'medium', 'low', 'none'), { nil: undefined }),
            strategy: fc.option(fc.uniqueArray(fc.constantFrom(...STRATEGIES), { minLength: 1, maxLength: 2 }), { nil: undefined }),
            status: fc.constantFrom(...STATUSES),
            mitigation: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
            refs: fc.option(fc.array(fc.constantFrom('CWE-79', 'CWE-0', 'cwe-352', 'CAPEC-66', 'JIRA-1'), { maxLength: 3 }), { nil: undefined }),
            due: fc.option(fc.constantFrom('2026-03-01', '2027-12-31'), { nil: undefined }),
          },
          { requiredKeys: ['title', 'stride', 'targets', 'status'] },
        );
        return fc.array(threat, { maxLength: 5 }).map((threats) =>
          ThreatModelSchema.parse({
            version: 1,
            system: { name: 'Any' },
            boundaries: zones.map((z) => ({ id: z.id, name: `Zone ${z.id}`, trust: z.trust })),
            components: components.map((id, i) => ({ id, name: `Component ${id}`, type: 'process', ...(zones.length > 0 && i % 3 !== 2 ? { boundary: zones[i % zones.length]!.id } : {}) })),
            flows,
            threats: threats.map((t, i) => ({
              id: `T-${i + 1}`,
              ...t,
              ...(t.cvss ? { severity: undefined } : {}),
              ...(t.status === 'accepted' || t.status === 'transferred' ? { rationale: 'why', acceptance: { by: 'security', on: '2026-01-01', expires: '2027-01-01' } } : {}),
              ...(t.status === 'not-applicable' ? { rationale: 'why not' } : {}),
            })),
          }),
        );
      });
    fc.assert(
      fc.property(models, (model) => {
        const bom = exportTmBom(model, OPTIONS) as { blueprints: { boundaries: { zones: string[] }[] }[]; threats: { trustBoundaries: { trustLevel: string }[] } };
        expectValid(bom);
        expectReferencesResolve(bom);
        const zoneOf = new Map(model.components.map((c) => [c.id, c.boundary]));
        const crossed = new Set(
          model.flows.flatMap((f) => {
            const [a, b] = [zoneOf.get(f.from), zoneOf.get(f.to)];
            return a && b && a !== b ? [[a, b].sort().join('|')] : [];
          }),
        );
        expect(bom.blueprints[0]!.boundaries.map((b) => b.zones.map((z) => z.replace(/^zone:/, '')).join('|')).sort()).toEqual([...crossed].sort());
      }),
      { numRuns: 150 },
    );
  });

  it('marks a trust boundary with its less trusted zone, the threats on its flows, and maps statuses for controls and risks', () => {
    const model = load(`version: 1
system: { name: Shop }
boundaries:
  - { id: internet, name: Internet, trust: untrusted }
  - { id: dmz, name: DMZ, trust: restricted }
components:
  - { id: browser, name: Browser, type: external-entity, boundary: internet }
  - { id: api, name: API, type: process, boundary: dmz }
flows:
  - { id: login, name: Login, from: browser, to: api, protocol: HTTPS }
threats:
  - id: T1
    title: Credential stuffing
    stride: S
    targets: login
    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
    strategy: mitigate
    mitigation: Rate limit and MFA
    status: in-progress
    due: 2026-03-01
    owner: [security]
    refs: [CWE-307]
owners:
  security: { name: Security }
`);
    const bom = exportTmBom(model, OPTIONS) as Record<string, any>;
    expectValid(bom);
    expect(bom.blueprints[0].assets[0]).toMatchObject({ 'bom-ref': 'asset:browser', type: { name: 'external-entity' }, zone: 'zone:internet' });
    expect(bom.blueprints[0].boundaries).toEqual([{ 'bom-ref': 'boundary:dmz|internet', name: 'DMZ / Internet', type: 'trust', zones: ['zone:dmz', 'zone:internet'] }]);
    expect(bom.threats.trustBoundaries).toEqual([
      { 'bom-ref': 'trust-boundary:dmz|internet', boundary: 'boundary:dmz|internet', name: 'DMZ / Internet', trustLevel: 'untrusted', threatsAtBoundary: ['threat:T1'] },
    ]);
    expect(bom.threats.threats[0]).toMatchObject({ weaknesses: [{ cweId: 307 }], affectedAssets: ['flow:login'], mitigations: ['control:T1'] });
    expect(bom.threats.scenarios[0].riskScore).toEqual({ level: 'critical', score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', methodology: { name: 'CVSS v3.1' } });
    expect(bom.controls).toEqual([{ 'bom-ref': 'control:T1', name: 'Mitigation of T1: Credential stuffing', description: 'Rate limit and MFA', status: 'in-progress', appliesTo: ['flow:login'] }]);
    expect(bom.risks.risks[0]).toMatchObject({
      status: 'assessed',
      responses: [{ 'bom-ref': 'response:T1:mitigate', strategy: 'reduce', controls: ['control:T1'], status: 'in-progress', targetDate: '2026-03-01T00:00:00Z' }],
      properties: [
        { name: 'threatloop:owner', value: 'security' },
        { name: 'threatloop:due', value: '2026-03-01' },
      ],
    });
  });

  it('the validator is live: the 1.x root key, a CWE written the 1.x way, an unknown STRIDE category are refused', () => {
    const model = load(readFileSync('examples/genomewell/threat-model.yml', 'utf8'));
    const bom = exportTmBom(model, OPTIONS) as Record<string, any>;
    const { specFormat, ...rest } = bom;
    expect(validateDraft({ bomFormat: specFormat, ...rest })).toBe(false);
    const threats = structuredClone(bom.threats);
    threats.threats[0].weaknesses = [{ cwe: 79 }];
    expect(validateDraft({ ...bom, threats })).toBe(false);
    threats.threats[0].weaknesses = [{ cweId: 79 }];
    threats.threats[0].categories = [{ taxonomy: 'STRIDE', category: 'Spoofing' }];
    expect(validateDraft({ ...bom, threats })).toBe(false);
  });
});
