/** The pull-request calls the app makes: changed files, comments on an issue or PR, review requests. */
import type { ChangedFile } from '../pull-request/match.ts';
import { NO_BLIND_RETRY, type GitHubClient } from './client.ts';
import { httpStatus } from './errors.ts';

const PER_PAGE = 100;

export interface Repository {
  owner: string;
  repo: string;
}

/** All changed files, 100 a page (GitHub stops listing at 3,000). */
export async function listChangedFiles(octokit: GitHubClient, where: Repository, pullNumber: number): Promise<ChangedFile[]> {
  const files = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { ...where, pull_number: pullNumber, per_page: PER_PAGE });
  return files.map((f) => ({ filename: f.filename, status: f.status, ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}) }));
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
