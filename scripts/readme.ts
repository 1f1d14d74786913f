/**
 * `npm run readme`: the README's figures, computed by the program and
 * written between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`
 * markers, so they cannot drift from what the code does. test/readme.test.ts
 * fails when the README differs from what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateModelText } from '../bench/generate-model.ts';
import { benchJira } from '../bench/jira.bench.ts';
import { benchEvidenceReads } from '../bench/report.bench.ts';
import { demoToday, measure, type SyncFigure } from '../bench/sync.bench.ts';
import { withoutNock } from '../bench/without-nock.ts';
import { main } from '../src/cli/main.ts';
import * as vectors from '../test/model/cvss-vectors.ts';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../examples/genomewell/threat-model.yml', import.meta.url));

const count = (n: number) => n.toLocaleString('en-US');

/** The demo's first-sync plan, as `npm run demo` prints it (`threatloop plan --format json`). */
async function demoPlanSummary(): Promise<{ labels: number; milestones: number; created: number; createdClosed: number; writes: number }> {
  const out: string[] = [];
  const exit = await main(['plan', EXAMPLE, '--format', 'json', '--today', demoToday()], { out: (t) => out.push(t), err: () => undefined, cwd: process.cwd(), env: {} });
  if (exit !== 0) throw new Error(`threatloop plan of the example exited ${exit}`);
  return (JSON.parse(out.join('\n')) as { summary: Awaited<ReturnType<typeof demoPlanSummary>> }).summary;
}

function requestsRow(label: string, model: string, figures: SyncFigure[]): string {
  const value = (name: string) => count(figures.find((f) => f.name === `${label}: ${name}`)!.value);
  const scenario = (name: string) => `${value(`${name}, reads`)} reads + ${value(`${name}, writes`)} writes`;
  return `| ${model} (${value('threats')} threats) | ${scenario('first sync')} | ${scenario('no-op resync')} | ${scenario('one-threat change')} | ${value('naive script, any sync (search + write per threat)')} |`;
}

type Figure = { name: string; value: number };

/** The figure whose name starts with `prefix` (bench names carry details after it). */
function figure(figures: readonly Figure[], prefix: string): number {
  const found = figures.find((f) => f.name.trimStart().startsWith(prefix));
  if (!found) throw new Error(`no bench figure "${prefix}"`);
  return found.value;
}

/** 0.13, 2, 1.5: at most two decimals, none when whole. */
const ratio = (n: number) => String(Math.round(n * 100) / 100);

/** The Jira writes of the GenomeWell first sync, by kind (bench/jira.bench.ts against the stand-ins). */
function jiraWrites(figures: readonly Figure[]): string {
  const perThreat = (kind: string) => ratio(figures.find((f) => f.name === `GenomeWell first sync: ${kind}, per threat`)?.value ?? 0);
  const threats = figure(figures, 'GenomeWell first sync: Jira issues created');
  return (
    `${count(figure(figures, 'GenomeWell first sync: Jira writes'))} writes for ${count(threats)} threats, ` +
    `${figure(figures, 'GenomeWell first sync: Jira writes per threat').toFixed(1)} a threat: create ${perThreat('create')}, ` +
    `remote links ${perThreat('remote link')}, property writes of their own ${perThreat('property write of its own')}, ` +
    `edits ${perThreat('edit')}, transitions ${perThreat('transition')}. No-op resync: ${count(figure(figures, 'GenomeWell no-op resync: Jira writes'))}`
  );
}

/** The GitHub requests of an evidence pack of 500 threat issues (bench/report.bench.ts against the stand-in). */
function evidenceReads(figures: readonly Figure[]): string {
  const pages = figure(figures, 'issue list pages');
  const listing = figure(figures, "pages of the repository's comment listing");
  const single = figure(figures, 'comment lists of single issues');
  return (
    `${count(figure(figures, 'evidence pack'))} reads (${count(pages)} issue pages, ${count(listing)} of the repository's comments, ` +
    `${count(single)} comment lists of single issues, commit + config + model), ${count(figure(figures, 'writes'))} writes`
  );
}

/** Every generated block's text, by name. */
export async function readmeBlocks(): Promise<Record<string, string>> {
  const demo = await demoPlanSummary();
  const generated = generateModelText({ threats: 500, components: 60, flows: 90 });
  // Against the loopback GitHub stand-in only; the Jira bench answers through nock and sets it up itself.
  const [genomewell, large, evidence] = await withoutNock(async () => [
    await measure('GenomeWell', readFileSync(EXAMPLE, 'utf8'), demoToday()),
    await measure('500 generated threats', generated, demoToday()),
    await benchEvidenceReads(),
  ]);
  const jira = await benchJira();
  const vectorCount = Object.values(vectors).reduce((n, list) => n + (Array.isArray(list) ? list.length : 0), 0);
  return {
    demo:
      `${count(demo.labels)} labels, ${count(demo.milestones)} milestones, ${count(demo.created)} issues ` +
      `(${count(demo.createdClosed)} of them closed at once, as their threats are already mitigated or accepted) and the dashboard: ` +
      `${count(demo.writes)} writes`,
    'demo-today': demoToday(),
    'cvss-vectors': count(vectorCount),
    'jira-writes': jiraWrites(jira),
    'evidence-budget': count(figure(evidence, 'budget:')),
    'evidence-reads': evidenceReads(evidence),
    'sync-requests': [
      '| model | first sync | no-op resync | one-threat change (edit + audit comment) | naive script |',
      '| --- | --- | --- | --- | --- |',
      requestsRow('GenomeWell', 'GenomeWell', genomewell),
      requestsRow('500 generated threats', 'generated', large),
    ].join('\n'),
  };
}

/** `readme` with each marked block's content replaced; an unknown or unclosed marker is an error. */
export function applyBlocks(readme: string, blocks: Record<string, string>): string {
  const seen = new Set<string>();
  const result = readme.replace(/<!-- generated:([a-z-]+) -->([\s\S]*?)<!-- \/generated:\1 -->/g, (_whole, name: string, old: string) => {
    const text = blocks[name];
    if (text === undefined) throw new Error(`README.md: no generator for block "${name}"`);
    seen.add(name);
    // A block on its own lines keeps them; an inline block stays inline.
    const body = old.startsWith('\n') ? `\n${text}\n` : text;
    return `<!-- generated:${name} -->${body}<!-- /generated:${name} -->`;
  });
  const missing = Object.keys(blocks).filter((name) => !seen.has(name));
  if (missing.length > 0) throw new Error(`README.md: no marker for ${missing.join(', ')}`);
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const before = readFileSync(README, 'utf8');
  const after = applyBlocks(before, await readmeBlocks());
  if (after !== before) writeFileSync(README, after);
  process.stdout.write(after === before ? 'README.md is current\n' : 'README.md updated\n');
}
