import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportCsv, exportOtm, otmRisk } from '../../src/export/index.ts';
import { csvCell } from '../../src/render/csv-cell.ts';
import { formatImportedModel, importCsv } from '../../src/import/index.ts';
import { importOtm } from '../../src/import/otm/index.ts';
import { loadModel } from '../../src/model/load.ts';
import { STATUSES, STRIDE_CATEGORIES, ThreatModelSchema, ThreatSchema, type ThreatModel } from '../../src/model/schema.ts';

const GENOMEWELL = readFileSync('examples/genomewell/threat-model.yml', 'utf8');
const OTM_SCHEMA = JSON.parse(readFileSync('test/fixtures/otm/otm-0.2.schema.json', 'utf8')) as object;
const validateOtm = new Ajv({ allErrors: true, strict: false }).compile(OTM_SCHEMA);

function load(text: string): ThreatModel {
  const loaded = loadModel(text, 'threat-model.yml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.findings.slice(0, 3)));
  return loaded.model;
}

describe('OTM export', () => {
  const model = load(GENOMEWELL);
  const { document, notes } = exportOtm(model);

  it('is valid OTM 0.2, and every reference in it resolves', () => {
    expect(validateOtm(document), JSON.stringify(validateOtm.errors?.slice(0, 3))).toBe(true);
    expect(notes).toEqual([]);
    const doc = document as { trustZones: { id: string }[]; components: { id: string; parent: { trustZone: string }; threats?: { threat: string; mitigations?: { mitigation: string }[] }[] }[]; dataflows: { source: string; destination: string; threats?: { threat: string }[] }[]; threats: { id: string }[]; mitigations: { id: string }[] };
    const zones = new Set(doc.trustZones.map((z) => z.id));
    const components = new Set(doc.components.map((c) => c.id));
    const threats = new Set(doc.threats.map((t) => t.id));
    const mitigations = new Set(doc.mitigations.map((m) => m.id));
    for (const c of doc.components) expect(zones.has(c.parent.trustZone), c.id).toBe(true);
    for (const f of doc.dataflows) expect(components.has(f.source) && components.has(f.destination)).toBe(true);
    const instances = [...doc.components, ...doc.dataflows].flatMap((e) => e.threats ?? []);
    expect(instances.length).toBe(model.threats.reduce((n, t) => n + t.targets.length, 0));
    for (const i of instances) expect(threats.has(i.threat)).toBe(true);
    for (const c of doc.components) for (const i of c.threats ?? []) for (const m of i.mitigations ?? []) expect(mitigations.has(m.mitigation)).toBe(true);
  });

  it('likelihood and impact from the CVSS v3 sub-scores; v4 and severities through the documented values', () => {
    const threat = (extra: object) => ThreatSchema.parse({ id: 'T', title: 't', stride: 'S', targets: 'x', ...extra });
    expect(otmRisk(threat({ cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }))).toEqual({ likelihood: 100, impact: 97 });
    expect(otmRisk(threat({ cvss: 'CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N' }))).toEqual({ likelihood: 3, impact: 23 });
    expect(otmRisk(threat({ cvss: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }))).toEqual({ likelihood: 93, impact: 93 });
    expect(otmRisk(threat({ severity: 'high' }))).toEqual({ likelihood: 70, impact: 70 });
    expect(otmRisk(threat({}))).toEqual({ likelihood: 0, impact: 0 });
  });
});

describe('CSV export', () => {
  it('CSV: one row per threat and target, formulas neutralised and read back as written', () => {
    const model = load(GENOMEWELL);
    const csv = exportCsv(model);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('ID,Threat,STRIDE,Component / Data-flow,Description,CVSS Vector,Base Score,Severity,Strategy,Mitigation Action,Owner,Status,Due Date,Verification Method,Residual Risk,Linked Ticket,Rationale');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell("'-")).toBe("''-"); // read back as `'-`, not `-`
    const reread = importCsv(new TextEncoder().encode(csv), { file: 'gw.csv', systemName: 'GenomeWell' });
    if (!reread.ok) throw new Error(reread.message);
    expect(reread.result.model.threats).toHaveLength(model.threats.length);
    expect(reread.result.duplicates).toEqual([]);
  });
});

// Round trip -------------------------------------------------------------------------------

