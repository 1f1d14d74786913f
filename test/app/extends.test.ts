/**
 * `_extends` within bounds (issue 9): only the owner's `.github` repository or what the operator allows
 * (THREATLOOP_EXTENDS_ALLOW); never followed from a fork's head; and nothing read from another
 * repository is echoed into this repository's check run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GitHubStandin } from '../helpers/github-standin.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { threatModelText } from '../helpers/models.ts';
import { createTestApp, type TestApp } from '../helpers/probot.ts';

const REPO = 'acme/app';
const standin = useGitHubStandin();
let app: TestApp | undefined;
let delivery = 0;

afterEach(() => app?.threatloop.stop());

async function start(env: Record<string, string> = {}): Promise<GitHubStandin> {
  app = await createTestApp(standin.github.url, { env });
  return standin.github;
}

function setup(github: GitHubStandin, config: string) {
  return github.addRepo({ owner: 'acme', name: 'app', files: { 'threat-model.yml': threatModelText({ threats: 1 }), '.github/threatloop.yml': config } });
}

async function pushModel(github: GitHubStandin) {
  const push = github.push(REPO, { 'threat-model.yml': threatModelText({ threats: 2 }) });
  await app!.probot.receive({ name: 'push', id: `d-${++delivery}`, payload: github.pushPayload(REPO, push) as never });
}

const readsOf = (github: GitHubStandin, repo: string) => github.requests.filter((r) => r.path.startsWith(`/repos/${repo}/`));
const SECRET = 'issues:\n  labels:\n    prefix: "tm/"\n  hush_hush_internal_key: 1\n';

describe('_extends', () => {
  it('from the owner’s .github repository works as before', async () => {
    const github = await start();
    const repo = setup(github, '_extends: .github\n');
    github.addRepo({ owner: 'acme', name: '.github', files: { '.github/threatloop.yml': 'issues:\n  labels:\n    prefix: "tm/"\n' } });
    await pushModel(github);
    expect(repo.issues.filter((i) => i.labels.includes('tm/threat'))).toHaveLength(2);
  });

  it('another owner’s repository is refused before it is read: nothing written, the finding names only the file', async () => {
    const github = await start();
    const repo = setup(github, '_extends: other-org/config\n');
    github.addRepo({ owner: 'other-org', name: 'config', files: { '.github/threatloop.yml': SECRET } });
    await pushModel(github);
    expect(readsOf(github, 'other-org/config')).toEqual([]);
    expect(repo.issues).toEqual([]);
    const check = repo.checkRuns.at(-1)!;
    expect(check.conclusion).toBe('failure');
    expect(JSON.stringify(check.output)).toContain('THREATLOOP_EXTENDS_ALLOW');
  });

  it('a repository of the same owner other than .github only when the operator allows it', async () => {
    let github = await start();
    setup(github, '_extends: acme/shared:policies/threatloop.yml\n');
    github.addRepo({ owner: 'acme', name: 'shared', files: { 'policies/threatloop.yml': 'issues:\n  labels:\n    prefix: "tm/"\n' } });
    await pushModel(github);
    expect(readsOf(github, 'acme/shared')).toEqual([]);
    expect(github.repo(REPO).issues).toEqual([]);

    app!.threatloop.stop();
    github = await start({ THREATLOOP_EXTENDS_ALLOW: 'acme/shared' });
    await pushModel(github);
    expect(github.repo(REPO).issues.filter((i) => i.labels.includes('tm/threat'))).toHaveLength(2);
  });

  it('an allowed file with errors: the check run names the file, never its keys or values', async () => {
    const github = await start({ THREATLOOP_EXTENDS_ALLOW: 'acme/*' });
    const repo = setup(github, '_extends: acme/private-config\n');
    github.addRepo({ owner: 'acme', name: 'private-config', files: { '.github/threatloop.yml': SECRET } });
    await pushModel(github);
    const check = repo.checkRuns.at(-1)!;
    expect(check.conclusion).toBe('failure');
    const shown = JSON.stringify(check.output);
    expect(shown).toContain('acme/private-config:.github/threatloop.yml');
    expect(shown).not.toContain('hush_hush_internal_key');
    expect(repo.issues).toEqual([]);
  });

  it('a chain that loops is an error, not a hang', async () => {
    const github = await start({ THREATLOOP_EXTENDS_ALLOW: 'acme/*' });
    const repo = setup(github, '_extends: acme/a\n');
    github.addRepo({ owner: 'acme', name: 'a', files: { '.github/threatloop.yml': '_extends: acme/b\n' } });
    github.addRepo({ owner: 'acme', name: 'b', files: { '.github/threatloop.yml': '_extends: acme/a\n' } });
    await pushModel(github);
    expect(JSON.stringify(repo.checkRuns.at(-1)!.output)).toContain('loops back');
  });
});
