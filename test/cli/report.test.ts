import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo, workdir } from '../helpers/cli.ts';
import { threatModelText } from '../helpers/models.ts';

const MODEL = threatModelText({ threats: 3 }).replace('    mitigation: Mitigation 1\n', '    mitigation: Mitigation 1\n    controls: [SR-1]\n    tests: [TC-1]\n');

describe('threatloop report --format', () => {
  it('html: one self-contained file with the Graphviz diagram', async () => {
    const cwd = workdir({ 'threat-model.yml': MODEL });
    const cli = captureIo(cwd);
    expect(await main(['report', '--format', 'html', '--output', 'out/report.html', '--today', '2030-01-01'], cli.io)).toBe(0);
    const html = readFileSync(join(cwd, 'out/report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html.match(/class="node/g)).toHaveLength(3);
    expect(html).not.toMatch(/<script|<link|\bsrc=/);
    expect(cli.stderr()).toContain('wrote out/report.html: 3 threats');
  });

  it('csv: the traceability matrix on stdout, one row per threat and target, controls and tests included', async () => {
    const cli = captureIo(workdir({ 'threat-model.yml': MODEL }));
    expect(await main(['report', '--format', 'csv'], cli.io)).toBe(0);
    const lines = cli.stdout().split('\r\n');
    expect(lines[0]).toMatch(/^\uFEFFThreat ID,Threat,Element ID/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(',SR-1,TC-1,');
  });

  it('refuses an unknown format, and a model with errors gets no file', async () => {
    const cwd = workdir({ 'threat-model.yml': MODEL.replace('targets: api', 'targets: apj') });
    const usage = captureIo(cwd);
    expect(await main(['report', '--format', 'pdf'], usage.io)).toBe(2);
    expect(usage.stderr()).toContain('unknown format "pdf" (use markdown, html, csv)');
    const broken = captureIo(cwd);
    expect(await main(['report', '--format', 'html', '--output', 'r.html'], broken.io)).toBe(1);
    expect(broken.stderr()).toContain('unknown-reference');
    expect(existsSync(join(cwd, 'r.html'))).toBe(false);
  });
});
