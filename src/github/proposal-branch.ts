/**
 * The GitHub side of a proposal (issue 11): branch `threatloop/status` as ONE commit on top of the default
 * branch's head whose only change is the model file, and the one proposal pull request from it.
 *
 * Why the Git Data API and not the contents API: the branch must be rebuilt on the default branch's
 * current head each time (so the PR's diff is exactly the edit, never a stale base). With the contents API
 * that is a force-update of the branch to the default head and then a PUT of the file (2 writes), but
 * between the two the PR's head would equal its base, and GitHub marks a PR whose commits are all in its
 * base as merged. Here it is a tree (the file's new text inline, on the base commit's tree: no separate
 * blob write), a commit whose one parent is the default head, and the branch moved to it (3 writes), and
 * 0 writes when the branch already holds exactly that commit's content.
 *
 * Every write goes through `pace` (the installation's write pacer); nothing here ever writes the default
 * branch: the only ref written is `heads/threatloop/status`.
 */
import type { TimelineEntry } from '../lifecycle/proposal-facts.ts';
import { parseProposalBasis, PROPOSAL_BASIS_PREFIX, type ProposalBasis } from '../model/proposal.ts';
import { NO_BLIND_RETRY, type GitHubClient } from './client.ts';
import { isNotFound } from './errors.ts';
import { readRepoFile } from './repo-files.ts';

/** The bot branch every proposal lives on (a persisted name: a contract like the markers). */
export const PROPOSAL_BRANCH = 'threatloop/status';

export interface Where {
  owner: string;
  repo: string;
}

/** Waits for the write's slot; a Date = the hourly allowance is used up until then. */
export type Pace = () => Promise<Date | undefined>;

/** The write allowance ran out before the proposal was written: it is written by a later event or sync. */
export class ProposalPaceExhausted extends Error {
  readonly resumeAt: Date;
  constructor(resumeAt: Date) {
    super(`hourly write allowance used up until ${resumeAt.toISOString()}`);
    this.name = 'ProposalPaceExhausted';
    this.resumeAt = resumeAt;
  }
}

async function paced<T>(pace: Pace, write: () => Promise<T>): Promise<T> {
  const exhausted = await pace();
  if (exhausted) throw new ProposalPaceExhausted(exhausted);
  return write();
}

/** The open proposal pull request, as the app wrote it. */
export interface OpenProposal {
  number: number;
  htmlUrl: string;
  title: string;
  body: string;
  basis: ProposalBasis[];
}

/**
 * The open proposal PR, read with one request (open PRs whose head is `owner:threatloop/status`). Its
 * marker is believed only when the app's bot opened it and its head is this repository's own branch:
 * anyone else's PR (a fork's branch of the same name, a person's PR from our branch) is not a proposal.
 */
export async function readOpenProposal(octokit: GitHubClient, where: Where, botLogin: string | undefined): Promise<OpenProposal | undefined> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
    ...where,
    state: 'open',
    head: `${where.owner}:${PROPOSAL_BRANCH}`,
    per_page: 10,
  });
  const repository = { full_name: `${where.owner}/${where.repo}` };
  const pr = data.find((candidate) => isProposalPullRequest(candidate, repository, botLogin));
  if (pr) return { number: pr.number, htmlUrl: pr.html_url, title: pr.title, body: pr.body ?? '', basis: parseProposalBasis(pr.body) };
  return undefined;
}

/** Whether a pull request (from a webhook) is the app's proposal: the bot opened it from this repository's own branch. */
export function isProposalPullRequest(
  pr: { user: { login: string } | null; head: { ref?: string; repo?: { full_name: string } | null }; body: string | null },
  repository: { full_name: string },
  botLogin: string | undefined,
): boolean {
  return (
    botLogin !== undefined &&
    pr.user?.login.toLowerCase() === botLogin.toLowerCase() &&
    pr.head.ref === PROPOSAL_BRANCH &&
    pr.head.repo?.full_name.toLowerCase() === repository.full_name.toLowerCase() &&
    (pr.body ?? '').includes(PROPOSAL_BASIS_PREFIX)
  );
}

export interface BranchWrite {
  /** The default branch: the commit's base, never written. */
  defaultBranch: string;
  /** The default branch's head the edit was computed on. */
  baseSha: string;
  modelPath: string;
  /** The whole edited model file. */
  text: string;
  message: string;
  pace: Pace;
}

/**
 * Brings `threatloop/status` to one commit on `baseSha` whose only change is `modelPath` = `text`.
 * Returns the commit and how many writes it took (0 when the branch already holds it).
 */
