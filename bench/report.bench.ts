/**
 * The auditor's outputs: the HTML report of the 5,000-threat / 500-component /
 * 1,000-flow model (target: under 3 s), rendered in this process (the first
 * run pays for warming up the JIT and Graphviz) and as the whole
 * `threatloop report --format html` command in a new process, with the load
 * average beside it (on a shared machine wall time is mostly waiting for a
 * core), its parts (Graphviz layout, the rest),
 * the traceability CSV, and the GitHub reads of the evidence pack for 500
 * threats, counted against the local GitHub stand-in through the real command
 * (target: 1 read per 100 issues plus 1 per issue with cross-links, plus the
 * commit, the config and the model).
 * Run alone: npx node bench/report.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEvidence } from '../src/cli/commands/evidence.ts';
import { withQuietGraphviz } from '../src/cli/quiet-graphviz.ts';
import { lintModelText } from '../src/model/lint/index.ts';
import { traceabilityRows } from '../src/model/traceability.ts';
import { loadLayoutEngine, renderDataFlowSvg } from '../src/render/diagram-svg.ts';
import { renderHtmlReport } from '../src/render/html-report.ts';
import { renderTraceabilityCsv } from '../src/render/traceability-csv.ts';
import { APP_LOGIN, buildScenario, SCENARIO_REPO } from '../test/helpers/evidence-scenario.ts';
import { GitHubStandin } from '../test/helpers/github-standin.ts';
import { generateModelText } from './generate-model.ts';

export interface ReportFigure {
  name: string;
  value: number;
  unit: string;
}

const SIZE = { threats: 5000, components: 500, flows: 1000 };
const RUNS = 3;
const COMMAND_RUNS = 5;
const ROOT = fileURLToPath(new URL('../', import.meta.url));

export async function benchReport(): Promise<ReportFigure[]> {
  const { model, findings } = lintModelText(generateModelText(SIZE), 'threat-model.yml', { today: '2026-12-01' });
  if (!model) throw new Error('the bench model does not load');
  const label = `${SIZE.threats} threats / ${SIZE.components} components / ${SIZE.flows} flows`;

  const loadStart = performance.now();
  const viz = await loadLayoutEngine();
  const loadMs = performance.now() - loadStart;

  const html: number[] = [];
  const loadBefore = loadavg()[0]!;
  const htmlCpu: number[] = [];
  const diagram: number[] = [];
  let bytes = 0;
  let diagrams = 0;
  for (let i = 0; i < RUNS; i++) {
    let start = performance.now();
    const result = withQuietGraphviz(() => renderDataFlowSvg(model, viz));
    diagram.push(performance.now() - start);
    diagrams = result.diagrams.length;
    start = performance.now();
    const cpu = process.cpuUsage();
    const page = withQuietGraphviz(() => renderHtmlReport({ model, findings, file: 'threat-model.yml', viz, generatedAt: '2026-12-01' }));
    html.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    htmlCpu.push((used.user + used.system) / 1000);
    bytes = page.length;
  }
  const csvStart = performance.now();
  const csv = renderTraceabilityCsv(model, traceabilityRows(model));
  const csvMs = performance.now() - csvStart;

  return [
    { name: 'load Graphviz (WebAssembly), once per process', value: Math.round(loadMs), unit: 'ms' },
    { name: `HTML report, ${label}, rendered in this process: first run`, value: Math.round(html[0]!), unit: 'ms' },
    { name: `  median of ${RUNS}`, value: Math.round(median(html)), unit: 'ms' },
    // On a shared machine the wall time includes waiting for a core; the CPU time is the work itself.
    { name: '  CPU time of the same (user + system)', value: Math.round(median(htmlCpu)), unit: 'ms' },
    { name: `  of which the diagrams (${diagrams}: boundary overview + one per boundary)`, value: Math.round(median(diagram)), unit: 'ms' },
    { name: '  report size', value: Math.round(bytes / 1024), unit: 'KiB' },
    { name: `traceability CSV, ${csv.split('\r\n').length - 2} rows`, value: Math.round(csvMs), unit: 'ms' },
    { name: '  load average (1 min) when the renders began, on this many cores', value: loadBefore, unit: `/ ${availableParallelism()}` },
    ...benchReportCommand(),
    ...(await benchEvidenceReads()),
  ];
}

/**
 * `threatloop report FILE --format html --output PATH` as a user runs it: a new process that loads the
 * CLI, reads and lints the model, loads Graphviz, renders and writes the file. Wall time (median of
 * ${COMMAND_RUNS}) and, on Linux, the CPU time the process used (user + system, from /proc).
 */
