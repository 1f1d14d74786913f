/**
 * Reads what the planner needs from the repository issues go to: the issues
 * threatloop manages (src/github/issues.ts), labels, milestones, assignable
 * logins and whether the repository is private. Every list is paginated at 100.
 */
import type { GitHubClient } from '../../github/client.ts';
import { listManagedIssues } from '../../github/issues.ts';
import type { ExistingIssue, ExistingLabel, ExistingMilestone, RepoState } from './state.ts';
import { dashboardLabel, threatLabel } from './labels.ts';
import { httpStatus } from '../../github/errors.ts';
import { isOwnedBy } from './issue-identity.ts';

export interface FetchOptions {
  owner: string;
  repo: string;
  /** The repository holding the model (owner/name): only issues it owns are read (`isOwnedBy`). */
  modelRepo: string;
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
    const status = httpStatus(error);
    if (status === 404 || status === 403) throw new RepoAccessError(`${owner}/${repo}`, status);
    throw error;
  }

  const issues = new Map<number, ExistingIssue>();
  for (const label of [threatLabel(options.labelPrefix).name, dashboardLabel(options.labelPrefix).name]) {
    for (const issue of await listManagedIssues(octokit, { owner, repo, label })) {
      if (!issues.has(issue.number) && isOwnedBy(issue, { modelRepo: options.modelRepo, issuesRepo: `${owner}/${repo}` })) {
        issues.set(issue.number, issue);
      }
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

