// One lint measurement in a fresh process (spawned by lint.bench.ts), so peak RSS is one lint run's,
// as in one CLI run. Plain JavaScript: importing the compiled build here costs no type stripping.
// Arguments: time|memory <model file> <URL of the lint module> <label>
import { readFileSync } from 'node:fs';

const RUNS = 5;
const [mode, file, lintModule, label] = process.argv.slice(2);
const { lintModelText } = await import(lintModule);

function lintOnce(text) {
  const result = lintModelText(text, 'threat-model.yml', { today: '2027-01-01' });
  if (!result.model) throw new Error(`generated model did not load: ${result.findings[0]?.message}`);
  if (result.findings.some((f) => f.level === 'error')) throw new Error(`generated model has lint errors: ${result.findings[0]?.message}`);
  return result.findings.length;
}

const round = (n) => Math.round(n * 10) / 10;

function measureTime(text) {
  const times = [];
  let findings = 0;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    findings = lintOnce(text);
    times.push(performance.now() - start);
  }
  const cold = times[0];
  times.sort((a, b) => a - b);
  return [
    { name: `${label}: median wall time (${RUNS} runs, load + validate + lint)`, value: round(times[Math.floor(RUNS / 2)]), unit: 'ms' },
    { name: `${label}: first run (cold)`, value: round(cold), unit: 'ms' },
    { name: `${label}: model size`, value: round(Buffer.byteLength(text) / 1024 / 1024), unit: 'MB' },
    { name: `${label}: findings (all warnings)`, value: findings, unit: 'findings' },
  ];
}

function measureMemory(text) {
  const before = process.resourceUsage().maxRSS;
  lintOnce(text);
  return [
    { name: `${label}: peak RSS of one run (whole process)`, value: round(process.resourceUsage().maxRSS / 1024), unit: 'MB' },
    { name: `${label}: peak RSS added by the run`, value: round((process.resourceUsage().maxRSS - before) / 1024), unit: 'MB' },
  ];
}

const text = readFileSync(file, 'utf8');
process.stdout.write(JSON.stringify(mode === 'memory' ? measureMemory(text) : measureTime(text)));
