#!/usr/bin/env node
// Installed package: run the compiled CLI. In a clone, run the TypeScript source: Node 22.18+ strips
// types itself; an older system node hands over to the project's own Node 24 (the `node` dev dependency).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
const projectNode = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));

if (existsSync(compiled) || process.features.typescript) {
  const { main, processIo } = await import(existsSync(compiled) ? compiled.href : source.href);
  process.exitCode = await main(process.argv.slice(2), processIo);
} else if (existsSync(projectNode)) {
  const run = spawnSync(projectNode, [fileURLToPath(source), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} else {
  console.error(`threatloop needs Node.js 22.18 or newer (this is ${process.version}); run \`npm ci\` to get the project's Node 24.`);
  process.exitCode = 2;
}
