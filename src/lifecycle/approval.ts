/**
 * Owner approval for risky model changes, pure: from a pull request's model
 * diff, the base and head models, and who approved it, the threats that
 * still lack an approval from one of their owners (config
 * `pull_requests.require_owner_approval`), and the check-run text for them.
 *
 * Owners are taken from the base model: a pull request that reassigns a
 * threat to its author and accepts it in the same change still needs the
 * previous owner.
 */
import type { OwnerApprovalChange } from '../config/schema.ts';
import { compareRatings } from '../model/rating.ts';
import type { Threat, ThreatModel } from '../model/schema.ts';
import type { ThreatChange, ThreatDiff, ThreatScore } from '../pull-request/diff.ts';
import { code, escapeLine } from '../render/markdown.ts';

export interface ApprovalNeed {
  threatId: string;
  title: string;
  /** The risky changes this PR makes to the threat, among those the config names. */
  changes: OwnerApprovalChange[];
  /** Owner keys (base model) whose approval counts. */
  owners: string[];
  /** GitHub logins that could approve (owners' `github`, members of owners' teams known to have approved). */
  logins: string[];
  /** Owners' teams (`org/team`): any active member may approve. */
  teams: string[];
  /** Those of `teams` whose membership the app could not read (no `members: read` permission). */
  unreadableTeams: string[];
  /** Owners (or team members) whose approval was given on an earlier commit, which no longer counts. */
  staleApprovers: string[];
  /** Owners (or team members) whose approval of the head commit counts; empty while it is missing. */
  approvedBy: string[];
  /** The PR's author is one of the owners' logins (and so not among `logins`). */
  authorIsOwner: boolean;
}

export interface ApprovalInput {
  diff: ThreatDiff;
  base: ThreatModel;
  head: ThreatModel;
  require: readonly OwnerApprovalChange[];
  /** Logins whose latest review approves the PR. */
  approvedBy: readonly string[];
  /** Logins whose latest review approved an earlier commit (see `approvalsFromReviews`). */
  staleApprovals?: readonly string[];
  /** Team slug (`org/team`, lower case) -> the approvers known to be active members. */
  teamMembers?: ReadonlyMap<string, readonly string[]>;
  /** Team slugs (lower case) whose membership could not be read. */
  unreadableTeams?: ReadonlySet<string>;
  /** The PR's author never approves their own change. */
  author?: string;
}

/** The threats still missing an owner's approval, in diff order (changed, then removed). */
export function missingOwnerApprovals(input: ApprovalInput): ApprovalNeed[] {
  return assessOwnerApprovals(input).filter((n) => n.approvedBy.length === 0);
}

/** Every threat the PR changes in a way that needs its owner's approval, approved or not, in diff order. */
export function assessOwnerApprovals(input: ApprovalInput): ApprovalNeed[] {
  if (input.require.length === 0) return [];
  const wanted = new Set(input.require);
  const author = input.author === undefined ? undefined : normalLogin(input.author);
  const approved = new Set(input.approvedBy.map(normalLogin).filter((l) => l !== author));
  const stale = new Set((input.staleApprovals ?? []).map(normalLogin).filter((l) => l !== author));
  const baseById = new Map<string, Threat>();
  for (const t of input.base.threats) if (!baseById.has(t.id)) baseById.set(t.id, t);

  const needs: ApprovalNeed[] = [];
  const consider = (threat: Threat, changes: OwnerApprovalChange[]) => {
    const risky = changes.filter((c) => wanted.has(c));
    if (risky.length === 0) return;
    const owners = threat.owner ?? [];
    const logins = new Set<string>();
    const teams = new Set<string>();
    for (const key of owners) {
      const owner = input.base.owners[key];
      for (const login of owner?.github ?? []) logins.add(login.replace(/^@/, ''));
      if (owner?.team) {
        const team = owner.team.replace(/^@/, '');
        teams.add(team);
        for (const m of input.teamMembers?.get(team.toLowerCase()) ?? []) logins.add(m);
      }
    }
    const eligible = [...logins].filter((l) => normalLogin(l) !== author);
    needs.push({
      authorIsOwner: eligible.length < logins.size,
      approvedBy: eligible.filter((l) => approved.has(normalLogin(l))),
      threatId: threat.id,
      title: threat.title,
      changes: risky,
      owners,
      logins: eligible,
      teams: [...teams],
      unreadableTeams: [...teams].filter((t) => input.unreadableTeams?.has(t.toLowerCase())),
      staleApprovers: eligible.filter((l) => stale.has(normalLogin(l))),
    });
  };
  for (const change of input.diff.changed) {
    const before = baseById.get(change.id);
    if (before) consider(before, classifyChange(change, before));
  }
  for (const removed of input.diff.removed) {
    const before = baseById.get(removed.id);
    if (before) consider(before, ['remove']);
  }
  return needs;
}

