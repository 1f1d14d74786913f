// GitHub API requests per sync (a cost benchmark, not a timing): the GenomeWell example and 500
// generated threats, first sync / no-op resync / one-threat change, next to the naive approach a user
// would script (one search + one write per threat per sync = 2 requests x threats).
// Counted against the local GitHub stand-in (test/helpers/github-standin.ts) through the real orchestrator.
// Run: npx node -e "import('./bench/sync.bench.ts').then(async m=>console.table(await m.benchSync()))"
import { readFileSync } from 'node:fs';
import { ProbotOctokit } from 'probot';
import { noDelay, withRateLimitRetry, WritePacer, type GitHubClient } from '../src/github/client.ts';
import { runSync, type SyncOutcome } from '../src/sync/run.ts';
import { GitHubStandin } from '../test/helpers/github-standin.ts';
import { generateModelText } from './generate-model.ts';
import { memoryReader } from '../src/input/pipeline.ts';

export interface SyncFigure {
  name: string;
  value: number;
  unit: string;
}

/** Big enough for a first sync of 500 threats in one go: the budget is measured elsewhere (tests). */
const CONFIG = 'issues:\n  max_writes_per_sync: 5000\n';

/**
 * The day `npm run demo` runs as (its `--today`, in package.json): the example's SLA due dates, and with
 * them its milestones, count from it, so the demo's figures and the README's do not change with the calendar.
 */
export function demoToday(): string {
  const scripts = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const days = new Set([...scripts.demo!.matchAll(/--today (\S+)/g)].map((m) => m[1]));
  if (days.size !== 1) throw new Error('every command of `npm run demo` must run with the same --today');
  return [...days][0]!;
}

async function syncOnce(github: GitHubStandin, octokit: GitHubClient, now: Date, modelText: string, sha: string): Promise<SyncOutcome> {
  return runSync({
    octokit,
    owner: 'acme',
    repo: 'bench',
    sha,
    branch: 'main',
    actor: 'bench',
    webUrl: 'https://github.com',
    // The stand-in dates issues by the same clock; SLA due dates count from that date.
    now,
    input: memoryReader({ 'threat-model.yml': modelText, '.github/threatloop.yml': CONFIG }),
    pacer: new WritePacer({ minIntervalMs: 0, perHour: Number.POSITIVE_INFINITY, delay: noDelay }),
    paceKey: 'bench',
    // As the app: before filing issues, one look for those it filed that lost their label.
    issueCreator: async () => github.issueAuthor,
  });
}

/** The first threat's title changed: one managed field of one threat. */
function changeOneThreat(text: string): string {
  const threats = text.indexOf('\nthreats:');
  const title = text.indexOf('title:', threats);
  const end = text.indexOf('\n', title);
  return `${text.slice(0, end)} (revised)${text.slice(end)}`;
}

/** The requests of three syncs of `modelText`, all on `today` (noon UTC). */
export async function measure(label: string, modelText: string, today: string): Promise<SyncFigure[]> {
  const now = new Date(`${today}T12:00:00Z`);
  const github = await GitHubStandin.start({ now: () => now });
  try {
    github.addRepo({ owner: 'acme', name: 'bench', private: true, assignees: [] });
    const octokit = withRateLimitRetry(
      new ProbotOctokit({ auth: { token: 'bench' }, baseUrl: github.url, throttle: { enabled: false }, retry: { enabled: false } }),
      { delay: noDelay },
    );
    const first = await syncOnce(github, octokit, now, modelText, 'a'.repeat(40));
    const threats = first.plan?.operations.filter((o) => o.op === 'create-issue').length ?? 0;
    const resync = await syncOnce(github, octokit, now, modelText, 'b'.repeat(40));
    const change = await syncOnce(github, octokit, now, changeOneThreat(modelText), 'c'.repeat(40));
    const naive = 2 * threats;
    const figures = (scenario: string, outcome: SyncOutcome) => [
      { name: `${label}: ${scenario}, reads`, value: outcome.requests.reads, unit: 'requests' },
      { name: `${label}: ${scenario}, writes`, value: outcome.requests.writes, unit: 'requests' },
    ];
    return [
      { name: `${label}: threats`, value: threats, unit: 'threats' },
      ...figures('first sync', first),
      ...figures('no-op resync', resync),
      ...figures('one-threat change', change),
      { name: `${label}: naive script, any sync (search + write per threat)`, value: naive, unit: 'requests' },
    ];
  } finally {
    await github.close();
  }
}

export async function benchSync(): Promise<SyncFigure[]> {
  const genomewell = readFileSync(new URL('../examples/genomewell/threat-model.yml', import.meta.url), 'utf8');
  return [
    ...(await measure('GenomeWell', genomewell, demoToday())),
    ...(await measure('500 generated threats', generateModelText({ threats: 500, components: 60, flows: 90 }), demoToday())),
  ];
}
