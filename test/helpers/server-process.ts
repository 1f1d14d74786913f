/** Waiting for a server child process without spinning: on its output and its exit, with a deadline. */
import type { ChildProcess } from 'node:child_process';

/** Resolves once the server logs "Listening on"; rejects when it exits first or `ms` pass (a loaded machine gets a long `ms`). */
export function listening(child: ChildProcess, output: () => string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!output().includes('Listening on')) return;
      done();
      resolve();
    };
    const exited = () => {
      done();
      reject(new Error(`the server exited before listening: ${output()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the server did not listen within ${ms} ms: ${output()}`));
    }, ms);
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', exited);
    };
    // Registered after the test's own collectors, so `output()` already holds the chunk.
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', exited);
    check();
  });
}
