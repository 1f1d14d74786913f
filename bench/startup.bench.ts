// CLI start-up: the whole `threatloop cvss VECTOR` and `threatloop lint FILE` process (a one-threat model),
// wall time, median of 7 runs after one warm-up, for the TypeScript source (`npx threatloop` in a clone)
// and, when `npm run build` has run, the compiled build (the installed package). Target: under 300 ms.
// Each command imports only its own modules (src/cli/main.ts loads commands on use).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threatModelText } from '../test/helpers/models.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = 7;

function medianMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}`);
    if (i > 0) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function benchStartup(): { name: string; value: number; unit: string }[] {
  const model = join(mkdtempSync(join(tmpdir(), 'threatloop-startup-')), 'threat-model.yml');
  writeFileSync(model, threatModelText({ threats: 1 }));
  const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N';
  const entries: [string, string][] = [['source', 'src/cli/run.ts']];
  if (existsSync(join(ROOT, 'dist/cli/run.js'))) entries.push(['compiled build', 'dist/cli/run.js']);
  const figures = [{ name: 'node -e 0 (the floor: Node.js itself)', value: medianMs(['-e', '0']), unit: 'ms' }];
  for (const [label, entry] of entries) {
    figures.push({ name: `threatloop cvss VECTOR, ${label}`, value: medianMs([entry, 'cvss', vector]), unit: 'ms' });
    figures.push({ name: `threatloop lint (one threat), ${label}`, value: medianMs([entry, 'lint', model]), unit: 'ms' });
  }
  return figures;
}
