/**
 * Which issue is a threat's issue, decided once for every reader (the sync, the Jira side, the
 * pull-request handler). Two replicas racing, or a person copying a body, can leave several issues
 * with one threat's marker: the threat's issue is the oldest that was not closed as a duplicate (a
 * person may have marked the old one as the copy), then the lowest number. The sync keeps that one
 * and closes the others as duplicates, so everything else must link that one too.
 */
import type { ExistingIssue } from './state.ts';

/** The candidates in the order of the rule: the first is the one to keep. */
export function preferredFirst(issues: readonly ExistingIssue[]): ExistingIssue[] {
  return [...issues].sort(
    (a, b) =>
      Number(a.stateReason === 'duplicate') - Number(b.stateReason === 'duplicate') ||
      a.createdAt.localeCompare(b.createdAt) ||
      a.number - b.number,
  );
}

/** Threat id -> its issues, the threat's issue first (`preferredFirst`). */
export function issuesByThreat(issues: readonly ExistingIssue[]): Map<string, ExistingIssue[]> {
  const groups = new Map<string, ExistingIssue[]>();
  for (const issue of issues) {
    const id = issue.marker.kind === 'threat' ? issue.marker.threatId : undefined;
    if (id === undefined) continue;
    groups.set(id, [...(groups.get(id) ?? []), issue]);
  }
  for (const [id, list] of groups) groups.set(id, preferredFirst(list));
  return groups;
}

/** Threat id -> the threat's issue. */
export function threatIssues(issues: readonly ExistingIssue[]): Map<string, ExistingIssue> {
  return new Map([...issuesByThreat(issues)].map(([id, [kept]]) => [id, kept!]));
}

/**
 * Whether an issue in `issuesRepo` belongs to the model in `modelRepo`: its marker names that model
 * repository, or names none and the issue sits in the model's own repository (as every earlier version
 * wrote them). A marker without `repo=` in another repository is not believed: the version that wrote
 * it may have been made to file there by a repository that had no consent, and the issue may belong to
 * that repository's own model. Owner and name compare without case, as GitHub does.
 */
export function isOwnedBy(issue: Pick<ExistingIssue, 'marker'>, where: { modelRepo: string; issuesRepo: string }): boolean {
  const named = issue.marker.modelRepo ?? (sameRepo(where.issuesRepo, where.modelRepo) ? where.modelRepo : undefined);
  return named !== undefined && sameRepo(named, where.modelRepo);
}

/** The `repo=` a marker carries for `modelRepo`'s issues in `issuesRepo`: only when they are different repositories. */
export function markerRepo(where: { modelRepo: string; issuesRepo: string }): string | undefined {
  return sameRepo(where.modelRepo, where.issuesRepo) ? undefined : where.modelRepo;
}

export function sameRepo(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
