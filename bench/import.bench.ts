// Importing a 5,000-threat Open Threat Model file (target: under 2 s), and writing it back as YAML.
// The OTM file is the generated 5,000-threat model exported by `threatloop export --format otm`.
// Three figures: the import in this process (detect, decode, parse, validate, map), the same and
// the YAML written, each the median of 5 with its CPU time (what it costs when the machine is
// shared: wall time then includes waiting for a core); and the whole `threatloop import` command
// in a fresh process (start-up and lint of the written file too), median of 3.
import { performance } from 'node:perf_hooks';
import { exportOtm } from '../src/export/otm.ts';
import { formatImportedModel, importSource } from '../src/import/index.ts';
import { loadModel } from '../src/model/load.ts';
import { generateModelText } from './generate-model.ts';
import { importCommandTimes, median } from './import-command.ts';

const RUNS = 5;

export function benchImport(): { name: string; value: number; unit: string }[] {
  const loaded = loadModel(generateModelText({ threats: 5_000, components: 300, flows: 600 }), 'bench.yml');
  if (!loaded.ok) throw new Error('the generated model does not load');
  const bytes = new TextEncoder().encode(JSON.stringify(exportOtm(loaded.model).document, null, 2));
  const read: number[] = [];
  const total: number[] = [];
  const readCpu: number[] = [];
  const totalCpu: number[] = [];
  let threats = 0;
  for (let i = 0; i < RUNS; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const outcome = importSource(bytes, 'auto', { file: 'bench.otm.json' });
    if (!outcome.ok) throw new Error(outcome.message);
    read.push(performance.now() - start);
    readCpu.push(cpuMs(process.cpuUsage(cpu)));
    formatImportedModel(outcome.result, { source: 'bench.otm.json', date: '2026-01-01' });
    total.push(performance.now() - start);
    totalCpu.push(cpuMs(process.cpuUsage(cpu)));
    threats = outcome.result.model.threats.length;
  }
  const command = importCommandTimes('bench.otm.json', bytes, 3);
  const label = `${threats.toLocaleString('en-US')}-threat OTM`;
  return [
    { name: 'OTM file size (5,000 threats, 300 components, 600 flows)', value: Math.round(bytes.length / 1024), unit: 'KB' },
    { name: `Import ${label}: detect, decode, parse, validate, map (median of ${RUNS})`, value: Math.round(median(read)), unit: 'ms' },
    { name: `Import ${label}: the same, CPU time (median of ${RUNS})`, value: Math.round(median(readCpu)), unit: 'ms' },
    { name: `Import ${label}: the above and the YAML written (median of ${RUNS})`, value: Math.round(median(total)), unit: 'ms' },
    { name: `Import ${label}: the same, CPU time (median of ${RUNS})`, value: Math.round(median(totalCpu)), unit: 'ms' },
    { name: `Import ${label}: whole \`threatloop import\` in a fresh process (also writes and lints the file; median of 3)`, value: Math.round(median(command.wall)), unit: 'ms' },
    { name: `Import ${label}: the same, CPU time (median of 3)`, value: Math.round(median(command.cpu)), unit: 'ms' },
  ];
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}
