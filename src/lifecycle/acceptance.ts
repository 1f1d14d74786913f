/**
 * What the sync does about acceptances, decided without the sync: which
 * threats' acceptances have expired (their issue reopens, gets the
 * `acceptance:expired` label and one audit comment) and which end soon (the
 * dashboard lists them). Renewing the acceptance in the model makes the
 * threat drop out of `expired`, so the next sync closes the issue again and
 * takes the label off.
 */
import type { Config } from '../config/schema.ts';
import { reviewAcceptances, type AcceptanceState } from '../model/acceptance.ts';
import type { ThreatModel } from '../model/schema.ts';
import { code, escapeLine } from '../render/markdown.ts';

export interface ExpiredAcceptance extends AcceptanceState {
  state: 'expired';
  /** The threat's status closes its issue (config `issues.close_statuses`), so the sync must reopen it. */
  reopen: boolean;
}

export interface AcceptanceReview {
  /** Model order. */
  expired: ExpiredAcceptance[];
  /** Ending within `lint.acceptance_warning_days`, soonest first. */
  expiring: AcceptanceState[];
  /** Threat ids whose issue carries `acceptance:expired` (pass to `threatIssueLabels`). */
  expiredIds: ReadonlySet<string>;
}

export function planAcceptanceReview(model: ThreatModel, config: Config, today: string): AcceptanceReview {
  const states = reviewAcceptances(model, today, config.lint.acceptance_warning_days);
  const closing = new Set<string>(config.issues.close_statuses);
  const expired = states
    .filter((s) => s.state === 'expired')
    .map((s): ExpiredAcceptance => ({ ...s, state: 'expired', reopen: closing.has(s.status) }));
  const expiring = states.filter((s) => s.state === 'expiring').sort((a, b) => a.daysLeft - b.daysLeft || a.index - b.index);
  return { expired, expiring, expiredIds: new Set(expired.map((s) => s.threatId)) };
}

/**
 * The audit comment on a reopened issue: who accepted the risk, when, and the
 * day the acceptance ended. Names are shown, not mentioned (an audit trail
 * must not notify on every rewrite); the reminder comments do the nudging.
 */
export function renderAcceptanceExpiredComment(state: ExpiredAcceptance, model: ThreatModel): string {
  const owner = model.owners[state.acceptance.by];
  const by = owner ? `${escapeLine(owner.name ?? state.acceptance.by)} (${code(state.acceptance.by)})` : code(state.acceptance.by);
  const ended =
    state.end.by === 'expires'
      ? `expired on ${state.end.lastDay}`
      : `lapsed on ${state.end.lastDay}: it was to be reviewed every ${state.acceptance.review_every} and was not renewed`;
  return [
    `**Risk acceptance expired.** Threat ${code(state.threatId)} was ${state.status} by ${by} on ${state.acceptance.on}; the acceptance ${ended}.`,
    '',
    `${state.reopen ? 'The issue is reopened' : 'The issue stays open'} and labelled \`acceptance:expired\` until the acceptance is renewed in the threat model (a new \`on\` or \`expires\`) or the threat's status changes.`,
  ].join('\n');
}
