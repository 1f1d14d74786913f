/** The start-up decision as a pure function of the environment (src/app/startup.ts) and the Node.js version check. */
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../../bin/node-version.js';
import { DEFAULT_WEBHOOK_MAX_BYTES, planStartup, type KeySource } from '../../src/app/startup.ts';
import { testPrivateKey } from '../helpers/probot.ts';

const noFiles: KeySource = {
  readFile: (path) => {
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  },
};
const good = () => ({ APP_ID: '12345', PRIVATE_KEY: testPrivateKey(), WEBHOOK_SECRET: 's3cret-from-the-app-settings' });

function problemsOf(env: Record<string, string | undefined>, keys: KeySource = noFiles): string[] {
  const plan = planStartup(env, keys);
  return plan.kind === 'refuse' ? plan.problems : [];
}

describe('planStartup', () => {
  it('serves with a numeric APP_ID, a parseable RSA key and a real secret', () => {
    const plan = planStartup(good(), noFiles);
    expect(plan).toMatchObject({ kind: 'serve', config: { appId: 12345, webhookSecret: 's3cret-from-the-app-settings', webhookMaxBytes: DEFAULT_WEBHOOK_MAX_BYTES, warnings: [] } });
  });

  it('refuses without WEBHOOK_SECRET or with Probot\'s default "development", naming what to set', () => {
    const { WEBHOOK_SECRET: _unset, ...env } = good();
    expect(problemsOf(env)).toEqual([expect.stringMatching(/^WEBHOOK_SECRET is not set: .*Set WEBHOOK_SECRET to the secret in the GitHub App's settings/)]);
    expect(problemsOf({ ...good(), WEBHOOK_SECRET: 'development' })).toEqual([expect.stringContaining('Probot\'s default "development"')]);
    expect(problemsOf({ ...good(), WEBHOOK_SECRET: '' })).toHaveLength(1);
  });

  it('runs without a secret only with the explicit development switch, and says so', () => {
    const { WEBHOOK_SECRET: _unset, ...env } = good();
    for (const dev of [{ THREATLOOP_DEV: '1' }, { NODE_ENV: 'development' }]) {
      const plan = planStartup({ ...env, ...dev }, noFiles);
      expect(plan.kind).toBe('serve');
      if (plan.kind === 'serve') expect(plan.config.warnings).toEqual([expect.stringContaining('anyone can sign webhooks')]);
    }
    // The switch never wins over production.
    expect(planStartup({ ...env, THREATLOOP_DEV: '1', NODE_ENV: 'production' }, noFiles).kind).toBe('refuse');
    expect(planStartup({ ...env, THREATLOOP_DEV: 'yes' }, noFiles).kind).toBe('refuse');
  });

  it('runs the setup flow only when APP_ID is not set at all, and never in production', () => {
    expect(planStartup({}, noFiles)).toEqual({ kind: 'setup' });
    expect(planStartup({ APP_ID: '  ' }, noFiles)).toEqual({ kind: 'setup' });
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^APP_ID is not set.*never runs with NODE_ENV=production/)]);
    // A broken APP_ID is a mistake to report, not a reason to fall back to setup.
    expect(planStartup({ ...good(), APP_ID: 'abc' }, noFiles).kind).toBe('refuse');
  });

  it('names a malformed APP_ID and a key that does not parse, all problems at once, without quoting the key', () => {
    const broken = '-----BEGIN RSA PRIVATE KEY-----\nTHIS-IS-NOT-A-KEY-secretish\n-----END RSA PRIVATE KEY-----';
    const problems = problemsOf({ APP_ID: '12ab', PRIVATE_KEY: broken, WEBHOOK_SECRET: '' });
    expect(problems).toEqual([
      'APP_ID must be the GitHub App\'s numeric id (its settings page, "App ID"), not "12ab".',
      'PRIVATE_KEY is not a PEM private key: paste the whole .pem file GitHub generated, from -----BEGIN to -----END.',
      expect.stringContaining('WEBHOOK_SECRET is not set'),
    ]);
    expect(problems.join('\n')).not.toContain('secretish');
  });

  it('reads the key the way Probot does: escaped newlines, base64, or PRIVATE_KEY_PATH', () => {
    const pem = testPrivateKey();
    expect(planStartup({ ...good(), PRIVATE_KEY: pem.replace(/\n/g, '\\n') }, noFiles).kind).toBe('serve');
    expect(planStartup({ ...good(), PRIVATE_KEY: Buffer.from(pem).toString('base64') }, noFiles).kind).toBe('serve');
    const { PRIVATE_KEY: _unset, ...env } = good();
    const files: KeySource = { readFile: (path) => (path === '/keys/app.pem' ? pem : noFiles.readFile(path)) };
    expect(planStartup({ ...env, PRIVATE_KEY_PATH: '/keys/app.pem' }, files).kind).toBe('serve');
    expect(problemsOf({ ...env, PRIVATE_KEY_PATH: '/keys/missing.pem' }, files)).toEqual([
      'PRIVATE_KEY_PATH names a file that cannot be read (ENOENT): /keys/missing.pem',
    ]);
    expect(problemsOf(env)).toEqual([expect.stringMatching(/^PRIVATE_KEY \(or PRIVATE_KEY_PATH\) is not set/)]);
  });

  it('checks WEBHOOK_MAX_BYTES and PORT', () => {
    const plan = planStartup({ ...good(), WEBHOOK_MAX_BYTES: '1048576' }, noFiles);
    expect(plan.kind === 'serve' && plan.config.webhookMaxBytes).toBe(1_048_576);
    expect(problemsOf({ ...good(), WEBHOOK_MAX_BYTES: '10MB' })).toEqual([expect.stringContaining('WEBHOOK_MAX_BYTES must be a whole number of bytes')]);
    expect(problemsOf({ ...good(), PORT: 'eighty' })).toEqual(['PORT must be a port number, not "eighty".']);
  });
});

