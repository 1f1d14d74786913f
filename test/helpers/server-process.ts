/** Server child processes in tests: a free loopback port to start one on, waiting for it without spinning (on its output and its exit, with a deadline), and a POST that is answered before its body is sent. */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request, type OutgoingHttpHeaders } from 'node:http';
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

/**
 * A POST to `url` that announces `declared` bytes (or a chunked body) but sends
 * only `sent`, and resolves with the answer as soon as it arrives. A server that
 * refuses a body it will not read closes the connection on the unsent rest, so
 * `fetch`, which must finish writing, fails with ECONNRESET where a client that
 * reads the answer first sees it.
 */
export function postPartial(
  url: string,
  headers: OutgoingHttpHeaders,
  declared: number | 'chunked',
  sent: number,
): Promise<{ status: number; body: string }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: hostname,
      port,
      method: 'POST',
      path: pathname,
      headers: { ...headers, ...(declared === 'chunked' ? {} : { 'content-length': String(declared) }) },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => (body += String(chunk)));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    // After the answer, the reset of the unsent rest is expected (the promise is settled by then).
    req.on('error', (error) => reject(error));
    if (sent > 0) req.write(Buffer.alloc(sent, 'x'));
    else req.flushHeaders();
  });
}
