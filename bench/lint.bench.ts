/**
 * Load + validate + lint of a generated model (5,000 threats, 500 components,
 * 1,000 flows). Target: under 1 s and under 200 MB peak RSS.
 *
 * The measurement runs in a child process so peak RSS is lint's alone, not
 * whatever the bench runner did before. The parent generates the model and
 * writes it to a temporary file; the child reads it as the CLI does, so the
 * generator's own allocations are not counted as lint's.
 * Run alone: npx node bench/lint.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintModelText } from '../src/model/lint/index.ts';
import { generateModelText } from './generate-model.ts';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

const SIZE = { threats: 5000, components: 500, flows: 1000 };
const RUNS = 5;
const CHILD_FLAG = '--lint-bench-child';

export function benchLint(): BenchFigure[] {
  const dir = mkdtempSync(join(tmpdir(), 'threatloop-bench-'));
  try {
    const file = join(dir, 'threat-model.yml');
    writeFileSync(file, generateModelText(SIZE));
    return [...child('time', file), ...child('memory', file)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each measurement in a fresh process: peak RSS is then lint's alone, as in one CLI run. */
function child(mode: 'time' | 'memory', file: string): BenchFigure[] {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), CHILD_FLAG, mode, file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`lint benchmark failed: ${run.stderr || run.error?.message}`);
  return JSON.parse(run.stdout) as BenchFigure[];
}

const LABEL = `lint ${SIZE.threats} threats / ${SIZE.components} components / ${SIZE.flows} flows`;

function lintOnce(text: string): number {
  const result = lintModelText(text, 'threat-model.yml', { today: '2027-01-01' });
  if (!result.model) throw new Error(`generated model did not load: ${result.findings[0]?.message}`);
  if (result.findings.some((f) => f.level === 'error')) throw new Error(`generated model has lint errors: ${result.findings[0]?.message}`);
  return result.findings.length;
}

function measureTime(file: string): BenchFigure[] {
  const text = readFileSync(file, 'utf8');
  const times: number[] = [];
  let findings = 0;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    findings = lintOnce(text);
    times.push(performance.now() - start);
  }
  const cold = times[0]!;
  times.sort((a, b) => a - b);
  return [
    { name: `${LABEL}: median wall time (${RUNS} runs, load + validate + lint)`, value: round(times[Math.floor(RUNS / 2)]!), unit: 'ms' },
    { name: `${LABEL}: first run (cold)`, value: round(cold), unit: 'ms' },
    { name: `${LABEL}: model size`, value: round(Buffer.byteLength(text) / 1024 / 1024), unit: 'MB' },
    { name: `${LABEL}: findings (all warnings)`, value: findings, unit: 'findings' },
  ];
}

function measureMemory(file: string): BenchFigure[] {
  const text = readFileSync(file, 'utf8');
  const before = process.resourceUsage().maxRSS;
  lintOnce(text);
  return [
    { name: `${LABEL}: peak RSS of one run (whole process)`, value: round(process.resourceUsage().maxRSS / 1024), unit: 'MB' },
    { name: `${LABEL}: peak RSS added by the run`, value: round((process.resourceUsage().maxRSS - before) / 1024), unit: 'MB' },
  ];
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

if (process.argv.includes(CHILD_FLAG)) {
  const [mode, file] = process.argv.slice(process.argv.indexOf(CHILD_FLAG) + 1);
  process.stdout.write(JSON.stringify(mode === 'memory' ? measureMemory(file!) : measureTime(file!)));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of benchLint()) console.log(`${f.name}: ${f.value} ${f.unit}`);
}
