import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTm7 } from '../../bench/generate-tm7.ts';
import { tm7Format } from '../../src/import/tm7/index.ts';
import { fixture, runImport, threatById, tree, written } from './run.ts';

const SOURCE = 'tm7/clinic-scheduling.tm7';

describe('import Microsoft Threat Modeling Tool (.tm7)', () => {
  it('maps stencils, nested border boundaries by geometry, a line boundary, connectors and threat instances', async () => {
    const cwd = tree({}, { 'clinic.tm7': SOURCE });
    const r = await runImport(cwd, 'clinic.tm7', '--today', '2026-01-15');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Read clinic.tm7 as Microsoft Threat Modeling Tool (.tm7) (told by its content; --from to choose another format).');
    expect(r.stdout).toContain('Imported 5 threats from clinic.tm7 into threat-model.yml\n  3 boundaries, 3 components, 2 flows, 0 owners');
    const { text, model } = written(cwd);
    expect(model.system).toEqual({ name: 'Clinic Scheduling', description: 'Clinicians book and move appointments.' });
    expect(model.boundaries.map((b) => [b.id, b.trust])).toEqual([
      ['hospital-network', 'trusted'],
      ['data-tier', 'trusted'],
      ['internet-boundary', 'untrusted'],
    ]);
    expect(model.components).toEqual([
      { id: 'clinician', name: 'Clinician', type: 'external-entity', tech: ['Human User'] },
      { id: 'scheduling-api', name: 'Scheduling API', type: 'process', boundary: 'hospital-network', tech: ['Web API'] },
      { id: 'patient-db', name: 'Patient DB', type: 'data-store', boundary: 'data-tier', tech: ['SQL Database'] },
    ]);
    expect(model.flows).toEqual([
      { id: 'clinician-scheduling-api', name: 'Book appointment', from: 'clinician', to: 'scheduling-api', protocol: 'HTTPS' },
      { id: 'scheduling-api-patient-db', name: 'Query & update', from: 'scheduling-api', to: 'patient-db', protocol: 'SQL' },
    ]);
    const key = (typeId: string, src: string, flow: string, tgt: string) => `tm7:${typeId}3f1c0a10-000${src}-4b2e-9a10-7d5e2c00000${src}9d2e7c40-000${flow}-4f3a-8c21-5b6a1e00000${flow}3f1c0a10-000${tgt}-4b2e-9a10-7d5e2c00000${tgt}`;
    expect(threatById(model, 1)).toEqual({
      id: 1,
      title: 'Spoofing of the Clinician External Entity',
      stride: 'spoofing',
      targets: 'clinician-scheduling-api',
      description: 'Clinician may be spoofed by an attacker and this may lead to unauthorized access to Scheduling API.',
      severity: 'high',
      refs: [key('S1', '1', '1', '2')],
    });
    expect(threatById(model, 2)).toMatchObject({ stride: 'tampering', severity: 'medium', status: 'mitigated', mitigation: 'All queries are parameterised; verified by the SAST gate.' });
    // No UserThreatCategory: the category comes from the template embedded in the file (I1 -> I -> Information Disclosure).
    expect(threatById(model, 3)).toMatchObject({ stride: 'information-disclosure', severity: 'low', status: 'not-applicable', rationale: 'The database holds appointment slots only; no patient data.' });
    const t4 = threatById(model, 4);
    expect(t4.status).toBeUndefined();
    expect(text).toContain('# TMT state: Needs Investigation.\n  # TMT justification: Waiting for the load test in sprint 12.\n  - id: 4');
    expect(threatById(model, 5).title).toBe('Elevation Using Impersonation & Session Reuse');

    expect(r.stdout).toContain('DrawingSurfaceList/DrawingSurfaceModel[1]/Lines/KeyValueOfguidanyType[3]: trust boundary "Internet Boundary" is a line: it has no inside');
    expect(r.stdout).toContain('component patient-db ("Patient DB"): boundary data-tier: its centre lies inside 2 nested boundaries; the innermost is taken');
    expect(r.stdout).toContain('severity from the Threat Modeling Tool priority "High" → high on 3 threats (1, 4, 5)');
    expect(r.stdout).toContain('the model\'s owner in the Threat Modeling Tool is "Clinical Platform Team": it is not assigned to any threat');
  });

  it('--merge with a newer save of the same model adds only new threat instances', async () => {
    const original = fixture(SOURCE);
    const extra = original.match(/<a:KeyValueOfstringThreatpc_P0_PhOB>(?:(?!<\/a:KeyValueOfstringThreatpc_P0_PhOB>).)*<b:Id>5<\/b:Id>(?:(?!<\/a:KeyValueOfstringThreatpc_P0_PhOB>).)*<\/a:KeyValueOfstringThreatpc_P0_PhOB>/s)![0];
    // The tool numbers a new instance 6 and keys it by its type and interaction; a renamed title changes nothing on merge.
    const added = extra.replace('<b:Id>5</b:Id>', '<b:Id>6</b:Id>').replace(/<a:Key>E1/, '<a:Key>R1').replace('Elevation Using Impersonation &amp; Session Reuse', 'Potential Data Repudiation by Scheduling API').replace('Elevation Of Privilege', 'Repudiation');
    const newer = original.replace('Spoofing of the Clinician External Entity', 'Spoofing of the Clinician (renamed)').replace('</ThreatInstances>', `${added}</ThreatInstances>`);
    const cwd = tree({ 'newer.tm7': newer }, { 'clinic.tm7': SOURCE });
    expect((await runImport(cwd, 'clinic.tm7', '--today', '2026-01-15')).code).toBe(0);
    const before = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    const r = await runImport(cwd, 'newer.tm7', '--merge', 'threat-model.yml', '--today', '2026-02-01');
    expect(r.stdout).toContain('Added 1 threat from newer.tm7 to threat-model.yml; skipped 5 ids already there: 1, 2, 3, 4, 5');
    const after = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toContain('  - id: 6\n    title: Potential Data Repudiation by Scheduling API\n    stride: repudiation\n');
    expect((await runImport(cwd, 'newer.tm7', '--merge', 'threat-model.yml')).stdout).toContain('Nothing to add: all 6 threat ids');
  });

  it('bad input: XXE, billion laughs, truncation, another root, a loose connector and 50 MB are refused with where; nothing is written', async () => {
    const original = fixture(SOURCE);
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE ThreatModel [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${original.replace('Clinic Scheduling</ThreatModelName>', '&xxe;</ThreatModelName>')}`;
    const lol = `<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n${original.replace('Clinic Scheduling</ThreatModelName>', '&lol3;</ThreatModelName>')}`;
    const loose = original.replace('<SourceGuid xmlns="http://schemas.datacontract.org/2004/07/ThreatModeling.Model.Abstracts">3f1c0a10-0001-4b2e-9a10-7d5e2c000001</SourceGuid><SourceX', '<SourceX');
    const cwd = tree({
      'xxe.tm7': xxe,
      'lol.tm7': lol,
      'truncated.tm7': original.slice(0, 20000),
      'other.tm7': '<?xml version="1.0"?>\n<project><name>x</name></project>',
      'loose.tm7': loose,
      'big.tm7': '',
      'threat-model.yml': 'mine\n',
    });
    truncateSync(join(cwd, 'big.tm7'), 50 * 1024 * 1024);
    const cases: [string, RegExp][] = [
      ['xxe.tm7', /xxe\.tm7: 2:1: the file declares a DOCTYPE; the Threat Modeling Tool never writes one, and it is how external entities \(XXE\) and entity expansion \("billion laughs"\) get in: refused/],
      ['lol.tm7', /lol\.tm7: 2:1: the file declares a DOCTYPE/],
      ['truncated.tm7', /truncated\.tm7: \d+:\d+: the XML is not well formed \(.*\); is the file truncated\?/],
      ['other.tm7', /other\.tm7: its content is not a format threatloop imports/],
      ['loose.tm7', /loose\.tm7: 1 data flow end is not attached to an element[^]*\n {2}DrawingSurfaceList\/DrawingSurfaceModel\[1\]\/Lines\/KeyValueOfguidanyType\[1\] flow "Book appointment": its source is not connected/],
      ['big.tm7', /big\.tm7 is 50\.0 MB; the limit is 32\.0 MB .*is it really a Microsoft Threat Modeling Tool \(\.tm7\) export\?/],
    ];
    for (const [file, message] of cases) {
      const r = await runImport(cwd, file, '--output', 'out.yml');
      expect(r.code, file).toBe(1);
      expect(r.stderr, file).toMatch(message);
    }
    expect(readdirSync(cwd).filter((f) => f.endsWith('.yml'))).toEqual(['threat-model.yml']);
    // A .tm7 named .csv is still read as what it is.
    writeFileSync(join(cwd, 'export.csv'), original);
    const misnamed = await runImport(cwd, 'export.csv', '--output', 'misnamed.yml');
    expect(misnamed.code).toBe(0);
    expect(misnamed.stdout).toContain('Read export.csv as Microsoft Threat Modeling Tool (.tm7) (told by its content');
  });

  // The 5,000-threat figure is measured by `npm run bench`; here a fifth of it, for completeness.
  it('reads a 1,000-threat file (the template embedded) completely', () => {
    const text = generateTm7(1000);
    expect(text.length).toBeGreaterThan(2_000_000);
    const imported = tm7Format.parse(text, { file: 'big.tm7' });
    expect(imported.ok).toBe(true);
    if (!imported.ok) return;
    expect(imported.result.model.threats).toHaveLength(1000);
    expect(imported.result.model.components).toHaveLength(50);
    expect(imported.result.model.flows).toHaveLength(100);
    const statuses = new Map<string, number>();
    for (const t of imported.result.model.threats) statuses.set(t.status ?? 'open', (statuses.get(t.status ?? 'open') ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ open: 600, mitigated: 200, 'not-applicable': 200 });
  });
});
