/**
 * A file's text at a git revision of the repository the CLI runs in
 * (`git show REV:path`), for `threatloop diff main HEAD`. Local git only: the
 * app reads commits through the GitHub API instead.
 */
import { spawnSync } from 'node:child_process';
import { INPUT_LIMITS } from '../model/limits.ts';

const MAX_SOURCE_BYTES = INPUT_LIMITS.model;

export type GitShowResult = { ok: true; text: string } | { ok: false; reason: 'usage' | 'too-large' | 'git'; message: string };

/** `spec` is `REV:path` as git reads it: the path from the repository root (or `./`-relative to `cwd`). */
export function gitShowFile(cwd: string, spec: string): GitShowResult {
  // A revision is never an option: `--output=...` would make git write a file.
  if (spec.startsWith('-')) return { ok: false, reason: 'usage', message: `"${spec}" is not a revision` };
  const run = spawnSync('git', ['show', '--no-textconv', spec, '--'], {
    cwd,
    encoding: 'buffer',
    // One byte over the loader's limit tells "too large" apart from "just fits".
    maxBuffer: MAX_SOURCE_BYTES + 1,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
  });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    if (code === 'ENOBUFS') return { ok: false, reason: 'too-large', message: `${spec} is larger than ${MAX_SOURCE_BYTES} bytes` };
    if (code === 'ENOENT') return { ok: false, reason: 'git', message: 'git is not installed (needed to read a revision)' };
    return { ok: false, reason: 'git', message: `git show ${spec} failed (${code ?? run.error.message})` };
  }
  if (run.status !== 0) {
    const stderr = run.stderr.toString('utf8').trim().split('\n')[0] ?? '';
    return { ok: false, reason: 'git', message: `cannot read ${spec} from git: ${stderr.replace(/^fatal: /, '') || `exit ${run.status}`}` };
  }
  return { ok: true, text: new TextDecoder('utf-8').decode(run.stdout) };
}
