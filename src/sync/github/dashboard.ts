/**
 * The dashboard issue: the whole model at a glance, kept current by every
 * sync. Counts by severity and status, the STRIDE matrix linking each threat's
 * issue, what is overdue, unowned or unscored, the lint warnings, and notices
 * (e.g. a write budget that ran out, a Jira failure).
 *
 * Stable between syncs of an unchanged model: no commit sha, no "N days"
 * (only dates), so a no-op resync writes nothing.
 *
 * Issues created in the same sync have no number yet when the plan is made:
 * the dashboard refers to them with a placeholder, and the applier (which
 * creates threat issues before the dashboard, the dashboard op is always
 * last) fills them in with `resolveIssueRefs`.
 */
import type { Finding } from '../../model/findings.ts';
import type { ModelGraph } from '../../model/graph.ts';
import { compareRatings, type ThreatRating } from '../../model/rating.ts';
import { RATINGS, STATUSES, STRIDE_CATEGORIES, STRIDE_LETTER, type Threat } from '../../model/schema.ts';
import { renderMarker } from './marker.ts';
import { renderIssueIndex } from './issue-index.ts';
import type { EffectiveDue } from '../due-dates.ts';
import { RATING_NAME, STATUS_LABEL } from '../../render/display-names.ts';
import { code, escapeCell, escapeLine, escapeText, link } from '../../render/markdown.ts';
import type { AcceptanceState } from '../../model/acceptance.ts';

export interface DashboardThreat {
  threat: Threat;
  rating: ThreatRating;
  due?: EffectiveDue;
  /** Status is in `issues.close_statuses`. */
  closed: boolean;
  /** The issue number, `pending` when it is created in this sync, undefined when there is none. */
  issue: number | 'pending' | undefined;
}

export interface DashboardInput {
  graph: ModelGraph;
  /** In model order. */
  threats: readonly DashboardThreat[];
  today: string;
  modelPath: string;
  /** The model's repository, when the dashboard is in another one (its marker says whose it is). */
  modelRepo?: string;
  lintWarnings?: readonly Finding[];
  notices?: readonly string[];
  /** Acceptances that have expired, and those ending within `warningDays` (src/lifecycle/acceptance.ts). */
  acceptances?: { expired: readonly AcceptanceState[]; expiring: readonly AcceptanceState[]; warningDays: number };
  /** The open proposal PR (issue 11): threats whose tickets were closed, waiting for review. */
  proposal?: DashboardProposal;
}

/** The open proposal, as the dashboard lists it. */
export interface DashboardProposal {
  number: number;
  url: string;
  changes: readonly { threatId: string; to: string }[];
}

/** Items per list before "… and N more" (a GitHub issue body holds at most 65,536 characters). */
const LIST_LIMIT = 50;
const BODY_LIMIT = 60_000;

export function renderDashboard(input: DashboardInput): string {
  // The size check measures every issue reference at a width that does not depend on its number
  // (nor on whether it is still a placeholder): a first sync, whose body holds placeholders the
  // applier fills in, then decides exactly as the next sync, which sees real numbers, and a no-op
  // resync has nothing to rewrite.
  const measured = composeDashboard(input, (entry) => 'x'.repeat(issueRefWidth(entry.threat.id)));
  const shown = composeDashboard(input, (entry) => issueRef(entry.threat.id, entry.issue));
  const fits = (parts: DashboardParts) => [...parts.head, ...parts.matrix, ...parts.tail];
  const measuredFull = fits(measured).join('\n').length;
  if (measuredFull <= BODY_LIMIT) return withIndex(`${fits(shown).join('\n').trimEnd()}\n`, input, measuredFull);
  // Too big for one issue body: the lists matter more than the matrix (the report has it).
  const short = (parts: DashboardParts) => [...parts.head, ...TOO_LARGE_MATRIX, ...parts.tail];
  // Whole lines, counted on the measured text, so the cut falls at the same line in both syncs.
  let kept = 0;
  let length = 0;
  for (const line of short(measured)) {
    length += line.length + 1;
    if (length > BODY_LIMIT) break;
    kept += 1;
  }
  return withIndex(`${short(shown).slice(0, kept).join('\n').trimEnd()}\n`, input, length);
}

/** The body and, last, its hidden issue index (src/sync/github/issue-index.ts), within GitHub's body limit. */
function withIndex(body: string, input: DashboardInput, measuredLength: number): string {
  const entries = input.threats.map((t) => ({ threatId: t.threat.id, issue: t.issue }));
  return `${body}${renderIssueIndex(entries, measuredLength, issueRef)}\n`;
}

/**
 * Lint warnings the dashboard leaves out of its lint section: the "Needs attention" lists show the same
 * threats by date, and their messages count days ("3 days ago"), which would rewrite the dashboard daily.
 */
const LISTED_BY_DATE: ReadonlySet<string> = new Set(['overdue', 'acceptance-expiring']);

const TOO_LARGE_MATRIX = ['### STRIDE matrix', '', 'Too large to show here: run `threatloop report` for the full matrix.', ''];

