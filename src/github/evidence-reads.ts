/**
 * Every GitHub read the evidence pack makes, and nothing else (reads only,
 * no write): the commit a ref names, the model and config at that commit, the
 * managed threat issues (listed by label, 100 a page) and the comments of the
 * threat issues that have any. What the answers mean is decided by the pure
 * assembler (`src/evidence/assemble.ts`); this file only fetches.
 *
 * Comments are read the cheaper of two ways. GitHub lists every issue and
 * pull-request comment of a repository in one listing (`GET /repos/{o}/{r}/
 * issues/comments`, 100 a page, `since` a time), so the comments of all threat
 * issues cost 1 read per 100 comments written since the oldest of those issues
 * was opened, however many issues carry them: in a repository that holds the
 * threat issues (or a quiet one) that is a read or two for hundreds of issues.
 * In a busy repository the same listing also pages through every pull-request
 * conversation; its first page says how many pages there are (the `last`
 * link), and when the listing would cost more than reading each commented
 * threat issue's own comments, the rest is read that way instead.
 *
 * Cost: 1 read for the commit, 1 for the model, 1 or 2 for the config (an
 * organisation default adds one), 1 per 100 threat issues, then for the
 * comments min(P, 1 + C): P pages of the repository's comments since the
 * oldest commented threat issue, C = 1 per commented threat issue (1 per 100
 * of its comments). One commented issue is read directly (1 read).
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

/** A threat issue whose comments are wanted: its number, comment count and when it was opened (from the issue listing). */
export interface CommentedIssue {
  number: number;
  comments: number;
  createdAt: string;
}

export interface CommentReading {
  comments: ListedComment[];
  /** How they were read: the repository's comment listing, or each issue's own. */
  via: 'repository' | 'issues';
  /** Pages of the repository listing since the oldest issue (its first page says), when it was asked. */
  repositoryPages?: number;
}

/**
 * The comments of `issues` (oldest first within each issue), read the cheaper way (see the top of this
 * file). Comments on any other issue or pull request are dropped page by page, so memory holds only
 * those of the threat issues, whatever else the repository discusses.
 */
export async function listThreatIssueComments(octokit: GitHubClient, owner: string, repo: string, issues: readonly CommentedIssue[]): Promise<CommentReading> {
  const perIssueReads = issues.reduce((n, issue) => n + Math.max(1, Math.ceil(issue.comments / PER_PAGE)), 0);
  const numbers = issues.map((issue) => issue.number);
  if (perIssueReads <= 1) return { comments: await listIssueComments(octokit, owner, repo, numbers), via: 'issues' };

  const wanted = new Set(numbers);
  // A comment is never older than its issue, and `since` keeps comments updated at or after the time.
  const since = issues.reduce((oldest, issue) => (issue.createdAt < oldest ? issue.createdAt : oldest), issues[0]!.createdAt);
  const pages = octokit.paginate.iterator('GET /repos/{owner}/{repo}/issues/comments', { owner, repo, since, sort: 'created', direction: 'asc', per_page: PER_PAGE });
  const comments: ListedComment[] = [];
  let repositoryPages: number | undefined;
  let read = 0;
  for await (const page of pages) {
    if (repositoryPages === undefined) {
      repositoryPages = lastPage(page.headers.link) ?? 1;
      // The first page is paid for either way: go on only while the listing is no dearer than the issues' own.
      if (repositoryPages - 1 > perIssueReads) return { comments: await listIssueComments(octokit, owner, repo, numbers), via: 'issues', repositoryPages };
    }
    for (const c of page.data) {
      const issueNumber = issueNumberOf(c.issue_url);
      if (issueNumber !== undefined && wanted.has(issueNumber)) comments.push({ issueNumber, author: c.user?.login ?? '', body: c.body ?? '', createdAt: c.created_at });
    }
    // Pages added while we read hold comments written after the pack began: the cost stays what the first page said.
    if (++read >= repositoryPages) break;
  }
  return { comments, via: 'repository', repositoryPages: repositoryPages ?? 0 };
}

/** The page number of a Link header's `rel="last"` (GitHub sends it with every page but the last). */
function lastPage(link: string | undefined): number | undefined {
  const last = link?.split(',').find((part) => /rel="last"/.test(part));
  const page = last ? /[?&]page=(\d+)/.exec(last)?.[1] : undefined;
  return page === undefined ? undefined : Number(page);
}

/** `https://api.github.com/repos/o/r/issues/42` → 42. */
function issueNumberOf(issueUrl: string | undefined): number | undefined {
  const match = /\/issues\/(\d+)$/.exec(issueUrl ?? '');
  return match ? Number(match[1]) : undefined;
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
