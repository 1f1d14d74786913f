import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatImportedModel, importSource, mergeIntoModelText, readExistingModel, type ImportResult } from '../../src/import/index.ts';
import { importOtm } from '../../src/import/otm/index.ts';
import { severityOfRisk, trustOfRating } from '../../src/import/otm/tables.ts';
import { lintModelText } from '../../src/model/lint/index.ts';

const YAML_TEXT = readFileSync('test/fixtures/otm/clinic.otm.yaml', 'utf8');
const JSON_TEXT = JSON.stringify(parse(YAML_TEXT), null, 2);
const CONTEXT = { source: 'clinic.otm.yaml', date: '2026-01-01' };

function imported(text: string, file = 'clinic.otm.yaml'): ImportResult {
  const outcome = importOtm(text, { file });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.result;
}

describe('OTM import', () => {
  const result = imported(YAML_TEXT);
  const { model } = result;

  it('trust zones become boundaries, trust from trustRating; components keep their OTM ids, zone, code paths and tags', () => {
    expect(model.system).toEqual({ name: 'Clinic portal', description: 'Patients book visits and read lab results.\nProject owner: Jane Roe.' });
    expect(model.boundaries.map((b) => [b.id, b.trust])).toEqual([
      ['6f1c0c53-0f3b-4d67-9d8b-1c1e0c1f0a01', 'untrusted'],
      ['cloud', 'trusted'],
    ]);
    expect(model.components).toEqual([
      { id: 'browser', name: 'Patient browser', type: 'external-entity', boundary: '6f1c0c53-0f3b-4d67-9d8b-1c1e0c1f0a01' },
      { id: 'api', name: 'Portal API', type: 'process', boundary: 'cloud', tech: ['node', 'express'], paths: ['services/api/**'] },
      { id: 'results-db', name: 'Results DB', type: 'data-store', boundary: 'cloud', description: 'Stores: Lab results.' },
      { id: 'audit', name: 'Audit writer', type: 'process', boundary: 'cloud' },
    ]);
    expect(model.flows).toEqual([
      { id: 'browse', name: 'Browse', from: 'browser', to: 'api', bidirectional: true, data: ['Lab results'] },
      { id: 'query', name: 'Query results', from: 'api', to: 'results-db' },
    ]);
    expect(result.notes.filter((n) => n.kind === 'review').map((n) => n.message)).toContain('component audit sits inside component api: placed in its trust zone cloud');
  });

  it('one threat per definition, targeting every element with an instance; categories -> STRIDE, cwes -> refs, risk -> severity, mitigations, states', () => {
    expect(model.threats).toEqual([
      {
        id: 'T-SPOOF',
        title: 'Session hijacking',
        stride: 'spoofing',
        targets: ['api', 'browse'],
        description: 'A stolen session cookie lets someone act as a patient.',
        severity: 'high',
        mitigation: 'Require MFA for every patient login.',
        refs: ['otm:T-SPOOF', 'CWE-384'],
      },
      {
        id: 'T-LEAK',
        title: 'Lab results leak',
        stride: 'information-disclosure',
        targets: ['api', 'results-db'],
        severity: 'medium',
        mitigation: 'TLS everywhere',
        refs: ['otm:T-LEAK', 'CWE-200'],
      },
      { id: 'T-REPUDIATE', title: 'Audit log wiped', stride: 'repudiation', severity: 'low', refs: ['otm:T-REPUDIATE'] },
    ]);
    const problems = result.notes.filter((n) => n.kind === 'problem');
    expect(problems).toEqual([
      {
        kind: 'problem',
        path: '$.components[2].threats[0]',
        message: 'threat T-LEAK: its instances differ in state (api: mitigated, results-db: exposed); status open, the least advanced, is kept',
      },
      { kind: 'problem', path: '$.threats[2]', message: 'threat T-REPUDIATE: no component or dataflow carries it; add its targets' },
    ]);
    const yaml = formatImportedModel(result, CONTEXT);
    expect(yaml).toContain('  # OTM categories that are not STRIDE: Authentication.\n  # Severity high from OTM likelihood 70 × impact 90: add a CVSS vector.\n  # Likelihood: Cookies leak through shared computers.\n  # Mitigation m-mfa (risk reduction 80): required on api.\n  - id: T-SPOOF\n');
    expect(yaml).toContain('    trust: untrusted # trustRating 10\n');
    // Only the threat without targets is a lint error.
    const errors = lintModelText(yaml, 'threat-model.yml', { today: '2026-01-01' }).findings.filter((f) => f.level === 'error');
    expect(errors.map((f) => f.path?.join('.'))).toEqual(['threats.2.targets']);
  });

  it('reads the same model from JSON, and says it is OTM whatever the file is called', () => {
    expect(imported(JSON_TEXT, 'clinic.json').model).toEqual(model);
    const read = importSource(new TextEncoder().encode(JSON_TEXT), 'auto', { file: 'threats.csv' });
    expect(read.ok && read.format.id).toBe('otm');
  });

  it('instance states map to statuses, not applicable included; all instances agreeing need no note', () => {
    const text = YAML_TEXT.replace('state: mitigated', 'state: Not Applicable').replace('- { threat: T-LEAK, state: exposed }', '- { threat: T-LEAK, state: not-applicable }');
    const again = imported(text);
    expect(again.model.threats[1]).toMatchObject({ id: 'T-LEAK', status: 'not-applicable' });
    expect(again.notes.some((n) => n.message.includes('differ in state'))).toBe(false);
  });

  it('the documented tables', () => {
    expect([0, 24, 25, 49, 50, 74, 75, 100].map(trustOfRating)).toEqual(['untrusted', 'untrusted', 'partner', 'partner', 'restricted', 'restricted', 'trusted', 'trusted']);
    expect([severityOfRisk(80, 80), severityOfRisk(50, 100), severityOfRisk(40, 40), severityOfRisk(10, 10), severityOfRisk(0, 100)]).toEqual(['critical', 'high', 'medium', 'low', 'none']);
  });
});

