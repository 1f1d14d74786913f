/**
 * The dashboard's issue index: a hidden line at the end of the dashboard body,
 *
 *   <!-- threatloop:index TM-1={{threatloop:issue:TM-1}} TM-2=#13 -->
 *
 * (the applier turns each placeholder into `#n`, as for the dashboard's references), so a pull-request
 * refresh can find the issues of the few threats it touches with one read of the dashboard and one read
 * per issue, instead of listing every threat issue. Anyone with triage rights can edit the dashboard:
 * the index is a hint, never trusted for a write without the issue's own marker (src/app/pull-request.ts).
 *
 * Bounded: the entries fit in what GitHub's 65,536-character body leaves beside the dashboard; a cut
 * index says `partial`. Written with a dashboard write that happens anyway, or to refresh an index that
 * records something else (compared by what it decodes to, never by its text): a dashboard from a
 * version without one is not rewritten just for it (an upgrade makes no write; the index comes with
 * the next change to the dashboard). A first sync so large that its index (whose new issues are still
 * placeholders, measured at their widest) had to be cut writes the dashboard once more on the next
 * sync, when the numbers are known and the index fits.
 */
/** GitHub refuses an issue body over 65,536 characters; the margin keeps clear of line-ending changes. */
const GITHUB_BODY_MAX = 65_536;
const MARGIN = 512;
/** Widest value a placeholder can resolve to: `=#9999999`. */
const RESOLVED_WIDTH = '=#9999999'.length;
/** Ids the index can hold (those the placeholders can hold). */
const INDEXABLE_ID = /^[A-Za-z0-9._:-]+$/;
/** At most this many entries are read back from a body (anyone can edit it): bounds the parse. */
export const MAX_INDEX_ENTRIES = 20_000;

const INDEX_LINE = /<!-- threatloop:index( partial)?((?: [^\s<>]+)*) -->/;

export interface IndexEntry {
  threatId: string;
  /** Its issue's number, `pending` when it is created in this sync, undefined when it has none. */
  issue: number | 'pending' | undefined;
}

/**
 * The index line for a dashboard body of `measuredLength` characters. In model order, `id=#n`; an id
 * whose issue number is the previous entry's plus one is written bare, and a run of ids that count up
 * (`TM-2`, `TM-3`, ...) with their issue numbers is `+k` (k more of them): a first sync numbers its
 * issues in model order, so 2,000 threats often take a few dozen characters. An issue created in this
 * sync is a placeholder the applier resolves, measured at the widest number it can become.
 */
export function renderIssueIndex(
  entries: readonly IndexEntry[],
  measuredLength: number,
  issueRef: (threatId: string, issue: number | 'pending') => string,
): string {
  let budget = GITHUB_BODY_MAX - MARGIN - measuredLength - '\n<!-- threatloop:index partial -->'.length;
  const parts: string[] = [];
  let partial = false;
  let previous: { threatId: string; issue: number } | undefined;
  let run = 0;
  const endRun = () => {
    if (run > 0) parts.push(` +${run}`);
    run = 0;
  };
  for (const { threatId, issue } of entries) {
    if (issue === undefined || !INDEXABLE_ID.test(threatId)) continue;
    const follows = previous !== undefined && issue === previous.issue + 1;
    const counts = follows && successor(previous!.threatId) === threatId;
    let part: string;
    let width: number;
    if (issue === 'pending') {
      part = ` ${threatId}=${issueRef(threatId, issue)}`;
      width = 1 + threatId.length + RESOLVED_WIDTH;
    } else if (counts) {
      part = '';
      // `+k` grows by a digit at 10, 100, ...: reserve the widest a run can be.
      width = run === 0 ? ' +9999999'.length : 0;
    } else {
      part = follows ? ` ${threatId}` : ` ${threatId}=#${issue}`;
      width = part.length;
    }
    if (width > budget) {
      partial = true;
      break;
    }
    budget -= width;
    if (counts) run++;
    else {
      endRun();
      parts.push(part);
    }
    previous = issue === 'pending' ? undefined : { threatId, issue };
  }
  endRun();
  return `<!-- threatloop:index${partial ? ' partial' : ''}${parts.join('')} -->`;
}

/** The id after `id` in a counting run: `TM-9` -> `TM-10`; undefined for an id without a plain trailing number. */
function successor(id: string): string | undefined {
  const match = /^(.*?)(0|[1-9]\d{0,14})$/.exec(id);
  return match ? `${match[1]}${Number(match[2]) + 1}` : undefined;
}

