/**
 * A pull-request refresh reads in proportion to the threats it touches: with the dashboard's issue index
 * (written by the sync), one read of the dashboard and one per touched threat's issue, never the whole
 * listing; the listing when that is cheaper, and whenever the index cannot be believed (an issue gone, a
 * marker that is not the threat the index names). Counted against the GitHub stand-in, through the app.
 */
import { ProbotOctokit } from 'probot';
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { noDelay, withRateLimitRetry, WritePacer } from '../../src/github/client.ts';
import { memoryReader } from '../../src/input/pipeline.ts';
import { parseIssueIndex } from '../../src/sync/github/issue-index.ts';
import { runSync } from '../../src/sync/run.ts';
import { bigModelText, changedFiles } from '../../bench/pr-refresh.bench.ts';
import type { GitHubStandin, RecordedRequest, StandinRepo } from '../helpers/github-standin.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { createTestApp, type TestApp } from '../helpers/probot.ts';

const REPO = 'acme/big';
// 600 threats over 300 components, two each: the listing is 6 pages.
const THREATS = 600;
const COMPONENTS = 300;

const standin = useGitHubStandin();
let github: GitHubStandin;
let app: TestApp;
let repo: StandinRepo;

const isIssueRead = (r: RecordedRequest) => r.method === 'GET' && /^\/repos\/acme\/big\/issues(\/\d+)?$/.test(r.path);

beforeEach(async () => {
  github = standin.github;
  app = await createTestApp(github.url);
  repo = github.addRepo({
    owner: 'acme',
    name: 'big',
    private: true,
    assignees: [],
    files: { '.github/threatloop.yml': 'issues:\n  max_writes_per_sync: 5000\n  milestones:\n    enabled: false\n', 'README.md': 'x' },
  });
  const push = github.push(REPO, { 'threat-model.yml': bigModelText(THREATS, COMPONENTS) });
  const octokit = withRateLimitRetry(
    new ProbotOctokit({ auth: { token: 't' }, baseUrl: github.url, throttle: { enabled: false }, retry: { enabled: false } }),
    { delay: noDelay },
  );
  const outcome = await runSync({
    octokit,
    owner: 'acme',
    repo: 'big',
    sha: push.after,
    branch: 'main',
    actor: 'test',
    webUrl: 'https://github.com',
    now: new Date('2030-01-01T12:00:00Z'),
    input: memoryReader(repo.commits.get(push.after)!),
    pacer: new WritePacer({ minIntervalMs: 0, perHour: Number.POSITIVE_INFINITY, delay: noDelay }),
    paceKey: 'test',
    issueCreator: async () => github.issueAuthor,
  });
  expect(outcome.status).toBe('applied');
});

afterEach(() => app.threatloop.stop());

/** Opens a PR touching the first `components` components; the threat issue reads and the comment. */
async function refresh(components: number, options: { body?: string } = {}) {
  const pull = github.addPullRequest(REPO, changedFiles(components, 250));
  if (options.body) repo.issues.find((i) => i.number === pull)!.body = options.body;
  const mark = github.requests.length;
  await app.probot.receive({ name: 'pull_request', id: `pr-${pull}`, payload: github.pullRequestPayload(REPO, pull, 'opened') as never });
  const since = github.requests.slice(mark);
  const comment = repo.issues.find((i) => i.number === pull)!.comments[0]?.body ?? '';
  return { reads: since.filter(isIssueRead), files: since.filter((r) => r.path.endsWith(`/pulls/${pull}/files`)), comment };
}

const issueOf = (threatId: string) => repo.issues.find((i) => i.title.startsWith(`[${threatId}]`))!.number;
/** How the comment links a threat's issue: `[TM-1](…/issues/12)`. */
const linked = (threatId: string) => `/issues/${issueOf(threatId)})`;
const dashboard = () => repo.issues.find((i) => i.labels.includes('threat-dashboard'))!;

describe('pull-request refresh reads', () => {
  it('one dashboard read and one read per touched threat, growing with the threats touched, not the model', async () => {
    expect(parseIssueIndex(dashboard().body)).toMatchObject({ complete: true });
    for (const [components, threats] of [
      [1, ['TM-1', 'TM-301']],
      [2, ['TM-1', 'TM-2', 'TM-301', 'TM-302']],
    ] as const) {
      const { reads, comment } = await refresh(components);
      // The issues are read concurrently: in any order.
      const order = (a: string, b: string) => (a.startsWith('list') ? -1 : b.startsWith('list') ? 1 : Number(a) - Number(b));
      expect(reads.map((r) => (r.path.endsWith('/issues') ? `list ${r.query.labels}` : r.path.split('/').at(-1)!)).sort(order)).toEqual([
        'list threat-dashboard',
        ...threats.map((t) => String(issueOf(t))).sort(order),
      ]);
      // The comment links each touched threat's issue.
      for (const threatId of threats) expect(comment).toContain(linked(threatId));
    }
  });

  it('the listing when it costs fewer reads (here: 6 pages against 1 + 6 issues)', async () => {
    const { reads } = await refresh(3);
    expect(reads.every((r) => r.path === '/repos/acme/big/issues' && r.query.labels === 'threat')).toBe(true);
    expect(reads).toHaveLength(Math.ceil(THREATS / 100));
  });

  it('an index edited to name another threat’s issue is not believed: the listing answers, the right issue is linked', async () => {
    const forged = dashboard().body.replace(/ TM-1=#\d+/, ` TM-1=#${issueOf('TM-7')}`);
    expect(forged).not.toBe(dashboard().body);
    dashboard().body = forged;
    const { reads, comment } = await refresh(1);
    expect(reads.filter((r) => r.query.labels === 'threat')).toHaveLength(Math.ceil(THREATS / 100));
    expect(comment).toContain(linked('TM-1'));
    expect(comment).not.toContain(linked('TM-7'));
  });

  it('an issue that is gone (404) sends the refresh to the listing', async () => {
    const number = issueOf('TM-301');
    repo.issues.splice(repo.issues.findIndex((i) => i.number === number), 1);
    const { reads, comment } = await refresh(1);
    expect(reads.filter((r) => r.query.labels === 'threat')).toHaveLength(Math.ceil(THREATS / 100));
    expect(comment).toContain(linked('TM-1'));
  });

  it('a `Fixes #n` naming a threat issue is resolved through the index', async () => {
    const number = issueOf('TM-5');
    const { reads, comment } = await refresh(1, { body: `Fixes #${number}` });
    expect(reads.map((r) => r.path.split('/').at(-1)).filter((p) => p !== 'issues')).toContain(String(number));
    expect(reads.filter((r) => r.query.labels === 'threat')).toEqual([]);
    expect(comment).toContain('TM-5');
  });

  it('changed files: the first page names the last, the rest are read (all 3 pages, each once)', async () => {
    const { files } = await refresh(1);
    expect(files.map((r) => r.query.page).sort()).toEqual(['1', '2', '3']);
  });
});
