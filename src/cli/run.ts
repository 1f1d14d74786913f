/**
 * The `threatloop` process: what only a real process has. Output closed
 * early (`threatloop lint | head`) ends quietly instead of an EPIPE stack
 * trace; under `npm run threatloop` paths are read from where the user
 * stands (npm runs scripts in the package root and says where it was
 * started in INIT_CWD); the command's status becomes the exit code.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './io.ts';
import { main } from './main.ts';

/** The package root: where npm runs this package's own scripts. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The user's working directory. INIT_CWD only when npm moved us to this package's root to run one
 * of its scripts; elsewhere (npx, the installed binary, another package's script that `cd`s) the
 * process's own working directory is where the user means.
 */
export function userCwd(cwd: string, env: Readonly<Record<string, string | undefined>>, packageRoot = PACKAGE_ROOT): string {
  const initCwd = env.INIT_CWD;
  return initCwd && resolve(cwd) === resolve(packageRoot) ? resolve(initCwd) : cwd;
}

/** A write error on stdout/stderr that means the reader has gone (`| head`, a closed terminal). */
export function isClosedPipe(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

export async function runCliProcess(argv = process.argv.slice(2)): Promise<void> {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      // Nobody is reading any more: stop, without a word (there is nobody to read it).
      if (isClosedPipe(error)) process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const io: CliIo = {
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    cwd: userCwd(process.cwd(), process.env),
    env: process.env,
  };
  process.exitCode = await main(argv, io);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await runCliProcess();
