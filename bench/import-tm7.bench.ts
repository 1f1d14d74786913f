/**
 * Importing a Microsoft Threat Modeling Tool file of 5,000 threats (about 13 MB with its
 * embedded template, shaped like the tool's output). Target: under 2 s.
 *
 * Two figures: the import itself (validate, parse, map, build: `tm7Format.parse`, median of
 * 5 in this process), and the whole `threatloop import` command in a fresh process (read the
 * file, import, write threat-model.yml, lint it), as a user runs it.
 * Run alone: npx node bench/import-tm7.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tm7Format } from '../src/import/tm7/index.ts';
import { generateTm7 } from './generate-tm7.ts';

interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

const THREATS = 5000;
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function benchImportTm7(): BenchFigure[] {
  const text = generateTm7(THREATS);
  const label = `import a ${THREATS.toLocaleString('en-US')}-threat .tm7 (${(text.length / 1024 / 1024).toFixed(1)} MB)`;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const usage = process.cpuUsage();
    const outcome = tm7Format.parse(text, { file: 'bench.tm7' });
    times.push(performance.now() - started);
    const used = process.cpuUsage(usage);
    cpu.push((used.user + used.system) / 1000);
    if (!outcome.ok || outcome.result.model.threats.length !== THREATS) throw new Error('tm7 import benchmark: the import did not read every threat');
  }
  const dir = mkdtempSync(join(tmpdir(), 'threatloop-bench-tm7-'));
  try {
    writeFileSync(join(dir, 'model.tm7'), text);
    const started = performance.now();
    const run = spawnSync(process.execPath, [CLI, 'import', 'model.tm7', '--today', '2026-01-01'], { cwd: dir, encoding: 'utf8' });
    const command = performance.now() - started;
    if (run.status !== 0) throw new Error(`tm7 import benchmark: threatloop import failed: ${run.stderr}`);
    return [
      { name: `${label}: validate + parse + map, median of 5`, value: Math.round(median(times)), unit: 'ms' },
      // CPU time is what the import costs when the machine is shared (wall time then includes waiting for a core).
      { name: `${label}: the same, CPU time, median of 5`, value: Math.round(median(cpu)), unit: 'ms' },
      { name: `${label}: first run`, value: Math.round(times[0]!), unit: 'ms' },
      { name: `${label}: whole \`threatloop import\` in a fresh process (write YAML and lint it too)`, value: Math.round(command), unit: 'ms' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of benchImportTm7()) console.log(`${f.name}: ${f.value} ${f.unit}`);
}
