/**
 * The layers the README promises, kept by a test: every relative import in src/ is read and checked
 * against the rules below. A new folder must be placed in a rule (or get one) before it can import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every relative import (static, `export … from`, and dynamic) of every file, as paths under src/. */
function imports(): { from: string; to: string }[] {
  const pattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  return sourceFiles(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(pattern)].map((m) => ({
      from: relative(SRC, file),
      to: relative(SRC, resolve(dirname(file), (m[1] ?? m[2])!)),
    })),
  );
}

const all = imports();
const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const violations = (fromFolder: string, allowed: (to: string) => boolean) =>
  all.filter(({ from, to }) => within(from, fromFolder) && !allowed(to)).map(({ from, to }) => `${from} -> ${to}`);

describe('layers', () => {
  test('the scan sees the imports (a broken pattern would pass every rule)', () => {
    expect(all.length).toBeGreaterThan(200);
    expect(all).toContainEqual({ from: 'sync/run.ts', to: 'input/pipeline.ts' });
  });

  test('model/ imports nothing outside itself', () => {
    expect(violations('model', (to) => within(to, 'model'))).toEqual([]);
  });

  test('render/ imports only model/ (and its own kit)', () => {
    expect(violations('render', (to) => within(to, 'model') || within(to, 'render'))).toEqual([]);
  });

  test('config/ imports only model/', () => {
    expect(violations('config', (to) => within(to, 'model') || within(to, 'config'))).toEqual([]);
  });

  test('pull-request/ (the pure PR part) imports only model/, config/, render/ and itself', () => {
    expect(violations('pull-request', (to) => ['model', 'config', 'render', 'pull-request'].some((f) => within(to, f)))).toEqual([]);
  });

  test('nothing under sync/, input/, github/, import/ or pull-request/ imports app/ or cli/', () => {
    const bad = ['sync', 'input', 'github', 'import', 'pull-request'].flatMap((folder) =>
      violations(folder, (to) => !within(to, 'app') && !within(to, 'cli')),
    );
    expect(bad).toEqual([]);
  });

  test('one room per tracker: the GitHub side never imports the Jira side, and Jira never imports GitHub’s planner', () => {
    expect(violations('sync/github', (to) => !within(to, 'sync/jira'))).toEqual([]);
    expect(violations('sync/jira', (to) => !['sync/github/plan.ts', 'sync/github/apply.ts'].includes(to))).toEqual([]);
  });

  test('only the tracker registry names a tracker’s folder outside it', () => {
    const outside = all.filter(({ from, to }) => within(to, 'sync/jira') && !within(from, 'sync/jira') && from !== 'sync/trackers.ts');
    expect(outside.map(({ from, to }) => `${from} -> ${to}`)).toEqual([]);
  });
});
