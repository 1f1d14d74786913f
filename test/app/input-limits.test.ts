/**
 * Size limits before parsing, through the app: a model or config over its
 * limit (INPUT_LIMITS) is one `file-too-large` finding in a failed check run;
 * its content is never fetched and no issue is written.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INPUT_LIMITS } from '../../src/model/limits.ts';
import type { GitHubStandin, StandinRepo } from '../helpers/github-standin.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { threatModelText } from '../helpers/models.ts';
import { createTestApp, type TestApp } from '../helpers/probot.ts';

const REPO = 'acme/app';
let github: GitHubStandin;
let app: TestApp;
let delivery = 0;
const standin = useGitHubStandin();

beforeEach(async () => {
  github = standin.github;
  app = await createTestApp(github.url, { now: () => new Date('2030-01-01T12:00:00Z') });
});
afterEach(() => app.threatloop.stop());

function setup(files: Record<string, string> = {}): StandinRepo {
  return github.addRepo({ owner: 'acme', name: 'app', files: { 'threat-model.yml': threatModelText({ threats: 2 }), ...files } });
}

async function push(files: Record<string, string | null>) {
  const pushed = github.push(REPO, files);
  await app.probot.receive({ name: 'push', id: `d-${++delivery}`, payload: github.pushPayload(REPO, pushed) as never });
}

/** Requests for a file's raw bytes (the content of an oversized file must never be fetched). */
const rawReads = () => github.requests.filter((r) => r.path.includes('/contents/') && String(r.headers.accept ?? '').includes('raw'));
const issueWrites = () => github.writes().filter((r) => !r.path.endsWith('/check-runs'));
/** A comment line repeated to `bytes`: valid YAML, just big. */
const padding = (bytes: number) => '# padding\n'.repeat(Math.ceil(bytes / 10));

describe('size limits before parsing, in the app', () => {
  it('a model over the limit: one finding in a failed check run, its content never fetched, nothing written', async () => {
    const repo = setup();
    await push({ 'threat-model.yml': `${threatModelText({ threats: 2 })}${padding(INPUT_LIMITS.model + 1024)}` });
    const check = repo.checkRuns.at(-1)!;
    expect(check.conclusion).toBe('failure');
    expect(check.output.annotations).toEqual([
      expect.objectContaining({ path: 'threat-model.yml', start_line: 1, message: expect.stringMatching(/^file is 8\.0 MB; the limit is 8\.0 MB for a threat model/) }),
    ]);
    expect(rawReads()).toEqual([]);
    expect(issueWrites()).toEqual([]);
  });

  it('a model over 1 MB but within the limit is read raw and synced', async () => {
    const repo = setup();
    await push({ 'threat-model.yml': `${threatModelText({ threats: 2 })}${padding(1.5 * 1024 * 1024)}` });
    expect(repo.checkRuns.at(-1)!.conclusion).toBe('success');
    expect(rawReads()).toHaveLength(1);
    expect(repo.issues.filter((i) => i.labels.includes('threat'))).toHaveLength(2);
  });

  it('a config over the limit: a failed check run naming it, nothing written', async () => {
    const repo = setup();
    await push({ '.github/threatloop.yml': `issues:\n  enabled: true\n${padding(INPUT_LIMITS.config + 10)}` });
    const check = repo.checkRuns.at(-1)!;
    expect(check.conclusion).toBe('failure');
    expect(check.output.annotations).toEqual([
      expect.objectContaining({ path: '.github/threatloop.yml', message: expect.stringMatching(/^file is 64\.0 KB; the limit is 64\.0 KB for a config file/) }),
    ]);
    expect(rawReads()).toEqual([]);
    expect(issueWrites()).toEqual([]);
  });

  it('an oversized org default config (<org>/.github) is named in the finding', async () => {
    const repo = setup();
    github.addRepo({ owner: 'acme', name: '.github', files: { '.github/threatloop.yml': padding(INPUT_LIMITS.config + 10) } });
    await push({ 'threat-model.yml': threatModelText({ threats: 3 }) });
    const check = repo.checkRuns.at(-1)!;
    expect(check.conclusion).toBe('failure');
    expect(check.output.annotations).toEqual([
      expect.objectContaining({ path: '.github/threatloop.yml', message: expect.stringMatching(/^acme\/\.github:\.github\/threatloop\.yml, line 1: file is 64\.0 KB/) }),
    ]);
    expect(issueWrites()).toEqual([]);
  });

  it('a config of thousands of keys with a duplicate: the finding at the duplicate line (the linear reader, not the loader’s quadratic one)', async () => {
    const repo = setup();
    const keys = Array.from({ length: 3000 }, (_, i) => `  k${i}: x`);
    await push({ '.github/threatloop.yml': `jira_fields:\n${keys.join('\n')}\n  k1: again\n` });
    const check = repo.checkRuns.at(-1)!;
    expect(check.conclusion).toBe('failure');
    expect(check.output.annotations).toEqual([expect.objectContaining({ path: '.github/threatloop.yml', start_line: 3002, message: 'Map keys must be unique' })]);
    expect(issueWrites()).toEqual([]);
  });
});
