/**
 * The GitHub Action: action.yml's inputs -> INPUT_* -> one CLI run. The
 * mapping (pure), lint writing SARIF for code scanning, sync and plan against
 * the GitHub stand-in with the token as GITHUB_TOKEN, the token never printed,
 * and the entry point as action.yml runs it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_INPUTS, actionArgs, runAction, type CliMain } from '../../src/cli/action.ts';
import { runRemoteSync } from '../../src/cli/commands/sync.ts';
import { main } from '../../src/cli/main.ts';
import { noDelay } from '../../src/github/client.ts';
import { captureIo, workdir } from '../helpers/cli.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { threatModelText } from '../helpers/models.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'ghp_actionTokenThatMustNeverBePrinted0';
const JIRA_TOKEN = 'ATATT3xFfGF0-action-secret-token-77aa';

/** What the runner sees in a job: Actions' own variables plus the step's INPUT_* (empty inputs arrive as ""). */
function jobEnv(inputs: Partial<Record<keyof typeof ACTION_INPUTS, string>>, extra: Record<string, string> = {}) {
  const env: Record<string, string> = { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/app', PATH: '/usr/bin', ...extra };
  for (const [name, variable] of Object.entries(ACTION_INPUTS)) env[variable] = inputs[name as keyof typeof ACTION_INPUTS] ?? '';
  return env;
}

const mapped = (inputs: Parameters<typeof jobEnv>[0], extra?: Record<string, string>) => {
  const result = actionArgs(jobEnv(inputs, extra));
  if (!result.ok) throw new Error(result.message);
  return result.run;
};

describe('actionArgs', () => {
  it('lint by default, with no token, no Jira credentials and no INPUT_* in its environment', () => {
    const run = mapped({ token: TOKEN, jiraApiToken: JIRA_TOKEN }, { GITHUB_TOKEN: 'inherited', JIRA_API_TOKEN: 'inherited' });
    expect(run.argv).toEqual(['lint']);
    expect(run.env).toEqual({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/app', PATH: '/usr/bin' });
    expect(run.sarifFile).toBeUndefined();
  });

  it('model, config and format become the CLI arguments', () => {
    expect(mapped({ command: 'lint', model: 'security/model.yml', config: 'ci/threatloop.yml', format: 'json' }).argv).toEqual([
      'lint',
      '--config',
      'ci/threatloop.yml',
      '--format',
      'json',
      'security/model.yml',
    ]);
    expect(mapped({ model: ' threat-model.yml ', format: 'sarif' }).argv).toEqual(['lint', '--format', 'sarif', 'threat-model.yml']);
    expect(mapped({ model: '-odd.yml' }).argv).toEqual(['lint', '--', '-odd.yml']);
  });

  it('sarif-file: SARIF into the file, the log in the chosen format (text when SARIF was asked for), JSON for the action itself', () => {
    expect(mapped({ sarifFile: 'results/threatloop.sarif' })).toMatchObject({
      argv: ['lint'],
      jsonArgv: ['lint', '--format', 'json'],
      sarifFile: 'results/threatloop.sarif',
      sarifArgv: ['lint', '--format', 'sarif'],
    });
    expect(mapped({ sarifFile: 'x.sarif', format: 'sarif' }).argv).toEqual(['lint', '--format', 'text']);
    expect(mapped({ sarifFile: 'x.sarif', format: 'json' }).argv).toEqual(['lint', '--format', 'json']);
  });

  it('sync and plan: --repo from GITHUB_REPOSITORY, the token as GITHUB_TOKEN, Jira inputs as JIRA_*', () => {
    const sync = mapped(
      { command: 'sync', token: TOKEN, jiraHost: 'https://acme.atlassian.net', jiraEmail: 'ci@acme.example', jiraApiToken: JIRA_TOKEN },
      { GH_TOKEN: 'inherited', GITHUB_API_URL: 'https://ghe.example.com/api/v3' },
    );
    expect(sync.argv).toEqual(['sync', '--repo', 'acme/app']);
    expect(sync.env).toEqual({
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3',
      PATH: '/usr/bin',
      GITHUB_TOKEN: TOKEN,
      JIRA_HOST: 'https://acme.atlassian.net',
      JIRA_EMAIL: 'ci@acme.example',
      JIRA_API_TOKEN: JIRA_TOKEN,
    });
    expect(sync.argv.join(' ')).not.toContain(TOKEN);

    const plan = mapped({ command: 'plan', token: TOKEN, model: 'm.yml', format: 'json' }, { JIRA_HOST: 'https://job.atlassian.net' });
    expect(plan.argv).toEqual(['plan', '--repo', 'acme/app', '--format', 'json', 'm.yml']);
    expect(plan.env).toMatchObject({ GITHUB_TOKEN: TOKEN, JIRA_HOST: 'https://job.atlassian.net' });
  });

  it('evidence: the pack for the release tag (else the commit), with the token, output folder and app login', () => {
    const release = mapped({ command: 'evidence', token: TOKEN, output: 'pack', appLogin: 'threatloop[bot]' }, { GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.4.0', GITHUB_SHA: 'f'.repeat(40) });
    expect(release.argv).toEqual(['evidence', '--repo', 'acme/app', '--ref', 'v1.4.0', '--output', 'pack', '--app-login', 'threatloop[bot]']);
    expect(release.env).toMatchObject({ GITHUB_TOKEN: TOKEN });
    expect(mapped({ command: 'evidence', token: TOKEN }, { GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'main', GITHUB_SHA: 'f'.repeat(40) }).argv).toEqual(['evidence', '--repo', 'acme/app', '--ref', 'f'.repeat(40)]);
  });

  it('refuses what it cannot run, saying which input is wrong', () => {
    const refusal = (inputs: Parameters<typeof jobEnv>[0], extra?: Record<string, string>) => {
      const result = actionArgs(jobEnv(inputs, extra));
      return result.ok ? undefined : result.message;
    };
    expect(refusal({ command: 'report' })).toMatch(/command "report".*lint, sync, plan, evidence/);
    expect(refusal({ command: 'evidence', token: TOKEN, model: 'm.yml' })).toMatch(/evidence reads the model and config from the repository/);
    expect(refusal({ command: 'sync', token: TOKEN, output: 'pack' })).toMatch(/output and app-login are for the evidence command/);
    expect(refusal({ command: 'sync', token: TOKEN, sarifFile: 'x.sarif' })).toMatch(/sarif-file is for the lint command/);
    expect(refusal({ command: 'sync', token: '' })).toMatch(/token input is empty/);
    const { GITHUB_REPOSITORY: _repository, ...outsideActions } = jobEnv({ command: 'plan', token: TOKEN });
    expect(actionArgs(outsideActions)).toMatchObject({ ok: false, message: expect.stringMatching(/GITHUB_REPOSITORY/) });
  });
});

const CLEAN = threatModelText({ threats: 1 });
const BROKEN = CLEAN.replace('targets: api', 'targets: apj');

describe('runAction: lint', () => {
  it('with sarif-file writes SARIF for upload-sarif, prints the findings as text and fails on errors', async () => {
    const cwd = workdir({ 'threat-model.yml': BROKEN });
    const c = captureIo(cwd);
    const exit = await runAction(jobEnv({ sarifFile: 'results/threatloop.sarif' }), c.io);

    expect(exit).toBe(1);
    const sarif = JSON.parse(readFileSync(join(cwd, 'results/threatloop.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toContainEqual(
      expect.objectContaining({ ruleId: 'unknown-reference', level: 'error', locations: [expect.objectContaining({ physicalLocation: expect.objectContaining({ artifactLocation: expect.objectContaining({ uri: 'threat-model.yml' }) }) })] }),
    );
    expect(c.stdout()).toMatch(/threat-model\.yml:\d+:\d+ error unknown-reference/);
    expect(c.stdout()).toContain('threatloop: SARIF written to results/threatloop.sarif');
  });

  it('a usage error writes no SARIF file', async () => {
    const cwd = workdir({ 'threat-model.yml': CLEAN });
    const c = captureIo(cwd);
    expect(await runAction(jobEnv({ sarifFile: 'out.sarif', model: 'missing.yml' }), c.io)).toBe(2);
    expect(existsSync(join(cwd, 'out.sarif'))).toBe(false);
    expect(c.stderr()).toContain('missing.yml');
  });
});

describe('runAction: sync and plan with a token', () => {
  const standin = useGitHubStandin({ prefix: '/api/v3' });
  // main as the action runs it, with the sync's pacing off (no waiting in tests).
  const fastCli: CliMain = (argv, io) =>
    argv[0] === 'sync' ? runRemoteSync('sync', argv.slice(1), io, { dryRun: false, delay: noDelay, writeIntervalMs: 0 }) : main(argv, io);
  const setup = () => {
    standin.github.addRepo({ owner: 'acme', name: 'app', private: true, assignees: ['sec-lead'], files: { 'README.md': 'x' } });
    return { cwd: workdir({ 'threat-model.yml': threatModelText({ threats: 2 }) }), env: { GITHUB_API_URL: standin.github.url } };
  };

  it('plan writes nothing; sync files the issues with the token; the token is never printed', async () => {
    const { cwd, env } = setup();
    const plan = captureIo(cwd);
    expect(await runAction(jobEnv({ command: 'plan', token: TOKEN }, env), plan.io, fastCli)).toBe(0);
    expect(standin.github.writes()).toEqual([]);
    expect(plan.stdout()).toContain('[TM-1]');

    const sync = captureIo(cwd);
    expect(await runAction(jobEnv({ command: 'sync', token: TOKEN }, env), sync.io, fastCli)).toBe(0);
    const repo = standin.github.repo('acme/app');
    expect(repo.issues.filter((i) => i.labels.includes('threat')).map((i) => i.title)).toEqual([
      expect.stringContaining('[TM-1]'),
      expect.stringContaining('[TM-2]'),
    ]);
    // GET /user is refused for Actions' token: the issues it files are github-actions[bot]'s.
    const create = standin.github.requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/app/issues');
    expect(String(create?.headers.authorization)).toBe(`token ${TOKEN}`);
    for (const printed of [plan.all(), sync.all()]) expect(printed).not.toContain(TOKEN);
  });

  it('plan sets planned-writes and the job summary; the sync that follows applies exactly that many writes', async () => {
    const { cwd, env } = setup();
    const runner = { GITHUB_OUTPUT: join(cwd, 'output'), GITHUB_STEP_SUMMARY: join(cwd, 'summary') };
    const plan = captureIo(cwd);
    expect(await runAction(jobEnv({ command: 'plan', token: TOKEN }, { ...env, ...runner }), plan.io, fastCli)).toBe(0);
    const planned = Number(/planned-writes=(\d+)/.exec(readFileSync(runner.GITHUB_OUTPUT, 'utf8'))?.[1]);
    expect(planned).toBeGreaterThan(0);
    expect(readFileSync(runner.GITHUB_STEP_SUMMARY, 'utf8')).toMatch(new RegExp(`\\| 0 \\| \\d+ \\| ${planned} \\| 0 \\| 0 \\|`));

    const sync = captureIo(cwd);
    expect(await runAction(jobEnv({ command: 'sync', token: TOKEN }, { ...env, ...runner }), sync.io, fastCli)).toBe(0);
    const issueWrites = standin.github.writes().filter((w) => !w.path.includes('/check-runs'));
    expect(issueWrites).toHaveLength(planned);
    expect(sync.stdout()).toContain(`writes: ${planned} planned, ${planned} applied, 0 remaining`);
  });

  it('a refused token fails the step without printing it', async () => {
    const { cwd, env } = setup();
    standin.github.fail('GET', /^\/repos\/acme\/app$/, { status: 401, body: { message: `Bad credentials ${TOKEN}` } });
    const c = captureIo(cwd);
    expect(await runAction(jobEnv({ command: 'sync', token: TOKEN }, env), c.io, fastCli)).toBe(1);
    expect(c.stderr()).toContain('GITHUB_TOKEN was refused (401)');
    expect(c.all()).not.toContain(TOKEN);
    expect(standin.github.writes()).toEqual([]);
  });
});

describe('runAction: lint on a pull request lists the owner approvals the change needs (read-only)', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();

  /** A checkout whose HEAD removes TM-2 (owner platform: plat-dev), the base asking for approval of removals. */
  function pullRequestCheckout(): { cwd: string; base: string } {
    const cwd = workdir({ '.github/threatloop.yml': 'pull_requests:\n  require_owner_approval: [remove]\n', 'threat-model.yml': threatModelText({ threats: 2 }) });
    git(cwd, 'init', '-q', '-b', 'main');
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-q', '-m', 'base');
    const base = git(cwd, 'rev-parse', 'HEAD');
    writeFileSync(join(cwd, 'threat-model.yml'), threatModelText({ threats: 2, omit: [1] }));
    git(cwd, 'commit', '-q', '-am', 'head');
    return { cwd, base };
  }

  function pullRequestEnv(cwd: string, base: string, eventName = 'pull_request') {
    writeFileSync(join(cwd, 'event.json'), JSON.stringify({ pull_request: { number: 7, base: { sha: base } } }));
    return jobEnv({}, { GITHUB_EVENT_NAME: eventName, GITHUB_EVENT_PATH: join(cwd, 'event.json'), GITHUB_STEP_SUMMARY: join(cwd, 'summary.md') });
  }

  it('names the threat, the change and who must approve in the job summary; the step passes', async () => {
    const { cwd, base } = pullRequestCheckout();
    const c = captureIo(cwd);
    expect(await runAction(pullRequestEnv(cwd, base), c.io)).toBe(0);
    const summary = readFileSync(join(cwd, 'summary.md'), 'utf8');
    expect(summary).toContain('#### Owner approval');
    expect(summary).toContain('- `TM-2` Threat number 2 against the database: this pull request removes it; approval needed from `plat-dev`');
  });

  it('not on a push; and a base commit missing from the checkout is a note in the log, not a failure', async () => {
    const { cwd, base } = pullRequestCheckout();
    expect(await runAction(pullRequestEnv(cwd, base, 'push'), captureIo(cwd).io)).toBe(0);
    expect(readFileSync(join(cwd, 'summary.md'), 'utf8')).not.toContain('Owner approval');

    const c = captureIo(cwd);
    expect(await runAction(pullRequestEnv(cwd, 'f'.repeat(40)), c.io)).toBe(0);
    expect(c.stdout()).toContain('threatloop: owner approvals not listed: threatloop diff: cannot read ffffffffffffffffffffffffffffffffffffffff:threat-model.yml from git');

    // Without the key in the checked-out config: not a word about approvals, base commit or not.
    writeFileSync(join(cwd, '.github/threatloop.yml'), 'pull_requests:\n  comment: true\n');
    for (const sha of [base, 'f'.repeat(40)]) {
      const quiet = captureIo(cwd);
      expect(await runAction(pullRequestEnv(cwd, sha), quiet.io)).toBe(0);
      expect(quiet.stdout()).not.toContain('approval');
    }
  });
});

describe('action.yml', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));

  it('is a JavaScript action on the runner\'s Node 24 that runs the committed bundle (no install at run time)', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist-action/index.js' });
    expect(existsSync(join(ROOT, 'dist-action/index.js'))).toBe(true);
    expect(action.inputs.command.default).toBe('lint');
    expect(action.inputs.token.default).toBe('${{ github.token }}');
    expect(Object.keys(action.outputs).sort()).toEqual(['errors', 'planned-writes', 'sarif-file', 'warnings']);
  });

  it('names every input the way the runner passes it (INPUT_ and the name upper-cased, hyphens kept)', () => {
    const variables = Object.keys(action.inputs).map((name) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`);
    expect(variables.sort()).toEqual(Object.values(ACTION_INPUTS).sort());
  });
});
