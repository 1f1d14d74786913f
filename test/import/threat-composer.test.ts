import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runImport, threatById, tree, written } from './run.ts';

const SOURCE = 'threat-composer/clinic-messaging.tc.json';

describe('import AWS threat-composer', () => {
  it('makes a component per impacted asset, reads STRIDE and priority from metadata, mitigations from links and status from both', async () => {
    const cwd = tree({}, { 'messaging.tc.json': SOURCE });
    const r = await runImport(cwd, 'messaging.tc.json', '--today', '2026-01-15');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Read messaging.tc.json as AWS threat-composer (.tc.json) (told by its content');
    const { model } = written(cwd);
    expect(model.system.name).toBe('Clinic Messaging');
    expect(model.components.map((c) => [c.id, c.name])).toEqual([
      ['messages-table', 'messages table'],
      ['patient-messages', 'patient messages'],
      ['messaging-api', 'messaging API'],
    ]);
    expect(model.flows).toEqual([]);
    const t1 = threatById(model, 'T-001');
    expect(t1).toMatchObject({ stride: 'information-disclosure', targets: ['messages-table', 'patient-messages'], severity: 'high', status: 'mitigated', mitigation: 'M-001: Encrypt the messages table with a customer managed key (resolved)', refs: ['tc:t0000000-0000-4000-8000-000000000001'] });
    // The whole statement is kept: cut for the title, whole in the description.
    expect(t1.title.endsWith('…')).toBe(true);
    expect(t1.description).toContain('resulting in reduced confidentiality of messages table and patient messages');
    expect(threatById(model, 'T-002')).toMatchObject({ stride: 'denial-of-service', status: 'in-progress', severity: 'medium' });
    expect(threatById(model, 'T-003')).toMatchObject({ stride: ['repudiation', 'spoofing'], status: 'not-applicable', rationale: 'Messages are signed by the device key; a reader cannot deny having read them.' });
    expect(r.stdout).toContain('threats[0]: threat T-001: status mitigated (the threat is identified but all 1 linked mitigations are resolved)');
    expect(r.stdout).toContain("threat-composer has no components or flows: 3 components made from the threats' impacted assets");
    expect(r.stdout).toContain('severity from threat-composer priority "High" → high on 1 threat (T-001)');
  });

  it('--merge with a newer export adds only the new threat', async () => {
    const newer = JSON.parse(fixture(SOURCE));
    newer.threats[0].statement = 'Reworded in threat-composer';
    newer.threats.push({ id: 't0000000-0000-4000-8000-000000000004', numericId: 4, metadata: [{ key: 'STRIDE', value: ['T'] }, { key: 'Priority', value: 'High' }], threatSource: 'insider', threatAction: 'edit a sent message', impactedAssets: ['patient messages'], statement: 'An insider can edit a sent message', status: 'threatIdentified' });
    const cwd = tree({ 'newer.tc.json': JSON.stringify(newer) }, { 'messaging.tc.json': SOURCE });
    await runImport(cwd, 'messaging.tc.json', '--today', '2026-01-15');
    const before = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    const r = await runImport(cwd, 'newer.tc.json', '--merge', 'threat-model.yml', '--today', '2026-02-01');
    expect(r.stdout).toContain('Added 1 threat from newer.tc.json to threat-model.yml; skipped 3 ids already there: T-001, T-002, T-003');
    const after = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toContain('  - id: T-004\n    title: An insider can edit a sent message\n    stride: tampering\n    targets: patient-messages\n');
  });

  it('bad input: truncated JSON says where; nothing is written', async () => {
    const cwd = tree({ 'cut.tc.json': fixture(SOURCE).slice(0, 900) });
    const r = await runImport(cwd, 'cut.tc.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cut\.tc\.json:\d+:\d+: the JSON ends in the middle of a value: the file is truncated/);
  });
});