export interface IssueIndex {
  /** Threat id -> issue number, as the last dashboard write recorded it. */
  issues: Map<string, number>;
  /** Every threat with an issue is listed (the index was not cut). */
  complete: boolean;
  /** Some entry still holds an unresolved placeholder (a body planned, not yet written). */
  pending: boolean;
}

/** The index a dashboard body holds, or undefined when it has none. An entry that is not `id`, `id=#n` or `+k` is left out. */
export function parseIssueIndex(body: string | null | undefined): IssueIndex | undefined {
  if (!body) return undefined;
  const match = INDEX_LINE.exec(body);
  if (!match) return undefined;
  const issues = new Map<string, number>();
  let complete = match[1] === undefined;
  let pending = false;
  let previous: { threatId: string; issue: number } | undefined;
  const add = (threatId: string, issue: number) => {
    if (!issues.has(threatId)) issues.set(threatId, issue);
    previous = { threatId, issue };
  };
  // Entries read in all, repeats included: a body that names the same ids over and over stops here too.
  let steps = 0;
  for (const token of (match[2] ?? '').split(' ')) {
    if (token === '') continue;
    if (issues.size >= MAX_INDEX_ENTRIES || steps >= 2 * MAX_INDEX_ENTRIES) {
      complete = false;
      break;
    }
    const run = /^\+(\d{1,7})$/.exec(token);
    if (run) {
      // At most up to the entry bound, whatever the number says.
      for (let k = Number(run[1]); k > 0 && previous && issues.size < MAX_INDEX_ENTRIES && steps < 2 * MAX_INDEX_ENTRIES; k--, steps++) {
        const next = successor(previous.threatId);
        if (next === undefined) previous = undefined;
        else add(next, previous.issue + 1);
      }
      continue;
    }
    const at = token.indexOf('=');
    const threatId = at < 0 ? token : token.slice(0, at);
    const value = at < 0 ? undefined : token.slice(at + 1);
    if (value?.startsWith('{{')) pending = true;
    const issue = value === undefined ? (previous ? previous.issue + 1 : undefined) : /^#\d{1,9}$/.test(value) ? Number(value.slice(1)) : undefined;
    steps++;
    if (issue === undefined || threatId === '' || threatId.startsWith('+')) previous = undefined;
    else add(threatId, issue);
  }
  return { issues, complete, pending };
}

/** The body without its index line (to compare what a person sees). */
export function withoutIssueIndex(body: string): string {
  return body.replace(INDEX_LINE, '');
}

/**
 * Whether the index in `planned` records what `written` records: compared as the entries they decode
 * to, so the same index written two ways (placeholders resolved, or numbers) is the same.
 */
export function sameIssueIndex(written: IssueIndex, planned: string): boolean {
  const next = parseIssueIndex(planned);
  if (!next || next.pending || next.complete !== written.complete || next.issues.size !== written.issues.size) return false;
  for (const [threatId, number] of next.issues) if (written.issues.get(threatId) !== number) return false;
  return true;
}

/** What a pull-request refresh needs to know about threat issues. */
export interface IssueNeed {
  /** Threats the PR touches or names by id. */
  threatIds: ReadonlySet<string>;
  /** `#n` references in the PR's title and body (each may or may not be a threat issue). */
  issueNumbers: ReadonlySet<number>;
}

export type IndexedReads =
  /** Issue number -> the threat id the index says it belongs to: read each and check its marker. */
  | { ok: true; reads: Map<number, string> }
  /** The index cannot answer: list every threat issue instead. */
  | { ok: false; reason: string };

/**
 * Which issues to read for `need`, from the index. A threat the index does not list (it has no issue, or
 * the index is older than it) and a `#n` a cut index may have missed send the caller to the full listing,
 * which answers both for sure.
 */
export function planIndexedReads(index: IssueIndex, need: IssueNeed): IndexedReads {
  const reads = new Map<number, string>();
  for (const threatId of need.threatIds) {
    const number = index.issues.get(threatId);
    if (number === undefined) return { ok: false, reason: `threat ${threatId} is not in the index` };
    reads.set(number, threatId);
  }
  const byNumber = new Map([...index.issues].map(([threatId, number]) => [number, threatId]));
  for (const number of need.issueNumbers) {
    const threatId = byNumber.get(number);
    if (threatId !== undefined) reads.set(number, threatId);
    else if (!index.complete) return { ok: false, reason: `#${number} may be a threat issue the partial index left out` };
  }
  return { ok: true, reads };
}
