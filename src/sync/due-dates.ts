/**
 * The date a threat is held to, for every tracker: the model's `due`, else the SLA for its rating
 * counted from when its issue was first created, so the date does not move on every sync.
 */
import { slaDays, type Config } from '../config/schema.ts';
import type { Rating, Threat } from '../model/schema.ts';

export interface EffectiveDue {
  date: string;
  /** `model`: the threat states it; `sla`: counted from the issue's creation. */
  source: 'model' | 'sla';
  /** For `sla`: the days and the start date. */
  slaDays?: number;
  from?: string;
}

/** The due date a threat is held to, or undefined when it has none and its rating has no SLA. */
export function effectiveDue(threat: Threat, rating: Rating, config: Config, issueCreatedOn: string): EffectiveDue | undefined {
  if (threat.due) return { date: threat.due, source: 'model' };
  const days = slaDays(config, rating);
  if (days === null) return undefined;
  return { date: addDays(issueCreatedOn, days), source: 'sla', slaDays: days, from: issueCreatedOn };
}

/** YYYY-MM-DD plus whole days (UTC calendar arithmetic). */
export function addDays(date: string, days: number): string {
  const time = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  return new Date(time + days * 86_400_000).toISOString().slice(0, 10);
}

