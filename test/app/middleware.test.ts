/**
 * The serverless / bring-your-own-server handler on a plain node:http server,
 * with the GitHub stand-in posing as GitHub Enterprise Server (GHE_HOST,
 * GHE_PROTOCOL=http) and signed webhooks: the response is sent only after the
 * sync's writes reached GitHub, also when Probot answers early (its 9 s
 * "still processing" timeout), and a forged signature writes nothing.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createThreatloopMiddleware, type ThreatloopHandler } from '../../src/app/middleware.ts';
import type { AppOptions } from '../../src/app/runtime.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { threatModelText } from '../helpers/models.ts';
import { ManualTimers, recordingLogger, testPrivateKey, TestOctokit, type LogEntry } from '../helpers/probot.ts';
import { postPartial as postPartialTo } from '../helpers/server-process.ts';

const SECRET = 'webhook-secret-for-middleware-tests';
const standin = useGitHubStandin({ prefix: '/api/v3' });

let server: Server | undefined;
afterEach(async () => {
  vi.useRealTimers();
  if (server) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
    server = undefined;
  }
});

function functionEnv(): NodeJS.ProcessEnv {
  return {
    APP_ID: '1',
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: standin.github.host,
    GHE_PROTOCOL: 'http',
  };
}

interface Mounted {
  handler: ThreatloopHandler;
  url: string;
  logs: LogEntry[];
  /** The server-side response of the latest request. */
  lastResponse: () => ServerResponse | undefined;
}

