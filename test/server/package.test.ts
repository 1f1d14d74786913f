/**
 * What the container runs, without a container engine: the package as
 * `npm pack` ships it, unpacked into an empty folder beside only its
 * production dependencies, started with NODE_ENV=production from dist/
 * through the package's `threatloop-server` bin. Health checked, a signed
 * webhook answered, a forged one refused. The dependencies are linked from
 * this checkout's node_modules (tests reach nothing but 127.0.0.1, so no
 * registry): exactly the packages `npm ls --omit=dev` names, so an import
 * of a dev dependency from dist/ fails here as it would in the image.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubStandin } from '../helpers/github-standin.ts';
import { listening } from '../helpers/server-process.ts';
import { loopbackOnlyFetch } from '../helpers/loopback.ts';
import { testPrivateKey } from '../helpers/probot.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'package-test-webhook-secret';
const npmEnv = { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` };

let folder: string;
let github: GitHubStandin;
let child: ChildProcess;
let output = '';
let base = '';
let restoreFetch: () => void;

/** The top-level production packages of this checkout (`npm ls --omit=dev`), as node_modules-relative names. */
function productionPackages(): string[] {
  const modules = join(ROOT, 'node_modules');
  // npm ls exits 1 over problems in the dev tree (e.g. peer ranges); the production list is on stdout regardless.
  const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, env: npmEnv, encoding: 'utf8' }).stdout;
  const names = new Set<string>();
  for (const line of listed.split('\n')) {
    const path = line.trim();
    if (!path.startsWith(modules + sep)) continue;
    const parts = relative(modules, path).split(sep);
    // Only hoisted packages: nested ones come along inside their parent.
    const name = parts[0]!.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1);
    if (parts.length === name.length) names.add(name.join('/'));
  }
  return [...names];
}

beforeAll(async () => {
  restoreFetch = loopbackOnlyFetch();
  folder = mkdtempSync(join(tmpdir(), 'threatloop-package-'));
  // prepack builds dist/ first, as publishing does.
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', folder], { cwd: ROOT, env: npmEnv, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const installed = join(folder, 'node_modules/threatloop');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(folder, tarball), '-C', installed, '--strip-components=1']);
  for (const name of productionPackages()) {
    const link = join(folder, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(join(ROOT, 'node_modules', name)), link, 'dir');
  }
  github = await GitHubStandin.start({ prefix: '/api/v3' });
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [join(installed, 'bin/threatloop-server.js')], {
    cwd: folder,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      APP_ID: '1',
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: github.host,
      GHE_PROTOCOL: 'http',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  await listening(child, () => output, 90_000);
}, 240_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await github?.close();
  restoreFetch?.();
});

describe('the packed tarball, installed with production dependencies only', () => {
  it('ships the build, the bins, the schema and the manifest, and no source or tests', () => {
    const files = readdirSync(join(folder, 'node_modules/threatloop'));
    expect(files).toEqual(expect.arrayContaining(['bin', 'dist', 'schema', 'app.yml', 'package.json', 'LICENSE']));
    expect(files).not.toContain('src');
    expect(files).not.toContain('test');
  });

  it('runs from dist/ in production: healthy, ready, answers a signed webhook and refuses a forged one', async () => {
    expect(output).not.toContain('src/app/server.ts');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: 'ready' });
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1, hook: { id: 1 } });
    const send = (secret: string) =>
      fetch(`${base}/api/github/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'ping',
          'x-github-delivery': `delivery-${secret.length}`,
          'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
        },
        body,
      });
    expect((await send(SECRET)).status).toBe(200);
    expect((await send('development')).status).toBe(400);
  });

  it('stops on SIGTERM with exit 0', async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
