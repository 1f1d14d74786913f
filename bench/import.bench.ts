// Importing a 5,000-threat Open Threat Model file (target: under 2 s), and writing it back as YAML.
// The OTM file is the generated 5,000-threat model exported by `threatloop export --format otm`.
import { performance } from 'node:perf_hooks';
import { exportOtm } from '../src/export/otm.ts';
import { formatImportedModel, importSource } from '../src/import/index.ts';
import { loadModel } from '../src/model/load.ts';
import { generateModelText } from './generate-model.ts';

const RUNS = 5;

export function benchImport(): { name: string; value: number; unit: string }[] {
  const loaded = loadModel(generateModelText({ threats: 5_000, components: 300, flows: 600 }), 'bench.yml');
  if (!loaded.ok) throw new Error('the generated model does not load');
  const bytes = new TextEncoder().encode(JSON.stringify(exportOtm(loaded.model).document, null, 2));
  const read: number[] = [];
  const total: number[] = [];
  let threats = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const outcome = importSource(bytes, 'auto', { file: 'bench.otm.json' });
    if (!outcome.ok) throw new Error(outcome.message);
    read.push(performance.now() - start);
    formatImportedModel(outcome.result, { source: 'bench.otm.json', date: '2026-01-01' });
    total.push(performance.now() - start);
    threats = outcome.result.model.threats.length;
  }
  const median = (list: number[]) => Math.round([...list].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!);
  return [
    { name: 'OTM file size (5,000 threats, 300 components, 600 flows)', value: Math.round(bytes.length / 1024), unit: 'KB' },
    { name: `Import ${threats.toLocaleString('en-US')}-threat OTM: detect, decode, parse, validate, map (median of ${RUNS})`, value: median(read), unit: 'ms' },
    { name: `Import ${threats.toLocaleString('en-US')}-threat OTM: the above and the YAML written (median of ${RUNS})`, value: median(total), unit: 'ms' },
  ];
}
