/**
 * The production wiring: `node src/app/server.ts` as `npm start` runs it,
 * with Probot's environment, against the GitHub stand-in posing as GitHub
 * Enterprise Server (GHE_HOST, GHE_PROTOCOL=http), receiving a signed webhook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubStandin } from '../helpers/github-standin.ts';
import { loopbackOnlyFetch } from '../helpers/loopback.ts';
import { threatModelText } from '../helpers/models.ts';
import { testPrivateKey } from '../helpers/probot.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'webhook-secret-for-tests';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves when `predicate` holds, checking after every stand-in request; fails after `ms`. */
async function until(predicate: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

let github: GitHubStandin;
let child: ChildProcess;
let port: number;
let output = '';
let restoreFetch: () => void;

beforeAll(async () => {
  restoreFetch = loopbackOnlyFetch();
  github = await GitHubStandin.start({ prefix: '/api/v3' });
  port = await freePort();
  child = spawn(process.execPath, ['src/app/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      APP_ID: '1',
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: github.host,
      GHE_PROTOCOL: 'http',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  await until(() => output.includes('Listening on') || child.exitCode !== null, 'the server to listen');
  if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await github?.close();
  restoreFetch?.();
});

describe('npm start', () => {
  it('verifies the signature, syncs the pushed model into issues and publishes the check run', async () => {
    github.addRepo({ owner: 'acme', name: 'app', private: true, assignees: ['sec-lead'], files: { 'README.md': 'x' } });
    const push = github.push('acme/app', { 'threat-model.yml': threatModelText({ threats: 1 }) });
    const body = JSON.stringify(github.pushPayload('acme/app', push));
    const send = (signature: string) =>
      fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': `delivery-${signature.slice(-6)}`,
          'x-hub-signature-256': signature,
        },
        body,
      });

    const forged = await send(`sha256=${createHmac('sha256', 'wrong-secret').update(body).digest('hex')}`);
    expect(forged.status).toBe(400);
    expect(github.repo('acme/app').issues).toEqual([]);

    const response = await send(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    expect(response.status).toBeLessThan(300);
    const repo = github.repo('acme/app');
    // Production pacing is on here (Probot's throttling spaces issue creation 3 s apart, ours 1 s): seconds, not ms.
    await until(() => repo.checkRuns.length > 0, 'the check run', 50_000);

    expect(repo.issues.filter((i) => i.labels.includes('threat'))).toHaveLength(1);
    expect(repo.checkRuns[0]).toMatchObject({ name: 'Threat model', head_sha: push.after, conclusion: 'success' });
    // Served as GitHub Enterprise Server: every request went through /api/v3 with the installation token.
    const token = github.requests.find((r) => r.path === '/app/installations/1/access_tokens');
    expect(token?.method).toBe('POST');
    const issueCreate = github.requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/app/issues');
    expect(String(issueCreate?.headers.authorization)).toMatch(/^token ghs_/);
    expect(output).not.toContain('BEGIN RSA PRIVATE KEY');
  }, 60_000);

  it('stops on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output).toContain('threatloop: stopped on SIGTERM');
  });
});
