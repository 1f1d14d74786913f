/**
 * `threatloop sync --repo` / `threatloop plan --repo` with a token, against
 * the GitHub stand-in (GITHUB_API_URL), the model read from the working tree.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runRemotePlan, runRemoteSync } from '../../src/cli/commands/sync.ts';
import { main } from '../../src/cli/main.ts';
import { noDelay } from '../../src/github/client.ts';
import type { GitHubStandin } from '../helpers/github-standin.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { threatModelText } from '../helpers/models.ts';
import { captureIo } from '../helpers/cli.ts';

const FAST = { dryRun: false, delay: noDelay, writeIntervalMs: 0 };
const TOKEN = 'ghp_cliTokenThatMustNeverBePrinted000';
const standin = useGitHubStandin({ prefix: '/api/v3' });
let github: GitHubStandin;
let cwd: string;

beforeEach(() => {
  github = standin.github;
  github.addRepo({ owner: 'acme', name: 'app', private: true, assignees: ['sec-lead', 'plat-dev'], files: { 'threat-model.yml': threatModelText({ threats: 2 }) } });
  cwd = mkdtempSync(join(tmpdir(), 'threatloop-cli-'));
  writeFileSync(join(cwd, 'threat-model.yml'), threatModelText({ threats: 3 }));
});

const io = (env: Record<string, string> = {}) => captureIo(cwd, { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url, ...env });

describe('threatloop sync --repo', () => {
  it('syncs the working-tree model into the repository issues, then a second run writes nothing', async () => {
    const first = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], first.io, FAST)).toBe(0);
    const repo = github.repo('acme/app');
    expect(repo.issues.filter((i) => i.labels.includes('threat'))).toHaveLength(3);
    expect(first.all()).toContain('issues synced');
    expect(first.all()).not.toContain(TOKEN);
    expect(github.requests.find((r) => r.method === 'POST')?.headers.authorization).toBe(`token ${TOKEN}`);
    expect(repo.checkRuns).toEqual([]);

    const writes = github.writes().length;
    const second = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], second.io, FAST)).toBe(0);
    expect(github.writes()).toHaveLength(writes);
    expect(second.all()).toContain('already in sync');
  });

  it('on a terminal, a progress bar on stderr follows the writes and ends with a newline; a pipe gets none', async () => {
    const terminal: string[] = [];
    const run = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], { ...run.io, terminal: (text) => terminal.push(text) }, FAST)).toBe(0);
    const writes = github.writes().length;
    expect(terminal[0]).toMatch(/^\r\[#*-*\] 1 of \d+ writes/);
    expect(terminal.at(-2)).toContain(`] ${writes} of ${writes} writes`);
    expect(terminal.at(-1)).toBe('\n');
    expect(run.stdout()).not.toContain('writes\u001b');

    const piped = io();
    await runRemoteSync('sync', ['--repo', 'acme/app'], piped.io, FAST);
    expect(piped.all()).not.toMatch(/\[#/);
  });

  it("relabels an issue the token's user filed that lost its `threat` label, instead of filing a second one", async () => {
    github.issueAuthor = 'sec-bot';
    github.tokenUser = 'sec-bot';
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], io().io, FAST)).toBe(0);
    const repo = github.repo('acme/app');
    const issue = repo.issues[0]!;
    issue.labels = issue.labels.filter((l) => l !== 'threat');
    const count = repo.issues.length;
    const run = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], run.io, FAST)).toBe(0);
    expect(repo.issues).toHaveLength(count);
    expect(issue.labels).toContain('threat');
    expect(run.all()).toContain(`#${issue.number} had lost threatloop's label`);
    expect(github.requests.filter((r) => r.query.creator).map((r) => r.query.creator)).toEqual(['sec-bot', 'sec-bot']);
  });

  it('in GitHub Actions, where GET /user refuses GITHUB_TOKEN, the issues are those github-actions[bot] filed', async () => {
    github.issueAuthor = 'github-actions[bot]';
    const env = { GITHUB_ACTIONS: 'true' };
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], io(env).io, FAST)).toBe(0);
    const repo = github.repo('acme/app');
    const issue = repo.issues[0]!;
    issue.labels = issue.labels.filter((l) => l !== 'threat');
    const count = repo.issues.length;
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], io(env).io, FAST)).toBe(0);
    expect(repo.issues).toHaveLength(count);
    expect(issue.labels).toContain('threat');
  });

  it('--ref reads the model from the repository at that ref', async () => {
    const run = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app', '--ref', 'main'], run.io, FAST)).toBe(0);
    expect(github.repo('acme/app').issues.filter((i) => i.labels.includes('threat'))).toHaveLength(2);
  });

  it('plan --repo prints the operations and writes nothing', async () => {
    const run = io();
    expect(await runRemotePlan(['--repo', 'acme/app'], run.io, FAST)).toBe(0);
    expect(github.writes()).toEqual([]);
    expect(run.out.join('\n')).toContain('[TM-3]');
  });

  it('is routed from the CLI: `threatloop plan --repo` and `threatloop sync` usage errors', async () => {
    const run = io();
    expect(await main(['plan', '--repo', 'acme/app', '--format', 'json'], run.io)).toBe(0);
    expect(JSON.parse(run.out.join('\n'))).toMatchObject({ status: 'planned', issuesRepo: 'acme/app' });
    const bad = io({ GITHUB_TOKEN: '' });
    expect(await main(['sync', '--bogus'], bad.io)).toBe(2);
    expect(await main(['sync'], bad.io)).toBe(2);
  });

  it('lint errors: exit 1, findings printed, nothing written', async () => {
    writeFileSync(join(cwd, 'threat-model.yml'), threatModelText({ threats: 2 }).replace('targets: api', 'targets: nowhere'));
    const run = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], run.io, FAST)).toBe(1);
    expect(run.err.join('\n')).toMatch(/threat-model\.yml:\d+:\d+ error/);
    expect(github.writes()).toEqual([]);
  });

  it('an invalid working-tree config is reported (exit 1) even when the model it would name is unknown; nothing written', async () => {
    mkdirSync(join(cwd, '.github'), { recursive: true });
    writeFileSync(join(cwd, '.github/threatloop.yml'), 'model: elsewhere.yml\nissues: [\n');
    const run = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], run.io, FAST)).toBe(1);
    expect(run.err.join('\n')).toMatch(/\.github\/threatloop\.yml:\d+:\d+ error config /);
    expect(github.writes()).toEqual([]);
  });

  it('a model over the size limit is refused before reading: exit 1 with the finding, no request made', async () => {
    writeFileSync(join(cwd, 'threat-model.yml'), Buffer.alloc(9 * 1024 * 1024, 0x23));
    const run = io();
    const before = github.requests.length;
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], run.io, FAST)).toBe(1);
    expect(run.err.join('\n')).toMatch(/^threat-model\.yml:1:1 error file-too-large /);
    expect(github.requests.length).toBe(before);
  });

  it('a refused token says so without printing it', async () => {
    github.fail('GET', /^\/repos\/acme\/app$/, { status: 401, body: { message: 'Bad credentials' } });
    const run = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], run.io, FAST)).toBe(1);
    expect(run.all()).toContain('GITHUB_TOKEN was refused');
    expect(run.all()).not.toContain(TOKEN);
  });

  it('reads the config from the working tree (issues to another repository)', async () => {
    mkdirSync(join(cwd, '.github'));
    writeFileSync(join(cwd, '.github/threatloop.yml'), 'issues:\n  repo: acme/security\n');
    const security = github.addRepo({ owner: 'acme', name: 'security', private: true, files: { '.github/threatloop.yml': 'accepts_threats_from: [acme/app]\n' } });
    const run = io();
    expect(await runRemoteSync('sync', ['--repo', 'acme/app'], run.io, FAST)).toBe(0);
    expect(security.issues.filter((i) => i.labels.includes('threat'))).toHaveLength(3);
  });
});
