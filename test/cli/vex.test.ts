import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo, workdir } from '../helpers/cli.ts';
import { MODEL_TEXT, SBOM_TEXT } from '../sbom/fixtures.ts';

const repo = (files: Record<string, string>) => workdir(files, 'threatloop-vex-');

async function run(cwd: string, ...argv: string[]) {
  const c = captureIo(cwd);
  const code = await main(argv, c.io);
  expect(`${c.stdout()}\n${c.stderr()}`).not.toMatch(/\n\s+at .*:\d+:\d+/);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

describe('threatloop vex', () => {
  it('writes a valid VEX document, notes what it skipped, and gives the same serial number for the same inputs', async () => {
    const dir = repo({ 'threat-model.yml': MODEL_TEXT, 'bom.cdx.json': SBOM_TEXT });
    const r = await run(dir, 'vex', '--sbom', 'bom.cdx.json', '--output', 'out/vex.cdx.json', '--today', '2025-06-01');
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')).toEqual([
      'note: threat T3 names CVE-2024-3333 but gives no VEX statement: status is open; only mitigated or verified threats say "not affected"',
      'note: threat T4 names CVE-2024-4444 but gives no VEX statement: none of its targets (db) is a component with `sbom` entries',
      'wrote out/vex.cdx.json: 3 statements (not_affected) from threat-model.yml and bom.cdx.json',
    ]);
    const json = readFileSync(join(dir, 'out/vex.cdx.json'), 'utf8');
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json)).toBeNull();
    const again = await run(dir, 'vex', '--sbom', 'bom.cdx.json', '--today', '2025-06-01');
    expect(again.stdout).toBe(json.trimEnd());
    expect(JSON.parse(json).serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('reads the SBOM path from config `sbom`', async () => {
    const dir = repo({ 'threat-model.yml': MODEL_TEXT, 'sec/bom.json': SBOM_TEXT, '.github/threatloop.yml': 'sbom: ./sec/bom.json\n' });
    const r = await run(dir, 'vex');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).vulnerabilities).toHaveLength(3);
  });

  it('a broken SBOM: the finding with where, exit 1, and an existing output file left alone', async () => {
    const dir = repo({ 'threat-model.yml': MODEL_TEXT, 'bom.cdx.json': '{\n  "bomFormat": "CycloneDX",\n  "components": [,]\n}', 'vex.json': 'previous' });
    const r = await run(dir, 'vex', '--sbom', 'bom.cdx.json', '--output', 'vex.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bom.cdx.json:3:18 error sbom the SBOM is not valid JSON: Unexpected token ','");
    expect(r.stderr).toContain('no VEX was written');
    expect(readFileSync(join(dir, 'vex.json'), 'utf8')).toBe('previous');
  });

  it('a model with lint errors gets no VEX', async () => {
    const dir = repo({ 'threat-model.yml': MODEL_TEXT.replace('targets: auth', 'targets: nobody'), 'bom.cdx.json': SBOM_TEXT });
    const r = await run(dir, 'vex', '--sbom', 'bom.cdx.json', '--output', 'vex.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/threat-model\.yml:\d+:\d+ error unknown-reference threat T2: unknown component or flow "nobody"/);
    expect(existsSync(join(dir, 'vex.json'))).toBe(false);
  });

  it('usage errors exit 2: no SBOM named, a missing SBOM file', async () => {
    const dir = repo({ 'threat-model.yml': MODEL_TEXT });
    const none = await run(dir, 'vex');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^threatloop vex: --sbom is required \(or set `sbom` in \.github\/threatloop\.yml\)/);
    const missing = await run(dir, 'vex', '--sbom', 'nope.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^threatloop vex: SBOM file not found: nope\.json/);
  });
});

describe('threatloop lint --sbom', () => {
  it('reports component sbom entries the SBOM lacks, at their line, with a did-you-mean', async () => {
    const text = MODEL_TEXT.replace('sbom: [api-image,', 'sbom: [api-imgae,');
    const dir = repo({ 'threat-model.yml': text, 'bom.cdx.json': SBOM_TEXT });
    const r = await run(dir, 'lint', '--sbom', 'bom.cdx.json', '--format', 'json');
    const findings = JSON.parse(r.stdout).findings.filter((f: { rule: string }) => f.rule === 'sbom-unknown-ref');
    expect(findings.map((f: { start: { line: number }; message: string; level: string }) => [f.start.line, f.level, f.message])).toEqual([
      [7, 'warning', 'component "api": "api-imgae" is not in the SBOM bom.cdx.json (no component with that bom-ref); did you mean "api-image"?'],
    ]);
    // Without an SBOM the rule has nothing to check against.
    const without = await run(dir, 'lint', '--format', 'json');
    expect(JSON.parse(without.stdout).findings.filter((f: { rule: string }) => f.rule === 'sbom-unknown-ref')).toEqual([]);
  });

  it('a broken SBOM is an error finding of its own; the model is still linted', async () => {
    const dir = repo({ 'threat-model.yml': MODEL_TEXT, 'bom.cdx.json': '{"bomFormat": "SPDX", "specVersion": "2.3"}' });
    const r = await run(dir, 'lint', '--sbom', 'bom.cdx.json');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('bom.cdx.json:1:1 error sbom bomFormat: must be "CycloneDX" (only CycloneDX JSON SBOMs are read)');
    expect(r.stdout).toMatch(/threat-model\.yml:\d+:\d+ warning stride-coverage/);
  });
});

describe('sbom-unknown-ref bounds', () => {
  it('gives a did-you-mean to the first 20 misses only, and still reports every miss', async () => {
    const { lintModelText } = await import('../../src/model/lint/index.ts');
    const { readSbom } = await import('../../src/sbom/read.ts');
    const read = readSbom(SBOM_TEXT, 'bom.cdx.json');
    if (!read.ok) throw new Error('fixture');
    const refs = Array.from({ length: 30 }, (_, i) => `api-imag${i}`);
    const text = MODEL_TEXT.replace('sbom: [api-image,', `sbom: [${refs.join(', ')},`);
    const findings = lintModelText(text, 'm.yml', { today: '2025-06-01', sbom: read.sbom }).findings.filter((f) => f.rule === 'sbom-unknown-ref');
    expect(findings).toHaveLength(30);
    expect(findings.filter((f) => f.message.includes('did you mean')).length).toBe(20);
  });
});
