/**
 * `npm run build:action`: bundles the Action's entry (src/cli/action.ts) and
 * everything it imports into one file, dist-action/index.js, which is
 * committed: a JavaScript action runs from the repository as checked out,
 * with no install. The build is deterministic (no timestamps, no absolute
 * paths, one fixed esbuild version from package-lock.json), so a test can
 * rebuild it and compare byte for byte (test/cli/action-bundle.test.ts).
 */
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const ACTION_BUNDLE = 'dist-action/index.js';

/** The bundle's text. */
export async function buildActionBundle(): Promise<string> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/cli/action.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    write: false,
    outfile: ACTION_BUNDLE,
    legalComments: 'eof',
    logLevel: 'warning',
    // Optional XML plug-ins of the CycloneDX library (required inside try/catch; threatloop writes JSON only).
    external: ['xmlbuilder2', 'libxmljs2'],
    // Bundled CommonJS packages call require() for Node's built-ins; ESM has no require of its own.
    banner: { js: "import { createRequire as __threatloopCreateRequire } from 'node:module';\nconst require = __threatloopCreateRequire(import.meta.url);" },
  });
  const [file] = result.outputFiles;
  if (!file) throw new Error('esbuild wrote no output');
  return file.text;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await buildActionBundle();
  const path = join(ROOT, ACTION_BUNDLE);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stdout.write(`${ACTION_BUNDLE}: ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MB\n`);
}