interface DashboardParts {
  head: string[];
  matrix: string[];
  tail: string[];
}

/** The dashboard's lines, with `ref` writing each reference to a threat's issue. */
function composeDashboard(input: DashboardInput, ref: (entry: DashboardThreat) => string): DashboardParts {
  const { graph, threats, today } = input;
  const open = threats.filter((t) => !t.closed);
  const head: string[] = [
    renderMarker({ kind: 'dashboard', ...(input.modelRepo ? { modelRepo: input.modelRepo } : {}) }),
    '',
    `Threat model of **${escapeLine(graph.model.system.name)}** (${code(input.modelPath)}): ${count(threats.length, 'threat')}, ${open.length} open. Kept current by threatloop on every change to the model; edit the model, not this issue.`,
    '',
  ];

  if (input.notices?.length) {
    head.push('### Notices', '', ...input.notices.map((n) => `- ⚠️ ${escapeLine(n)}`), '');
  }
  if (input.proposal) {
    const { proposal } = input;
    head.push(
      '### Proposed status changes',
      '',
      `Their tickets were closed by hand; ${link(`pull request ${proposal.number}`, proposal.url)} proposes the change to the model, and the issues stay closed while it is open.`,
      '',
      ...proposal.changes.slice(0, LIST_LIMIT).map((c) => `- ${code(c.threatId)} → ${escapeText(c.to)}`),
      ...(proposal.changes.length > LIST_LIMIT ? [`- … and ${proposal.changes.length - LIST_LIMIT} more`] : []),
      '',
    );
  }

  head.push('### By severity', '', '| Severity | Open | Closed | Total |', '|---|---:|---:|---:|');
  for (const rating of RATINGS) {
    const all = threats.filter((t) => t.rating.rating === rating);
    if (all.length === 0) continue;
    const openCount = all.filter((t) => !t.closed).length;
    head.push(`| ${RATING_NAME[rating]} | ${openCount} | ${all.length - openCount} | ${all.length} |`);
  }
  head.push('', '### By status', '', '| Status | Threats |', '|---|---:|');
  for (const status of STATUSES) {
    const n = threats.filter((t) => t.threat.status === status).length;
    if (n > 0) head.push(`| ${STATUS_LABEL[status]} | ${n} |`);
  }
  head.push('');

  // What needs someone's attention comes before the matrix (a long table): it is what the dashboard is opened for.
  const urgent = open
    .filter((t) => t.rating.rating === 'critical' || t.rating.rating === 'high')
    .sort((a, b) => compareRatings(a.rating.rating, b.rating.rating) || (a.due?.date ?? '9999').localeCompare(b.due?.date ?? '9999'));
  // Longest overdue first.
  const overdue = open.filter((t) => t.due && t.due.date < today).sort((a, b) => a.due!.date.localeCompare(b.due!.date));
  const unowned = open.filter((t) => !t.threat.owner?.length);
  const unscored = threats.filter((t) => t.rating.rating === 'unscored');
  const describe = (t: DashboardThreat) => {
    const owners = (t.threat.owner ?? []).map((key) => escapeLine(graph.owners.get(key)?.name ?? key));
    const facts = [RATING_NAME[t.rating.rating], STATUS_LABEL[t.threat.status], ...(t.due ? [`due ${t.due.date}`] : []), ...owners];
    // No title: GitHub shows the title of an issue referenced in a list itself, and leaving it out keeps
    // the dashboard unchanged when only a title changes (a one-threat edit stays edit + audit comment).
    return `${ref(t)} **${escapeText(t.threat.id)}** (${facts.join(', ')})`;
  };
  head.push('### Needs attention', '');
  const allClear: string[] = [];
  const attention = (heading: string, items: readonly DashboardThreat[], clear: string) => {
    if (items.length > 0) list(head, `#### ${heading} (${items.length})`, items.map(describe));
    else allClear.push(clear);
  };
  // Overdue first, then what the clock reopened; the "all clear" sentence keeps its order (an unchanged dashboard stays byte for byte).
  if (overdue.length > 0) attention('Overdue', overdue, 'nothing is overdue');
  const byId = new Map(threats.map((t) => [t.threat.id, t]));
  const acceptance = (heading: string, states: readonly AcceptanceState[], facts: (s: AcceptanceState) => string) => {
    if (states.length === 0) return;
    const items = states.map((s) => {
      const entry = byId.get(s.threatId);
      const by = escapeLine(graph.owners.get(s.acceptance.by)?.name ?? s.acceptance.by);
      return `${entry ? ref(entry) : code(s.threatId)} **${escapeText(s.threatId)}** (${STATUS_LABEL[s.status]} by ${by} on ${s.acceptance.on}, ${facts(s)})`;
    });
    list(head, `#### ${heading} (${states.length})`, items);
  };
  acceptance('Expired acceptances', input.acceptances?.expired ?? [], (s) => `ended ${s.end.lastDay}`);
  acceptance(`Acceptances expiring in ${input.acceptances?.warningDays ?? 30} days`, input.acceptances?.expiring ?? [], (s) => `ends ${s.end.lastDay}`);
  attention('Open critical and high', urgent, 'no critical or high threat is open');
  if (overdue.length === 0) attention('Overdue', overdue, 'nothing is overdue');
  attention('Unowned', unowned, 'every open threat has an owner');
  attention('Unscored', unscored, 'every threat has a CVSS vector or a severity');
  if (allClear.length > 0) head.push(`${sentence(allClear)}.`, '');

  const matrix = strideMatrix(graph, threats, ref);
  const tail: string[] = [];
  const warnings = (input.lintWarnings ?? []).filter((f) => !LISTED_BY_DATE.has(f.rule));
  section(
    tail,
    `Lint warnings (${warnings.length})`,
    warnings.map((f) => `${code(`${f.file}:${f.start.line}`)} ${escapeText(f.rule)}: ${escapeLine(f.message)}`),
    'No lint warnings.',
  );
  return { head, matrix, tail };
}

