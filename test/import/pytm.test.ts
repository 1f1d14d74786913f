import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runImport, threatById, tree, written } from './run.ts';

const SOURCE = 'pytm/comment-board.json';

describe('import OWASP pytm --json output', () => {
  it('maps elements by class, boundaries, sourceFiles as paths, and findings with stable ids from rule and target', async () => {
    const cwd = tree({}, { 'tm.json': SOURCE });
    const r = await runImport(cwd, 'tm.json', '--today', '2026-01-15');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Read tm.json as OWASP pytm --json output (told by its content');
    const { model, text } = written(cwd);
    expect(model.components.map((c) => [c.id, c.type, c.boundary, c.paths])).toEqual([
      ['user', 'external-entity', 'internet', undefined],
      ['web-server', 'process', 'dmz', ['services/web/**']],
      ['sql-database', 'data-store', 'server-db', ['infra/db/**']],
      ['task-queue-worker', 'process', 'server-db', ['services/worker/**']],
    ]);
    expect(model.flows.map((f) => [f.id, f.from, f.to])).toContainEqual(['web-server-sql-database', 'web-server', 'sql-database']);
    expect(model.threats.map((t) => t.id)).toEqual(['INP02-web-server', 'AC21-web-server', 'DS06-sql-database', 'DE01-insert-query-with-comments', 'INP39-web-server']);
    expect(threatById(model, 'INP02-web-server')).toMatchObject({ stride: 'tampering', severity: 'critical', refs: expect.arrayContaining(['pytm:INP02@Web Server', 'http://cwe.mitre.org/data/definitions/120.html']) });
    expect(threatById(model, 'INP02-web-server').mitigation).toBe('Mitigations for Overflow Buffers: validate & encode input.');
    expect(threatById(model, 'AC21-web-server')).toMatchObject({ status: 'mitigated' });
    expect(threatById(model, 'DS06-sql-database')).toMatchObject({ cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N' } });
    // A finding on a flow targets the flow; an accepted response is accepted.
    expect(threatById(model, 'DE01-insert-query-with-comments')).toMatchObject({ targets: 'web-server-sql-database', status: 'accepted', strategy: 'accept' });
    // Excluded by an assumption: not applicable, the assumption is the rationale.
    expect(threatById(model, 'INP39-web-server')).toMatchObject({ status: 'not-applicable', rationale: "WAF in front: The CDN's WAF blocks XSS payloads before they reach the web server." });
    expect(text).toContain("# STRIDE tampering from pytm's rule family INP: review.");
    expect(r.stdout).toContain("STRIDE of 5 threats read from pytm's rule families");
  });

  it('a second run renumbers findings (pytm issue #154): the merge still adds only the new one', async () => {
    const rerun = JSON.parse(fixture(SOURCE));
    // pytm numbers findings in the order it evaluates them: a new rule hit shifts every id.
    rerun.findings.unshift({ ...rerun.findings[0], id: '1', threat_id: 'HA01', description: 'Path Traversal', severity: 'High' });
    rerun.findings.forEach((f: { id: string }, i: number) => (f.id = String(i + 1)));
    const cwd = tree({ 'rerun.json': JSON.stringify(rerun) }, { 'tm.json': SOURCE });
    await runImport(cwd, 'tm.json', '--today', '2026-01-15');
    const before = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    const r = await runImport(cwd, 'rerun.json', '--merge', 'threat-model.yml', '--today', '2026-02-01');
    expect(r.stdout).toContain('Added 1 threat from rerun.json to threat-model.yml; skipped 5 ids already there');
    const after = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toContain('  - id: HA01-web-server\n    title: Path Traversal\n');
  });

  it('bad input: a flow to an element that does not exist is refused with where', async () => {
    const broken = JSON.parse(fixture(SOURCE));
    broken.flows[1].sink = 'Cache';
    const cwd = tree({ 'broken.json': JSON.stringify(broken) });
    const r = await runImport(cwd, 'broken.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broken.json: 1 flow with an end that is not an element:\n  flows[1] "Insert query with comments": sink "Cache" is not an element');
  });
});
