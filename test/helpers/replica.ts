/**
 * One app replica in its own process, for tests that kill it: Probot against
 * the GitHub stand-in, jobs in Redis. Environment: GITHUB_URL, REDIS_URL,
 * QUEUE_PREFIX, LOCK_MS, ROLE, PRIVATE_KEY (saves generating one). Prints `ready` once loaded.
 * Run: node test/helpers/replica.ts
 */
import { Probot } from 'probot';
import { createThreatloopApp } from '../../src/app/index.ts';
import type { Role } from '../../src/app/runtime.ts';
import { recordingLogger, TestOctokit, testPrivateKey, type LogEntry } from './probot.ts';

const env = process.env;
// Warnings and errors go to stderr, for the test's failure message.
const entries: LogEntry[] = [];
const log = recordingLogger(entries);
const push = entries.push.bind(entries);
entries.push = (...added: LogEntry[]) => {
  for (const entry of added) if (entry.level === 'warn' || entry.level === 'error') process.stderr.write(`${JSON.stringify(entry)}\n`);
  return push(...added);
};
const probot = new Probot({ appId: 1, privateKey: env.PRIVATE_KEY ?? testPrivateKey(), baseUrl: env.GITHUB_URL!, log, Octokit: TestOctokit });
const threatloop = createThreatloopApp({
  delay: async () => undefined,
  writeIntervalMs: 0,
  env: {},
  role: (env.ROLE ?? 'worker') as Role,
  redis: { url: env.REDIS_URL!, prefix: env.QUEUE_PREFIX!, lockMs: Number(env.LOCK_MS ?? 1000), busyRetryMs: 50, backoffMs: 100 },
});
await probot.load(threatloop.app);
await threatloop.ready();
process.stdout.write('ready\n');
