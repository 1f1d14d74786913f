/**
 * The production wiring: `node bin/threatloop-server.js` as `npm start` runs
 * it, with Probot's environment, against the GitHub stand-in posing as GitHub
 * Enterprise Server (GHE_HOST, GHE_PROTOCOL=http): health endpoints, the
 * webhook gate, a signed webhook, and the start-ups it refuses.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubStandin } from '../helpers/github-standin.ts';
import { freePort, listening, postPartial } from '../helpers/server-process.ts';
import { loopbackOnlyFetch } from '../helpers/loopback.ts';
import { threatModelText } from '../helpers/models.ts';
import { testPrivateKey } from '../helpers/probot.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'webhook-secret-for-tests';

/** Resolves when `predicate` holds, checking after every stand-in request; fails after `ms`. */
async function until(predicate: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function serverEnv(): NodeJS.ProcessEnv {
  return {
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
    WEBHOOK_MAX_BYTES: String(1024 * 1024),
  };
}

/**
 * Runs the server with `env` to its exit: for start-ups that must be refused. Not spawnSync: the
 * GitHub stand-in lives in this process and must keep answering.
 */
async function refusedStart(env: NodeJS.ProcessEnv, { node = process.execPath, entry = 'bin/threatloop-server.js' } = {}) {
  const run = spawn(node, [entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  run.stdout.on('data', (chunk) => (stdout += String(chunk)));
  run.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const timer = setTimeout(() => run.kill('SIGKILL'), 30_000);
  const [status] = (await once(run, 'exit')) as [number | null];
  clearTimeout(timer);
  return { status, stderr, stdout };
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
  child = spawn(process.execPath, ['bin/threatloop-server.js'], { cwd: ROOT, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  await listening(child, () => output, 60_000);
}, 70_000);

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

  it('answers /healthz and /readyz once the app is loaded', async () => {
    const live = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { app: true, accepting: true, queue: true } });
  });

  it('answers an oversized webhook 413 and logs no payload of a forged one', async () => {
    const marker = 'FORGED-PAYLOAD-MARKER-91c2';
    const forgedBody = JSON.stringify({ zen: marker.repeat(100), installation: { id: 1 } });
    const headers = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'delivery-forged' };
    const forged = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: 'POST',
      headers: { ...headers, 'x-hub-signature-256': `sha256=${createHmac('sha256', 'development').update(forgedBody).digest('hex')}` },
      body: forgedBody,
    });
    expect(forged.status).toBe(400);
    // 2 MB announced, none sent: the answer comes without the body (fetch would fail on the reset of the unsent rest).
    const big = await postPartial(`http://127.0.0.1:${port}/api/github/webhooks`, { ...headers, 'x-hub-signature-256': 'sha256=00' }, 2 * 1024 * 1024, 0);
    expect(big.status).toBe(413);
    await until(() => output.includes('webhook refused: body larger'), 'the refusal to be logged');
    expect(output).toContain('webhook refused: signature does not match');
    expect(output).not.toContain(marker);
  });

  it('stops on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output).toContain('threatloop: stopped on SIGTERM');
  });
});

describe('start-ups that are refused (exit 1, every problem named)', () => {
  it('without WEBHOOK_SECRET', async () => {
    const { WEBHOOK_SECRET: _unset, ...env } = serverEnv();
    const run = await refusedStart(env);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^threatloop: not starting:\n {2}- WEBHOOK_SECRET is not set: anyone could sign webhooks\. Set WEBHOOK_SECRET/);
  });

  it('with a private key that does not parse, before listening', async () => {
    const run = await refusedStart({ ...serverEnv(), PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('PRIVATE_KEY is not a PEM private key');
    expect(run.stdout).not.toContain('Listening');
  });

  it('when GitHub says the key belongs to another app', async () => {
    // The stand-in answers GET /app as app 1.
    const run = await refusedStart({ ...serverEnv(), APP_ID: '2' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('APP_ID is 2 but the private key belongs to app 1');
  });

  it('without APP_ID in production (no setup flow there)', async () => {
    const { APP_ID: _unset, ...env } = serverEnv();
    // The source directly: the launcher runs only the build in production (the packed-tarball test covers that).
    const run = await refusedStart({ ...env, NODE_ENV: 'production' }, { entry: 'src/app/server.ts' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('APP_ID is not set');
  });

  it('on a Node.js older than 22: one line, exit 1', async () => {
    // The machine's system node, when it is older than the minimum (this machine's is 20).
    const system = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' });
    const major = Number(/^v(\d+)/.exec(system.stdout ?? '')?.[1]);
    if (!(major < 22)) return;
    const run = await refusedStart(serverEnv(), { node: '/usr/bin/node' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`threatloop needs Node.js 22 or newer (24 recommended); this is Node.js ${system.stdout.trim().slice(1)}.\n`);
  });
});