/** The handler as a serverless platform or an Express app mounts it; other paths fall through to `next`. */
async function mount(app: Omit<AppOptions, 'env'> = {}, env: NodeJS.ProcessEnv = {}): Promise<Mounted> {
  const logs: LogEntry[] = [];
  const handler = await createThreatloopMiddleware({ ...functionEnv(), ...env }, {
    app: { delay: async () => undefined, writeIntervalMs: 0, now: () => new Date('2030-01-01T12:00:00Z'), timers: new ManualTimers(), ...app },
    probot: { Octokit: TestOctokit, log: recordingLogger(logs) },
  });
  let last: ServerResponse | undefined;
  server = createServer((req, res) => {
    last = res;
    void handler.middleware(req, res, () => res.writeHead(404).end('not a webhook\n'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { handler, url: `http://127.0.0.1:${port}`, logs, lastResponse: () => last };
}

function pushModel() {
  const github = standin.github;
  github.addRepo({ owner: 'acme', name: 'app', private: true, assignees: ['sec-lead'], files: { 'README.md': 'x' } });
  const push = github.push('acme/app', { 'threat-model.yml': threatModelText({ threats: 2 }) });
  return { push, body: JSON.stringify(github.pushPayload('acme/app', push)) };
}

function sendWebhook(url: string, body: string, secret = SECRET): Promise<Response> {
  return fetch(`${url}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': 'delivery-1',
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
    body,
  });
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createThreatloopMiddleware', () => {
  it('answers a signed push only after the sync has written the issues and the check run', async () => {
    const { handler, url, logs } = await mount();
    const { push, body } = pushModel();
    const repo = standin.github.repo('acme/app');

    const response = await sendWebhook(url, body);
    const atResponse = { writes: standin.github.writes().length, checkRuns: repo.checkRuns.length };
    expect(response.status).toBe(200);
    expect(atResponse.checkRuns).toBe(1);
    expect(repo.issues.filter((i) => i.labels.includes('threat')).map((i) => i.title)).toEqual([
      expect.stringContaining('[TM-1]'),
      expect.stringContaining('[TM-2]'),
    ]);
    expect(repo.checkRuns[0]).toMatchObject({ name: 'Threat model', head_sha: push.after, conclusion: 'success' });

    await handler.app.idle();
    expect(standin.github.writes()).toHaveLength(atResponse.writes);
    // Served as GitHub Enterprise Server with an installation token.
    const create = standin.github.requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/app/issues');
    expect(String(create?.headers.authorization)).toMatch(/^token ghs_/);
    expect(JSON.stringify(logs)).not.toContain('BEGIN RSA PRIVATE KEY');
  });

  it('holds the response when Probot answers "still processing" after 9 s, until the sync has finished', async () => {
    // Only setTimeout is faked: @octokit/webhooks' 9 s answer. Probot's retries and throttling are off (TestOctokit).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const paused = deferred();
    const resume = deferred();
    let paces = 0;
    // The second write waits for the pacer: the sync stops there until the test resumes it.
    const { url, lastResponse } = await mount({
      writeIntervalMs: 1000,
      delay: async () => {
        if (++paces > 1) return;
        paused.resolve();
        await resume.promise;
      },
    });
    const { body } = pushModel();
    const repo = standin.github.repo('acme/app');
    let responded = false;
    const response = sendWebhook(url, body).then((r) => {
      responded = true;
      return { status: r.status, checkRuns: repo.checkRuns.length, threatIssues: repo.issues.filter((i) => i.labels.includes('threat')).length };
    });

    await paused.promise;
    const writesWhilePaused = standin.github.writes().length;
    await vi.advanceTimersByTimeAsync(9_000);
    const res = lastResponse()!;
    // Probot has answered (status and headers written) but the end, and with it the head, is held.
    expect(res.statusCode).toBe(202);
    expect(res.writableEnded).toBe(false);
    expect(responded).toBe(false);
    expect(standin.github.writes()).toHaveLength(writesWhilePaused);

    resume.resolve();
    const answered = await response;
    expect(answered).toEqual({ status: 202, checkRuns: 1, threatIssues: 2 });
  });

  it('refuses a webhook signed with another secret and writes nothing', async () => {
    const { handler, url } = await mount();
    const { body } = pushModel();

    const response = await sendWebhook(url, body, 'not-the-secret');
    expect([400, 401]).toContain(response.status);
    await handler.app.idle();
    expect(standin.github.writes()).toEqual([]);
    // Not even an installation token was asked for.
    expect(standin.github.requests).toEqual([]);
  });

  it('hands other paths to the next handler', async () => {
    const { url } = await mount();
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('not a webhook\n');
  });

  it('answers other paths 404 when there is no next handler (a function that is only this)', async () => {
    const { handler } = await mount();
    const bare = createServer((req, res) => void handler.middleware(req, res));
    bare.listen(0, '127.0.0.1');
    await once(bare, 'listening');
    try {
      const response = await fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`);
      expect(response.status).toBe(404);
    } finally {
      bare.closeAllConnections();
      bare.close();
    }
  });

  it('refuses to start without WEBHOOK_SECRET (Probot would verify signatures made with an empty key) or with "development"', async () => {
    const { WEBHOOK_SECRET: _secret, ...env } = functionEnv();
    await expect(createThreatloopMiddleware(env)).rejects.toThrow(/WEBHOOK_SECRET is not set/);
    await expect(createThreatloopMiddleware({ ...env, WEBHOOK_SECRET: 'development' })).rejects.toThrow(/Probot's default "development"/);
    await expect(createThreatloopMiddleware({ ...functionEnv(), PRIVATE_KEY: 'not a key' })).rejects.toThrow(/PRIVATE_KEY is not a PEM private key/);
  });
});

describe('the webhook gate (body limit before signature verification, no payload in logs)', () => {
  const LIMIT = 64 * 1024;

  const bigHeaders = {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': 'delivery-big',
    'x-hub-signature-256': 'sha256=00',
  };
  const postPartial = (url: string, declared: number | 'chunked', sent: number) =>
    postPartialTo(new URL('/api/github/webhooks', url).href, bigHeaders, declared, sent);

  it('answers 413 to a Content-Length over WEBHOOK_MAX_BYTES before the body arrives', async () => {
    const { url, logs, handler } = await mount({}, { WEBHOOK_MAX_BYTES: String(LIMIT) });
    // 200 MB announced, 1 KB sent: the answer cannot wait for the body.
    const answer = await postPartial(url, 200 * 1024 * 1024, 1024);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: `payload larger than ${LIMIT} bytes` });
    await handler.app.idle();
    expect(standin.github.requests).toEqual([]);
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['webhook refused: body larger than WEBHOOK_MAX_BYTES']);
  });

  it('cuts a chunked body off at the limit', async () => {
    const { url } = await mount({}, { WEBHOOK_MAX_BYTES: String(LIMIT) });
    const answer = await postPartial(url, 'chunked', LIMIT + 4096);
    expect(answer.status).toBe(413);
  });

  it('refuses a forged signature with one log line that holds neither the payload nor any part of it', async () => {
    const { url, logs, handler } = await mount();
    const marker = 'PAYLOAD-MARKER-7f3a';
    const body = JSON.stringify({ ref: 'refs/heads/main', note: marker.repeat(1000), installation: { id: 1 }, repository: { full_name: 'acme/app' } });
    const response = await sendWebhook(url, body, 'not-the-secret');
    expect(response.status).toBe(400);
    await handler.app.idle();
    const logged = JSON.stringify(logs);
    expect(logged).not.toContain(marker);
    expect(logs.map((l) => l.msg)).toContain('webhook refused: signature does not match (check WEBHOOK_SECRET against the GitHub App settings)');
    expect(standin.github.requests).toEqual([]);
  });

  it('still passes a body just under the limit to Probot', async () => {
    const { url } = await mount({}, { WEBHOOK_MAX_BYTES: String(LIMIT) });
    const body = JSON.stringify({ zen: 'x'.repeat(LIMIT - 100), hook_id: 1 });
    const response = await fetch(`${url}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-github-delivery': 'delivery-ping',
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    expect(response.status).toBe(200);
  });
});
