// A pull-request refresh at 2,000 threats (a cost benchmark with a wall time): requests and time from the
// `pull_request` webhook to the context comment, against the GitHub stand-in answering each request after
// 100 ms (a round trip to api.github.com; the stand-in itself answers in well under a millisecond).
// The model: 2,000 threats over 500 components (4 each, every component mapped to `src/c<k>/**`); the PR
// changes 2,900 files (29 pages of changed files), of which those under `src/c<k>/` touch 4 threats each.
// Target: the threat issues read grow with the threats the PR touches, not with the model.
import { ProbotOctokit } from 'probot';
import { noDelay, withRateLimitRetry, WritePacer } from '../src/github/client.ts';
import { memoryReader } from '../src/input/pipeline.ts';
import { parseIssueIndex } from '../src/sync/github/issue-index.ts';
import { runSync } from '../src/sync/run.ts';
import { GitHubStandin, type RecordedRequest } from '../test/helpers/github-standin.ts';
import { createTestApp } from '../test/helpers/probot.ts';

const REPO = 'acme/big';
const THREATS = 2_000;
const COMPONENTS = 500;
const LATENCY_MS = 100;

export function bigModelText(threats = THREATS, components = COMPONENTS): string {
  const lines = ['version: 1', 'system:', '  name: Big system', 'components:'];
  for (let k = 0; k < components; k++) lines.push(`  - id: c${k}`, `    name: Component ${k}`, '    type: process', `    paths: ["src/c${k}/**"]`);
  lines.push('threats:');
  for (let i = 0; i < threats; i++) {
    lines.push(
      `  - id: TM-${i + 1}`,
      `    title: Threat ${i + 1} against component ${i % components}`,
      '    stride: T',
      `    targets: c${i % components}`,
      '    cvss: CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
      '    mitigation: Checked at the boundary.',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Changed files: `touched` components' files first, then documentation up to `total`. */
export function changedFiles(touched: number, total = 2_900): string[] {
  const files = Array.from({ length: touched }, (_, k) => `src/c${k}/handler.ts`);
  while (files.length < total) files.push(`docs/page-${files.length}.md`);
  return files;
}

const isIssueRead = (r: RecordedRequest) => r.method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/issues(\/\d+)?$/.test(r.path);
const isFilesRead = (r: RecordedRequest) => r.method === 'GET' && /\/pulls\/\d+\/files$/.test(r.path);

export async function benchPrRefresh(): Promise<{ name: string; value: number; unit: string }[]> {
  const github = await GitHubStandin.start();
  const app = await createTestApp(github.url, { now: () => new Date() });
  try {
    github.addRepo({
      owner: 'acme',
      name: 'big',
      private: true,
      assignees: [],
      files: { '.github/threatloop.yml': 'issues:\n  max_writes_per_sync: 5000\n  milestones:\n    enabled: false\n', 'README.md': 'bench' },
    });
    // The first sync straight through runSync, unpaced (through the app, GitHub's 500 writes an hour would
    // spread it over four hours of resumes).
    const push = github.push(REPO, { 'threat-model.yml': bigModelText() });
    const octokit = withRateLimitRetry(
      new ProbotOctokit({ auth: { token: 'bench' }, baseUrl: github.url, throttle: { enabled: false }, retry: { enabled: false } }),
      { delay: noDelay },
    );
    const files = github.repo(REPO).commits.get(push.after)!;
    const sync = () =>
      runSync({
        octokit,
        owner: 'acme',
        repo: 'big',
        sha: push.after,
        branch: 'main',
        actor: 'bench',
        webUrl: 'https://github.com',
        now: new Date(),
        input: memoryReader(files),
        pacer: new WritePacer({ minIntervalMs: 0, perHour: Number.POSITIVE_INFINITY, delay: noDelay }),
        paceKey: 'bench',
        issueCreator: async () => github.issueAuthor,
      });
    await sync();
    const synced = github.repo(REPO).issues.filter((i) => i.labels.includes('threat')).length;
    const dashboard = () => github.repo(REPO).issues.find((i) => i.labels.includes('threat-dashboard'))!;
    const indexed = (label: string) => {
      const index = parseIssueIndex(dashboard().body);
      return { name: `dashboard issue index after the ${label}: threats listed${index?.complete ? '' : ' (partial)'}`, value: index?.issues.size ?? 0, unit: 'threats' };
    };
    const figures = [{ name: 'threat issues after the first sync', value: synced, unit: 'issues' }, indexed('first sync')];
    // The next sync: the issue numbers are known, the index in its compact form (written once if it changed).
    const resync = await sync();
    figures.push({ name: 'the next sync (model unchanged): writes', value: resync.requests.writes, unit: 'requests' }, indexed('next sync'));
    github.latencyMs = LATENCY_MS;
    for (const touched of [1, 2, 5]) {
      const pull = github.addPullRequest(REPO, changedFiles(touched));
      const mark = github.requests.length;
      const started = performance.now();
      await app.probot.receive({ name: 'pull_request', id: `bench-pr-${touched}`, payload: github.pullRequestPayload(REPO, pull, 'opened') as never });
      const ms = performance.now() - started;
      const since = github.requests.slice(mark).filter((r) => !r.path.startsWith('/app'));
      const label = `PR touching ${touched * (THREATS / COMPONENTS)} of ${THREATS} threats, 2,900 changed files`;
      figures.push(
        { name: `${label}: threat issue reads`, value: since.filter(isIssueRead).length, unit: 'requests' },
        { name: `${label}: changed-file pages`, value: since.filter(isFilesRead).length, unit: 'requests' },
        { name: `${label}: all reads`, value: since.filter((r) => r.method === 'GET').length, unit: 'requests' },
        { name: `${label}: webhook to comment, ${LATENCY_MS} ms a request`, value: Math.round(ms), unit: 'ms' },
      );
    }
    return figures;
  } finally {
    app.threatloop.stop();
    await github.close();
  }
}
