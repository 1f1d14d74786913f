/**
 * When a risk acceptance ends, and which accepted or transferred threats have
 * an acceptance that has ended or ends soon. Pure: `today` is an argument, so
 * lint, the sync and the daily job all see the same clock.
 */
import type { Acceptance, Threat, ThreatModel, ThreatStatus } from './schema.ts';

/** Statuses that rest on a person's decision to live with the risk: they need an `acceptance`. */
export const ACCEPTING_STATUSES: ReadonlySet<ThreatStatus> = new Set(['accepted', 'transferred']);

export function needsAcceptance(threat: Threat): boolean {
  return ACCEPTING_STATUSES.has(threat.status);
}

/** The day an acceptance stops holding: `expires`, or the review `review_every` after `on`, whichever is first. */
export interface AcceptanceEnd {
  /** YYYY-MM-DD, the last day the acceptance holds. */
  lastDay: string;
  /** What sets it: the stated expiry or the review interval. */
  by: 'expires' | 'review_every';
}

export function acceptanceEnd(acceptance: Acceptance): AcceptanceEnd {
  const review = acceptance.review_every === undefined ? undefined : addInterval(acceptance.on, acceptance.review_every);
  // ISO dates compare correctly as strings.
  if (review !== undefined && (acceptance.expires === undefined || review < acceptance.expires)) return { lastDay: review, by: 'review_every' };
  return { lastDay: acceptance.expires!, by: 'expires' };
}

/**
 * `date` plus an interval such as `90d`, `12w` or `6m`. Months are calendar
 * months, clamped to the month's last day (2027-01-31 + 1m = 2027-02-28).
 */
export function addInterval(date: string, interval: string): string {
  const match = /^(\d+)([dwm])$/.exec(interval.trim());
  if (!match) throw new Error(`not an interval: ${interval}`);
  const amount = Number(match[1]);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  if (match[2] === 'm') {
    const target = new Date(Date.UTC(year, month - 1 + amount, 1));
    const lastOfMonth = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
    target.setUTCDate(Math.min(day, lastOfMonth));
    return target.toISOString().slice(0, 10);
  }
  const days = match[2] === 'w' ? amount * 7 : amount;
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface AcceptanceState {
  threatId: string;
  /** Index in `model.threats`, for positions. */
  index: number;
  status: ThreatStatus;
  acceptance: Acceptance;
  end: AcceptanceEnd;
  /** `expired`: the last day has passed; `expiring`: it is at most `warningDays` away. */
  state: 'expired' | 'expiring';
  /** Days until the last day (0 on the last day itself); negative once expired. */
  daysLeft: number;
}

/**
 * The accepted or transferred threats whose acceptance has expired, or ends
 * within `warningDays` of `today`, in model order. Threats without an
 * `acceptance` are not here (lint's `acceptance-missing` names them).
 */
export function reviewAcceptances(model: ThreatModel, today: string, warningDays: number): AcceptanceState[] {
  const states: AcceptanceState[] = [];
  model.threats.forEach((threat, index) => {
    if (!needsAcceptance(threat) || !threat.acceptance) return;
    const end = acceptanceEnd(threat.acceptance);
    const daysLeft = daysBetween(today, end.lastDay);
    if (daysLeft > warningDays) return;
    states.push({
      threatId: threat.id,
      index,
      status: threat.status,
      acceptance: threat.acceptance,
      end,
      state: daysLeft < 0 ? 'expired' : 'expiring',
      daysLeft,
    });
  });
  return states;
}
