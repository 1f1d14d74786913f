/**
 * Who moved a Jira issue to done, from its changelog: what a proposal names as the closer of a Jira issue
 * done by hand. Jira lists an issue's histories oldest first, a page at a time, so the newest ones are on
 * the last page: one read, and a second at `total - 100` when there are more than 100. Earlier pages are
 * never read; a closure whose history is not on the last page stays unnamed.
 */
import { z } from 'zod';
import { neutraliseCloserName } from '../../lifecycle/proposal-facts.ts';
import { MAX_PROPOSED_THREATS } from '../../model/proposal.ts';
import { classifyJiraError, describeJiraError, type JiraConnection } from './client.ts';

/** Jira Cloud's largest changelog page. */
export const CHANGELOG_PAGE_SIZE = 100;
/** A history's `created` and the issue's `statuscategorychangedate` come from one transition; allow for rounding. */
const SAME_CHANGE_LEEWAY_MS = 1000;

/** The fields of `GET /rest/api/3/issue/{key}/changelog` that are used; anything else in it is ignored. */
const ChangelogPageSchema = z.object({
  startAt: z.number().int().nonnegative(),
  maxResults: z.number().int().positive(),
  total: z.number().int().nonnegative(),
  isLast: z.boolean().optional(),
  values: z.array(
    z.object({
      // Absent for a change Jira attributes to no account (anonymous, or a deleted user).
      author: z.object({ displayName: z.string().optional() }).nullish(),
      // As milliseconds: jira.js hands a Date (its schema coerces Jira's string); an answer it could not validate keeps the string.
      created: z.union([z.string(), z.date()]).transform((value) => new Date(value).getTime()),
      items: z.array(z.object({ field: z.string().optional() })).default([]),
    }),
  ),
});
export type ChangelogPage = z.infer<typeof ChangelogPageSchema>;
export type ChangelogHistory = ChangelogPage['values'][number];

/**
 * The display name (neutralised: its owner writes it) of whoever changed the status at the move to done:
 * the newest status change at or before `movedAt` (the issue's `statuscategorychangedate`), so a later
 * move between two done statuses does not count. Without `movedAt`, the newest status change.
 */
export function closerFromChangelog(histories: readonly ChangelogHistory[], movedAt: string | null): string | undefined {
  const until = movedAt === null ? Infinity : Date.parse(movedAt) + SAME_CHANGE_LEEWAY_MS;
  if (Number.isNaN(until)) return undefined;
  let closer: ChangelogHistory | undefined;
  for (const history of histories) {
    if (Number.isNaN(history.created) || history.created > until || !history.items.some((item) => item.field === 'status')) continue;
    if (!closer || history.created >= closer.created) closer = history;
  }
  const name = closer?.author?.displayName;
  return name === undefined ? undefined : neutraliseCloserName(name);
}

/**
 * Who moved issues to done, for one sync: each issue's changelog read at most once, for at most as many
 * issues as one proposal holds, without retries, and for none after a failure that says Jira is unusable.
 * A failure is an unknown closer and a note (in `notes`) saying why, never a failure of the sync: the
 * proposal keeps its stand-in and links the issue, and the next sync reads it again.
 */
export function jiraCloserReader(connection: JiraConnection, notes: string[]): (done: { key: string; statusChangedAt: string | null }) => Promise<string | undefined> {
  const closers = new Map<string, Promise<string | undefined>>();
  let stopped = false;
  const read = async (key: string, movedAt: string | null) => {
    if (stopped) return undefined;
    try {
      return closerFromChangelog((await readLastChangelogPage(connection, key)).values, movedAt);
    } catch (error) {
      stopped ||= classifyJiraError(error).fatal;
      notes.push(describeJiraError(`reading who moved ${key} to done`, error, connection.secrets));
      return undefined;
    }
  };
  return (done) => {
    let closer = closers.get(done.key);
    if (closer) return closer;
    if (closers.size >= MAX_PROPOSED_THREATS) return Promise.resolve(undefined);
    closer = read(done.key, done.statusChangedAt);
    closers.set(done.key, closer);
    return closer;
  };
}

/** The last changelog page of an issue (one or two reads); throws what jira.js throws, or a ChangelogShapeError. */
export async function readLastChangelogPage(connection: JiraConnection, key: string): Promise<ChangelogPage> {
  const read = async (startAt: number) => {
    const parsed = ChangelogPageSchema.safeParse(await connection.api.issues.getChangeLogs({ issueIdOrKey: key, startAt, maxResults: CHANGELOG_PAGE_SIZE }));
    if (!parsed.success) throw new ChangelogShapeError();
    return parsed.data;
  };
  const first = await read(0);
  if (first.isLast === true || first.values.length >= first.total) return first;
  // Jira may answer fewer than asked per page: the last page starts one of its pages before the end.
  return read(Math.max(0, first.total - first.maxResults));
}

/** The changelog answered, but not in the shape documented (no message from the body: it is Jira's text). */
class ChangelogShapeError extends Error {
  constructor() {
    super('the changelog answer is not in the documented shape');
    this.name = 'ChangelogShapeError';
  }
}
