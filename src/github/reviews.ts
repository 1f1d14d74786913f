/**
 * The reads the owner-approval gate makes: a pull request's reviews and
 * whether a login belongs to a team. Read-only, base-repository data only
 * (a fork's pull request is gated with the same reads).
 */
import type { GitHubClient } from './client.ts';
import { httpStatus } from './errors.ts';
import type { Repository } from './pull-requests.ts';

const PER_PAGE = 100;
/** Pages of reviews read per check: 1,000 reviews. A PR with more is judged on the first 1,000 (it fails closed). */
export const MAX_REVIEW_PAGES = 10;

export interface PullRequestReview {
  login: string;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING, as GitHub writes it. */
  state: string;
  /** The commit the review was given on (null for some very old reviews). */
  commitId: string | null;
}

/** The PR's reviews, oldest first (GitHub's order), at most `MAX_REVIEW_PAGES` pages; `capped` when more were left unread. */
export async function listReviews(
  octokit: GitHubClient,
  where: Repository,
  pullNumber: number,
  maxPages = MAX_REVIEW_PAGES,
): Promise<{ reviews: PullRequestReview[]; capped: boolean }> {
  const reviews: PullRequestReview[] = [];
  let pages = 0;
  let capped = false;
  for await (const page of octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { ...where, pull_number: pullNumber, per_page: PER_PAGE })) {
    for (const r of page.data) if (r.user) reviews.push({ login: r.user.login, state: r.state, commitId: r.commit_id ?? null });
    if (++pages >= maxPages) {
      capped = /rel="next"/.test(page.headers.link ?? '');
      break;
    }
  }
  return { reviews, capped };
}

export type TeamMembership = 'member' | 'not-member' | 'unreadable';

/**
 * `login`'s membership of `org/team` (`GET /orgs/{org}/teams/{team_slug}/memberships/{username}`): an
 * active membership only (a pending invitation is not one). 404 means not a member (or a team the app
 * cannot see, which GitHub does not tell apart); 403 means the app lacks the `members: read` organisation
 * permission.
 */
export async function teamMembership(octokit: GitHubClient, team: string, login: string): Promise<TeamMembership> {
  const [org, slug] = team.replace(/^@/, '').split('/') as [string, string];
  try {
    const { data } = await octokit.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', { org, team_slug: slug, username: login });
    return data.state === 'active' ? 'member' : 'not-member';
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404) return 'not-member';
    if (status === 403 || status === 401) return 'unreadable';
    throw error;
  }
}
