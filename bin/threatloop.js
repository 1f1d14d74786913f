#!/usr/bin/env node
// Installed package: run the compiled CLI. In a clone, Node 22.18+/24 runs the TypeScript source directly.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const { main, processIo } = await import(existsSync(compiled) ? compiled.href : new URL('../src/cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2), processIo);
