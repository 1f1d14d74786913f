/**
 * Due dates as milestones: one milestone per period (`issues.milestones.granularity`:
 * a date, a month or a quarter), titled from the config template
 * (`Threats due {date}`), reused by title (GitHub titles are unique across
 * open and closed milestones). The date comes from `effectiveDue`
 * (../due-dates.ts), which every tracker shares.
 */
import type { ExistingMilestone, GithubOperation } from './state.ts';

export type MilestoneGranularity = 'date' | 'month' | 'quarter';

/** The period a due date falls in: `2031-02-15` (date), `2031-02` (month), `2031-Q1` (quarter), and its last day. */
export function milestonePeriod(date: string, granularity: MilestoneGranularity): { label: string; lastDay: string } {
  if (granularity === 'date') return { label: date, lastDay: date };
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const lastMonth = granularity === 'month' ? month : Math.ceil(month / 3) * 3;
  // Day 0 of the next month is the last day of this one.
  const lastDay = new Date(Date.UTC(year, lastMonth, 0)).toISOString().slice(0, 10);
  const label = granularity === 'month' ? date.slice(0, 7) : `${year}-Q${Math.ceil(month / 3)}`;
  return { label, lastDay };
}

export function milestoneTitle(template: string, period: string): string {
  return template.replaceAll('{date}', period);
}

/** True when `title` is one threatloop would have made from `template` (so it may take it off an issue). */
export function isManagedMilestoneTitle(title: string, template: string): boolean {
  const pattern = template
    .split('{date}')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    // Any granularity's period: a switch from dates to months takes the old date milestones off.
    .join('\\d{4}-(?:\\d{2}-\\d{2}|\\d{2}|Q[1-4])');
  return new RegExp(`^${pattern}$`).test(title);
}

/**
 * Noon UTC of the date: GitHub keeps only a calendar date for `due_on` and
 * shifts midnight by the viewer's time zone, which can show the day before.
 */
export function milestoneDueOn(date: string): string {
  return `${date}T12:00:00Z`;
}

/** The existing milestone with this title (exact, else ignoring case), if any. */
export function findMilestone(milestones: readonly ExistingMilestone[], title: string): ExistingMilestone | undefined {
  return milestones.find((m) => m.title === title) ?? milestones.find((m) => m.title.toLowerCase() === title.toLowerCase());
}

/**
 * create-milestone operations (earliest period first) for due dates no milestone
 * covers yet, and the title each date resolves to (an existing milestone's
 * exact spelling wins). A period's milestone is due on its last day.
 */
export function planMilestones(
  dates: Iterable<string>,
  template: string,
  existing: readonly ExistingMilestone[],
  granularity: MilestoneGranularity = 'date',
): { operations: GithubOperation[]; titleOf: Map<string, string> } {
  const operations: GithubOperation[] = [];
  const titleOf = new Map<string, string>();
  const planned = new Set<string>();
  for (const date of [...new Set(dates)].sort()) {
    const period = milestonePeriod(date, granularity);
    const title = milestoneTitle(template, period.label);
    const found = findMilestone(existing, title);
    titleOf.set(date, found?.title ?? title);
    if (!found && !planned.has(title)) {
      planned.add(title);
      operations.push({ op: 'create-milestone', title, dueOn: milestoneDueOn(period.lastDay) });
    }
  }
  return { operations, titleOf };
}
