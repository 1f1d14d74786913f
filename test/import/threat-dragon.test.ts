import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runImport, threatById, tree, written } from './run.ts';

const SOURCE = 'threat-dragon/clinic-portal.json';

describe('import Threat Dragon v2', () => {
  it('maps elements, nested boundary boxes by geometry, a curve, flows and threats, and lists every guess', async () => {
    const cwd = tree({}, { 'clinic-portal.json': SOURCE });
    const r = await runImport(cwd, 'clinic-portal.json', '--today', '2026-01-15');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Read clinic-portal.json as OWASP Threat Dragon v2 JSON (told by its content; --from to choose another format).');
    expect(r.stdout).toContain('Imported 6 threats from clinic-portal.json into threat-model.yml\n  3 boundaries, 4 components, 3 flows, 0 owners');
    const { text, model } = written(cwd);
    expect(model.system).toEqual({ name: 'Clinic Portal', description: 'Patients book appointments and read their records.' });
    expect(model.boundaries.map((b) => [b.id, b.name])).toEqual([
      ['clinic-network', 'Clinic network'],
      ['records-zone', 'Records zone'],
      ['internet-edge', 'Internet edge'],
    ]);
    // Membership: the innermost box holding the centre; the actor is outside every box.
    expect(model.components.map((c) => [c.id, c.type, c.boundary])).toEqual([
      ['patient', 'external-entity', undefined],
      ['patient-portal', 'process', 'clinic-network'],
      ['records-db', 'data-store', 'records-zone'],
      ['audit-log', 'data-store', 'clinic-network'],
    ]);
    expect(model.components[1]!.name).toBe('Patient Portal'); // the newline in the name is a space
    expect(model.components[3]!.out_of_scope).toEqual({ rationale: 'Managed by the hosting provider' });
    expect(model.flows).toEqual([
      { id: 'patient-patient-portal', name: 'Appointment requests', from: 'patient', to: 'patient-portal', bidirectional: true, protocol: 'HTTPS' },
      { id: 'patient-portal-records-db', name: 'Record queries', from: 'patient-portal', to: 'records-db', protocol: 'PostgreSQL' },
      { id: 'patient-portal-audit-log', name: 'Audit events', from: 'patient-portal', to: 'audit-log' },
    ]);
    expect(text).toMatch(/boundary: records-zone\n|type: data-store # .*nested boundary boxes; the innermost is taken: review/);

    const t1 = threatById(model, 1);
    expect(t1).toMatchObject({ stride: 'spoofing', targets: 'patient-portal', cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N' }, refs: ['td:7df716cd-a982-48a5-b4ed-800ccb670701'] });
    expect(t1.severity).toBeUndefined(); // the vector rates it
    expect(t1.status).toBeUndefined(); // open
    // A bare number in `score` is a score without a vector: a severity, reported.
    expect(threatById(model, 2)).toMatchObject({ stride: 'information-disclosure', severity: 'high', status: 'mitigated', mitigation: 'Backups are encrypted with a KMS key since release 4.2.' });
    expect(threatById(model, 3)).toMatchObject({ stride: 'tampering', targets: 'patient-patient-portal', severity: 'low', status: 'not-applicable', rationale: 'TLS 1.3 end to end; the portal rejects plain HTTP.' });
    expect(threatById(model, 4)).toMatchObject({ stride: 'denial-of-service', severity: 'critical', status: 'accepted', rationale: 'Accepted until the 2026 re-architecture; the pool alarms at 80%.' });
    // CIA Integrity is read as tampering (a guess, commented); Avoided is mitigated by eliminating the cause; TBD is unrated.
    const t6 = threatById(model, 6);
    expect(t6).toMatchObject({ stride: 'tampering', status: 'mitigated', strategy: 'eliminate' });
    expect(t6.severity).toBeUndefined();
    expect(text).toContain('# Threat Dragon type "Integrity" (CIA) read as tampering: review.');
    // No number: an id from its uuid; a LINDDUN type with no STRIDE meaning is kept for lint to point at.
    const linkability = threatById(model, 'td-7df716cd');
    expect(linkability).toMatchObject({ stride: 'Linkability', severity: 'medium', refs: ['td:7df716cd-a982-48a5-b4ed-800ccb670705'] });

    expect(r.stdout).toContain('detail.diagrams[0].cells[9]: trust boundary "Internet edge" is a curve: it has no inside');
    expect(r.stdout).toContain('detail.diagrams[0].cells[3].data.threats[1]: threat td-7df716cd: type "Linkability" (LINDDUN) has no STRIDE category; kept as written');
    expect(r.stdout).toMatch(/severity from Threat Dragon "Medium" → medium on 1 threat \(td-7df716cd\)/);
    expect(r.stdout).toContain('component records-db ("Records DB"): boundary records-zone: its centre lies inside 2 nested boundary boxes; the innermost is taken');
    expect(r.stdout).toMatch(/boundary clinic-network \("Clinic network"\): trust trusted/);
  });

  it('--merge with a newer export adds only the new threat and changes nothing else', async () => {
    const newer = JSON.parse(fixture(SOURCE));
    const portal = newer.detail.diagrams[0].cells[3];
    portal.data.threats[0].title = 'Session token replay (renamed in Threat Dragon)';
    portal.data.threats.push({ id: '9b1f0000-0000-4000-8000-000000000007', number: 7, title: 'Password reset abused', type: 'Spoofing', severity: 'High', status: 'Open', description: 'Reset links do not expire.', mitigation: '', modelType: 'STRIDE', score: '' });
    const cwd = tree({ 'newer.json': JSON.stringify(newer) }, { 'clinic-portal.json': SOURCE });
    expect((await runImport(cwd, 'clinic-portal.json', '--today', '2026-01-15')).code).toBe(0);
    const before = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');

    const r = await runImport(cwd, 'newer.json', '--merge', 'threat-model.yml', '--today', '2026-02-01');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Added 1 threat from newer.json to threat-model.yml; skipped 6 ids already there: 1, td-7df716cd, 2, 6, 3, 4');
    expect(r.stdout).toContain('  0 new components, 0 new flows, 0 new owners');
    const after = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toBe(
      [
        '  # Imported by `threatloop import` from newer.json on 2026-02-01.',
        '  - id: 7',
        '    title: Password reset abused',
        '    stride: spoofing',
        '    targets: patient-portal',
        '    description: Reset links do not expire.',
        '    severity: high',
        '    refs:',
        '      - td:9b1f0000-0000-4000-8000-000000000007',
        '',
      ].join('\n'),
    );
    const again = await runImport(cwd, 'newer.json', '--merge', 'threat-model.yml');
    expect(again.stdout).toBe('Nothing to add: all 7 threat ids in newer.json are already in threat-model.yml.');
    expect(readFileSync(join(cwd, 'threat-model.yml'), 'utf8')).toBe(after);
  });

  it('bad input: dangling flow ends, truncation, v1 models and a misleading extension exit 1 and write nothing', async () => {
    const dangling = JSON.parse(fixture(SOURCE));
    dangling.detail.diagrams[0].cells[6].source = { x: 180, y: 70 };
    delete dangling.detail.diagrams[0].cells[7].target;
    const text = fixture(SOURCE);
    const cwd = tree({
      'dangling.json': JSON.stringify(dangling, null, 2),
      'truncated.json': text.slice(0, 5000),
      'v1.json': JSON.stringify({ summary: { title: 'Old' }, detail: { diagrams: [{ title: 'd', diagramJson: { cells: [] } }] } }),
      'threats.csv': text,
      'threat-model.yml': 'mine\n',
    });
    const cases: [string, RegExp][] = [
      ['dangling.json', /dangling\.json: 2 data flows have ends not attached to any element[^]*\n {2}detail\.diagrams\[0\]\.cells\[6\] flow "Appointment requests": its source is a loose point \(180, 70\)\n {2}detail\.diagrams\[0\]\.cells\[7\] flow "Record queries": it has no target/],
      ['truncated.json', /truncated\.json:1\d\d:\d+: the JSON ends in the middle of a value: the file is truncated/],
      ['v1.json', /v1\.json: detail\.diagrams: this is a Threat Dragon v1 model/],
      // JSON content behind a .csv name is read as what it is.
      ['threats.csv', /^$/],
    ];
    for (const [file, message] of cases) {
      const r = await runImport(cwd, file, '--output', file === 'threats.csv' ? 'threat-model.yml' : 'out.yml');
      if (file === 'threats.csv') {
        expect(r.code, file).toBe(2); // read as Threat Dragon, then refused: the output exists
        expect(r.stderr).toContain('threat-model.yml exists');
        continue;
      }
      expect(r.code, file).toBe(1);
      expect(r.stderr, file).toMatch(message);
    }
    expect(readFileSync(join(cwd, 'threat-model.yml'), 'utf8')).toBe('mine\n');
    expect(readdirSync(cwd).filter((f) => f.endsWith('.yml'))).toEqual(['threat-model.yml']);
    // --from that contradicts the content: the named reader refuses it.
    writeFileSync(join(cwd, 'model.tm7'), text);
    const forced = await runImport(cwd, 'model.tm7', '--from', 'tm7', '--output', 'x.yml');
    expect(forced).toMatchObject({ code: 1 });
    expect(forced.stderr).toContain('model.tm7: not XML: a .tm7 file starts with <ThreatModel');
  });
});