function normalLogin(login: string): string {
  return login.replace(/^@/, '').toLowerCase();
}

/**
 * Who approved, from a PR's reviews (oldest first): per user the latest review that sets a state
 * (APPROVED, CHANGES_REQUESTED, DISMISSED; a later COMMENTED review leaves an approval standing, as on
 * GitHub). An approval counts only when it was given on `headSha`: as with GitHub's "dismiss stale pull
 * request approvals when new commits are pushed", a push after the approval needs a new one, since the
 * push may change what the owner approved. Approvals of earlier commits are returned as `stale`.
 */
export function approvalsFromReviews(
  reviews: readonly { login: string; state: string; commitId: string | null }[],
  headSha: string,
): { approvedBy: string[]; stale: string[] } {
  const latest = new Map<string, { login: string; state: string; commitId: string | null }>();
  for (const review of reviews) {
    if (review.state !== 'APPROVED' && review.state !== 'CHANGES_REQUESTED' && review.state !== 'DISMISSED') continue;
    latest.set(normalLogin(review.login), review);
  }
  const approvedBy: string[] = [];
  const stale: string[] = [];
  for (const review of latest.values()) {
    if (review.state !== 'APPROVED') continue;
    (review.commitId === headSha ? approvedBy : stale).push(review.login);
  }
  return { approvedBy, stale };
}

/**
 * The team memberships worth asking about: each owner team of a threat still missing an approval, with
 * each approver (not the author) who could be in it. At most `max` pairs: the rest stay unasked, and
 * their threats fail closed.
 */
export function membershipQueries(needs: readonly ApprovalNeed[], approvedBy: readonly string[], author: string | undefined, max: number): { team: string; login: string }[] {
  const authorLogin = author === undefined ? undefined : normalLogin(author);
  const approvers = [...new Set(approvedBy.map(normalLogin))].filter((l) => l !== authorLogin);
  const pairs = new Map<string, { team: string; login: string }>();
  for (const need of needs) {
    for (const team of need.teams) {
      for (const login of approvers) {
        const key = `${team.toLowerCase()} ${login}`;
        if (!pairs.has(key)) pairs.set(key, { team, login });
      }
    }
  }
  return [...pairs.values()].slice(0, max);
}

/** Which of the approval-worthy kinds a threat's change is. */
export function classifyChange(change: ThreatChange, before: Threat): OwnerApprovalChange[] {
  const kinds: OwnerApprovalChange[] = [];
  const to = change.status?.to;
  if (to === 'accepted' || to === 'transferred') kinds.push('accept');
  if (to === 'not-applicable') kinds.push('not-applicable');
  if (change.rescored && isRescoreDown(change.rescored.from, change.rescored.to)) kinds.push('rescore-down');
  // Giving an unowned threat an owner is not a reassignment; taking it from an owner is.
  if (change.owner && (before.owner ?? []).some((o) => !change.owner!.to.includes(o))) kinds.push('reassign');
  return kinds;
}

/** Less severe, or the same severity with a lower score; losing a score (unscored) counts as down. */
function isRescoreDown(from: ThreatScore, to: ThreatScore): boolean {
  const order = compareRatings(to.rating, from.rating);
  if (order !== 0) return order > 0;
  return from.score !== undefined && to.score !== undefined && to.score < from.score;
}

const CHANGE_NAME: Record<OwnerApprovalChange, string> = {
  accept: 'accepts or transfers the risk',
  'not-applicable': 'marks it not applicable',
  'rescore-down': 'lowers its score',
  remove: 'removes it',
  reassign: 'takes it from its owner',
};

export interface ApprovalCheck {
  conclusion: 'success' | 'failure';
  title: string;
  /** Markdown for the check run's summary. Names are shown, never mentioned (a check run must not notify). */
  summary: string;
}

