/**
 * Load + validate + lint of a generated model (5,000 threats, 500 components,
 * 1,000 flows). Target: under 1 s and under 200 MB peak RSS.
 *
 * The measurement runs in a child process so peak RSS is lint's alone, not
 * whatever the bench runner did before. The parent generates the model and
 * writes it to a temporary file; the child reads it as the CLI does, so the
 * generator's own allocations are not counted as lint's.
 *
 * Memory is measured twice: running the TypeScript source (as in a clone, where
 * Node's type stripping costs ~18 MB of its own) and running the compiled build
 * (`npm run build`, as the published package and a production server run).
 * Run alone: npx node bench/lint.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateModelText } from './generate-model.ts';

const SOURCE_LINT = new URL('../src/model/lint/index.ts', import.meta.url);
const BUILT_LINT = new URL('../dist/model/lint/index.js', import.meta.url);

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

const SIZE = { threats: 5000, components: 500, flows: 1000 };
const LABEL = `lint ${SIZE.threats} threats / ${SIZE.components} components / ${SIZE.flows} flows`;
const CHILD = new URL('./lint-child.mjs', import.meta.url);

export function benchLint(): BenchFigure[] {
  const dir = mkdtempSync(join(tmpdir(), 'threatloop-bench-'));
  try {
    const file = join(dir, 'threat-model.yml');
    writeFileSync(file, generateModelText(SIZE));
    const figures = [
      ...child('time', file, SOURCE_LINT),
      ...child('memory', file, SOURCE_LINT).map((f) => ({ ...f, name: `${f.name} (TypeScript source)` })),
    ];
    const build = spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    if (build.status === 0 && existsSync(BUILT_LINT)) {
      figures.push(...child('memory', file, BUILT_LINT).map((f) => ({ ...f, name: `${f.name} (compiled build)` })));
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each measurement in a fresh process: peak RSS is then lint's alone, as in one CLI run. */
function child(mode: 'time' | 'memory', file: string, lintModule: URL): BenchFigure[] {
  // The child is plain JavaScript, so the compiled run pays nothing for type stripping.
  const run = spawnSync(process.execPath, [fileURLToPath(CHILD), mode, file, lintModule.href, LABEL], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`lint benchmark failed: ${run.stderr || run.error?.message}`);
  return JSON.parse(run.stdout) as BenchFigure[];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of benchLint()) console.log(`${f.name}: ${f.value} ${f.unit}`);
}
