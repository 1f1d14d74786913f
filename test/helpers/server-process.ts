/** Server child processes in tests: a free loopback port to start one on, and waiting for it without spinning (on its output and its exit, with a deadline). */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A loopback port nothing listens on right now (the OS picks it), for a server a test starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

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
