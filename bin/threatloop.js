#!/usr/bin/env node
// The `threatloop` command. Installed from the package it runs the compiled CLI (dist/); in a clone,
// the TypeScript source (Node 22.18+ strips types itself), so a stale build never hides an edit. An
// older system node in a clone hands over to the project's own Node 24 (the `node` dev dependency);
// otherwise an old Node gets one line and exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileCacheDirectory, enableCompileCache } from './compile-cache.js';
import { exitOnOldNode } from './node-version.js';

const compiled = new URL('../dist/cli/run.js', import.meta.url);
const source = new URL('../src/cli/run.ts', import.meta.url);
const projectNode = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));

if (existsSync(source) && process.features.typescript) {
  enableCompileCache();
  const { runCliProcess } = await import(source.href);
  await runCliProcess();
} else if (existsSync(source) && existsSync(projectNode)) {
  const cache = compileCacheDirectory();
  const env = cache ? { ...process.env, NODE_COMPILE_CACHE: cache } : process.env;
  const run = spawnSync(projectNode, [fileURLToPath(source), ...process.argv.slice(2)], { stdio: 'inherit', env });
  process.exitCode = run.status ?? 1;
} else {
  exitOnOldNode();
  enableCompileCache();
  const { runCliProcess } = await import(compiled.href);
  await runCliProcess();
}
