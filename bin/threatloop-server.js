#!/usr/bin/env node
// `npm start`, the package's `threatloop-server` and the container: checks the Node.js version
// first (one line and exit 1 on an old Node), then runs the server. The compiled build (`dist/`)
// runs in production (NODE_ENV=production) and wherever there is no source; in a clone, the
// TypeScript source runs, so a stale build never hides an edit.
import { existsSync } from 'node:fs';
import { exitOnOldNode } from './node-version.js';

exitOnOldNode();

const compiled = new URL('../dist/app/server.js', import.meta.url);
const source = new URL('../src/app/server.ts', import.meta.url);
const useSource = process.env.NODE_ENV !== 'production' && existsSync(source) && process.features.typescript;
if (!useSource && !existsSync(compiled)) {
  process.stderr.write(
    existsSync(source)
      ? 'threatloop: no compiled build in dist/: run `npm run build` first (NODE_ENV=production runs the build, never the TypeScript source).\n'
      : 'threatloop: the package has no dist/ folder; reinstall it.\n',
  );
  process.exit(1);
}
const { main } = await import(useSource ? source.href : compiled.href);
await main();
