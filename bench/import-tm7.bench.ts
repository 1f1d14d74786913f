/**
 * Importing a Microsoft Threat Modeling Tool file of 5,000 threats (about 13 MB with its
 * embedded template, shaped like the tool's output). Target: under 2 s.
 *
 * The import in this process (validate, parse, map, build: `tm7Format.parse`), and the same with
 * the YAML written, each the median of 5 with its CPU time (what it costs when the machine is
 * shared); the first run; and the whole `threatloop import` command in a fresh process (read the
 * file, import, write threat-model.yml, lint it), median of 3, as a user runs it.
 * Run alone: npx node bench/import-tm7.bench.ts
 */
import { fileURLToPath } from 'node:url';
import { formatImportedModel } from '../src/import/index.ts';
import { tm7Format } from '../src/import/tm7/index.ts';
import { generateTm7 } from './generate-tm7.ts';
import { importCommandTimes, median } from './import-command.ts';

interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

const THREATS = 5000;
const RUNS = 5;

export function benchImportTm7(): BenchFigure[] {
  const text = generateTm7(THREATS);
  const label = `import a ${THREATS.toLocaleString('en-US')}-threat .tm7 (${(text.length / 1024 / 1024).toFixed(1)} MB)`;
  const times: number[] = [];
  const cpu: number[] = [];
  const written: number[] = [];
  const writtenCpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const usage = process.cpuUsage();
    const outcome = tm7Format.parse(text, { file: 'bench.tm7' });
    times.push(performance.now() - started);
    cpu.push(cpuMs(process.cpuUsage(usage)));
    if (!outcome.ok || outcome.result.model.threats.length !== THREATS) throw new Error('tm7 import benchmark: the import did not read every threat');
    formatImportedModel(outcome.result, { source: 'bench.tm7', date: '2026-01-01' });
    written.push(performance.now() - started);
    writtenCpu.push(cpuMs(process.cpuUsage(usage)));
  }
  const command = importCommandTimes('model.tm7', text, 3);
  return [
    { name: `${label}: validate + parse + map, median of ${RUNS}`, value: Math.round(median(times)), unit: 'ms' },
    { name: `${label}: the same, CPU time, median of ${RUNS}`, value: Math.round(median(cpu)), unit: 'ms' },
    { name: `${label}: the above and the YAML written, median of ${RUNS}`, value: Math.round(median(written)), unit: 'ms' },
    { name: `${label}: the same, CPU time, median of ${RUNS}`, value: Math.round(median(writtenCpu)), unit: 'ms' },
    { name: `${label}: first run`, value: Math.round(times[0]!), unit: 'ms' },
    { name: `${label}: whole \`threatloop import\` in a fresh process (also writes and lints the file; median of 3)`, value: Math.round(median(command.wall)), unit: 'ms' },
    { name: `${label}: the same, CPU time, median of 3`, value: Math.round(median(command.cpu)), unit: 'ms' },
  ];
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of benchImportTm7()) console.log(`${f.name}: ${f.value} ${f.unit}`);
}