describe('OTM merge', () => {
  it('a newer export of the same model adds only what is new', () => {
    const first = formatImportedModel(imported(YAML_TEXT), CONTEXT);
    const existing = readExistingModel(first, 'threat-model.yml');
    if (!existing.ok) throw new Error(existing.message);
    const newer = YAML_TEXT.replace(
      'mitigations:\n  - name: Require MFA',
      '  - name: Results tampered\n    id: T-TAMPER\n    categories: [Tampering]\n    risk: { likelihood: 50, impact: 50 }\nmitigations:\n  - name: Require MFA',
    ).replace('      - { threat: T-LEAK, state: exposed }', '      - { threat: T-LEAK, state: exposed }\n      - { threat: T-TAMPER, state: exposed }');
    const outcome = importOtm(newer, { file: 'clinic.otm.yaml', existing: existing.existing });
    if (!outcome.ok) throw new Error(outcome.message);
    const { result } = outcome;
    expect(result.skipped).toEqual(['T-SPOOF', 'T-LEAK', 'T-REPUDIATE']);
    expect(result.model.threats.map((t) => [t.id, t.targets])).toEqual([['T-TAMPER', 'results-db']]);
    expect(result.model.boundaries).toEqual([]);
    expect(result.model.components).toEqual([]);
    expect(result.model.flows).toEqual([]);
    const merged = mergeIntoModelText(first, 'threat-model.yml', result, CONTEXT);
    expect(merged.ok && merged.text.startsWith(first.trimEnd())).toBe(true);
  });
});

describe('OTM bad input', () => {
  it('a cycle of parents is an error naming the path and the chain', () => {
    const text = YAML_TEXT.replace('parent: { component: api }', 'parent: { component: audit2 }').replace(
      'dataflows:',
      '  - { name: Audit 2, id: audit2, type: process, parent: { component: audit } }\ndataflows:',
    );
    expect(importOtm(text, { file: 'c.yaml' })).toEqual({
      ok: false,
      path: '$.components[3].parent',
      message: 'c.yaml: $.components[3].parent: the parents form a cycle: audit (component) → audit2 (component) → audit (component)',
    });
  });

  it('truncated JSON or YAML, a document that is not OTM, and a schema error say where', () => {
    const truncated = importOtm(JSON_TEXT.slice(0, 500), { file: 'c.json' });
    expect(!truncated.ok && truncated.message).toMatch(/^c\.json:\d+:\d+: the JSON ends in the middle of a value: the file is truncated$/);
    const badYaml = importOtm('otmVersion: 0.2.0\nproject: { name: x\n', { file: 'c.yaml' });
    expect(!badYaml.ok && badYaml.message).toMatch(/^c\.yaml:\d+:\d+: not valid YAML/);
    expect(importOtm('{"a": 1}', { file: 'c.json' })).toMatchObject({ ok: false, message: 'c.json: not an Open Threat Model document (no top-level otmVersion)' });
    const noName = importOtm(YAML_TEXT.replace('  - name: Portal API\n', '  - name: 7\n'), { file: 'c.yaml' });
    expect(!noName.ok && noName.message).toContain('c.yaml: not a valid OTM document: $.components[1].name: ');
  });

  it('a billion-laughs YAML is refused, not expanded', () => {
    const lines = ['otmVersion: 0.2.0', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    lines.push('project: { name: x, id: x, bomb: *a11 }');
    const outcome = importOtm(lines.join('\n'), { file: 'bomb.yaml' });
    expect(outcome.ok).toBe(false);
  });

  it("reads threatloop's acceptance, controls and tests attributes back; another tool's text under those names stays a comment", () => {
    const doc = (attributes: Record<string, string>) =>
      JSON.stringify({
        otmVersion: '0.2.0',
        project: { name: 'x', id: 'x' },
        trustZones: [{ id: 'z', name: 'Z', risk: { trustRating: 90 } }],
        components: [{ id: 'api', name: 'API', type: 'process', parent: { trustZone: 'z' }, threats: [{ threat: 'T1', state: 'accepted' }] }],
        threats: [{ id: 'T1', name: 'Replay', categories: ['Spoofing'], risk: { impact: 50 }, attributes }],
      });
    const ours = imported(doc({ acceptance: '{"by":"security","on":"2026-01-01","expires":"2027-01-01"}', controls: '["SR-12"]', tests: '["test/a.test.ts"]' }), 'x.json');
    expect(ours.model.threats[0]).toMatchObject({ acceptance: { by: 'security', on: '2026-01-01', expires: '2027-01-01' }, controls: ['SR-12'], tests: ['test/a.test.ts'] });
    const theirs = imported(doc({ acceptance: 'approved by the CISO', controls: 'SR-12, SR-13' }), 'x.json');
    expect(theirs.model.threats[0]!.acceptance).toBeUndefined();
    expect(theirs.model.threats[0]!.controls).toBeUndefined();
    expect(theirs.notes.filter((n) => n.kind === 'lost')).toEqual([]);
    expect(theirs.comments.threats.get(0)).toEqual(expect.arrayContaining(['OTM attribute acceptance: approved by the CISO', 'OTM attribute controls: SR-12, SR-13']));
  });
});
