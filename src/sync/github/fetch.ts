/**
 * Reads what the planner needs from the repository issues go to: the issues
 * threatloop manages (listed in full by label, never via the search API, whose
 * index lags behind writes; `fetchIssuesFiledBy` finds those that lost the label), labels, milestones, assignable logins and
 * whether the repository is private. Every list is paginated at 100.
 */
import type { GitHubClient } from '../../github/client.ts';
import type { ExistingIssue, ExistingLabel, ExistingMilestone, IssueStateReason, RepoState } from './state.ts';
import { dashboardLabel, threatLabel } from './labels.ts';
import { parseMarker } from './marker.ts';

export interface FetchOptions {
  owner: string;
  repo: string;
  /** Configured label prefix (`issues.labels.prefix`). */
  labelPrefix: string;
  /** Logins the model would assign; the assignee list is read only when there are some. */
  logins: readonly string[];
}

/** The repository cannot be read with this token (not installed there, or no such repository). */
export class RepoAccessError extends Error {
  readonly status: number;
  readonly repository: string;
  constructor(repository: string, status: number) {
    super(`cannot read ${repository} (HTTP ${status}): the app must be installed on it with issues access`);
    this.name = 'RepoAccessError';
    this.status = status;
    this.repository = repository;
  }
}

const PER_PAGE = 100;

export async function fetchRepoState(octokit: GitHubClient, options: FetchOptions): Promise<RepoState> {
  const { owner, repo } = options;
  let isPrivate: boolean;
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner, repo });
    isPrivate = data.private;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 403) throw new RepoAccessError(`${owner}/${repo}`, status);
    throw error;
  }

  const issues = new Map<number, ExistingIssue>();
  for (const label of [threatLabel(options.labelPrefix).name, dashboardLabel(options.labelPrefix).name]) {
    const listed = await octokit.paginate('GET /repos/{owner}/{repo}/issues', {
      owner,
      repo,
      labels: label,
      state: 'all',
      per_page: PER_PAGE,
    });
    for (const item of listed) {
      const issue = issues.has(item.number) ? undefined : managedIssue(item);
      if (issue) issues.set(issue.number, issue);
    }
  }

  const labels: ExistingLabel[] = (
    await octokit.paginate('GET /repos/{owner}/{repo}/labels', { owner, repo, per_page: PER_PAGE })
  ).map((l) => ({ name: l.name, color: l.color, description: l.description ?? null }));

  const milestones: ExistingMilestone[] = (
    await octokit.paginate('GET /repos/{owner}/{repo}/milestones', { owner, repo, state: 'all', per_page: PER_PAGE })
  ).map((m) => ({ number: m.number, title: m.title, dueOn: m.due_on ?? null, state: m.state === 'closed' ? 'closed' : 'open' }));

  const state: RepoState = {
    owner,
    repo,
    issues: [...issues.values()].sort((a, b) => a.number - b.number),
    labels,
    milestones,
    private: isPrivate,
  };
  if (options.logins.length > 0) {
    const assignees = await octokit.paginate('GET /repos/{owner}/{repo}/assignees', { owner, repo, per_page: PER_PAGE });
    // As GitHub spells them and lowercased: logins are case-insensitive, models are not always consistent.
    state.assignable = new Set(assignees.flatMap((a) => [a.login, a.login.toLowerCase()]));
  }
  return state;
}

/**
 * The issues `creator` opened that carry a threatloop marker, open and closed. A managed issue whose
 * label was removed by hand (or whose labels carry an old `labels.prefix`) is missing from the label
 * listing; the sync looks here, only when it is about to file new issues, so it relabels instead of
 * filing a second one. `creator` matches the login exactly (`<app-slug>[bot]` for a GitHub App).
 */
export async function fetchIssuesFiledBy(octokit: GitHubClient, options: { owner: string; repo: string; creator: string }): Promise<ExistingIssue[]> {
  const { owner, repo, creator } = options;
  const listed = await octokit.paginate('GET /repos/{owner}/{repo}/issues', { owner, repo, creator, state: 'all', per_page: PER_PAGE });
  return listed
    .filter((item) => item.user?.login.toLowerCase() === creator.toLowerCase())
    .flatMap((item) => managedIssue(item) ?? []);
}

type ListedIssue = Awaited<ReturnType<GitHubClient['rest']['issues']['listForRepo']>>['data'][number];

/** A listed issue as the planner sees it, or undefined for a pull request or an issue without a marker. */
function managedIssue(item: ListedIssue): ExistingIssue | undefined {
  if (item.pull_request) return undefined;
  const marker = parseMarker(item.body);
  if (!marker) return undefined;
  return {
    number: item.number,
    title: item.title,
    body: item.body ?? '',
    state: item.state === 'closed' ? 'closed' : 'open',
    stateReason: (item.state_reason ?? null) as IssueStateReason | null,
    labels: item.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((n) => n !== ''),
    assignees: (item.assignees ?? []).map((a) => a.login),
    milestone: item.milestone ? { number: item.milestone.number, title: item.milestone.title } : null,
    createdAt: item.created_at,
    htmlUrl: item.html_url,
    marker,
  };
}
