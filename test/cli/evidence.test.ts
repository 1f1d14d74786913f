import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEvidence } from '../../src/cli/commands/evidence.ts';
import { assembleEvidence } from '../../src/evidence/assemble.ts';
import { loadModel } from '../../src/model/load.ts';
import { captureIo, workdir } from '../helpers/cli.ts';
import { APP_LOGIN, buildScenario, SCENARIO_REPO } from '../helpers/evidence-scenario.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { threatId, threatModelText } from '../helpers/models.ts';

const standin = useGitHubStandin();

function readPack(dir: string) {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    commit: string;
    ref: string;
    tool: { version: string };
    issues: { trustedAuthor: string };
    summary: Record<string, number>;
    githubReads: number;
    files: { name: string; bytes: number; sha256: string }[];
  };
  return { manifest, csv: readFileSync(join(dir, 'traceability.csv'), 'utf8'), html: readFileSync(join(dir, 'report.html'), 'utf8') };
}

describe('threatloop evidence', () => {
  it('builds the pack from what the app wrote: issue, Jira key, pull requests, merge commits, status history', async () => {
    const github = standin.github;
    const scenario = await buildScenario(github, { threats: 6, changed: [2, 3], crossLinked: [2, 4], merged: [2] });
    const cwd = workdir();
    const cli = captureIo(cwd);
    const exit = await runEvidence(['--repo', SCENARIO_REPO, '--ref', scenario.sha, '--output', 'pack', '--app-login', APP_LOGIN, '--today', '2031-01-10'], cli.io, {
      client: scenario.octokit,
      now: new Date('2031-01-10T09:00:00Z'),
    });
    expect(cli.stderr()).toContain('wrote pack');
    expect(exit).toBe(0);

    const dir = join(cwd, 'pack');
    expect(readdirSync(dir).sort()).toEqual(['lint.sarif', 'manifest.json', 'model', 'report.html', 'traceability.csv']);
    const { manifest, csv, html } = readPack(dir);
    expect(manifest).toMatchObject({ commit: scenario.sha, ref: scenario.sha, issues: { trustedAuthor: APP_LOGIN }, summary: { threats: 6, withIssue: 6, pullRequests: 2, mergedPullRequests: 1, statusChanges: 2 } });
    expect(manifest.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    // Every file is in the manifest with its SHA-256, and the model is the one at the commit, byte for byte.
    for (const file of manifest.files) {
      const bytes = readFileSync(join(dir, file.name));
      expect(createHash('sha256').update(bytes).digest('hex'), file.name).toBe(file.sha256);
      expect(bytes.length).toBe(file.bytes);
    }
    expect(manifest.files.map((f) => f.name).sort()).toEqual(['lint.sarif', 'model/threat-model.yml', 'report.html', 'traceability.csv']);
    expect(readFileSync(join(dir, 'model/threat-model.yml'), 'utf8')).toBe(github.repo(SCENARIO_REPO).commits.get(scenario.sha)!['threat-model.yml']);
    expect(JSON.parse(readFileSync(join(dir, 'lint.sarif'), 'utf8')).version).toBe('2.1.0');

    const row = (id: string) => csv.split('\r\n').find((line) => line.startsWith(`${id},`))!;
    expect(csv.split('\r\n')[0]).toContain(',Issue,Jira,Pull requests,Merge commits,Status history');
    expect(row(threatId(2))).toContain(`acme/app#102 (mitigates) merged 2031-01-01`);
    expect(row(threatId(2))).toContain(scenario.mergeCommit(2));
    expect(row(threatId(2))).toMatch(/\d{4}-\d{2}-\d{2} Open → In progress by ana-gw/);
    expect(row(threatId(4))).toContain('acme/app#104 (mitigates)');
    expect(row(threatId(4))).not.toContain('merged');
    expect(row(threatId(5))).toMatch(/\/issues\/\d+,,,,$/);
    // Copies of the markers by someone else are not believed.
    expect(row(threatId(0))).not.toContain('#666');
    expect(row(threatId(0))).not.toContain('Verified');
    expect(row(threatId(1))).not.toContain('EVIL-1');
    expect(cli.stderr()).toContain('ignored 1 issues and 2 comments');
    expect(html).toContain('acme/app@');
    expect(html).toContain('Pull requests · merge commits');
  });

  it('reads 500 threat issues within 1 read per 100 issues plus 1 per issue with cross-links, and writes nothing', async () => {
    const github = standin.github;
    const crossLinked = Array.from({ length: 30 }, (_, i) => i * 15);
    const changed = [...crossLinked.slice(0, 10), 301, 302, 303, 304, 305];
    const scenario = await buildScenario(github, { threats: 500, changed, crossLinked, merged: crossLinked.slice(0, 20) });
    const mark = github.requests.length;
    const cli = captureIo(workdir());
    const exit = await runEvidence(['--repo', SCENARIO_REPO, '--ref', scenario.sha, '--app-login', APP_LOGIN, '--today', '2031-01-10'], cli.io, { client: scenario.octokit });
    expect(exit).toBe(0);
    const reads = github.requests.slice(mark);
    expect(reads.filter((r) => r.method !== 'GET')).toEqual([]);
    const byKind = (pattern: RegExp) => reads.filter((r) => pattern.test(r.path)).length;
    const issuePages = Math.ceil(501 / 100);
    expect(byKind(/\/issues$/)).toBe(issuePages);
    // Every comment of the threat issues (67 of them) comes from one page of the repository's comment listing.
    expect(byKind(/\/issues\/comments$/)).toBe(1);
    expect(byKind(/\/issues\/\d+\/comments$/)).toBe(0);
    // The commit, the config and the model: three more.
    expect(reads.length).toBe(issuePages + 1 + 3);
    expect(reads.length).toBeLessThanOrEqual(issuePages + crossLinked.length + 3);
    const dir = cli.stderr().match(/wrote (\S+):/)![1]!;
    const pack = readPack(join(cli.io.cwd, dir));
    expect(pack.manifest.githubReads).toBe(reads.length);
    expect(pack.manifest.summary).toMatchObject({ withIssue: 500, pullRequests: 30, mergedPullRequests: 20, statusChanges: 15 });
  }, 60_000);

  it('pages through the repository comment listing while it costs less than each commented threat issue, and reads those issues instead when it would cost more: the same pack', async () => {
    const github = standin.github;
    const scenario = await buildScenario(github, { threats: 6, changed: [2, 3], crossLinked: [2, 4], merged: [2] });
    const pack = async (name: string) => {
      const cli = captureIo(workdir());
      const mark = github.requests.length;
      const args = ['--repo', SCENARIO_REPO, '--ref', scenario.sha, '--output', name, '--app-login', APP_LOGIN, '--today', '2031-01-10'];
      expect(await runEvidence(args, cli.io, { client: scenario.octokit, now: new Date('2031-01-10T09:00:00Z') })).toBe(0);
      const reads = github.requests.slice(mark);
      return { reads, csv: readPack(join(cli.io.cwd, name)).csv, stderr: cli.stderr() };
    };
    const quiet = await pack('quiet');
    expect(quiet.reads.filter((r) => /\/issues\/comments$/.test(r.path))).toHaveLength(1);

    // Comments on a pull request after the threat issues were opened, one of them a forged cross-link.
    const pr = github.addPullRequest(SCENARIO_REPO, ['src/app.ts']);
    const chatter = github.repo(SCENARIO_REPO).issues.find((i) => i.number === pr)!;
    const discuss = (count: number) => {
      const from = chatter.comments.length;
      for (let i = from; i < from + count; i++) chatter.comments.push({ id: 2_000_000 + i, body: i === 7 ? '<!-- threatloop:pr-link acme/app#666 -->' : `LGTM ${i}`, user: 'ada', created_at: new Date(Date.now() + i).toISOString() });
    };
    // 200 of them: 3 pages of the repository's comments still cost less than the 4 commented threat issues.
    discuss(200);
    const paged = await pack('paged');
    expect(paged.reads.filter((r) => /\/issues\/comments$/.test(r.path)).map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(paged.reads.filter((r) => /\/issues\/\d+\/comments$/.test(r.path))).toHaveLength(0);
    expect(paged.csv).toBe(quiet.csv);

    // A busy repository: 1,000 of them.
    discuss(800);
    const busy = await pack('busy');
    // Its first page says 11 pages; the 4 commented threat issues (one of them with only forged comments) cost 4.
    expect(busy.reads.filter((r) => /\/issues\/comments$/.test(r.path))).toHaveLength(1);
    expect(busy.reads.filter((r) => /\/issues\/\d+\/comments$/.test(r.path))).toHaveLength(4);
    expect(busy.reads.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(busy.csv).toBe(quiet.csv);
    expect(busy.stderr).toContain('ignored 1 issues and 2 comments');
  });

  it('never writes over an existing pack, and refuses a model that does not load', async () => {
    const github = standin.github;
    const scenario = await buildScenario(github, { threats: 2, changed: [], crossLinked: [], merged: [] });
    const cwd = workdir({ 'pack/manifest.json': 'keep me' });
    const cli = captureIo(cwd);
    expect(await runEvidence(['--repo', SCENARIO_REPO, '--ref', scenario.sha, '--output', 'pack', '--app-login', APP_LOGIN], cli.io, { client: scenario.octokit })).toBe(1);
    expect(cli.stderr()).toContain('nothing was overwritten');
    expect(readFileSync(join(cwd, 'pack/manifest.json'), 'utf8')).toBe('keep me');

    const broken = github.push(SCENARIO_REPO, { 'threat-model.yml': 'version: 1\nsystem: [oops\n' });
    const again = captureIo(cwd);
    expect(await runEvidence(['--repo', SCENARIO_REPO, '--ref', broken.after, '--output', 'other', '--app-login', APP_LOGIN], again.io, { client: scenario.octokit })).toBe(1);
    expect(again.stderr()).toMatch(/threat-model\.yml:\d+:\d+ error yaml-syntax/);
    expect(again.stderr()).toContain('no pack was written');
    expect(existsSync(join(cwd, 'other'))).toBe(false);
  });

  it('says what is wrong with the arguments', async () => {
    const cli = captureIo(workdir());
    expect(await runEvidence(['--repo', 'nope'], cli.io, { client: {} as never })).toBe(2);
    expect(cli.stderr()).toContain('--repo owner/name is required');
    expect(await runEvidence(['--repo', 'a/b', '--app-login', 'not a login'], cli.io, { client: {} as never })).toBe(2);
    expect(await runEvidence(['--repo', 'a/b'], captureIo(workdir(), {}).io)).toBe(2);
  });
});

describe('assembleEvidence', () => {
  it('keeps the oldest issue the app filed for a threat and its Jira key', () => {
    const loaded = loadModel(threatModelText({ threats: 1 }), 'threat-model.yml');
    if (!loaded.ok) throw new Error('model');
    const marker = (jira: string) => `<!-- threatloop:threat id="TM-1" jira="${jira}" -->`;
    const issue = (number: number, author: string, jira: string) => ({ number, body: marker(jira), state: 'open' as const, url: `https://github.com/a/b/issues/${number}`, createdAt: '2030-01-01T00:00:00Z', author });
    const result = assembleEvidence({ model: loaded.model, issues: [issue(9, APP_LOGIN, 'SEC-9'), issue(3, 'mallory', 'EVIL-1'), issue(5, APP_LOGIN, 'SEC-5')], comments: [], trustedAuthor: APP_LOGIN });
    expect(result.byThreat.get('TM-1')).toMatchObject({ issue: { number: 5 }, jiraKey: 'SEC-5' });
    expect(result.ignored.issues).toBe(1);
    expect(result.withoutIssue).toEqual([]);
  });
});
