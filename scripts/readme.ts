/**
 * `npm run readme`: the README's figures, computed by the program and
 * written between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`
 * markers, so they cannot drift from what the code does. test/readme.test.ts
 * fails when the README differs from what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateModelText } from '../bench/generate-model.ts';
import { measure, type SyncFigure } from '../bench/sync.bench.ts';
import { main } from '../src/cli/main.ts';
import * as vectors from '../test/model/cvss-vectors.ts';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../examples/genomewell/threat-model.yml', import.meta.url));

const count = (n: number) => n.toLocaleString('en-US');

/** The demo's first-sync plan, as `npm run demo` prints it (`threatloop plan --format json`). */
async function demoPlanSummary(): Promise<{ labels: number; milestones: number; created: number; createdClosed: number; writes: number }> {
  const out: string[] = [];
  const exit = await main(['plan', EXAMPLE, '--format', 'json'], { out: (t) => out.push(t), err: () => undefined, cwd: process.cwd(), env: {} });
  if (exit !== 0) throw new Error(`threatloop plan of the example exited ${exit}`);
  return (JSON.parse(out.join('\n')) as { summary: Awaited<ReturnType<typeof demoPlanSummary>> }).summary;
}

function requestsRow(label: string, model: string, figures: SyncFigure[]): string {
  const value = (name: string) => count(figures.find((f) => f.name === `${label}: ${name}`)!.value);
  const scenario = (name: string) => `${value(`${name}, reads`)} reads + ${value(`${name}, writes`)} writes`;
  return `| ${model} (${value('threats')} threats) | ${scenario('first sync')} | ${scenario('no-op resync')} | ${scenario('one-threat change')} | ${value('naive script, any sync (search + write per threat)')} |`;
}

/** Every generated block's text, by name. */
export async function readmeBlocks(): Promise<Record<string, string>> {
  const demo = await demoPlanSummary();
  const generated = generateModelText({ threats: 500, components: 60, flows: 90 });
  const genomewell = await measure('GenomeWell', readFileSync(EXAMPLE, 'utf8'));
  const large = await measure('500 generated threats', generated);
  const vectorCount = Object.values(vectors).reduce((n, list) => n + (Array.isArray(list) ? list.length : 0), 0);
  return {
    demo:
      `${count(demo.labels)} labels, ${count(demo.milestones)} milestones, ${count(demo.created)} issues ` +
      `(${count(demo.createdClosed)} of them closed at once, as their threats are already mitigated or accepted) and the dashboard: ` +
      `${count(demo.writes)} writes`,
    'cvss-vectors': count(vectorCount),
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
