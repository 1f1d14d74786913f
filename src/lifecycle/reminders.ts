/**
 * Due-soon and overdue reminders, pure: which threats' issues get a comment
 * mentioning their owners today. Each threshold is reminded once per due
 * date, never daily: the issue's marker records the last one sent
 * (`reminded="overdue:2027-01-31"`), and a new due date starts afresh.
 */
import type { Config } from '../config/schema.ts';
import { daysBetween } from '../model/acceptance.ts';
import { isoDate, type Threat, type ThreatModel } from '../model/schema.ts';
import { code, escapeLine, mention } from '../render/markdown.ts';

export const REMINDER_THRESHOLDS = ['due-soon', 'overdue'] as const;
export type ReminderThreshold = (typeof REMINDER_THRESHOLDS)[number];

/** The last reminder sent for a threat, as the marker attribute `reminded` holds it. */
export interface ReminderRecord {
  threshold: ReminderThreshold;
  /** The due date it was about, YYYY-MM-DD. */
  due: string;
}

/** `threshold:YYYY-MM-DD`; anything else (a forged or damaged attribute) reads as "none sent". */
export function parseReminded(value: string | undefined): ReminderRecord | undefined {
  const match = /^(due-soon|overdue):(\d{4}-\d{2}-\d{2})$/.exec(value ?? '');
  if (!match || !isoDate.safeParse(match[2]).success) return undefined;
  return { threshold: match[1] as ReminderThreshold, due: match[2]! };
}

export function formatReminded(record: ReminderRecord): string {
  return `${record.threshold}:${record.due}`;
}

export interface DueReminder {
  threatId: string;
  title: string;
  threshold: ReminderThreshold;
  due: string;
  /** Days until due; negative when overdue. */
  daysLeft: number;
  /** Owner keys of the threat. */
  owners: string[];
  /** GitHub logins and `org/team` slugs to mention. */
  handles: string[];
  /** Owners' handles named without a mention (set by the sync: not collaborators there, or past its mention limit). */
  notMentioned?: string[];
  /** The marker's new `reminded` value once the comment is posted. */
  record: ReminderRecord;
}

export interface ReminderInput {
  model: ThreatModel;
  config: Config;
  /** YYYY-MM-DD */
  today: string;
  /** Threat id -> the `reminded` record in its issue's marker (absent: none sent). */
  reminded: ReadonlyMap<string, ReminderRecord | undefined>;
  /** The due date the sync uses (stated, or from the SLA); default: the stated `due`. */
  dueOf?: (threat: Threat) => string | undefined;
}

/** Reminders to post today, in model order: at most one per threat, and only for a threshold not yet reminded for this due date. */
export function dueReminders(input: ReminderInput): DueReminder[] {
  const { model, config, today } = input;
  const closing = new Set<string>(config.issues.close_statuses);
  const beforeDays = config.reminders.before_due_days ?? 0;
  const reminders: DueReminder[] = [];
  for (const threat of model.threats) {
    if (closing.has(threat.status)) continue;
    const due = (input.dueOf ?? ((t: Threat) => t.due))(threat);
    if (due === undefined) continue;
    const daysLeft = daysBetween(today, due);
    const threshold: ReminderThreshold | undefined =
      daysLeft < 0 ? (config.reminders.overdue ? 'overdue' : undefined) : beforeDays > 0 && daysLeft <= beforeDays ? 'due-soon' : undefined;
    if (!threshold) continue;
    const last = input.reminded.get(threat.id);
    if (last && last.due === due && rank(last.threshold) >= rank(threshold)) continue;
    const owners = threat.owner ?? [];
    const handles = [...new Set(owners.flatMap((key) => [...(model.owners[key]?.github ?? []), ...(model.owners[key]?.team ? [model.owners[key]!.team!] : [])]))];
    reminders.push({ threatId: threat.id, title: threat.title, threshold, due, daysLeft, owners, handles, record: { threshold, due } });
  }
  return reminders;
}

function rank(threshold: ReminderThreshold): number {
  return REMINDER_THRESHOLDS.indexOf(threshold);
}

/** The reminder comment: it mentions the owners on purpose (that is the nudge), and says when it will not repeat. */
export function renderReminderComment(reminder: DueReminder): string {
  const who = reminder.handles.length > 0 ? `${reminder.handles.map(mention).join(' ')}: ` : '';
  const days = Math.abs(reminder.daysLeft);
  const when =
    reminder.threshold === 'overdue'
      ? `was due on ${reminder.due} (${days} ${days === 1 ? 'day' : 'days'} ago)`
      : reminder.daysLeft === 0
        ? `is due today (${reminder.due})`
        : `is due on ${reminder.due} (in ${days} ${days === 1 ? 'day' : 'days'})`;
  const others = reminder.notMentioned ?? [];
  const owner =
    reminder.handles.length > 0 || others.length > 0 ? '' : ' It has no owner with a GitHub login to remind; set `owner` in the model.';
  const named =
    others.length > 0
      ? [`Also its owners, not mentioned (not collaborators here, or past the few mentions one reminder makes): ${others.map(code).join(', ')}.`, '']
      : [];
  return [
    `${who}threat ${code(reminder.threatId)} ${escapeLine(reminder.title)} ${when}.${owner}`,
    '',
    ...named,
    reminder.threshold === 'overdue'
      ? 'Mitigate it, or change its `status`, `due` date or acceptance in the threat model. This is the only overdue reminder for this due date.'
      : 'This is the only reminder before the due date; a second one comes only if the date passes.',
  ].join('\n');
}
