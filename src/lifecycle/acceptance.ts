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