export async function writeProposalBranch(octokit: GitHubClient, where: Where, write: BranchWrite): Promise<{ sha: string; writes: number }> {
  if (write.defaultBranch === PROPOSAL_BRANCH) throw new Error(`the default branch is ${PROPOSAL_BRANCH}: no proposal is written onto it`);
  const current = await refHead(octokit, where, PROPOSAL_BRANCH);
  if (current) {
    const { data: commit } = await octokit.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { ...where, commit_sha: current });
    if (commit.parents.length === 1 && commit.parents[0]!.sha === write.baseSha) {
      const onBranch = await readRepoFile(octokit, { ...where, path: write.modelPath, ref: current }, 'model');
      if (onBranch.status === 'found' && onBranch.text === write.text) return { sha: current, writes: 0 };
    }
  }
  const { data: base } = await octokit.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { ...where, commit_sha: write.baseSha });
  let writes = 0;
  const tree = await paced(write.pace, () =>
    octokit.request('POST /repos/{owner}/{repo}/git/trees', {
      ...where,
      base_tree: base.tree.sha,
      // 100644: the model is a plain file (an executable bit on a YAML file would be lost; acceptable).
      tree: [{ path: write.modelPath, mode: '100644', type: 'blob', content: write.text }],
    }),
  );
  writes++;
  const commit = await paced(write.pace, () =>
    octokit.request('POST /repos/{owner}/{repo}/git/commits', { ...where, message: write.message, tree: tree.data.sha, parents: [write.baseSha] }),
  );
  writes++;
  const sha = commit.data.sha;
  await paced<unknown>(write.pace, () =>
    current
      ? octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { ...where, ref: `heads/${PROPOSAL_BRANCH}`, sha, force: true })
      : octokit.request('POST /repos/{owner}/{repo}/git/refs', { ...where, ref: `refs/heads/${PROPOSAL_BRANCH}`, sha, ...NO_BLIND_RETRY }),
  );
  writes++;
  return { sha, writes };
}

async function refHead(octokit: GitHubClient, where: Where, branch: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { ...where, ref: `heads/${branch}` });
    return data.object.sha;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Opens the proposal PR, or updates the open one's title and description when they differ. Returns its number, URL and writes. */
export async function upsertProposalPullRequest(
  octokit: GitHubClient,
  where: Where,
  input: { defaultBranch: string; title: string; body: string; open?: OpenProposal; pace: Pace },
): Promise<{ number: number; htmlUrl: string; writes: number }> {
  const { open } = input;
  if (open) {
    if (open.title === input.title && open.body === input.body) return { number: open.number, htmlUrl: open.htmlUrl, writes: 0 };
    await paced(input.pace, () => octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { ...where, pull_number: open.number, title: input.title, body: input.body }));
    return { number: open.number, htmlUrl: open.htmlUrl, writes: 1 };
  }
  const { data } = await paced(input.pace, () =>
    octokit.request('POST /repos/{owner}/{repo}/pulls', { ...where, title: input.title, body: input.body, head: PROPOSAL_BRANCH, base: input.defaultBranch, ...NO_BLIND_RETRY }),
  );
  return { number: data.number, htmlUrl: data.html_url, writes: 1 };
}

/** Closes the proposal PR (nothing is left to propose). */
export async function closeProposalPullRequest(octokit: GitHubClient, where: Where, number: number, pace: Pace): Promise<void> {
  await paced(pace, () => octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { ...where, pull_number: number, state: 'closed' }));
}

/** Entries of an issue's timeline kept (a closure's facts are in its last entries), and pages read at most. */
const MAX_TIMELINE_PAGES = 5;
const MAX_TIMELINE_READS = 20;

/**
 * An issue's timeline (events and comments), oldest first: the newest 500 entries of at most 2,000 read
 * (20 requests), which holds any real ticket's closure; a longer history keeps what was read last.
 */
export async function readIssueTimeline(octokit: GitHubClient, where: Where, issueNumber: number): Promise<TimelineEntry[]> {
  const entries: TimelineEntry[] = [];
  let pages = 0;
  for await (const page of octokit.paginate.iterator('GET /repos/{owner}/{repo}/issues/{issue_number}/timeline', { ...where, issue_number: issueNumber, per_page: 100 })) {
    for (const raw of page.data as Record<string, unknown>[]) entries.push(timelineEntry(raw));
    // Keep the newest entries: drop the oldest page beyond the bound.
    if (++pages > MAX_TIMELINE_PAGES) entries.splice(0, 100);
    if (pages >= MAX_TIMELINE_READS) break;
  }
  return entries;
}

function timelineEntry(raw: Record<string, unknown>): TimelineEntry {
  const person = (raw.actor ?? raw.user) as { login?: unknown } | null | undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const entry: TimelineEntry = { event: text(raw.event) ?? '' };
  const login = text(person?.login);
  if (login) entry.login = login;
  const createdAt = text(raw.created_at);
  if (createdAt) entry.createdAt = createdAt;
  const commitId = text(raw.commit_id);
  if (commitId && /^[0-9a-f]{40}$/i.test(commitId)) entry.commitId = commitId;
  const body = text(raw.body);
  if (body !== undefined) entry.body = body.slice(0, 20_000);
  const stateReason = text(raw.state_reason);
  if (stateReason) entry.stateReason = stateReason;
  return entry;
}

/**
 * Whether the app's installation on this repository may write contents (push the proposal branch). Asked
 * with the app's own JWT client (GET /repos/{owner}/{repo}/installation names the granted permissions);
 * an installation that was never granted `contents: write` gets `reopen`, as before proposals existed.
 */
export async function installationMayWriteContents(appOctokit: GitHubClient, where: Where): Promise<boolean> {
  try {
    const { data } = await appOctokit.request('GET /repos/{owner}/{repo}/installation', { owner: where.owner, repo: where.repo });
    return (data.permissions as Record<string, string | undefined> | undefined)?.contents === 'write';
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
