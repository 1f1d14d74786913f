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
  /** GitHub logins that could approve (owners' `github`, members of owners' teams when known). */
  logins: string[];
  /** `org/team` slugs of owners whose membership the caller could not read. */
  teams: string[];
}

export interface ApprovalInput {
  diff: ThreatDiff;
  base: ThreatModel;
  head: ThreatModel;
  require: readonly OwnerApprovalChange[];
  /** Logins whose latest review approves the PR. */
  approvedBy: readonly string[];
  /** Team slug (`org/team`, lower case) -> member logins, for the teams the app may read. */
  teamMembers?: ReadonlyMap<string, readonly string[]>;
  /** The PR's author never approves their own change. */
  author?: string;
}

/** The threats still missing an owner's approval, in diff order (changed, then removed). */
export function missingOwnerApprovals(input: ApprovalInput): ApprovalNeed[] {
  if (input.require.length === 0) return [];
  const wanted = new Set(input.require);
  const author = input.author?.toLowerCase();
  const approved = new Set(input.approvedBy.map((l) => l.toLowerCase()).filter((l) => l !== author));
  const baseById = new Map<string, Threat>();
  for (const t of input.base.threats) if (!baseById.has(t.id)) baseById.set(t.id, t);

  const needs: ApprovalNeed[] = [];
  const consider = (threat: Threat, changes: OwnerApprovalChange[]) => {
    const risky = changes.filter((c) => wanted.has(c));
    if (risky.length === 0) return;
    const owners = threat.owner ?? [];
    const logins = new Set<string>();
    const teams: string[] = [];
    for (const key of owners) {
      const owner = input.base.owners[key];
      for (const login of owner?.github ?? []) logins.add(login);
      if (owner?.team) {
        const members = input.teamMembers?.get(owner.team.toLowerCase());
        if (members) for (const m of members) logins.add(m);
        else teams.push(owner.team);
      }
    }
    const eligible = [...logins].filter((l) => l.toLowerCase() !== author);
    if (eligible.some((l) => approved.has(l.toLowerCase()))) return;
    needs.push({ threatId: threat.id, title: threat.title, changes: risky, owners, logins: eligible, teams });
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

export function renderApprovalCheck(needs: readonly ApprovalNeed[], require: readonly OwnerApprovalChange[]): ApprovalCheck {
  if (require.length === 0) return { conclusion: 'success', title: 'No owner approval required', summary: '`pull_requests.require_owner_approval` is empty.' };
  if (needs.length === 0) {
    return { conclusion: 'success', title: 'Owner approvals complete', summary: `Every threat this pull request ${require.map((r) => CHANGE_NAME[r]).join(', ')} has its owner’s approval.` };
  }
  const shown = needs.slice(0, 50);
  const lines = shown.map((n) => {
    const who = [...n.logins.map((l) => code(l)), ...n.teams.map((t) => `a member of ${code(t)}`)];
    const approvers = who.length > 0 ? `approval needed from ${who.join(' or ')}` : `no owner with a GitHub login or team: give it an owner in an earlier pull request`;
    return `- ${code(n.threatId)} ${escapeLine(n.title)}: this pull request ${n.changes.map((c) => CHANGE_NAME[c]).join(' and ')}; ${approvers}`;
  });
  if (needs.length > shown.length) lines.push(`- … and ${needs.length - shown.length} more`);
  return {
    conclusion: 'failure',
    title: `${needs.length} ${needs.length === 1 ? 'threat needs' : 'threats need'} an owner’s approval`,
    summary: [
      `This repository asks an owner of a threat to approve changes that lower its risk on paper (\`pull_requests.require_owner_approval\`). A new approving review re-runs this check.`,
      '',
      ...lines,
    ].join('\n'),
  };
}
