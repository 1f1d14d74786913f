/**
 * The clock in the GitHub plan, pure: which threats' acceptances have expired (their issue reopens with
 * the `acceptance:expired` label and one audit comment), which reminders are due (one comment mentioning
 * the owners, once per threshold and due date, recorded in the marker's `reminded`), an id that came back
 * for a different threat, and ids to retire. `planGithubSync` asks this module and turns the answers into
 * operations; nothing here reads the clock: `today` comes with the sync context.
 */
import type { Config } from '../../config/schema.ts';
import { planAcceptanceReview, type AcceptanceReview, type ExpiredAcceptance } from '../../lifecycle/acceptance.ts';
import { dueReminders, formatReminded, parseReminded, type DueReminder, type ReminderRecord } from '../../lifecycle/reminders.ts';
import { unretiredIds } from '../../model/retired.ts';
import type { Threat, ThreatModel } from '../../model/schema.ts';
import { neutraliseReferences } from '../../render/markdown.ts';
import type { ExistingIssue, RepoState } from './state.ts';

/**
 * Most owners one reminder mentions: a model names its owners, and a mention notifies each of them (a
 * team, all its members), so one comment may ping only a few. The others are named without a mention.
 */
export const MAX_REMINDER_MENTIONS = 5;
/** Most owners a reminder names at all (a model can list hundreds; the comment must stay short). */
const MAX_REMINDER_NAMES = 20;

/** What the clock says about one threat today. */
export interface ThreatClock {
  /** Its acceptance has expired: the issue is open, labelled, and the marker records `expired`. */
  expired?: ExpiredAcceptance;
  /** A reminder comment is due on its (existing) issue. */
  reminder?: DueReminder;
  /** The marker's new `reminded` value, when a threshold is reached today (also for an issue created now). */
  reminded?: string;
}

export interface ClockInput {
  model: ThreatModel;
  config: Config;
  state: Pick<RepoState, 'owner' | 'assignable'>;
  today: string;
  /** The issue kept for a threat, when it has one (reminders go only to an issue that exists). */
  keptIssue: (threatId: string) => ExistingIssue | undefined;
  /** The due date the sync uses for a threat (stated, or from the SLA counted from its issue). */
  dueOf: (threat: Threat) => string | undefined;
}

export interface ClockPlan {
  review: AcceptanceReview;
  byThreat: ReadonlyMap<string, ThreatClock>;
}

export function planClock(input: ClockInput): ClockPlan {
  const { model, config, today } = input;
  const review = planAcceptanceReview(model, config, today);
  const byThreat = new Map<string, ThreatClock>();
  for (const expired of review.expired) byThreat.set(expired.threatId, { expired });

  const reminded = new Map<string, ReminderRecord | undefined>();
  for (const threat of model.threats) reminded.set(threat.id, parseReminded(input.keptIssue(threat.id)?.marker.reminded));
  const reminders = dueReminders({ model, config, today, reminded, dueOf: input.dueOf });
  for (const reminder of reminders) {
    const entry: ThreatClock = { ...byThreat.get(reminder.threatId), reminded: formatReminded(reminder.record) };
    // An issue filed today is its owners' notice (it assigns them): the threshold is recorded as reminded, with
    // no comment, so one sync brings GitHub in step and the next one has nothing to add.
    if (input.keptIssue(reminder.threatId)) entry.reminder = boundMentions(reminder, input.state);
    byThreat.set(reminder.threatId, entry);
  }
  return { review, byThreat };
}

/**
 * Only a few owners are mentioned, and only those who belong here: a login that cannot be assigned in
 * the issues repository (when the sync knows who can) or a team of another organisation is named in
 * code, not mentioned, so a model cannot make the app ping strangers.
 */
export function boundMentions(reminder: DueReminder, state: Pick<RepoState, 'owner' | 'assignable'>): DueReminder {
  const mentioned: string[] = [];
  const named: string[] = [];
  for (const handle of reminder.handles) {
    const belongs = handle.includes('/')
      ? handle.split('/')[0]!.toLowerCase() === state.owner.toLowerCase()
      : !state.assignable || [...state.assignable].some((login) => login.toLowerCase() === handle.toLowerCase());
    if (belongs && mentioned.length < MAX_REMINDER_MENTIONS) mentioned.push(handle);
    else named.push(handle);
  }
  const shown = named.length > MAX_REMINDER_NAMES ? [...named.slice(0, MAX_REMINDER_NAMES), `… and ${named.length - MAX_REMINDER_NAMES} more`] : named;
  const { notMentioned: _unbounded, ...rest } = reminder;
  return { ...rest, handles: mentioned, ...(shown.length > 0 ? { notMentioned: shown } : {}) };
}

/**
 * The audit line for an issue that a removed threat left (closed as not planned, its marker not
 * `not-applicable`) when a threat with another title now has its id: the issue's history belongs to
 * the old threat, so the comment says the id came back for something else. Undefined otherwise.
 */
export function reusedIdLine(kept: ExistingIssue, threatId: string, newTitle: string): string | undefined {
  const leftTheModel = kept.state === 'closed' && kept.stateReason === 'not_planned' && kept.marker.synced?.status !== 'not-applicable';
  if (!leftTheModel || kept.title === newTitle) return undefined;
  const old = neutraliseReferences(kept.title, 'markdown');
  const now = neutraliseReferences(newTitle, 'markdown');
  return (
    `id reused: \`${threatId}\` had left the model (this issue was closed as not planned) and now names another threat: “${old}” → “${now}”. ` +
    `The history above is the old threat's. If this is a different threat, give it a new id and list \`${threatId}\` under \`retired\` in the model.`
  );
}

/** Ids listed in a note at most; the rest are counted. */
const MAX_RETIRED_NOTE_IDS = 20;

/**
 * A plan note naming the ids of threats that left the model (their issues are still here) and are not
 * yet under `retired`, so no later threat takes over their issue and history; undefined when there is none.
 */
export function retiredIdsNote(removedIds: Iterable<string>, model: ThreatModel, modelPath: string): string | undefined {
  const ids = unretiredIds(removedIds, model);
  if (ids.length === 0) return undefined;
  const shown = ids.slice(0, MAX_RETIRED_NOTE_IDS).join(', ');
  const more = ids.length > MAX_RETIRED_NOTE_IDS ? ` and ${ids.length - MAX_RETIRED_NOTE_IDS} more` : '';
  return (
    `${ids.length === 1 ? 'Threat id' : 'Threat ids'} ${shown}${more} left the model but ${ids.length === 1 ? 'is' : 'are'} not retired: ` +
    `add \`retired: [${ids.slice(0, MAX_RETIRED_NOTE_IDS).join(', ')}]\` to ${modelPath} so no new threat reuses ${ids.length === 1 ? 'it' : 'them'} (lint \`id-reused\`).`
  );
}
