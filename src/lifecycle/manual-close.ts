/**
 * What happens when a person (not the app) closes a threat's ticket: the
 * decision table of issue 11, pure. The wiring gathers the facts (who closed
 * it and how, the closing comment, whether the app may write contents,
 * whether the same change was declined before) and applies the decision.
 *
 *   closed as            model status now   on_manual_close   decision
 *   (by the app)         any                any               ignore
 *   any                  closes the issue   any               ignore (ticket and model agree)
 *   completed / unset    open work          propose           propose `mitigated`
 *   not planned          open work          propose           propose `not-applicable` + rationale
 *   duplicate            open work          propose           reopen (a duplicate is removed by a PR on the model)
 *   any                  open work          propose, but no contents permission, or the same change declined before: reopen
 *   any                  open work          reopen            reopen, with a comment that says why
 *   any                  open work          keep              keep closed, change nothing
 *
 * `on_manual_close` unset means propose when the app may write contents, else reopen.
 */
import type { Config, ManualCloseAction } from '../config/schema.ts';
import { RATIONALE_PLACEHOLDER } from '../model/lint/lifecycle.ts';
import type { ProposedChange } from '../model/proposal.ts';
import type { Threat } from '../model/schema.ts';

/** How the ticket was closed, tracker-neutral. GitHub: `state_reason`; Jira: the resolution, mapped by the caller. */
export type ClosedAs = 'completed' | 'not_planned' | 'duplicate' | 'unspecified';

/** GitHub's `state_reason` of a closed issue (null on issues closed before GitHub recorded reasons). */
export function closedAsFromGithub(stateReason: string | null | undefined): ClosedAs {
  if (stateReason === 'completed') return 'completed';
  if (stateReason === 'not_planned') return 'not_planned';
  if (stateReason === 'duplicate') return 'duplicate';
  return 'unspecified';
}

export interface ManualClose {
  threatId: string;
  tracker: 'github' | 'jira';
  /** `#12` or `SEC-12`. */
  ticket: string;
  ticketUrl: string;
  closedAs: ClosedAs;
  /** Login (GitHub) or display name (Jira) of whoever closed it. */
  closedBy: string;
  /**
   * `closedBy` stands in for a name the tracker knows only at the cost of a read (Jira's changelog): made only
   * for a closure about to be proposed that the open proposal does not name yet (src/sync/proposals.ts).
   */
  closerUnread?: boolean;
  /** The app closed it itself (a sync): never a proposal. */
  closedByApp: boolean;
  /** ISO timestamp or YYYY-MM-DD. */
  closedAt: string;
  /** The PR or commit that closed it, when the tracker knows one. */
  evidenceUrl?: string;
  /** The comment written with the closure, if any (untrusted text). */
  closingComment?: string;
  /** Not a ticket closed but a merged pull request saying `Fixes <id>` (`pull_requests.propose_on_fixes`); `ticket` is `PR #40`. */
  viaPullRequest?: boolean;
}

export interface ManualCloseContext {
  config: Config;
  /** The threat in the model, or undefined when it is gone from it. */
  threat: Threat | undefined;
  /** The app may write repository contents (push a branch, open a PR). */
  canWriteContents: boolean;
  /** A proposal of this very change was closed without merging, and the ticket has not changed since. */
  declinedBefore?: boolean;
}

export type ManualCloseDecision =
  | { action: 'ignore'; why: string }
  | { action: 'keep'; why: string }
  | { action: 'reopen'; why: string }
  | { action: 'propose'; change: ProposedChange };

/** A closing comment is a reason, not an essay: longer ones are cut at a word. */
export const MAX_RATIONALE_FROM_COMMENT = 1000;

export function decideManualClose(close: ManualClose, context: ManualCloseContext): ManualCloseDecision {
  const { config, threat } = context;
  if (close.closedByApp) return { action: 'ignore', why: 'threatloop closed it itself' };
  if (!threat) return { action: 'ignore', why: `threat ${close.threatId} is no longer in the model` };
  if (config.issues.close_statuses.includes(threat.status)) {
    return { action: 'ignore', why: `the model already says ${threat.status}, which closes the issue` };
  }
  const configured = config.issues.on_manual_close;
  const mode: ManualCloseAction = configured ?? (context.canWriteContents ? 'propose' : 'reopen');
  const stillSays = `The threat model still says **${threat.status}** for ${close.threatId}`;
  if (mode === 'keep') return { action: 'keep', why: '`issues.on_manual_close: keep`: the issue stays closed and the model is not changed' };
  if (mode === 'reopen') {
    return {
      action: 'reopen',
      why: configured
        ? `${stillSays}, and this repository's config (\`issues.on_manual_close: reopen\`) reopens issues closed by hand. Change the status in the model to close it.`
        : `${stillSays}. threatloop may not write this repository's contents, so it cannot propose the change as a pull request; change the status in the model (or grant the app \`contents: write\`).`,
    };
  }
  if (!context.canWriteContents) {
    return {
      action: 'reopen',
      why: `${stillSays}. \`issues.on_manual_close\` asks for a proposal, but threatloop may not write this repository's contents; grant the app \`contents: write\` or change the status in the model.`,
    };
  }
  if (context.declinedBefore) {
    return {
      action: 'reopen',
      why: `${stillSays}: a pull request proposing this change was closed without merging, so the model stands. Close the issue again after something changed to propose it anew.`,
    };
  }
  if (close.closedAs === 'duplicate') {
    return {
      action: 'reopen',
      why: `${stillSays}. A duplicate threat leaves the model through a pull request that removes it (and adds its id to \`retired\`), not by closing its issue.`,
    };
  }
  return { action: 'propose', change: proposedChange(close, threat) };
}

function proposedChange(close: ManualClose, threat: Threat): ProposedChange {
  const notPlanned = close.closedAs === 'not_planned';
  const closedOn = close.closedAt.slice(0, 10);
  const how = notPlanned ? 'as not planned' : 'as completed';
  const evidence = close.evidenceUrl ?? close.ticketUrl;
  const verification = close.viaPullRequest
    ? `${close.ticket} (Fixes ${threat.id}) merged by ${close.closedBy} on ${closedOn}: ${evidence}`
    : `${close.tracker === 'github' ? 'Issue' : 'Jira issue'} ${close.ticket} closed ${how} by ${close.closedBy} on ${closedOn}: ${evidence}`;
  const reason = notPlanned ? rationaleFrom(close.closingComment) : undefined;
  const to = notPlanned ? 'not-applicable' : 'mitigated';
  return {
    threatId: threat.id,
    title: threat.title,
    from: threat.status,
    to,
    tracker: close.tracker,
    ticket: close.ticket,
    ticketUrl: close.ticketUrl,
    closedBy: close.closedBy,
    closedOn,
    ...(close.evidenceUrl ? { evidenceUrl: close.evidenceUrl } : {}),
    needsRationale: notPlanned && reason === undefined,
    edit: { id: threat.id, status: to, verification, ...(notPlanned ? { rationale: reason ?? RATIONALE_PLACEHOLDER } : {}) },
  };
}

/** The closing comment as a one-paragraph rationale: control characters out, whitespace folded, cut at a word. */
export function rationaleFrom(comment: string | undefined): string | undefined {
  if (comment === undefined) return undefined;
  const text = comment
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffd]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return undefined;
  if (text.length <= MAX_RATIONALE_FROM_COMMENT) return text;
  const cut = text.slice(0, MAX_RATIONALE_FROM_COMMENT - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX_RATIONALE_FROM_COMMENT / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
