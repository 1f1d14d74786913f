/**
 * The whole `threatloop import FILE` as a user runs it, in a fresh process: start-up, read the
 * file, detect, import, write threat-model.yml, lint it. Wall time of each run (the median is
 * the figure). Shared by the OTM and .tm7 import benches.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The CLI's entry point (src/cli/run.ts runs the command; main.ts only defines it). */
const CLI = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));
const CPU_REPORT = new URL('./cpu-report.mjs', import.meta.url).href;

/** Wall and CPU time (ms) of each run. */
export function importCommandTimes(fileName: string, contents: string | Uint8Array, runs: number): { wall: number[]; cpu: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'threatloop-bench-import-'));
  try {
    writeFileSync(join(dir, fileName), contents);
    const wall: number[] = [];
    const cpu: number[] = [];
    const cpuFile = join(dir, 'cpu.txt');
    for (let i = 0; i < runs; i++) {
      const output = `threat-model-${i}.yml`;
      const started = performance.now();
      const run = spawnSync(process.execPath, ['--import', CPU_REPORT, CLI, 'import', fileName, '--output', output, '--today', '2026-01-01'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, THREATLOOP_BENCH_CPU_FILE: cpuFile },
      });
      wall.push(performance.now() - started);
      if (run.status !== 0 || !existsSync(join(dir, output))) throw new Error(`threatloop import ${fileName} failed (exit ${run.status}): ${run.stderr.slice(0, 500)}`);
      cpu.push(Number(readFileSync(cpuFile, 'utf8')));
    }
    return { wall, cpu };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
