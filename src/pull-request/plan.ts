/**
 * What to write for a pull request, decided from the inputs alone: the
 * context comment (create, update in place, or nothing), the cross-link
 * comments on threat issues, and the optional review requests.
 */
import type { ModelGraph } from '../model/graph.ts';
import { rateThreat } from '../model/rating.ts';
import type { Threat } from '../model/schema.ts';
import type { ReferenceVerb } from './references.ts';

/** Hidden marker that identifies the one context comment threatloop keeps on a PR. */
export const PR_COMMENT_MARKER = '<!-- threatloop:pr-context -->';

export interface ExistingComment {
  id: number;
  body: string;
}

export type CommentPlan =
  | { action: 'create'; body: string }
  | { action: 'update'; id: number; body: string }
  | { action: 'none'; reason: string };

/**
 * `rendered` is the body to show now, or undefined when there is nothing to
 * say. A comment that exists is never deleted; the caller renders the "no
 * longer touches" variant for it instead.
 */
export function planPrComment(input: { existing?: ExistingComment | undefined; rendered: string | undefined }): CommentPlan {
  const { existing, rendered } = input;
  if (rendered === undefined) return { action: 'none', reason: existing ? 'nothing to change' : 'no threat context' };
  if (!existing) return { action: 'create', body: rendered };
  if (existing.body === rendered) return { action: 'none', reason: 'comment is up to date' };
  return { action: 'update', id: existing.id, body: rendered };
}

/** The first comment carrying the marker (a second one is never created, so there is at most one). */
export function findContextComment<T extends { id: number; body?: string | null | undefined }>(
  comments: readonly T[],
): ExistingComment | undefined {
  const found = comments.find((c) => c.body?.includes(PR_COMMENT_MARKER));
  return found ? { id: found.id, body: found.body ?? '' } : undefined;
}

/** A PR as traceability needs it. `repo` is owner/name of the repository that holds the PR. */
export interface PullRequestRef {
  repo: string;
  number: number;
  title: string;
  url: string;
  author?: string | undefined;
}

/** Hidden marker of the cross-link comment a PR leaves on a threat issue. */
export function crossLinkMarker(pr: Pick<PullRequestRef, 'repo' | 'number'>): string {
  return `<!-- threatloop:pr-link ${pr.repo}#${pr.number} -->`;
}

/** Hidden marker of the "merged" comment a PR leaves on a threat issue. */
export function mergedMarker(pr: Pick<PullRequestRef, 'repo' | 'number'>): string {
  return `<!-- threatloop:pr-merged ${pr.repo}#${pr.number} -->`;
}

export interface ThreatIssueRef {
  number: number;
  url?: string | undefined;
}

export interface IssueCommentPlan {
  threatId: string;
  issueNumber: number;
  body: string;
}

/**
 * One comment per referenced threat issue that does not already carry the
 * marker, in the order the PR names them, at most `maxPerPullRequest` in all
 * (those already written count): a PR body naming forty threats must not post
 * forty comments from the installation's write allowance. `commentsOnIssue`
 * holds the bodies of the comments already on each threat issue that this
 * app's bot wrote (a marker anyone else writes must not suppress the link).
 */
export function planIssueComments(input: {
  references: readonly { verb: ReferenceVerb; threatId: string }[];
  threatIssues: ReadonlyMap<string, ThreatIssueRef>;
  commentsOnIssue: ReadonlyMap<number, readonly string[]>;
  marker: string;
  render: (threatId: string, verbs: ReferenceVerb[]) => string;
  maxPerPullRequest?: number;
}): IssueCommentPlan[] {
  const verbsByThreat = new Map<string, ReferenceVerb[]>();
  for (const { verb, threatId } of input.references) {
    const verbs = verbsByThreat.get(threatId) ?? [];
    if (!verbs.includes(verb)) verbs.push(verb);
    verbsByThreat.set(threatId, verbs);
  }
  const plans: IssueCommentPlan[] = [];
  let written = 0;
  for (const [threatId, verbs] of verbsByThreat) {
    const issue = input.threatIssues.get(threatId);
    if (!issue) continue; // no issue yet (sync off or pending): nothing to link to
    const existing = input.commentsOnIssue.get(issue.number) ?? [];
    if (existing.some((body) => body.includes(input.marker))) {
      written++;
      continue;
    }
    plans.push({ threatId, issueNumber: issue.number, body: input.render(threatId, verbs) });
  }
  return plans.slice(0, Math.max(0, (input.maxPerPullRequest ?? Number.POSITIVE_INFINITY) - written));
}

/** Severities whose owners are asked to review when `pull_requests.request_reviews` is on. */
const REVIEW_RATINGS = new Set(['critical', 'high']);

/**
 * GitHub logins to request review from: owners of the touched critical/high
 * threats that are still open (not in `closeStatuses`), except the PR author,
 * bots, and people already requested or who already reviewed.
 */
export function planReviewRequests(input: {
  graph: ModelGraph;
  threats: Iterable<Threat>;
  closeStatuses: readonly string[];
  author?: string | undefined;
  alreadyRequested: Iterable<string>;
  alreadyReviewed: Iterable<string>;
}): string[] {
  const skip = new Set([...input.alreadyRequested, ...input.alreadyReviewed].map((l) => l.toLowerCase()));
  if (input.author) skip.add(input.author.toLowerCase());
  const logins: string[] = [];
  for (const threat of input.threats) {
    if (input.closeStatuses.includes(threat.status)) continue;
    if (!REVIEW_RATINGS.has(rateThreat(threat).rating)) continue;
    for (const ownerKey of threat.owner ?? []) {
      for (const login of input.graph.owners.get(ownerKey)?.github ?? []) {
        const lower = login.toLowerCase();
        if (skip.has(lower) || lower.endsWith('[bot]')) continue;
        skip.add(lower);
        logins.push(login);
      }
    }
  }
  return logins;
}
