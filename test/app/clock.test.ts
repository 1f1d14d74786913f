/**
 * The clock, end to end through the app and the GitHub stand-in: a push files the issues, then the daily
 * re-evaluation (the in-process timer, fired by the test at a fixed clock) reopens an issue whose risk
 * acceptance has expired and reminds owners of due dates, once each; the same day again writes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubStandin, StandinRepo } from '../helpers/github-standin.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { createTestApp, type TestApp } from '../helpers/probot.ts';

const REPO = 'acme/app';
let github: GitHubStandin;
let app: TestApp;
let clock: Date;
let delivery = 0;
const standin = useGitHubStandin();

const model = (acceptance: string) => `version: 1
system: { name: Clinic }
owners:
  security: { name: Security, github: [sec-lead] }
  platform: { name: Platform, github: [plat-dev] }
boundaries:
  - { id: cloud, name: Cloud, trust: restricted }
components:
  - { id: api, name: API, type: process, boundary: cloud }
threats:
  - id: TM-1
    title: Replay of signed download links
    stride: S
    targets: api
    severity: medium
    owner: security
    # A stated date: the stand-in stamps issues with the real clock, which an SLA date would count from.
    due: 2027-06-30
    status: accepted
    rationale: Links live five minutes; the replay window is accepted.
    acceptance: ${acceptance}
  - id: TM-2
    title: Verbose error pages
    stride: I
    targets: api
    severity: low
    owner: platform
    status: open
    due: 2027-02-15
`;
const ACCEPTED = model('{ by: security, on: 2026-06-01, expires: 2027-01-31 }');
const RENEWED = model('{ by: security, on: 2027-02-02, expires: 2027-07-31 }');

beforeEach(async () => {
  github = standin.github;
  clock = new Date('2027-01-20T09:00:00Z');
  app = await createTestApp(github.url, { now: () => clock, daily: true });
  await app.threatloop.ready();
});
afterEach(() => app.threatloop.stop());

function setup(): StandinRepo {
  return github.addRepo({ owner: 'acme', name: 'app', assignees: ['sec-lead', 'plat-dev'], files: { 'README.md': 'hello' } });
}

async function push(files: Record<string, string>) {
  const pushed = github.push(REPO, files);
  await app.probot.receive({ name: 'push', id: `d-${++delivery}`, payload: github.pushPayload(REPO, pushed) as never });
}

/** The daily re-evaluation on `day`: the armed timer fires, every installed repository is synced. */
async function daily(day: string) {
  clock = new Date(`${day}T06:00:00Z`);
  expect(app.timers.pending.size).toBeGreaterThan(0);
  app.timers.fireAll();
  await app.threatloop.idle();
}

const issue = (repo: StandinRepo, id: string) => repo.issues.find((i) => i.labels.includes('threat') && i.title.startsWith(`[${id}]`))!;
const issueWrites = (mark: number) => github.writes().filter((r) => github.requests.indexOf(r) >= mark && !r.path.includes('/check-runs'));
const botComments = (repo: StandinRepo, id: string) => issue(repo, id).comments.map((c) => c.body);

describe('the daily re-evaluation', () => {
  it('an acceptance that expired reopens its issue with the label and exactly one comment; the same day again writes nothing; renewed, it closes again', async () => {
    const repo = setup();
    await push({ 'threat-model.yml': ACCEPTED });
    expect(issue(repo, 'TM-1')).toMatchObject({ state: 'closed' });
    const before = botComments(repo, 'TM-1').length;

    await daily('2027-02-01');
    const tm1 = issue(repo, 'TM-1');
    expect(tm1.state).toBe('open');
    expect(tm1.labels).toContain('acceptance:expired');
    const added = botComments(repo, 'TM-1').slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toContain('**Risk acceptance expired.** Threat `TM-1` was accepted by Security (`security`) on 2026-06-01; the acceptance expired on 2027-01-31.');
    expect(repo.checkRuns.at(-1)!.conclusion).toBe('failure');
    expect(repo.checkRuns.at(-1)!.output.summary).toContain('**Expired acceptances (1)**');
    const dashboard = repo.issues.find((i) => i.labels.includes('threat-dashboard'))!;
    expect(dashboard.body).toContain('#### Expired acceptances (1)');

    const mark = github.requests.length;
    await daily('2027-02-01');
    expect(issueWrites(mark)).toEqual([]);

    clock = new Date('2027-02-02T10:00:00Z');
    await push({ 'threat-model.yml': RENEWED });
    expect(issue(repo, 'TM-1').state).toBe('closed');
    expect(issue(repo, 'TM-1').labels).not.toContain('acceptance:expired');
    expect(botComments(repo, 'TM-1').at(-1)).toContain('acceptance renewed (accepted by security on 2027-02-02, holds until 2027-07-31)');
    expect(repo.checkRuns.at(-1)!.conclusion).toBe('success');
  });

  it('due soon, then overdue: two reminder comments in all, each mentioning the owner; the days between write nothing', async () => {
    const repo = setup();
    await push({ 'threat-model.yml': ACCEPTED });
    expect(botComments(repo, 'TM-2')).toEqual([]);

    await daily('2027-02-08');
    expect(botComments(repo, 'TM-2')).toEqual([expect.stringMatching(/^@plat-dev: threat `TM-2` Verbose error pages is due on 2027-02-15 \(in 7 days\)\./)]);
    let mark = github.requests.length;
    await daily('2027-02-09');
    expect(issueWrites(mark).filter((w) => w.path.includes(`/issues/${issue(repo, 'TM-2').number}`))).toEqual([]);

    await daily('2027-02-16');
    expect(botComments(repo, 'TM-2')).toHaveLength(2);
    expect(botComments(repo, 'TM-2')[1]).toMatch(/^@plat-dev: threat `TM-2` Verbose error pages was due on 2027-02-15 \(1 day ago\)\./);
    expect(repo.checkRuns.at(-1)!.output.summary).toMatch(/\*\*Overdue \(1\)\*\*\n- threat TM-2 is open and was due 2027-02-15/);

    mark = github.requests.length;
    await daily('2027-02-17');
    expect(issueWrites(mark)).toEqual([]);
    expect(botComments(repo, 'TM-2')).toHaveLength(2);
  });
});
