/**
 * The CLI's compile cache (bin/compile-cache.js): on by default in this user's own cache folder, never
 * in the shared temporary folder (code another user could plant there would run), NODE_COMPILE_CACHE
 * and NODE_DISABLE_COMPILE_CACHE respected, and a command that runs the same with it as without.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript without declarations (it runs before any TypeScript can)
import { compileCacheDirectory } from '../../bin/compile-cache.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N';

describe('compile cache folder', () => {
  it("is the user's own cache folder, XDG_CACHE_HOME when set", () => {
    expect(compileCacheDirectory({})).toBe(join(homedir(), '.cache', 'threatloop', 'node-compile-cache'));
    expect(compileCacheDirectory({ XDG_CACHE_HOME: '/home/u/.xdg' })).toBe('/home/u/.xdg/threatloop/node-compile-cache');
    expect(compileCacheDirectory({}).startsWith(tmpdir())).toBe(false);
  });

  it('leaves the choice to Node when NODE_COMPILE_CACHE is set', () => {
    expect(compileCacheDirectory({ NODE_COMPILE_CACHE: '/somewhere' })).toBeUndefined();
  });
});

describe('threatloop with the compile cache', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['bin/threatloop.js', 'cvss', VECTOR], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });

  it('fills the cache in XDG_CACHE_HOME and prints the same as without it', () => {
    const cacheHome = mkdtempSync(join(tmpdir(), 'threatloop-xdg-'));
    const env = { XDG_CACHE_HOME: cacheHome, NODE_COMPILE_CACHE: '' };
    const first = run(env);
    const second = run(env);
    const without = run({ NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(without.stdout).toBe(first.stdout);
    expect(first.stdout).toContain('9.1');
    const folder = join(cacheHome, 'threatloop', 'node-compile-cache');
    expect(readdirSync(folder).length).toBeGreaterThan(0);
  });

  it('writes nothing when NODE_DISABLE_COMPILE_CACHE is set', () => {
    const cacheHome = mkdtempSync(join(tmpdir(), 'threatloop-xdg-'));
    expect(run({ XDG_CACHE_HOME: cacheHome, NODE_COMPILE_CACHE: '', NODE_DISABLE_COMPILE_CACHE: '1' }).status).toBe(0);
    expect(existsSync(join(cacheHome, 'threatloop', 'node-compile-cache'))).toBe(false);
  });
});
