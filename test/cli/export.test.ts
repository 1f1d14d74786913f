import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo, workdir } from '../helpers/cli.ts';

const GENOMEWELL = readFileSync(join(process.cwd(), 'examples/genomewell/threat-model.yml'), 'utf8');

async function run(cwd: string, ...args: string[]) {
  const capture = captureIo(cwd);
  const code = await main(['export', ...args], capture.io);
  return { code, stdout: capture.stdout(), stderr: capture.stderr() };
}

describe('threatloop export', () => {
  it('writes each format, and the OTM and CSV it writes import back', async () => {
    const cwd = workdir({ 'threat-model.yml': GENOMEWELL }, 'threatloop-export-');
    for (const format of ['otm', 'tmbom', 'csv']) {
      const r = await run(cwd, '--format', format, '--output', `out.${format}`);
      expect(r.code, format).toBe(0);
      expect(r.stderr).toBe(`wrote out.${format}: 53 threats as ${format}`);
    }
    expect(JSON.parse(readFileSync(join(cwd, 'out.otm'), 'utf8'))).toMatchObject({ otmVersion: '0.2.0', project: { name: 'GenomeWell' } });
    expect(JSON.parse(readFileSync(join(cwd, 'out.tmbom'), 'utf8'))).toMatchObject({ specFormat: 'CycloneDX', specVersion: '2.0' });
    const capture = captureIo(cwd);
    expect(await main(['import', 'out.otm', '--output', 'back.yml', '--today', '2026-01-01'], capture.io)).toBe(0);
    expect(capture.stdout()).toContain('Read out.otm as Open Threat Model');
    expect(capture.stdout()).toContain('Lint: 0 errors');
    const stdout = await run(cwd, '--format', 'csv');
    expect(stdout.stdout.split(/\r?\n/)[0]).toBe('ID,Threat,STRIDE,Component / Data-flow,Description,CVSS Vector,Base Score,Severity,Strategy,Mitigation Action,Owner,Status,Due Date,Verification Method,Residual Risk,Linked Ticket,Rationale');
  });

  it('refuses a model with lint errors, a missing or unknown --format, and the model itself as --output', async () => {
    const broken = GENOMEWELL.replace('version: 1', 'version: 1\nunknown_section: 1');
    const cwd = workdir({ 'threat-model.yml': broken, 'good.yml': GENOMEWELL }, 'threatloop-export-');
    const r = await run(cwd, '--format', 'otm', '--output', 'out.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('threatloop export: fix the errors above; nothing was exported');
    expect(existsSync(join(cwd, 'out.json'))).toBe(false);
    expect(await run(cwd, 'good.yml')).toMatchObject({ code: 2, stderr: expect.stringContaining('--format is required (otm, tmbom, csv)') });
    expect(await run(cwd, 'good.yml', '--format', 'xml')).toMatchObject({ code: 2, stderr: expect.stringContaining('--format must be one of otm, tmbom, csv') });
    expect(await run(cwd, 'good.yml', '--format', 'csv', '--output', 'good.yml')).toMatchObject({ code: 2, stderr: expect.stringContaining('is the model itself') });
    expect(readFileSync(join(cwd, 'good.yml'), 'utf8')).toBe(GENOMEWELL);
  });
});
