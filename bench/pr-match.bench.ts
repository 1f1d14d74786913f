// Matching a big PR's changed files against a monorepo's component globs (target: < 100 ms).
// Run: npx node -e "import('./bench/pr-match.bench.ts').then(m=>console.log(m.benchPrMatch()))"
import { performance } from 'node:perf_hooks';
import picomatch from 'picomatch';
import { ComponentSchema, type Component } from '../src/model/schema.ts';
import { matchFiles, type ChangedFile } from '../src/pull-request/match.ts';

const COMPONENTS = 1_000;
const FILES = 3_000;
const RUNS = 9;

/** Deterministic pseudo-random numbers, so every run measures the same input. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * A monorepo's layout: services, web features, packages and infra per component,
 * plus a few repository-wide globs (`**\/*.proto`, `**\/Dockerfile`) that every file must be tested against.
 */
export function monorepoComponents(count = COMPONENTS): Component[] {
  const components: Component[] = [];
  for (let i = 0; i < count; i++) {
    const paths: string[] = [];
    switch (i % 4) {
      case 0:
        paths.push(`services/svc-${i}/**`, `infra/terraform/svc-${i}/**`, `!services/svc-${i}/**/*.md`);
        break;
      case 1:
        paths.push(`apps/web/src/features/f-${i}/**/*.{ts,tsx}`, `apps/web/src/routes/f-${i}/*`);
        break;
      case 2:
        paths.push(`packages/pkg-${i}/src/**`, `packages/pkg-${i}/package.json`);
        break;
      default:
        paths.push(`libs/lib-${i}`, `deploy/k8s/lib-${i}/*.yaml`);
    }
    if (i % 100 === 0) paths.push(i % 200 === 0 ? '**/*.proto' : '**/Dockerfile');
    components.push(ComponentSchema.parse({ id: `c${i}`, name: `Component ${i}`, type: 'process', paths }));
  }
  return components;
}

export function bigPullRequest(count = FILES, components = COMPONENTS): ChangedFile[] {
  const rnd = random(42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)]!;
  const files: ChangedFile[] = [];
  for (let n = 0; n < count; n++) {
    const i = Math.floor(rnd() * components);
    const depth = 1 + Math.floor(rnd() * 4);
    const dirs = Array.from({ length: depth }, () => pick(['src', 'lib', 'handlers', 'model', 'util', 'test', 'api']));
    const file = pick(['index.ts', 'view.tsx', 'main.go', 'README.md', 'schema.proto', 'Dockerfile', 'values.yaml']);
    const root = pick([
      `services/svc-${i}`,
      `apps/web/src/features/f-${i}`,
      `packages/pkg-${i}/src`,
      `libs/lib-${i}`,
      `deploy/k8s/lib-${i}`,
      'docs/guides',
      'tools/scripts',
    ]);
    const filename = `${root}/${dirs.join('/')}/${file}`;
    files.push(n % 50 === 0 ? { filename, previous_filename: `old/${filename}`, status: 'renamed' } : { filename, status: 'modified' });
  }
  return files;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function benchPrMatch(): { name: string; value: number; unit: string }[] {
  const components = monorepoComponents();
  const files = bigPullRequest();
  let matched = 0;
  const cold: number[] = [];
  const warm: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // A fresh array defeats the per-model memo: this run compiles every glob again.
    const model = [...components];
    let start = performance.now();
    matched += matchFiles(files, model).byComponent.size;
    cold.push(performance.now() - start);
    start = performance.now();
    matched += matchFiles(files, model).byComponent.size;
    warm.push(performance.now() - start);
  }

  // The obvious approach for comparison: every file against every glob (one run; it is slow).
  const globs = components.flatMap((c) => (c.paths ?? []).filter((p) => !p.startsWith('!')).map((p) => picomatch(p, { dot: true })));
  let start = performance.now();
  for (const file of files) for (const isMatch of globs) if (isMatch(file.filename)) matched++;
  const naive = performance.now() - start;
  if (matched < 0) console.log(matched);

  const label = `${FILES.toLocaleString('en-US')} files x ${COMPONENTS.toLocaleString('en-US')} components`;
  return [
    { name: `PR file matching, ${label}, globs compiled in the run (median of ${RUNS})`, value: round(median(cold)), unit: 'ms' },
    { name: `PR file matching, ${label}, globs already compiled (median of ${RUNS})`, value: round(median(warm)), unit: 'ms' },
    { name: `PR file matching, ${label}, naive every-file-every-glob (1 run, for comparison)`, value: round(naive), unit: 'ms' },
  ];
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
