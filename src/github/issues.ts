/**
 * The one reader of the issues threatloop manages: listed in full by label (never through the search
 * API, whose index lags behind writes), each with its parsed marker. Which of several issues with the
 * same threat's marker is that threat's issue is decided in one place too: `issuesByThreat`
 * (src/sync/github/issue-identity.ts), used by the sync, the Jira side and the pull-request handler.
 */
import type { ExistingIssue, IssueStateReason } from '../sync/github/state.ts';
import { parseMarker } from '../sync/github/marker.ts';
import type { GitHubClient } from './client.ts';
import { httpStatus } from './errors.ts';

const PER_PAGE = 100;

/** Every issue (open and closed) with `label` that carries a threatloop marker; pull requests and unmarked issues are left out. */
export async function listManagedIssues(octokit: GitHubClient, options: { owner: string; repo: string; label: string }): Promise<ExistingIssue[]> {
  const listed = await octokit.paginate('GET /repos/{owner}/{repo}/issues', {
    owner: options.owner,
    repo: options.repo,
    labels: options.label,
    state: 'all',
    per_page: PER_PAGE,
  });
  return listed.flatMap((item) => managedIssue(item) ?? []);
}

/**
 * The issues `creator` opened that carry a threatloop marker, open and closed. A managed issue whose
 * label was removed by hand (or whose labels carry an old `labels.prefix`) is missing from the label
 * listing; the sync looks here, only when it is about to file new issues, so it relabels instead of
 * filing a second one. `creator` matches the login exactly (`<app-slug>[bot]` for a GitHub App).
 */
export async function listIssuesFiledBy(octokit: GitHubClient, options: { owner: string; repo: string; creator: string }): Promise<ExistingIssue[]> {
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
    ...(item.state === 'closed' && item.closed_at ? { closedAt: item.closed_at } : {}),
    htmlUrl: item.html_url,
    marker,
  };
}

/**
 * One issue by number, when it is an issue carrying a threatloop marker; undefined when it is gone (404,
 * 410), a pull request, or unmarked. Whose marker it is, the caller checks.
 */
export async function readManagedIssue(octokit: GitHubClient, options: { owner: string; repo: string; number: number }): Promise<ExistingIssue | undefined> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: options.owner,
      repo: options.repo,
      issue_number: options.number,
    });
    return managedIssue(data as ListedIssue);
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404 || status === 410) return undefined;
    throw error;
  }
}

/** The first page (100) of issues with `label` that carry a marker: enough to find a dashboard, bounded whatever is labelled. */
export async function listFirstManagedPage(octokit: GitHubClient, options: { owner: string; repo: string; label: string }): Promise<ExistingIssue[]> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/issues', {
    owner: options.owner,
    repo: options.repo,
    labels: options.label,
    state: 'all',
    per_page: PER_PAGE,
  });
  return (data as ListedIssue[]).flatMap((item) => managedIssue(item) ?? []);
}
