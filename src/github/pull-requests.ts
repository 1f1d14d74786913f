/** The pull-request calls the app makes: changed files, comments on an issue or PR, review requests. */
import type { ChangedFile } from '../pull-request/match.ts';
import { NO_BLIND_RETRY, type GitHubClient } from './client.ts';
import { httpStatus } from './errors.ts';

const PER_PAGE = 100;

export interface Repository {
  owner: string;
  repo: string;
}

/** GitHub lists at most 3,000 changed files: 30 pages of 100. */
const MAX_FILE_PAGES = 30;
/** Pages read at once: a few, so one pull request does not take the installation's whole share. */
export const PAGE_CONCURRENCY = 4;

/**
 * All changed files, 100 a page (GitHub stops listing at 3,000). The first page's `Link` header names
 * the last page; the others are read concurrently, a few at a time, in page order in the result.
 */
export async function listChangedFiles(octokit: GitHubClient, where: Repository, pullNumber: number): Promise<ChangedFile[]> {
  const route = 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files' as const;
  const page = (n: number) => octokit.request(route, { ...where, pull_number: pullNumber, per_page: PER_PAGE, page: n });
  const first = await page(1);
  const pages = [first.data];
  const last = lastPage(first.headers.link);
  if (last !== undefined) {
    const numbers = Array.from({ length: Math.min(MAX_FILE_PAGES, last) - 1 }, (_, i) => i + 2);
    pages.push(...(await mapBounded(numbers, PAGE_CONCURRENCY, async (n) => (await page(n)).data)));
  } else {
    // A server that says only "next" (GitHub always names the last page too): one page after another.
    let link = first.headers.link;
    for (let n = 2; n <= MAX_FILE_PAGES && /rel="next"/.test(link ?? ''); n++) {
      const response = await page(n);
      pages.push(response.data);
      link = response.headers.link;
    }
  }
  return pages.flat().map((f) => ({ filename: f.filename, status: f.status, ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}) }));
}

/** The page number of `rel="last"` in a `Link` header (GitHub sends it on every page but the last). */
export function lastPage(link: string | undefined): number | undefined {
  const match = /<([^>]+)>;\s*rel="last"/.exec(link ?? '');
  if (!match) return undefined;
  const page = Number(new URL(match[1]!).searchParams.get('page'));
  return Number.isSafeInteger(page) && page > 0 ? page : undefined;
}

/**
 * `fn` over `items`, at most `limit` at a time, results in the order of `items`. Written here rather than
 * taken from a package: a dozen lines, and the only place the app needs it (p-limit would be a dependency
 * for this alone).
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface IssueComment {
  id: number;
  body: string;
  author?: { login: string; type: string };
}

/** Every comment on an issue or pull request, oldest first. */
export async function listComments(octokit: GitHubClient, where: Repository, issueNumber: number): Promise<IssueComment[]> {
  const comments = await octokit.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...where, issue_number: issueNumber, per_page: PER_PAGE });
  return comments.map((c) => ({ id: c.id, body: c.body ?? '', ...(c.user ? { author: { login: c.user.login, type: c.user.type } } : {}) }));
}

export async function createComment(octokit: GitHubClient, where: Repository, issueNumber: number, body: string): Promise<void> {
  await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...where, issue_number: issueNumber, body, ...NO_BLIND_RETRY });
}

export async function updateComment(octokit: GitHubClient, where: Repository, commentId: number, body: string): Promise<void> {
  await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...where, comment_id: commentId, body });
}

/** Who was asked to review, and who has reviewed. */
export async function reviewState(octokit: GitHubClient, where: Repository, pullNumber: number): Promise<{ requested: string[]; reviewed: string[] }> {
  const params = { ...where, pull_number: pullNumber };
  const { data: requested } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', params);
  const reviews = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { ...params, per_page: PER_PAGE });
  return { requested: requested.users.map((u) => u.login), reviewed: reviews.flatMap((r) => (r.user ? [r.user.login] : [])) };
}

/** Asks `logins` for a review; false when GitHub refuses someone (422: not a collaborator). */
export async function requestReviewers(octokit: GitHubClient, where: Repository, pullNumber: number, logins: string[]): Promise<boolean> {
  try {
    await octokit.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', { ...where, pull_number: pullNumber, reviewers: logins });
    return true;
  } catch (error) {
    if (httpStatus(error) !== 422) throw error;
    return false;
  }
}
