// Node's compile cache for the CLI: a second `threatloop lint` reuses the compiled code (and, for the
// TypeScript source, the stripped types) instead of redoing the work, which is most of a short command's
// start-up. Plain JavaScript, like node-version.js: it runs before anything else is loaded.
import { homedir } from 'node:os';
import { join } from 'node:path';
import module from 'node:module';

/**
 * Where the cache lives: NODE_COMPILE_CACHE when the user set it (Node reads it itself), else a folder of
 * this user's own. Not Node's default (`os.tmpdir()/node-compile-cache`): in a shared /tmp another user
 * could plant compiled code there, and the cache is code this process would run.
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {string | undefined}
 */
export function compileCacheDirectory(env = process.env) {
  if (env.NODE_COMPILE_CACHE) return undefined;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'threatloop', 'node-compile-cache');
}

/** Turns the cache on (Node 22.1+; NODE_DISABLE_COMPILE_CACHE=1 turns it off). Never fails the command. */
export function enableCompileCache() {
  if (typeof module.enableCompileCache !== 'function') return;
  try {
    module.enableCompileCache(compileCacheDirectory());
  } catch {
    // A read-only home or an odd environment: the command runs, only without the cache.
  }
}
