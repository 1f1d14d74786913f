/**
 * Hostile input, priced (targets: each under 1 s):
 * - the 0.5 MB model with 40,000 keys under one map (the denial-of-service
 *   finding: ~20 s before, when the unique-keys check was quadratic), plain,
 *   with a duplicate key, with an anchor and a duplicate (the fast reader
 *   finds the duplicate past the anchor), and valid with an anchor, which only
 *   the `yaml` reader takes: the slowest way in for such a file;
 * - the crafted-glob pull request: 3,000 files with long runs of `a` against
 *   globs with several `*` in one segment (~2 s per file before: now those
 *   globs are refused) and an allowed but costly one (`**\/*a*a.ts`).
 * Run alone: npx node bench/run.ts hostile
 */
import { performance } from 'node:perf_hooks';
import { loadModel } from '../src/model/load.ts';
import { matchFiles } from '../src/pull-request/match.ts';
import { craftedGlobPullRequest } from './crafted-globs.ts';
import { manyKeysModel } from './many-keys.ts';

const RUNS = 5;
const KEYS = 40_000;

function medianMs(run: () => void): number {
  run(); // first run: compilation of the code paths
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 10) / 10;
}

export function benchInputBudgets(): { name: string; value: number; unit: string }[] {
  const figures: { name: string; value: number; unit: string }[] = [];
  for (const [label, options] of [
    ['valid', {}],
    ['one duplicate key (finding at its line)', { duplicate: true }],
    ['an anchor and a duplicate key', { duplicate: true, anchor: true }],
    ['valid with an anchor (read by `yaml`)', { anchor: true }],
  ] as const) {
    const text = manyKeysModel({ keys: KEYS, ...options });
    const mb = (text.length / 1024 / 1024).toFixed(2);
    figures.push({
      name: `load a ${mb} MB model, ${KEYS.toLocaleString('en-US')} keys under one map, ${label} (median of ${RUNS})`,
      value: medianMs(() => void loadModel(text, 'threat-model.yml')),
      unit: 'ms',
    });
  }
  const { components, files } = craftedGlobPullRequest({ files: 3000 });
  figures.push({
    name: `match a crafted 3,000-file PR (names of 200+ \`a\`) against globs with several \`*\` per segment (median of ${RUNS})`,
    value: medianMs(() => void matchFiles(files, [...components])),
    unit: 'ms',
  });
  return figures;
}
