// CLI start-up: the whole `threatloop cvss VECTOR` and `threatloop lint FILE` process (a one-threat model),
// wall time, median of 7 runs after one warm-up. Target: under 300 ms.
//  - `bin/threatloop.js`, what `npx threatloop` runs: in a clone the TypeScript source, with Node's compile
//    cache on (bin/compile-cache.js), so a run after the first reuses the compiled code and stripped types;
//    "first run" gives every run an empty cache (what the very first command of a machine pays);
//  - `node src/cli/run.ts`, the source without the cache (Node strips the types of every file each time);
//  - the compiled build (`dist/`, the installed package), when `npm run build` has run.
// Each command imports only its own modules (src/cli/main.ts loads commands on use).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threatModelText } from '../test/helpers/models.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = 7;

type Cache = 'warm' | 'cold' | 'off';

function medianMs(args: string[], cache: Cache): number {
  const times: number[] = [];
  const warmDir = mkdtempSync(join(tmpdir(), 'threatloop-compile-cache-'));
  try {
    for (let i = 0; i <= RUNS; i++) {
      const dir = cache === 'cold' ? mkdtempSync(join(tmpdir(), 'threatloop-compile-cache-')) : warmDir;
      const env = { ...process.env, NODE_COMPILE_CACHE: dir, ...(cache === 'off' ? { NODE_DISABLE_COMPILE_CACHE: '1' } : {}) };
      const started = process.hrtime.bigint();
      const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore', env });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (cache === 'cold') rmSync(dir, { recursive: true, force: true });
      if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}`);
      if (i > 0) times.push(ms);
    }
  } finally {
    rmSync(warmDir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function benchStartup(): { name: string; value: number; unit: string }[] {
  const model = join(mkdtempSync(join(tmpdir(), 'threatloop-startup-')), 'threat-model.yml');
  writeFileSync(model, threatModelText({ threats: 1 }));
  const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N';
  const entries: [string, string, Cache][] = [
    ['bin/threatloop.js (npx threatloop)', 'bin/threatloop.js', 'warm'],
    ['bin/threatloop.js, first run (empty compile cache)', 'bin/threatloop.js', 'cold'],
    ['node src/cli/run.ts (no compile cache)', 'src/cli/run.ts', 'off'],
  ];
  if (existsSync(join(ROOT, 'dist/cli/run.js'))) entries.push(['compiled build dist/cli/run.js (no compile cache)', 'dist/cli/run.js', 'off']);
  const figures = [
    { name: `load average (1 min) when the start-up bench began, on ${availableParallelism()} cores`, value: loadavg()[0]!, unit: '' },
    { name: 'node -e 0 (the floor: Node.js itself)', value: medianMs(['-e', '0'], 'off'), unit: 'ms' },
  ];
  for (const [label, entry, cache] of entries) {
    figures.push({ name: `threatloop cvss VECTOR, ${label}`, value: medianMs([entry, 'cvss', vector], cache), unit: 'ms' });
    figures.push({ name: `threatloop lint (one threat), ${label}`, value: medianMs([entry, 'lint', model], cache), unit: 'ms' });
  }
  return figures;
}