/** How a need is written: Markdown for check runs and job summaries, plain for the terminal. */
export interface ApprovalNeedStyle {
  literal(text: string): string;
  text(text: string): string;
}
const MARKDOWN_STYLE: ApprovalNeedStyle = { literal: code, text: escapeLine };
export const PLAIN_APPROVAL_STYLE: ApprovalNeedStyle = { literal: (t) => t, text: (t) => t.replace(/\s+/g, ' ').trim() };

/** One threat still missing an approval: the change, who could approve, and why an earlier approval no longer counts. */
export function approvalNeedLine(n: ApprovalNeed, style: ApprovalNeedStyle = MARKDOWN_STYLE): string {
  const unreadable = new Set(n.unreadableTeams);
  const who = [
    ...n.logins.map((l) => style.literal(l)),
    ...n.teams.map((t) => `a member of ${style.literal(t)}${unreadable.has(t) ? ` (membership could not be checked: the app needs the organisation permission ${style.literal('members: read')})` : ''}`),
  ];
  const approvers =
    who.length > 0
      ? `approval needed from ${who.join(' or ')}`
      : n.authorIsOwner
        ? `its only owner is this pull request's author, who cannot approve it: give it another owner in an earlier pull request`
        : `no owner with a GitHub login or team: give it an owner in an earlier pull request`;
  const stale = n.staleApprovers.length > 0 ? ` (${n.staleApprovers.map((l) => style.literal(l)).join(', ')} approved an earlier commit: a push after an approval needs a new one)` : '';
  return `${style.literal(n.threatId)} ${style.text(n.title)}: this pull request ${n.changes.map((c) => CHANGE_NAME[c]).join(' and ')}; ${approvers}${stale}`;
}

/**
 * `needs`: the threats still missing an approval; `approved`: those that have one, listed so the check
 * run records who approved which change (on the head commit) for the audit trail.
 */
export function renderApprovalCheck(needs: readonly ApprovalNeed[], require: readonly OwnerApprovalChange[], approved: readonly ApprovalNeed[] = []): ApprovalCheck {
  if (require.length === 0) return { conclusion: 'success', title: 'No owner approval required', summary: '`pull_requests.require_owner_approval` is empty.' };
  const approvedLines = approved
    .slice(0, 50)
    .map((n) => `- ${code(n.threatId)} ${escapeLine(n.title)}: this pull request ${n.changes.map((c) => CHANGE_NAME[c]).join(' and ')}; approved by ${n.approvedBy.map((l) => code(l)).join(', ')}`);
  if (approved.length > approvedLines.length) approvedLines.push(`- … and ${approved.length - approvedLines.length} more`);
  const approvedSection = approvedLines.length > 0 ? ['', 'Approved on this commit:', ...approvedLines] : [];
  if (needs.length === 0) {
    return {
      conclusion: 'success',
      title: 'Owner approvals complete',
      summary: [`Every threat this pull request changes in a way that needs its owner’s approval (${require.map((r) => code(r)).join(', ')}) has it.`, ...approvedSection].join('\n'),
    };
  }
  const shown = needs.slice(0, 50);
  const lines = shown.map((n) => `- ${approvalNeedLine(n, MARKDOWN_STYLE)}`);
  if (needs.length > shown.length) lines.push(`- … and ${needs.length - shown.length} more`);
  return {
    conclusion: 'failure',
    title: `${needs.length} ${needs.length === 1 ? 'threat needs' : 'threats need'} an owner’s approval`,
    summary: [
      `This repository asks an owner of a threat to approve changes that lower its risk on paper (\`pull_requests.require_owner_approval\`). A new approving review re-runs this check.`,
      '',
      ...lines,
      ...approvedSection,
    ].join('\n'),
  };
}

/**
 * The `Threat model` check run with the approval gate in it: one check run, so a missing approval fails
 * it like a lint error would, its title says so first when the lint is clean, and the summary gains an
 * "Owner approval" section.
 */
export function withApprovalCheck<C extends string>(
  lint: { title: string; summary: string; conclusion: C },
  approval: ApprovalCheck,
): { title: string; summary: string; conclusion: C | 'failure' } {
  const summary = `${lint.summary}\n\n**Owner approval**\n\n${approval.summary}`;
  if (approval.conclusion === 'success') return { ...lint, summary };
  const title = lint.conclusion === 'failure' ? `${lint.title}; ${approval.title}` : approval.title;
  return { title, summary, conclusion: 'failure' };
}
