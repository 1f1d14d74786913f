// Jira writes of a first sync (a cost benchmark, not a timing): the GenomeWell example (53 threats, 7 of
// them already closed) through `threatloop sync --repo` against the GitHub stand-in and the Jira stand-in
// (test/helpers/jira-standin.ts), counted by kind, per threat; then a no-op resync (target: 0 writes).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { runRemoteSync } from '../src/cli/commands/sync.ts';
import { noDelay } from '../src/github/client.ts';
import { GitHubStandin } from '../test/helpers/github-standin.ts';
import { JiraStandin, type JiraRequest } from '../test/helpers/jira-standin.ts';

const SITE = 'https://bench.atlassian.net';

function kind(r: JiraRequest): string {
  if (r.method === 'POST' && r.path.endsWith('/issue')) return 'create';
  if (r.path.endsWith('/remotelink')) return 'remote link';
  if (r.path.includes('/properties/')) return 'property write of its own';
  if (r.path.endsWith('/transitions')) return 'transition';
  return 'edit';
}

export async function benchJira(): Promise<{ name: string; value: number; unit: string }[]> {
  // The Jira stand-in answers through nock; nock is put back as it was found, because its interception
  // slows every later loopback request (the evidence bench took 25 s after this one instead of 1 s).
  const wasActive = nock.isActive();
  if (!wasActive) nock.activate();
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  const github = await GitHubStandin.start({ prefix: '/api/v3' });
  const jira = new JiraStandin(SITE);
  try {
    github.addRepo({ owner: 'acme', name: 'bench', private: true, assignees: [], files: { 'README.md': 'bench' } });
    const cwd = mkdtempSync(join(tmpdir(), 'threatloop-jira-bench-'));
    writeFileSync(join(cwd, 'threat-model.yml'), readFileSync(new URL('../examples/genomewell/threat-model.yml', import.meta.url), 'utf8'));
    mkdirSync(join(cwd, '.github'));
    writeFileSync(join(cwd, '.github/threatloop.yml'), 'jira:\n  project: SEC\nissues:\n  max_writes_per_sync: 5000\n');
    const env = { GITHUB_TOKEN: 'bench', GITHUB_API_URL: github.url, JIRA_HOST: SITE, JIRA_EMAIL: 'bench@acme.example', JIRA_API_TOKEN: 'bench-token' };
    const said: string[] = [];
    const io = { out: (t: string) => void said.push(t), err: (t: string) => void said.push(t), cwd, env };
    const options = { dryRun: false, delay: noDelay, writeIntervalMs: 0 };
    if ((await runRemoteSync('sync', ['--repo', 'acme/bench'], io, options)) !== 0) throw new Error(`first sync failed: ${said.join('\n')}`);
    const first = jira.writes();
    const threats = jira.issues.size;
    const mark = jira.requests.length;
    if ((await runRemoteSync('sync', ['--repo', 'acme/bench'], io, options)) !== 0) throw new Error(`resync failed: ${said.join('\n')}`);
    const resync = jira.requests.slice(mark).filter((r) => r.method !== 'GET' && !r.path.endsWith('/search/jql'));
    const byKind = new Map<string, number>();
    for (const r of first) byKind.set(kind(r), (byKind.get(kind(r)) ?? 0) + 1);
    return [
      { name: 'GenomeWell first sync: Jira issues created', value: threats, unit: 'issues' },
      { name: 'GenomeWell first sync: Jira writes', value: first.length, unit: 'requests' },
      { name: 'GenomeWell first sync: Jira writes per threat', value: first.length / threats, unit: 'requests' },
      ...[...byKind].map(([k, n]) => ({ name: `GenomeWell first sync: ${k}, per threat`, value: n / threats, unit: 'requests' })),
      { name: 'GenomeWell no-op resync: Jira writes', value: resync.length, unit: 'requests' },
    ];
  } finally {
    await github.close();
    nock.cleanAll();
    if (!wasActive) nock.restore();
  }
}
