/** Running CLI commands in tests: an io that captures what they print, and throwaway working trees. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/io.ts';

export function captureIo(cwd = process.cwd(), env: CliIo['env'] = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), cwd, env };
  return {
    io,
    out,
    err,
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
    all: () => [...out, ...err].join('\n'),
  };
}

/** A temporary working tree holding `files` (paths may have folders). */
export function workdir(files: Record<string, string | Buffer> = {}, prefix = 'threatloop-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}