const slug = fc.stringMatching(/^[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,4})?$/);
const text = fc.string({ minLength: 1, maxLength: 30 }).map((s) => s.replace(/[\u0000-\u001f\u007f]/g, ' ').trim()).filter((s) => s !== '');
const paragraph = fc.array(text, { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n'));
const VECTORS = ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:N/SC:N/SI:N/SA:N'];
const date = fc.date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

const models = fc
  .record({
    components: fc.uniqueArray(slug, { minLength: 1, maxLength: 4 }),
    owners: fc.uniqueArray(slug.map((s) => `o-${s}`), { maxLength: 3 }),
    flowCount: fc.nat({ max: 3 }),
  })
  .chain(({ components, owners, flowCount }) => {
    const flows = Array.from({ length: Math.min(flowCount, components.length) }, (_, i) => ({ id: `f${i}-${components[i]}`, from: components[i]!, to: components[(i + 1) % components.length]! }));
    const targets = [...components, ...flows.map((f) => f.id)];
    const threat = fc.record(
      {
        title: text,
        stride: fc.uniqueArray(fc.constantFrom(...STRIDE_CATEGORIES), { minLength: 1, maxLength: 3 }),
        targets: fc.uniqueArray(fc.constantFrom(...targets), { minLength: 1, maxLength: 3 }),
        cvss: fc.option(fc.constantFrom(...VECTORS), { nil: undefined }),
        severity: fc.option(fc.constantFrom('critical', 'high', 'medium', 'low', 'none'), { nil: undefined }),
        status: fc.constantFrom(...STATUSES),
        owner: owners.length === 0 ? fc.constant(undefined) : fc.option(fc.uniqueArray(fc.constantFrom(...owners), { minLength: 1, maxLength: 2 }), { nil: undefined }),
        due: fc.option(date, { nil: undefined }),
        mitigation: fc.option(fc.oneof(paragraph, text.map((t) => `=${t}`)), { nil: undefined }),
      },
      { requiredKeys: ['title', 'stride', 'targets', 'status'] },
    );
    return fc.array(threat, { minLength: 1, maxLength: 6 }).map((threats) =>
      ThreatModelSchema.parse({
        version: 1,
        system: { name: 'Round trip' },
        owners: Object.fromEntries(owners.map((o) => [o, { name: o }])),
        components: components.map((id) => ({ id, name: `Component ${id}`, type: 'process' })),
        flows,
        threats: threats.map((t, i) => ({
          id: `T-${i + 1}`,
          ...t,
          ...(t.cvss ? { cvss: t.cvss, severity: undefined } : {}),
          // Accepted and transferred threats say who accepted them and until when; some name controls and tests.
          ...(t.status === 'accepted' || t.status === 'transferred' ? { rationale: 'covered by contract', acceptance: { by: 'security', on: '2026-01-01', ...(i % 2 ? { expires: '2027-01-01' } : { review_every: '90d' }) } } : {}),
          ...(i % 3 === 0 ? { controls: ['SR-12', 'IEC 81001-5-1 5.3.2'], tests: ['test/auth.test.ts'] } : {}),
        })),
      }),
    );
  });

/** What the round trip must keep, per threat. */
function kept(model: ThreatModel) {
  return model.threats.map((t) => ({
    id: t.id,
    targets: [...t.targets].sort(),
    stride: [...t.stride].sort(),
    cvss: t.cvss?.vector,
    severity: t.cvss ? undefined : t.severity,
    status: t.status,
    owner: t.owner ? [...t.owner].sort() : undefined,
    due: t.due,
    mitigation: t.mitigation,
    acceptance: t.acceptance,
    controls: t.controls,
    tests: t.tests,
  }));
}

describe('round trip: import(export(model)) keeps ids, targets, STRIDE, CVSS, status, owner, due and mitigation (OTM also acceptance, controls, tests)', () => {
  it('through OTM', () => {
    fc.assert(
      fc.property(models, (model) => {
        const json = JSON.stringify(exportOtm(model).document);
        const outcome = importOtm(json, { file: 'm.otm.json' });
        if (!outcome.ok) throw new Error(outcome.message);
        expect(outcome.result.notes.filter((n) => n.kind !== 'review')).toEqual([]);
        expect(kept(load(formatImportedModel(outcome.result, { source: 'm.otm.json', date: '2026-01-01' })))).toEqual(kept(model));
      }),
      { numRuns: 60 },
    );
  });

  it('through CSV', () => {
    fc.assert(
      fc.property(models, (model) => {
        // CSV has no columns for acceptance, controls and tests: OTM keeps them, CSV is compared without.
        const withoutOtmOnly = (m: ThreatModel) => kept(m).map(({ acceptance: _a, controls: _c, tests: _t, ...rest }) => rest);
        const outcome = importCsv(new TextEncoder().encode(exportCsv(model)), { file: 'm.csv', systemName: 'Round trip' });
        if (!outcome.ok) throw new Error(outcome.message);
        expect(outcome.result.duplicates).toEqual([]);
        expect(withoutOtmOnly(load(formatImportedModel(outcome.result, { source: 'm.csv', date: '2026-01-01' })))).toEqual(withoutOtmOnly(model));
      }),
      { numRuns: 60 },
    );
  });
});
