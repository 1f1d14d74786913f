import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runImport, threatById, tree, written } from './run.ts';

describe('import Threagile', () => {
  it('keeps Threagile ids, nests boundaries, reads communication links, individual risks and wildcard risk tracking', async () => {
    const cwd = tree({}, { 'threagile.yaml': 'threagile/threagile.yaml' });
    const r = await runImport(cwd, 'threagile.yaml', '--today', '2026-01-15');
    expect(r.code).toBe(0);
    const { model } = written(cwd);
    expect(model.boundaries.map((b) => [b.id, b.description])).toEqual([
      ['hospital-network', 'Threagile type: network-on-prem.'],
      ['data-zone', 'Records and the server that reads them. Threagile type: network-virtual-lan. Nested in Hospital Network.'],
    ]);
    expect(model.components.map((c) => [c.id, c.type, c.boundary, c.owner])).toEqual([
      ['clinician-browser', 'external-entity', undefined, 'hospital-it'],
      ['load-balancer', 'process', 'hospital-network', 'platform-team'],
      ['portal-server', 'process', 'data-zone', 'platform-team'],
      ['records-db', 'data-store', 'data-zone', 'data-team'],
    ]);
    expect(model.components[0]!.out_of_scope).toEqual({ rationale: 'Managed by hospital IT' });
    expect(model.owners).toEqual({ 'hospital-it': { name: 'Hospital IT' }, 'platform-team': { name: 'Platform Team' }, 'data-team': { name: 'Data Team' } });
    expect(model.flows.map((f) => [f.id, f.from, f.to, f.protocol])).toEqual([
      ['clinician-browser.portal-traffic', 'clinician-browser', 'load-balancer', 'https'],
      ['load-balancer.web-application-traffic', 'load-balancer', 'portal-server', 'http'],
      ['portal-server.records-query', 'portal-server', 'records-db', 'jdbc-encrypted'],
    ]);
    // The exact risk_tracking key wins over the wildcard; the other risk takes the wildcard's.
    expect(threatById(model, 'shared-clinician-accounts:portal-server')).toMatchObject({
      title: 'Shared Clinician Accounts at Portal Server',
      stride: 'repudiation',
      targets: 'portal-server',
      severity: 'high',
      status: 'accepted',
      rationale: 'Badge tap rollout is planned for 2026; wards keep shared logins until then.',
      mitigation: 'Personal logins with badge tap.',
      refs: ['threagile:shared-clinician-accounts@portal-server', 'CWE-308', 'SEC-101'],
    });
    expect(threatById(model, 'shared-clinician-accounts:records-db')).toMatchObject({ severity: 'high', status: 'in-progress', refs: ['threagile:shared-clinician-accounts@records-db', 'CWE-308', 'SEC-102'] });
    expect(r.stdout).toContain('severity from Threagile "elevated" → high on 1 threat');
    expect(r.stdout).toContain("1 risk_tracking entry is for risks Threagile's rules find (missing-hardening@*): import its risks.json with --merge");
  });

  it('risks.json merged into the model imported from the YAML lands on the same components and adds only its risks', async () => {
    const cwd = tree({}, { 'threagile.yaml': 'threagile/threagile.yaml', 'risks.json': 'threagile/risks.json' });
    await runImport(cwd, 'threagile.yaml', '--today', '2026-01-15');
    const before = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    const r = await runImport(cwd, 'risks.json', '--merge', 'threat-model.yml', '--today', '2026-02-01');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Read risks.json as Threagile (model YAML or risks.json) (told by its content');
    expect(r.stdout).toContain('Added 3 threats from risks.json to threat-model.yml');
    expect(r.stdout).toContain('  0 new components, 0 new flows, 0 new owners');
    const after = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    const { model } = written(cwd);
    // Built-in rules carry their STRIDE category; risk_status is the tracked status.
    expect(threatById(model, 'unencrypted-communication:load-balancer.web-application-traffic:load-balancer:portal-server')).toMatchObject({ stride: 'information-disclosure', targets: 'portal-server', severity: 'high' });
    expect(threatById(model, 'missing-hardening:records-db')).toMatchObject({ stride: 'tampering', status: 'mitigated', targets: 'records-db' });
    expect(threatById(model, 'cross-site-scripting:portal-server')).toMatchObject({ status: 'not-applicable', rationale: expect.stringContaining('false-positive in Threagile') });
    const again = await runImport(cwd, 'risks.json', '--merge', 'threat-model.yml');
    expect(again.stdout).toContain('Nothing to add: all 3 threat ids in risks.json are already in threat-model.yml.');
  });

  it('bad input: a link to a missing asset and a YAML alias bomb are refused with where', async () => {
    const dangling = fixture('threagile/threagile.yaml').replace('target: records-db', 'target: records-cache');
    const bomb = ['threagile_version: 1.0.0', 'a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`), 'technical_assets: {}', ''].join('\n');
    const cwd = tree({ 'dangling.yaml': dangling, 'bomb.yaml': bomb });
    const r = await runImport(cwd, 'dangling.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('dangling.yaml: 1 communication link has no target asset:\n  technical_assets.Portal Server.communication_links.Records Query: target "records-cache" is not the id of a technical asset');
    const b = await runImport(cwd, 'bomb.yaml');
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/bomb\.yaml: .*alias/i);
  });
});
