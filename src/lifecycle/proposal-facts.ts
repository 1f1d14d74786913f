/**
 * The facts of a closure as a ticket's history tells them (pure): who closed the issue, when, how, with
 * which commit, and the comment written with it; whether a proposal of that same closure was declined.
 * The GitHub edge reads the timeline (src/github/proposal-branch.ts); `decideManualClose` decides.
 */
import type { ClosedAs, ManualClose } from './manual-close.ts';
import { closedAsFromGithub, rationaleFrom } from './manual-close.ts';

/** One entry of an issue's timeline, the fields a closure's facts come from. */
export interface TimelineEntry {
  event: string;
  /** Who did it (`actor` for events, `user` for comments). */
  login?: string;
  createdAt?: string;
  /** `closed` by a commit (a merged PR's merge commit, or a pushed commit). */
  commitId?: string;
  /** `commented`: the comment text (untrusted). */
  body?: string;
  stateReason?: string;
}

/** A comment written with the closure is one posted by the closer at most this long before it. */
const CLOSING_COMMENT_WINDOW_MS = 10 * 60 * 1000;

export interface ClosedIssue {
  threatId: string;
  number: number;
  htmlUrl: string;
  stateReason: string | null | undefined;
  closedAt: string;
}

/**
 * A closure from an issue's timeline: the last `closed` event says who and with which commit; the closer's
 * last comment shortly before it (GitHub's "Close with comment" posts both) is the closing comment.
 */
export function closeFromTimeline(
  issue: ClosedIssue,
  timeline: readonly TimelineEntry[],
  context: { botLogin: string | undefined; commitUrl: (sha: string) => string },
): ManualClose {
  const closed = timeline.findLast((e) => e.event === 'closed');
  const closedBy = closed?.login ?? 'someone';
  const closedAt = closed?.createdAt ?? issue.closedAt;
  const closedMs = Date.parse(closedAt);
  const comment = timeline.findLast((e) => {
    if (e.event !== 'commented' || e.login !== closedBy || e.body === undefined || !e.createdAt) return false;
    const at = Date.parse(e.createdAt);
    return at <= closedMs && closedMs - at <= CLOSING_COMMENT_WINDOW_MS;
  });
  const closedAs: ClosedAs = closedAsFromGithub(closed?.stateReason ?? issue.stateReason);
  // Only a bot login tells the app's closures apart: with a person's token (the CLI) every closure is theirs.
  const byApp = context.botLogin !== undefined && context.botLogin.endsWith('[bot]') && closedBy.toLowerCase() === context.botLogin.toLowerCase();
  return {
    threatId: issue.threatId,
    tracker: 'github',
    ticket: `#${issue.number}`,
    ticketUrl: issue.htmlUrl,
    closedAs,
    closedBy,
    closedByApp: byApp,
    closedAt: issue.closedAt,
    ...(closed?.commitId ? { evidenceUrl: context.commitUrl(closed.commitId) } : {}),
    ...(comment?.body !== undefined ? { closingComment: neutraliseClosingComment(comment.body) } : {}),
  };
}

/**
 * A closing comment made fit for the model file and the PR description: bounded and folded to one
 * paragraph (`rationaleFrom`), HTML tags dropped, and `@login` written without its `@` so the text
 * never pings anyone wherever it is shown next.
 */
export function neutraliseClosingComment(text: string): string {
  const withoutHtml = text.replace(/<!--[\s\S]*?-->/g, ' ').replace(/<\/?[A-Za-z][^<>]*>/g, ' ');
  const withoutMentions = withoutHtml.replace(/(^|[^\w`])@(?=[A-Za-z0-9])/g, '$1');
  return rationaleFrom(withoutMentions) ?? '';
}

/** A closer's name as another tracker reports it (a Jira display name) is at most this many characters. */
export const MAX_CLOSER_NAME = 100;

/**
 * A closer's name from another tracker (a Jira display name: its owner writes it) made fit for the
 * verification line, the commit message and the PR description, as a closing comment is: one line without
 * control or invisible formatting characters (a zero-width character could hide an `@` or a tag from the
 * rules below), HTML and angle brackets dropped, the `@` of a mention dropped (it never pings), cut at
 * MAX_CLOSER_NAME characters. The renderers escape Markdown in model text. Undefined when nothing is left.
 */
export function neutraliseCloserName(name: string): string | undefined {
  const text = name
    .replace(/[\p{Cf}\ufffd]/gu, '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<\/?[A-Za-z][^<>]*>/g, ' ')
    .replace(/[<>]/g, ' ')
    .replace(/(^|\W)@+(?=[\w-])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return undefined;
  const chars = Array.from(text);
  return chars.length <= MAX_CLOSER_NAME ? text : `${chars.slice(0, MAX_CLOSER_NAME - 1).join('').trimEnd()}…`;
}

const DECLINED_PATTERN = /<!-- threatloop:proposal-declined id="([^"<>]*)" closed="([^"<>]*)" pr="(\d+)" -->/;

/** The hidden line of the comment that records a declined proposal for one closure of one threat. */
export function declinedMarker(threatId: string, closedAt: string, pr: number): string {
  return `<!-- threatloop:proposal-declined id="${encodeURIComponent(threatId)}" closed="${encodeURIComponent(closedAt)}" pr="${pr}" -->`;
}

/**
 * Whether this very closure (`closedAt`) was proposed and declined: a comment the app's bot wrote with
 * the declined marker for it. Markers in anyone else's comments are not believed.
 */
export function wasDeclined(timeline: readonly TimelineEntry[], issue: ClosedIssue, botLogin: string | undefined): boolean {
  if (!botLogin) return false;
  return timeline.some((e) => {
    if (e.event !== 'commented' || e.login?.toLowerCase() !== botLogin.toLowerCase()) return false;
    const match = DECLINED_PATTERN.exec(e.body ?? '');
    return match !== null && safeDecode(match[1]!) === issue.threatId && safeDecode(match[2]!) === issue.closedAt;
  });
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
