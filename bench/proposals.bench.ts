// Proposals from closed tickets (issue 11 §1): the cost of a flood of closures. 500 generated threats are
// synced, 500 of their issues closed by hand at once, and ONE recompute (what one proposal job does) runs:
// its requests and time, then the same recompute again (nothing changed: it must write nothing).
// Counted against the local GitHub stand-in through the real code (src/sync/proposals.ts).
// Run: node bench/run.ts proposal
import { ProbotOctokit } from 'probot';
import { noDelay, withRateLimitRetry, countRequests, WritePacer, type GitHubClient } from '../src/github/client.ts';
import { memoryReader } from '../src/input/pipeline.ts';
import { listManagedIssues } from '../src/github/issues.ts';
import { ConfigSchema } from '../src/config/schema.ts';
import { runProposals } from '../src/sync/proposals.ts';
import { runSync } from '../src/sync/run.ts';
import { GitHubStandin } from '../test/helpers/github-standin.ts';
import { generateModelText } from './generate-model.ts';

const CONFIG = 'issues:\n  max_writes_per_sync: 5000\n';

export async function benchProposals(): Promise<{ name: string; value: number; unit: string }[]> {
  const github = await GitHubStandin.start();
  try {
    const model = generateModelText({ threats: 500, components: 60, flows: 90 });
    const repo = github.addRepo({ owner: 'acme', name: 'bench', assignees: [], files: { 'threat-model.yml': model, '.github/threatloop.yml': CONFIG } });
    const octokit: GitHubClient = withRateLimitRetry(
      new ProbotOctokit({ auth: { token: 'bench' }, baseUrl: github.url, throttle: { enabled: false }, retry: { enabled: false } }),
      { delay: noDelay },
    );
    const pacer = new WritePacer({ minIntervalMs: 0, perHour: Number.POSITIVE_INFINITY, delay: noDelay });
    await runSync({
      octokit,
      owner: 'acme',
      repo: 'bench',
      sha: repo.branches.get('main')!,
      branch: 'main',
      webUrl: 'https://github.com',
      now: new Date(),
      input: memoryReader({ 'threat-model.yml': model, '.github/threatloop.yml': CONFIG }),
      pacer,
      paceKey: 'bench',
    });
    const threatIssues = repo.issues.filter((i) => i.labels.includes('threat'));
    for (const issue of threatIssues) github.setIssueState('acme/bench', issue.number, { state: 'closed', by: 'lena', at: '2030-01-01T10:00:00Z' });

    const config = ConfigSchema.parse({ issues: { max_writes_per_sync: 5000 } });
    const recompute = async () => {
      const counter = countRequests(octokit);
      const before = { ...counter };
      const started = performance.now();
      const issues = await listManagedIssues(octokit, { owner: 'acme', repo: 'bench', label: 'threat' });
      const outcome = await runProposals({
        octokit,
        owner: 'acme',
        repo: 'bench',
        webUrl: 'https://github.com',
        config,
        issues,
        botLogin: github.issueAuthor,
        canWriteContents: true,
        pace: () => pacer.beforeWrite('bench'),
        budget: 5000,
      });
      return { outcome, ms: performance.now() - started, reads: counter.reads - before.reads, writes: counter.writes - before.writes };
    };
    const first = await recompute();
    const again = await recompute();
    return [
      { name: '500 issues closed by hand at once: threats proposed in one PR (the rest wait their turn)', value: first.outcome.proposed.length, unit: 'threats' },
      { name: '  one recompute: reads (issue list, repo, model, open PR, one timeline per new closure)', value: first.reads, unit: 'requests' },
      { name: '  one recompute: writes (tree, commit, ref, PR)', value: first.writes, unit: 'requests' },
      { name: '  one recompute: time against the local stand-in', value: first.ms, unit: 'ms' },
      { name: '  the same recompute again: reads (facts reused from the PR marker)', value: again.reads, unit: 'requests' },
      { name: '  the same recompute again: writes', value: again.writes, unit: 'requests' },
    ];
  } finally {
    await github.close();
  }
}