describe('nodeVersionProblem', () => {
  it('accepts Node.js 22 and newer', () => {
    for (const version of ['22.0.0', '22.18.0', '24.21.0', 'v25.1.0', '30.0.0']) expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it('names the version and the minimum in one line for older ones', () => {
    expect(nodeVersionProblem('20.20.2')).toBe('threatloop needs Node.js 22 or newer (24 recommended); this is Node.js 20.20.2.');
    expect(nodeVersionProblem('v18.19.0')).toContain('this is Node.js 18.19.0');
    expect(nodeVersionProblem('21.7.3')).toContain('22 or newer');
    expect(nodeVersionProblem('banana')).toContain('cannot read the Node.js version');
  });
});

describe('app.yml', () => {
  it('leaves the webhook URL to the setup flow (a hook URL in the manifest would replace the one Probot sets)', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const manifest = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(manifest).not.toHaveProperty('hook_attributes');
    expect(manifest.public).toBe(false);
  });
});

describe('.env.example', () => {
  it('documents every variable the server reads, and holds no secret', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const appDir = new URL('../../src/app/', import.meta.url);
    const read = new Set<string>();
    for (const file of readdirSync(appDir)) {
      const text = readFileSync(new URL(file, appDir), 'utf8');
      for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) read.add(m[1]!);
    }
    // Probot's own (createProbot and its logger) and the Jira client's.
    for (const name of ['LOG_LEVEL', 'LOG_FORMAT', 'REDIS_URL', 'JIRA_HOST', 'JIRA_EMAIL', 'JIRA_API_TOKEN']) read.add(name);
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
    for (const secret of ['PRIVATE_KEY', 'WEBHOOK_SECRET']) expect(example).toMatch(new RegExp(`^${secret}=$`, 'm'));
    expect(example).not.toContain('BEGIN');
  });
});
