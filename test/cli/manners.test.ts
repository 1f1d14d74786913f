/**
 * The CLI as a process: `> file` gets only the output, paths are read from
 * where the user stands, a closed pipe ends quietly, and mistyped commands
 * and options get a did-you-mean.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { isClosedPipe, userCwd } from '../../src/cli/run.ts';
import { captureIo } from '../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = 'examples/genomewell/threat-model.yml';
/** npm and npx from the PATH, with the project's Node 24 first, as `npm run` has it. */
const npmEnv = { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` };

describe('did-you-mean', () => {
  it('for an unknown command', async () => {
    const c = captureIo();
    expect(await main(['lnit', 'x.yml'], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/^threatloop: unknown command "lnit"; did you mean "lint"\?/);
  });

  it('for an unknown option, with the options the command has', async () => {
    const c = captureIo();
    expect(await main(['lint', '--formt', 'json'], c.io)).toBe(2);
    expect(c.stderr()).toContain('threatloop lint: unknown option "--formt"; did you mean "--format"? (options: --format, --sbom, --config, --today)');
    const imp = captureIo();
    expect(await main(['import', 'x.csv', '--merj', 'y.yml'], imp.io)).toBe(2);
    expect(imp.stderr()).toContain('unknown option "--merj"; did you mean "--merge"?');
  });

  it('and no guess when nothing is close', async () => {
    const c = captureIo();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/^threatloop: unknown command "frobnicate"\n/);
  });
});

describe('userCwd', () => {
  it('is INIT_CWD only when npm moved the process to this package\'s root', () => {
    expect(userCwd('/repo', { INIT_CWD: '/repo/examples/genomewell' }, '/repo')).toBe('/repo/examples/genomewell');
    // npx, the installed binary, or another package's script that cd's elsewhere: the real cwd.
    expect(userCwd('/elsewhere/docs', { INIT_CWD: '/elsewhere' }, '/repo')).toBe('/elsewhere/docs');
    expect(userCwd('/repo', {}, '/repo')).toBe('/repo');
  });
});

describe('isClosedPipe', () => {
  it('knows the errors a reader that went away causes', () => {
    expect(isClosedPipe(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
    expect(isClosedPipe(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe(false);
    expect(isClosedPipe(null)).toBe(false);
  });
});

describe('the threatloop process', () => {
  it('`npx threatloop lint --format sarif > file` writes nothing but SARIF to stdout', () => {
    const run = spawnSync('npx', ['--offline', 'threatloop', 'lint', '--format', 'sarif', EXAMPLE], { cwd: ROOT, env: npmEnv, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ version: '2.1.0' });
  });

  it('`npm run -s threatloop` from a subfolder reads paths from that subfolder', () => {
    const run = spawnSync('npm', ['run', '-s', 'threatloop', '--', 'lint', '--format', 'json', 'threat-model.yml'], {
      cwd: join(ROOT, 'examples/genomewell'),
      env: npmEnv,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ summary: { errors: 0 } });
  });

  it('ends quietly when the reader closes the pipe (`| head -1`)', async () => {
    // 5,000 vectors, one line each: far more than a pipe buffer, written line by line.
    const vectors = Array.from({ length: 5000 }, () => 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N');
    const child = spawn(process.execPath, ['src/cli/run.ts', 'cvss', ...vectors], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    // The first chunk read, the pipe is closed, as `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const [code, signal] = (await new Promise((resolve) => child.on('exit', (...args) => resolve(args)))) as [number | null, string | null];
    expect(stderr).toBe('');
    expect(signal).toBeNull();
    expect(code).toBe(0);
  });
});
