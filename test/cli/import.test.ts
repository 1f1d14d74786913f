import { copyFileSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo, workdir } from '../helpers/cli.ts';

const FIXTURE = join(process.cwd(), 'test/fixtures/genomewell-threats.csv');

const dir = (files: Record<string, string | Buffer> = {}) => workdir(files, 'threatloop-import-');

async function run(cwd: string, ...args: string[]) {
  const capture = captureIo(cwd);
  const code = await main(['import', ...args], capture.io);
  const stdout = capture.stdout();
  const stderr = capture.stderr();
  expect(`${stdout}\n${stderr}`).not.toMatch(/\n\s+at .*:\d+:\d+/); // never a stack trace
  return { code, stdout, stderr };
}

describe('threatloop import', () => {
  it('writes threat-model.yml from the GenomeWell sheet, lints it and exits 0 despite the published defects', async () => {
    const cwd = dir();
    copyFileSync(FIXTURE, join(cwd, 'threats.csv'));
    const r = await run(cwd, 'threats.csv', '--system-name', 'GenomeWell', '--today', '2025-06-01');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Imported 53 threats from threats.csv (header on row 1) into threat-model.yml\n  16 components, 13 flows, 5 owners (devops, ciso, storage-team, security, legal)');
    expect(r.stdout).toContain('row 50, column A "ID": id 42 is used on rows 43, 50: all kept; give each threat its own id');
    expect(r.stdout).toContain('Guesses to review');
    expect(r.stdout).toMatch(/threat-model\.yml:\d+:\d+ error duplicate-id threat id "46" is used twice/);
    expect(r.stdout).toContain('Lint: 7 errors, ');
    expect(r.stdout).toContain('The import is written anyway: fix these in threat-model.yml');
    const written = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    expect(written).toMatch(/^# Imported by `threatloop import` from threats.csv on 2025-06-01\./);
    expect(written).toContain('system:\n  name: GenomeWell\n');

    // `lint` agrees with the report.
    const lint = await main(['lint', 'threat-model.yml', '--today', '2025-06-01'], { out: () => {}, err: () => {}, cwd, env: {} });
    expect(lint).toBe(1);
  });

  it('refuses to overwrite an existing output unless --force', async () => {
    const cwd = dir({ 's.csv': 'ID,Threat,STRIDE,Target\n1,a,S,X\n', 'threat-model.yml': 'mine\n' });
    const r = await run(cwd, 's.csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('threat-model.yml exists; pass --force to overwrite it, or --merge threat-model.yml');
    expect(readFileSync(join(cwd, 'threat-model.yml'), 'utf8')).toBe('mine\n');
    const forced = await run(cwd, 's.csv', '--force', '--today', '2025-06-01');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('Lint: 0 errors');
    expect(readFileSync(join(cwd, 'threat-model.yml'), 'utf8')).toContain('  - id: 1\n    title: a\n');
  });

  it('--merge appends new threats in place, keeps the file’s text and comments, and names the ids it skipped', async () => {
    const model = '# Our threat model.\nversion: 1\nsystem:\n  name: Shop # the web shop\ncomponents:\n  - id: x\n    name: X\n    type: process\nthreats:\n  - id: 1 # first\n    title: a\n    stride: S\n    targets: x\n';
    const cwd = dir({ 's.csv': 'ID,Threat,STRIDE,Target\n1,a,S,X\n2,b,T,X\n', 'threat-model.yml': model });
    const r = await run(cwd, 's.csv', '--merge', 'threat-model.yml', '--today', '2025-06-01');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Added 1 threat from s.csv to threat-model.yml; skipped 1 id already there: 1');
    const merged = readFileSync(join(cwd, 'threat-model.yml'), 'utf8');
    expect(merged.startsWith(model)).toBe(true);
    expect(merged.slice(model.length)).toBe('  # Imported by `threatloop import` from s.csv on 2025-06-01.\n  - id: 2\n    title: b\n    stride: tampering\n    targets: x\n');

    const again = await run(cwd, 's.csv', '--merge', 'threat-model.yml');
    expect(again).toMatchObject({ code: 0, stdout: 'Nothing to add: all 2 threat ids in s.csv are already in threat-model.yml.' });
    expect(readFileSync(join(cwd, 'threat-model.yml'), 'utf8')).toBe(merged);
  });

  it('--merge into a broken model is refused without writing', async () => {
    const cwd = dir({ 's.csv': 'ID,Threat,STRIDE,Target\n1,a,S,X\n', 'm.yml': 'threats: [\n' });
    const r = await run(cwd, 's.csv', '--merge', 'm.yml');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('m.yml is not valid YAML');
    expect(readFileSync(join(cwd, 'm.yml'), 'utf8')).toBe('threats: [\n');
  });

  it('bad input: a clear message with where, exit 1, nothing written', async () => {
    const cwd = dir({
      'binary.csv': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]),
      'empty.csv': '',
      'noid.csv': 'Threat,STRIDE,Component\nPhishing,S,Customer\n',
      'header-only.csv': 'ID,Threat,STRIDE\r\n',
      'quote.csv': 'ID,Threat\n1,"unterminated\n',
      'huge.csv': '',
    });
    truncateSync(join(cwd, 'huge.csv'), 50 * 1024 * 1024); // sparse: 50 MB without writing them
    const expectations: [string, RegExp][] = [
      ['binary.csv', /nothing imported: binary\.csv:1:3: this is binary data, not a CSV export \(byte 0x03 at line 1, column 3\)/],
      ['empty.csv', /nothing imported: empty\.csv is empty/],
      ['noid.csv', /nothing imported: noid\.csv: no ID column in the first 10 rows \(row 1 reads "Threat", "STRIDE", "Component"\)/],
      ['header-only.csv', /nothing imported: header-only\.csv row 1: no threats/],
      ['quote.csv', /nothing imported: quote\.csv:2:3: a quoted cell opened at line 2, column 3 is never closed/],
      ['huge.csv', /huge\.csv is 50\.0 MB; the limit is 8\.0 MB/],
    ];
    for (const [file, message] of expectations) {
      const r = await run(cwd, file, '--output', `${file}.yml`);
      expect(r.code, file).toBe(1);
      expect(r.stderr, file).toMatch(message);
    }
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(cwd).filter((f) => f.endsWith('.yml'))).toEqual([]);
  });

  it('OTM: detected by content whatever the name; bad input is refused with where, exit 1, nothing written over', async () => {
    const otm = readFileSync(join(process.cwd(), 'test/fixtures/otm/clinic.otm.yaml'), 'utf8');
    const cwd = dir({
      'threats.csv': otm,
      'truncated.json': JSON.stringify({ otmVersion: '0.2.0', project: { name: 'x', id: 'x' }, components: [] }).slice(0, 60),
      'cycle.yaml': otm.replace('parent: { component: api }', 'parent: { component: audit }'),
      'huge.json': '',
      'threat-model.yml': 'mine\n',
    });
    truncateSync(join(cwd, 'huge.json'), 50 * 1024 * 1024);
    const misleading = await run(cwd, 'threats.csv', '--output', 'otm.yml', '--today', '2026-01-01');
    expect(misleading.code).toBe(0);
    expect(misleading.stdout).toContain('Read threats.csv as Open Threat Model (told by its content; --from to choose another format).');
    expect(misleading.stdout).toContain('Imported 3 threats from threats.csv into otm.yml\n  2 boundaries, 4 components, 2 flows, 0 owners');
    const asCsv = await run(cwd, 'threats.csv', '--from', 'csv', '--output', 'csv.yml');
    expect(asCsv.code).toBe(1);
    const expectations: [string, RegExp][] = [
      ['truncated.json', /nothing imported: truncated\.json:1:\d+: the JSON ends in the middle of a value: the file is truncated/],
      ['cycle.yaml', /nothing imported: cycle\.yaml: \$\.components\[3\]\.parent: the parents form a cycle: audit \(component\) → audit \(component\)/],
      ['huge.json', /huge\.json is 50\.0 MB; the limit is 32\.0 MB/],
    ];
    for (const [file, message] of expectations) {
      const r = await run(cwd, file, '--force');
      expect(r.code, file).toBe(1);
      expect(r.stderr, file).toMatch(message);
      expect(readFileSync(join(cwd, 'threat-model.yml'), 'utf8'), file).toBe('mine\n');
    }
  });

  it('a source whose content would be lost is not written unless --allow-unmapped', async () => {
    const otm = readFileSync(join(process.cwd(), 'test/fixtures/otm/clinic.otm.yaml'), 'utf8').replace('    destination: results-db\n', '    destination: nowhere\n');
    const cwd = dir({ 'm.yaml': otm });
    const refused = await run(cwd, 'm.yaml');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('nothing written: the import would lose what m.yaml holds in 1 place:\n  $.dataflows[1]: dataflow query ("Query results"): its destination nowhere is not a component of this file');
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(cwd, 'threat-model.yml'))).toBe(false);
    const allowed = await run(cwd, 'm.yaml', '--allow-unmapped', '--today', '2026-01-01');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('Not kept (1, --allow-unmapped):');
  });

  it('usage errors exit 2', async () => {
    const cwd = dir({ 's.csv': 'ID,Threat\n1,a\n' });
    expect((await run(cwd)).stderr).toContain('name the CSV file to import');
    expect(await run(cwd, 's.csv', '--format', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option "--format" (options: --output, --from, --allow-unmapped, --map, --system-name, --merge, --force, --today)') });
    expect(await run(cwd, 'missing.csv')).toMatchObject({ code: 2, stderr: expect.stringContaining('file not found: missing.csv') });
    expect(await run(cwd, 's.csv', '--today', '1/2/2025')).toMatchObject({ code: 2 });
    expect(await run(cwd, 's.csv', '--merge', 'nope.yml')).toMatchObject({ code: 2, stderr: expect.stringContaining('--merge file not found: nope.yml') });
    expect(await run(cwd, 's.csv', '--map', 'Risk=sevrity')).toMatchObject({ code: 2, stderr: expect.stringContaining('--map: "sevrity" is not a field') });
    expect(await run(cwd, 's.csv', '--from', 'xml')).toMatchObject({ code: 2, stderr: expect.stringContaining('--from must be one of auto, csv, otm') });
  });
});
