/**
 * A real Redis for tests: Debian's `redis-server`, started on a free
 * loopback port with a throwaway directory, stopped (and the directory
 * removed) after. Without the binary the tests that need it are skipped with
 * the reason, unless `CI` is set: there a missing engine is a failure
 * (`.ci/run` installs `redis-server` with apt-get).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { freePort } from './server-process.ts';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** Why Redis tests cannot run here, or undefined when they can. Throws in CI, where they must run. */
export function redisUnavailable(): string | undefined {
  if (existsSync(REDIS_SERVER)) return undefined;
  const reason = `${REDIS_SERVER} is missing (apt-get install redis-server)`;
  if (process.env.CI) throw new Error(`CI is set and ${reason}`);
  return reason;
}

export interface RedisEngine {
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'threatloop-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output.slice(-2000)}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
