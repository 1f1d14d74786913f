/**
 * Due dates as milestones: one milestone per distinct date, titled from the
 * config template (`Threats due {date}`), reused by title (GitHub titles are
 * unique across open and closed milestones). The date comes from `effectiveDue`
 * (../due-dates.ts), which every tracker shares.
 */
import type { ExistingMilestone, GithubOperation } from './state.ts';

export function milestoneTitle(template: string, date: string): string {
  return template.replaceAll('{date}', date);
}

/** True when `title` is one threatloop would have made from `template` (so it may take it off an issue). */
export function isManagedMilestoneTitle(title: string, template: string): boolean {
  const pattern = template
    .split('{date}')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\d{4}-\\d{2}-\\d{2}');
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
 * create-milestone operations (earliest date first) for due dates no milestone
 * covers yet, and the title each date resolves to (an existing milestone's
 * exact spelling wins).
 */
export function planMilestones(
  dates: Iterable<string>,
  template: string,
  existing: readonly ExistingMilestone[],
): { operations: GithubOperation[]; titleOf: Map<string, string> } {
  const operations: GithubOperation[] = [];
  const titleOf = new Map<string, string>();
  for (const date of [...new Set(dates)].sort()) {
    const title = milestoneTitle(template, date);
    const found = findMilestone(existing, title);
    titleOf.set(date, found?.title ?? title);
    if (!found) operations.push({ op: 'create-milestone', title, dueOn: milestoneDueOn(date) });
  }
  return { operations, titleOf };
}
