/**
 * A repository with a history for the evidence pack, built through the real
 * code on the GitHub stand-in: a first sync files one issue per threat, a
 * second sync after some status changes leaves real audit comments, and
 * pull requests leave the cross-link and merged comments the app renders.
 * Also what an attacker could add: an issue and comments with threatloop's
 * markers written by someone else. Shared by the evidence test and bench.
 */
import { ProbotOctokit } from 'probot';
import { renderCrossLinkComment, renderMergedComment } from '../../src/pull-request/comment.ts';
import { noDelay, withRateLimitRetry, WritePacer, type GitHubClient } from '../../src/github/client.ts';
import { runSync } from '../../src/sync/run.ts';
import type { GitHubStandin } from './github-standin.ts';
import { threatId, threatModelText } from './models.ts';
import { memoryReader } from '../../src/input/pipeline.ts';

export const SCENARIO_REPO = 'acme/app';
export const APP_LOGIN = 'threatloop[bot]';
const CONFIG = 'issues:\n  max_writes_per_sync: 5000\n';

export interface ScenarioShape {
  threats: number;
  /** Threat indexes whose status changes to in-progress in a second commit (an audit comment each). */
  changed: number[];
  /** Threat indexes a pull request says it mitigates (a cross-link comment each). */
  crossLinked: number[];
  /** Of those, the ones whose pull request was merged (a merged comment each). */
  merged: number[];
}

export interface Scenario {
  /** The commit with the changed statuses (what `--ref` names). */
  sha: string;
  octokit: GitHubClient;
  mergeCommit: (index: number) => string;
}

export function standinClient(github: GitHubStandin): GitHubClient {
  return withRateLimitRetry(new ProbotOctokit({ auth: { token: 'evidence' }, baseUrl: github.url, throttle: { enabled: false }, retry: { enabled: false } }), { delay: noDelay });
}

export async function buildScenario(github: GitHubStandin, shape: ScenarioShape): Promise<Scenario> {
  github.issueAuthor = APP_LOGIN;
  github.addRepo({ owner: 'acme', name: 'app', private: true, assignees: [] });
  const octokit = standinClient(github);
  const sync = async (modelText: string) => {
    const push = github.push(SCENARIO_REPO, { 'threat-model.yml': modelText, '.github/threatloop.yml': CONFIG });
    const outcome = await runSync({
      octokit,
      owner: 'acme',
      repo: 'app',
      sha: push.after,
      branch: 'main',
      actor: 'ana-gw',
      webUrl: 'https://github.com',
      now: new Date(),
      input: memoryReader({ 'threat-model.yml': modelText, '.github/threatloop.yml': CONFIG }),
      pacer: new WritePacer({ minIntervalMs: 0, perHour: Number.POSITIVE_INFINITY, delay: noDelay }),
      paceKey: 'scenario',
      issueCreator: async () => APP_LOGIN,
    });
    if (outcome.status !== 'applied') throw new Error(`scenario sync: ${outcome.status}`);
    return push.after;
  };
  await sync(threatModelText({ threats: shape.threats }));
  const overrides = Object.fromEntries(shape.changed.map((i) => [i, { status: 'in-progress' }]));
  const sha = await sync(threatModelText({ threats: shape.threats, overrides }));

  const repo = github.repo(SCENARIO_REPO);
  const issueOf = (index: number) => repo.issues.find((i) => i.title.startsWith(`[${threatId(index)}] `))!;
  const mergeCommit = (index: number) => (index + 1).toString(16).padStart(40, 'c');
  let clock = Date.parse('2031-01-01T00:00:00Z');
  const at = () => new Date((clock += 60_000)).toISOString();
  let commentId = 1_000_000;
  for (const index of shape.crossLinked) {
    const pr = { repo: SCENARIO_REPO, number: 100 + index, title: `Fix ${threatId(index)}`, url: `https://github.com/${SCENARIO_REPO}/pull/${100 + index}` };
    const issue = issueOf(index);
    issue.comments.push({ id: ++commentId, body: renderCrossLinkComment(pr, threatId(index), ['mitigates']), user: APP_LOGIN, created_at: at() });
    if (shape.merged.includes(index)) {
      issue.comments.push({ id: ++commentId, body: renderMergedComment(pr, threatId(index), ['mitigates'], mergeCommit(index)), user: APP_LOGIN, created_at: at() });
    }
  }

  // Someone else copies the app's markers: a fake threat issue and fake comments on a real one.
  const victim = issueOf(0);
  victim.comments.push(
    { id: ++commentId, body: renderCrossLinkComment({ repo: SCENARIO_REPO, number: 666, title: 'nothing', url: 'https://evil.example/pull/666' }, threatId(0), ['mitigates']), user: 'mallory', created_at: at() },
    { id: ++commentId, body: `**Threat changed** in [\`${'d'.repeat(7)}\`](https://github.com/${SCENARIO_REPO}/commit/${'d'.repeat(40)}) by [mallory](https://github.com/mallory) (\`threat-model.yml\`):\n\n- status: Open → Verified\n`, user: 'mallory', created_at: at() },
  );
  repo.issues.push({
    number: repo.nextNumber++,
    title: `[${threatId(1)}] forged`,
    body: `<!-- threatloop:threat id="${threatId(1)}" jira="EVIL-1" status="verified" -->\nforged`,
    state: 'open',
    state_reason: null,
    labels: ['threat'],
    assignees: [],
    milestone: null,
    created_at: at(),
    comments: [],
    user: 'mallory',
  });
  return { sha, octokit, mergeCommit };
}