function strideMatrix(graph: ModelGraph, threats: readonly DashboardThreat[], ref: (t: DashboardThreat) => string): string[] {
  const byThreat = new Map(threats.map((t) => [t.threat, t]));
  const rows: string[] = [];
  const targets: [string, string][] = [
    ...graph.model.components.map((c): [string, string] => [c.id, c.name]),
    ...graph.model.flows.map((f): [string, string] => [f.id, f.name ?? `${f.from} → ${f.to}`]),
  ];
  const known = new Set(targets.map(([id]) => id));
  // Targets the model does not define still show (lint reports them; the threat must not vanish).
  for (const t of threats) for (const target of t.threat.targets) if (!known.has(target)) {
    known.add(target);
    targets.push([target, target]);
  }
  for (const [id, name] of targets) {
    const against = (graph.threatsByTarget.get(id) ?? []).map((t) => byThreat.get(t)).filter((t): t is DashboardThreat => t !== undefined);
    if (against.length === 0) continue;
    const cells = STRIDE_CATEGORIES.map((category) =>
      against.filter((t) => t.threat.stride.includes(category)).map((t) => (t.closed ? `~~${ref(t)}~~` : ref(t))).join(' '),
    );
    rows.push(`| ${escapeCell(name)} (${code(id)}) | ${cells.join(' | ')} |`);
  }
  if (rows.length === 0) return [];
  return [
    '### STRIDE matrix',
    '',
    'Rows are the components and flows with threats; struck-through issues are closed.',
    '',
    `| Target | ${STRIDE_CATEGORIES.map((c) => STRIDE_LETTER[c]).join(' | ')} |`,
    `|---|${STRIDE_CATEGORIES.map(() => ':---:').join('|')}|`,
    ...rows,
    '',
  ];
}

function section(lines: string[], heading: string, items: readonly string[], empty: string): void {
  if (items.length === 0) lines.push(`### ${heading}`, '', empty, '');
  else list(lines, `### ${heading}`, items);
}

function list(lines: string[], heading: string, items: readonly string[]): void {
  lines.push(heading, '');
  for (const item of items.slice(0, LIST_LIMIT)) lines.push(`- ${item}`);
  if (items.length > LIST_LIMIT) lines.push(`- … and ${items.length - LIST_LIMIT} more`);
  lines.push('');
}

/** `Nothing is overdue, every open threat has an owner and ...`: clauses joined, the first capitalised. */
function sentence(clauses: readonly string[]): string {
  const text = clauses.length === 1 ? clauses[0]! : `${clauses.slice(0, -1).join(', ')} and ${clauses.at(-1)!}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

const ISSUE_REF_PATTERN = /\{\{threatloop:issue:([A-Za-z0-9._:-]+)\}\}/g;

/** Widest issue number the size check allows for (`#9999999`); GitHub repositories stay far below it. */
const ISSUE_NUMBER_WIDTH = '#9999999'.length;

/** The most characters a reference to a threat's issue can take once resolved: a number or the bare id. */
function issueRefWidth(threatId: string): number {
  return Math.max(ISSUE_NUMBER_WIDTH, issueRef(threatId, undefined).length);
}

/** `#12`, or a placeholder for an issue being created in this sync, or the bare id when there is no issue. */
export function issueRef(threatId: string, issue: number | 'pending' | undefined): string {
  if (typeof issue === 'number') return `#${issue}`;
  if (issue === 'pending') return `{{threatloop:issue:${threatId}}}`;
  return `\`${threatId}\``;
}

/** Threat ids the body refers to with a placeholder. */
export function pendingIssueRefs(body: string): string[] {
  return [...new Set([...body.matchAll(ISSUE_REF_PATTERN)].map((m) => m[1]!))];
}

/**
 * Fills in the numbers of issues created in this sync. A threat whose issue
 * was not created (a failed write, a spent budget) shows its id instead, and
 * the next sync links it.
 */
export function resolveIssueRefs(body: string, numbers: ReadonlyMap<string, number>): string {
  return body.replace(ISSUE_REF_PATTERN, (_, id: string) => {
    const number = numbers.get(id);
    return number === undefined ? `\`${id}\`` : `#${number}`;
  });
}
