/**
 * Every GitHub read the evidence pack makes, and nothing else (reads only,
 * no write): the commit a ref names, the model and config at that commit, the
 * managed threat issues (listed by label, 100 a page) and the comments of the
 * issues that have any (100 a page). What the answers mean is decided by the
 * pure assembler (`src/evidence/assemble.ts`); this file only fetches.
 *
 * Cost: 1 read for the commit, 1 for the model, 1 or 2 for the config (an
 * organisation default adds one), 1 per 100 threat issues, and 1 per issue
 * with comments (cross-link, merged or audit comments; more than 100 on one
 * issue: 1 per 100). An issue without comments costs nothing beyond its page.
 */
import type { GitHubClient } from './client.ts';

const PER_PAGE = 100;

export interface ListedIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  url: string;
  createdAt: string;
  /** Login of whoever opened it. */
  author: string;
  comments: number;
}

export interface ListedComment {
  issueNumber: number;
  author: string;
  body: string;
  createdAt: string;
}

/** The full SHA a branch, tag or SHA names in `owner/repo`. */
export async function resolveCommit(octokit: GitHubClient, owner: string, repo: string, ref: string): Promise<string> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo, ref, per_page: 1 });
  return data.sha;
}

/** Open and closed issues carrying `label`, pull requests left out. */
export async function listLabelledIssues(octokit: GitHubClient, owner: string, repo: string, label: string): Promise<ListedIssue[]> {
  const listed = await octokit.paginate('GET /repos/{owner}/{repo}/issues', { owner, repo, labels: label, state: 'all', per_page: PER_PAGE });
  return listed
    .filter((item) => !item.pull_request)
    .map((item) => ({
      number: item.number,
      title: item.title,
      body: item.body ?? '',
      state: item.state === 'closed' ? ('closed' as const) : ('open' as const),
      url: item.html_url,
      createdAt: item.created_at,
      author: item.user?.login ?? '',
      comments: item.comments,
    }));
}

/** Every comment of each issue, oldest first; issues are read one after the other (GitHub asks clients not to fan out). */
export async function listIssueComments(octokit: GitHubClient, owner: string, repo: string, issueNumbers: readonly number[]): Promise<ListedComment[]> {
  const comments: ListedComment[] = [];
  for (const issueNumber of issueNumbers) {
    const listed = await octokit.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner, repo, issue_number: issueNumber, per_page: PER_PAGE });
    for (const c of listed) comments.push({ issueNumber, author: c.user?.login ?? '', body: c.body ?? '', createdAt: c.created_at });
  }
  return comments;
}