function benchReportCommand(): ReportFigure[] {
  const dir = mkdtempSync(join(tmpdir(), 'threatloop-report-'));
  try {
    const file = join(dir, 'threat-model.yml');
    writeFileSync(file, generateModelText(SIZE));
    const entries: [string, string][] = [['TypeScript source', 'src/cli/run.ts']];
    if (existsSync(join(ROOT, 'dist/cli/run.js'))) entries.push(['compiled build', 'dist/cli/run.js']);
    const figures: ReportFigure[] = [];
    for (const [kind, entry] of entries) {
      const wall: number[] = [];
      const cpu: number[] = [];
      const load = loadavg()[0]!;
      for (let i = 0; i < COMMAND_RUNS; i++) {
        const cpuBefore = childrenCpuMs();
        const started = performance.now();
        const run = spawnSync(process.execPath, [entry, 'report', file, '--format', 'html', '--output', join(dir, 'report.html'), '--today', '2026-12-01'], { cwd: ROOT, stdio: 'ignore' });
        wall.push(performance.now() - started);
        if (run.status !== 0) throw new Error(`threatloop report exited ${run.status}`);
        const cpuAfter = childrenCpuMs();
        if (cpuBefore !== undefined && cpuAfter !== undefined) cpu.push(cpuAfter - cpuBefore);
      }
      figures.push({ name: `the whole command, threatloop report --format html (${kind}), median of ${COMMAND_RUNS}`, value: Math.round(median(wall)), unit: 'ms' });
      if (cpu.length > 0) figures.push({ name: '  CPU time of the same process (user + system)', value: Math.round(median(cpu)), unit: 'ms' });
      figures.push({ name: '  load average (1 min) before, and after', value: load, unit: `→ ${loadavg()[0]!.toFixed(1)} / ${availableParallelism()}` });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU time of this process's finished children (Linux /proc: cutime + cstime), undefined elsewhere. */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses; cutime and cstime are the 16th and 17th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** 500 threats, 30 cross-linked (20 merged), 15 status changes (10 on cross-linked threats). */
export async function benchEvidenceReads(): Promise<ReportFigure[]> {
  const github = await GitHubStandin.start();
  const cwd = mkdtempSync(join(tmpdir(), 'threatloop-evidence-'));
  try {
    const crossLinked = Array.from({ length: 30 }, (_, i) => i * 15);
    const changed = [...crossLinked.slice(0, 10), 301, 302, 303, 304, 305];
    const scenario = await buildScenario(github, { threats: 500, changed, crossLinked, merged: crossLinked.slice(0, 20) });
    const mark = github.requests.length;
    const io = { out: () => {}, err: () => {}, cwd, env: {} };
    const exit = await runEvidence(['--repo', SCENARIO_REPO, '--ref', scenario.sha, '--app-login', APP_LOGIN, '--today', '2031-01-10'], io, { client: scenario.octokit });
    if (exit !== 0) throw new Error(`evidence exited ${exit}`);
    const requests = github.requests.slice(mark);
    const count = (pattern: RegExp) => requests.filter((r) => pattern.test(r.path)).length;
    const issuePages = count(/\/issues$/);
    const repositoryComments = count(/\/issues\/comments$/);
    const issueComments = count(/\/issues\/\d+\/comments$/);
    const commented = new Set([...crossLinked, ...changed]).size;
    return [
      { name: `evidence pack, 500 threat issues (+1 forged), ${crossLinked.length} cross-linked, ${changed.length} changed: GitHub reads in all`, value: requests.length, unit: 'reads' },
      { name: `  budget: 1 per 100 issues + 1 per issue with cross-links + commit, config, model`, value: Math.ceil(501 / 100) + crossLinked.length + 3, unit: 'reads' },
      { name: '  issue list pages (1 per 100 issues)', value: issuePages, unit: 'reads' },
      { name: `  pages of the repository's comment listing (100 comments a page)`, value: repositoryComments, unit: 'reads' },
      { name: `  comment lists of single issues (${commented} threat issues have comments)`, value: issueComments, unit: 'reads' },
      { name: '  commit + config + model', value: requests.length - issuePages - repositoryComments - issueComments, unit: 'reads' },
      { name: '  writes', value: requests.filter((r) => r.method !== 'GET').length, unit: 'writes' },
    ];
  } finally {
    await github.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of await benchReport()) console.log(`${f.name}: ${f.value} ${f.unit}`);
}
