/**
 * The threat-context comment on a pull request, and the two comments a PR
 * leaves on a threat's issue (cross-link, merged). Pure: data in, Markdown out.
 *
 * The context comment must stay within GitHub's comment limit whatever the
 * model's size: it is rendered at decreasing levels of detail until it fits
 * (`LIMIT_STEPS`), and says so when something was left out.
 */
import type { Config } from '../config/schema.ts';
import type { ModelGraph } from '../model/graph.ts';
import { compareRatings, meetsFloor, rateThreat } from '../model/rating.ts';
import { RATINGS, STRIDE_LETTER, STRIDE_NAME, type Rating, type Threat } from '../model/schema.ts';
import { isEmptyDiff, type AddedElement, type ThreatDiff } from './diff.ts';
import type { FileMatch } from './match.ts';
import { PR_COMMENT_MARKER, crossLinkMarker, mergedMarker, type PullRequestRef, type ThreatIssueRef } from './plan.ts';
import type { ReferenceVerb, ResolvedReferences } from './references.ts';
import type { TouchedPart } from './touched.ts';
import { COMPONENT_TYPE_NAME, RATING_NAME, STATUS_LABEL } from '../render/display-names.ts';
import { code, details, escapeCell, escapeText, link, table } from '../render/markdown.ts';
import { dataFlowDiagram, diagramLimitProblem } from '../render/mermaid.ts';
import { diffCounts, diffRows, MARKDOWN_DIFF_STYLE } from './model-diff.ts';

/** GitHub rejects issue and PR comments longer than this (characters; we count UTF-8 bytes to be safe). */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** `pulls.listFiles` returns at most this many files. */
export const GITHUB_PR_FILES_CAP = 3_000;

export type DetailLevel = 'full' | 'summary' | 'off';

/** Private repositories get full detail; public ones what `pull_requests.public_detail` allows. */
export function detailLevel(config: Config, isPublic: boolean): DetailLevel {
  return isPublic ? config.pull_requests.public_detail : 'full';
}

export interface PrCommentInput {
  /** The model at the PR's base commit. */
  graph: ModelGraph;
  config: Config;
  detail: 'full' | 'summary';
  match: FileMatch;
  touched: TouchedPart;
  /** Changed files as listed (at most GitHub's cap). */
  fileCount: number;
  /** True when GitHub's 3,000-file cap was reached. */
  filesCapped: boolean;
  threatIssues: ReadonlyMap<string, ThreatIssueRef>;
  references: ResolvedReferences;
  /** Present when the PR changes the model and the head model loads. */
  diff?: ThreatDiff | undefined;
  /** Present when the PR changes the model and the head model does not load. */
  headModelProblem?: string | undefined;
  modelPath: string;
  /** Base branch name. No commit ids: an unchanged context must render byte-identical (no write). */
  baseRef: string;
}

/** How much to show; each step of `LIMIT_STEPS` shows less. */
interface Limits {
  maxThreatsPerComponent: number;
  closedTables: boolean;
  mitigationChars: number;
  filesPerComponent: number;
  diagram: boolean;
  maxDiffRows: number;
  /** One line per component (counts only) instead of a section. */
  compact: boolean;
}

const FULL: Limits = {
  maxThreatsPerComponent: Infinity,
  closedTables: true,
  mitigationChars: 160,
  filesPerComponent: 50,
  diagram: true,
  maxDiffRows: Infinity,
  compact: false,
};
const LIMIT_STEPS: Limits[] = [
  FULL,
  { ...FULL, mitigationChars: 100, filesPerComponent: 10, maxDiffRows: 200 },
  { ...FULL, closedTables: false, mitigationChars: 60, filesPerComponent: 3, diagram: false, maxDiffRows: 100 },
  { ...FULL, maxThreatsPerComponent: 20, closedTables: false, mitigationChars: 0, filesPerComponent: 0, diagram: false, maxDiffRows: 50 },
  { ...FULL, maxThreatsPerComponent: 5, closedTables: false, mitigationChars: 0, filesPerComponent: 0, diagram: false, maxDiffRows: 20 },
  { ...FULL, maxThreatsPerComponent: 0, closedTables: false, mitigationChars: 0, filesPerComponent: 0, diagram: false, maxDiffRows: 0, compact: true },
];

/** A diagram with more nodes than this is unreadable (and Mermaid on GitHub gives up on big inputs). */
const MAX_DIAGRAM_NODES = 40;
/** Lists inside a sentence (component names, unknown ids, hidden threats) are capped so it stays a sentence. */
const MAX_LISTED = 20;
/** The mapping is shown inline when this short, folded in `<details>` otherwise. */
const INLINE_FILES = 8;

const HEADING = '### Threat model context';

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The context comment, at the most detail that fits within `limit`. */
export function renderPrComment(input: PrCommentInput, limit = GITHUB_COMMENT_LIMIT): string {
  const prepared = prepare(input);
  for (const [step, limits] of LIMIT_STEPS.entries()) {
    const body = renderWith(prepared, limits, step > 0);
    if (utf8Length(body) <= limit) return body;
  }
  // Even the headline alone is too long (a pathological model): cut it on a line boundary.
  return cutToFit(renderWith(prepared, LIMIT_STEPS[LIMIT_STEPS.length - 1]!, true), limit);
}

/** The comment once a PR no longer touches anything mapped: edited to say so, not deleted. */
export function renderNoLongerTouching(input: { modelPath: string }): string {
  return lines([
    PR_COMMENT_MARKER,
    HEADING,
    '',
    `This pull request no longer changes files mapped to components of ${code(input.modelPath)}, and does not change or refer to any threat.`,
  ]);
}

/** Replaces an earlier comment when the repository's settings no longer allow one (e.g. it went public). */
export function renderCommentWithdrawn(reason: string): string {
  return lines([PR_COMMENT_MARKER, HEADING, '', `Threat context is not shown here: ${reason}.`]);
}

interface RatedThreat {
  threat: Threat;
  rating: Rating;
  score?: number | undefined;
  open: boolean;
}

interface Prepared {
  input: PrCommentInput;
  /** Touched component id -> its shown threats, most severe first. */
  byComponent: Map<string, RatedThreat[]>;
  shownCount: number;
  hiddenBelowFloor: number;
}

function prepare(input: PrCommentInput): Prepared {
  const floor = input.config.pull_requests.min_severity;
  const closeStatuses: readonly string[] = input.config.issues.close_statuses;
  const byComponent = new Map<string, RatedThreat[]>();
  let shownCount = 0;
  for (const [threat, componentIds] of input.touched.threats) {
    const rated = rateThreat(threat);
    if (!meetsFloor(rated.rating, floor)) continue;
    shownCount++;
    // Shown once, under the first touched component it concerns (the row names the others).
    const first = componentIds[0];
    if (first === undefined) continue;
    const list = byComponent.get(first) ?? [];
    list.push({ threat, rating: rated.rating, score: rated.cvss?.score, open: !closeStatuses.includes(threat.status) });
    byComponent.set(first, list);
  }
  for (const list of byComponent.values()) {
    list.sort((a, b) => compareRatings(a.rating, b.rating) || (b.score ?? -1) - (a.score ?? -1));
  }
  return { input, byComponent, shownCount, hiddenBelowFloor: input.touched.threats.size - shownCount };
}

function renderWith(prepared: Prepared, limits: Limits, reduced: boolean): string {
  const { input } = prepared;
  const all = [...prepared.byComponent.values()].flat();
  const out: string[] = [PR_COMMENT_MARKER, HEADING, '', headline(input, all)];

  const notes: string[] = [];
  if (input.filesCapped) {
    notes.push(
      `GitHub lists only the first ${GITHUB_PR_FILES_CAP.toLocaleString('en-US')} changed files of a pull request; the files beyond them were not mapped, so this context may be incomplete.`,
    );
  }
  if (input.match.checkedFiles < input.fileCount) {
    notes.push(
      `Only the first ${input.match.checkedFiles.toLocaleString('en-US')} of ${input.fileCount.toLocaleString('en-US')} changed files were mapped to components: matching the rest against the model's \`paths\` globs would exceed the matching budget for one pull request, so this context may be incomplete.`,
    );
  }
  if (prepared.hiddenBelowFloor > 0) {
    const floor = input.config.pull_requests.min_severity;
    notes.push(
      `${plural(prepared.hiddenBelowFloor, 'threat')} below the minimum severity (${code(`pull_requests.min_severity: ${floor}`)}) ${prepared.hiddenBelowFloor === 1 ? 'is' : 'are'} not shown.`,
    );
  }
  if (input.headModelProblem) {
    notes.push(`The model at the head of this PR does not load (${escapeText(input.headModelProblem)}); see the **Threat model** check.`);
  }
  if (reduced) notes.push(`Shortened to fit GitHub's comment size limit; each threat's issue has the full details.`);
  if (notes.length > 0) out.push('', ...notes.map((n) => `> ${n}`));

  const references = referencesSection(input);
  if (references) out.push('', references);
  if (input.diff && !isEmptyDiff(input.diff)) out.push('', diffSection(input.diff, input.detail, limits));
  const components = bySeverity(prepared);
  if (limits.compact) {
    const rows = components.map((c) => compactComponentLine(input, c.id, prepared.byComponent.get(c.id) ?? []));
    out.push('', '#### Touched components', ...rows);
  } else {
    for (const component of components) {
      out.push('', componentSection(input, component.id, prepared.byComponent.get(component.id) ?? [], limits));
    }
  }
  if (input.detail === 'full' && limits.diagram) {
    const diagram = diagramSection(input);
    if (diagram) out.push('', diagram);
  }
  if (limits.filesPerComponent > 0) out.push('', filesSection(input, limits.filesPerComponent));
  out.push('', footer(input));
  return lines(out);
}

/**
 * Touched components, the one with the most severe open threat first (the headline's worst count is
 * then the first table a reviewer sees); ties keep the model's order.
 */
function bySeverity(prepared: Prepared): TouchedPart['components'] {
  const worst = (id: string): RatedThreat | undefined => prepared.byComponent.get(id)?.find((t) => t.open);
  const rank = (t: RatedThreat | undefined) => (t ? RATINGS.indexOf(t.rating) : RATINGS.length);
  return [...prepared.input.touched.components].sort((a, b) => {
    const [x, y] = [worst(a.id), worst(b.id)];
    return rank(x) - rank(y) || (y?.score ?? -1) - (x?.score ?? -1);
  });
}

/** One line a reviewer takes in at a glance: what is touched, what is open, by severity. */
function headline(input: PrCommentInput, threats: readonly RatedThreat[]): string {
  const components = input.touched.components;
  const parts: string[] = [];
  if (components.length > 0) {
    const names = capList(components.map((c) => escapeText(c.name)));
    parts.push(`**${plural(components.length, 'component')} touched** (${names})`);
  } else {
    parts.push('**No mapped component touched**');
  }
  const open = threats.filter((t) => t.open);
  parts.push(open.length > 0 ? `open threats: ${severityCounts(open)}` : 'no open threats');
  const closed = threats.length - open.length;
  if (closed > 0) parts.push(`${closed} closed`);
  return parts.join(' · ');
}

/** "1 critical, 2 high": counts by rating, most severe first. */
function severityCounts(threats: readonly RatedThreat[]): string {
  const counts = new Map<Rating, number>();
  for (const t of threats) counts.set(t.rating, (counts.get(t.rating) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => compareRatings(a, b)).map(([rating, n]) => `${n} ${rating}`).join(', ');
}

const VERB_TEXT: Record<ReferenceVerb, string> = { mitigates: 'Mitigates', fixes: 'Fixes', refs: 'Refers to' };

function referencesSection(input: PrCommentInput): string | undefined {
  const { known, unknown } = input.references;
  if (known.length === 0 && unknown.length === 0) return undefined;
  const out = ['#### Threats this PR refers to'];
  for (const { verb, threatId } of known) {
    const threat = input.graph.threats.get(threatId);
    const title = threat && input.detail === 'full' ? ` ${escapeText(threat.title)}` : '';
    const rating = threat ? ` (${RATING_NAME[rateThreat(threat).rating]})` : ' (added by this PR)';
    out.push(`- ${VERB_TEXT[verb]} ${threatLink(threatId, input.threatIssues)}${title}${rating}`);
  }
  if (unknown.length > 0) {
    out.push(`- Not threats in the model, ignored: ${capList(unknown.map((id) => code(id)))}`);
  }
  return out.join('\n');
}

function diffSection(diff: ThreatDiff, detail: 'full' | 'summary', limits: Limits): string {
  const rows = diffRows(diff, detail, MARKDOWN_DIFF_STYLE).map((row) => `- ${row}`);
  rows.push(...addedElementRows(diff.addedElements ?? [], detail));
  const kept = rows.slice(0, limits.maxDiffRows);
  if (rows.length > kept.length) kept.push(`- … and ${rows.length - kept.length} more`);
  const newElements = diff.addedElements?.length ?? 0;
  const counts = `${diffCounts(diff)}${newElements > 0 ? `; ${newElements} new ${newElements === 1 ? 'element' : 'elements'}` : ''}`;
  return [`#### Threat model changes in this PR (${counts})`, ...kept].join('\n');
}

/**
 * New components and flows, with the STRIDE categories they still lack. In summary mode (a public
 * repository) only a count: which categories of a new element have no threat is a map for an attacker.
 */
function addedElementRows(elements: readonly AddedElement[], detail: 'full' | 'summary'): string[] {
  if (elements.length === 0) return [];
  const lacking = elements.filter((e) => e.missing.length > 0);
  if (detail === 'summary') {
    const noun = elements.length === 1 ? 'component or flow' : 'components or flows';
    return [`- **New** ${elements.length} ${noun}${lacking.length > 0 ? `, ${lacking.length} still lacking STRIDE categories (see the **Threat model** check)` : ''}`];
  }
  return elements.map((e) => {
    const what = e.kind === 'flow' ? 'flow' : COMPONENT_TYPE_NAME[e.type as keyof typeof COMPONENT_TYPE_NAME].toLowerCase();
    const state = e.outOfScope
      ? 'out of scope'
      : e.missing.length > 0
        ? `still lacks ${e.missing.map((c) => `${STRIDE_LETTER[c]} (${STRIDE_NAME[c].toLowerCase()})`).join(', ')}: add a threat or a \`waive\` rationale for each`
        : 'every STRIDE category its type needs has a threat or a waiver';
    return `- **New ${what}** ${code(e.id)} ${escapeText(e.name)}: ${state}`;
  });
}

function componentSection(input: PrCommentInput, componentId: string, threats: readonly RatedThreat[], limits: Limits): string {
  const component = input.graph.components.get(componentId)!;
  const boundary = component.boundary ? input.graph.boundaries.get(component.boundary) : undefined;
  const facts = [COMPONENT_TYPE_NAME[component.type], boundary ? `trust boundary ${escapeText(boundary.name)} (${boundary.trust})` : 'no trust boundary'];
  const out = [`#### ${escapeText(component.name)} ${code(component.id)}`, `<sub>${facts.join(' · ')}</sub>`];
  if (component.out_of_scope) out.push('', `Out of scope of the threat model: ${escapeText(component.out_of_scope.rationale)}`);
  const open = threats.filter((t) => t.open);
  const closed = threats.filter((t) => !t.open);
  if (threats.length === 0) {
    out.push('', 'No threats in the model for this component.');
    return out.join('\n');
  }
  const shownOpen = open.slice(0, limits.maxThreatsPerComponent);
  if (shownOpen.length > 0) out.push('', threatTable(input, shownOpen, limits));
  else if (open.length === 0) out.push('', 'No open threats.');
  if (open.length > shownOpen.length) {
    const rest = open.slice(shownOpen.length).map((t) => `${code(t.threat.id)} ${t.rating}`);
    out.push('', `${plural(rest.length, 'more open threat')} not shown: ${capList(rest)}`);
  }
  if (closed.length > 0) {
    const statuses = [...new Set(closed.map((t) => t.threat.status))].join(', ');
    const summary = `${plural(closed.length, 'closed threat')} (${statuses})`;
    out.push('', limits.closedTables ? details(summary, threatTable(input, closed, limits)) : `${summary}.`);
  }
  return out.join('\n');
}

function compactComponentLine(input: PrCommentInput, componentId: string, threats: readonly RatedThreat[]): string {
  const component = input.graph.components.get(componentId)!;
  const open = threats.filter((t) => t.open);
  const closed = threats.length - open.length;
  const parts = [open.length > 0 ? `${plural(open.length, 'open threat')} (${severityCounts(open)})` : 'no open threats'];
  if (closed > 0) parts.push(`${closed} closed`);
  return `- **${escapeText(component.name)}** ${code(component.id)}: ${parts.join(', ')}`;
}

function threatTable(input: PrCommentInput, threats: readonly RatedThreat[], limits: Limits): string {
  const threatCell = (t: RatedThreat) => threatLink(t.threat.id, input.threatIssues);
  if (input.detail === 'summary') {
    return table(['Threat', 'Severity'], threats.map((t) => [threatCell(t), RATING_NAME[t.rating]]));
  }
  const withMitigation = limits.mitigationChars > 0;
  const headers = ['Threat', 'STRIDE', 'CVSS', 'Status', ...(withMitigation ? ['Mitigation'] : []), 'Owner'];
  const rows = threats.map((t) => {
    const also = (input.touched.threats.get(t.threat) ?? []).slice(1);
    const alsoNote = also.length > 0 ? ` <sub>(also ${also.map(code).join(', ')})</sub>` : '';
    return [
      `${threatCell(t)} ${escapeCell(t.threat.title)}${alsoNote}`,
      t.threat.stride.map((s) => STRIDE_LETTER[s]).join(', '),
      // Short cells kept on one line (`&nbsp;`): a wrapped "In / progress" or "8.1 / High" reads as two values.
      noWrap(t.score !== undefined ? `${t.score.toFixed(1)} ${RATING_NAME[t.rating]}` : RATING_NAME[t.rating]),
      noWrap(STATUS_LABEL[t.threat.status]),
      ...(withMitigation ? [escapeCell(truncate(t.threat.mitigation ?? '', limits.mitigationChars)) || '—'] : []),
      ownerText(input.graph, t.threat) || '—',
    ];
  });
  return table(headers, rows);
}

function diagramSection(input: PrCommentInput): string | undefined {
  const include = new Set([...input.touched.components.map((c) => c.id), ...input.touched.neighbours]);
  if (include.size === 0) return undefined;
  if (include.size > MAX_DIAGRAM_NODES) {
    return `<sub>Data-flow diagram left out: ${include.size} components (touched ones and their neighbours) are too many to draw legibly.</sub>`;
  }
  const highlight = new Set(input.touched.components.map((c) => c.id));
  const source = dataFlowDiagram(input.graph.model, { include, highlight });
  const problem = diagramLimitProblem(source);
  if (problem) return `<sub>Data-flow diagram left out: ${problem}.</sub>`;
  return ['#### Data flow around the touched components', '', '```mermaid', source.trimEnd(), '```'].join('\n');
}

function filesSection(input: PrCommentInput, perComponent: number): string {
  const matched = input.fileCount - input.match.unmatched.length;
  const summary = `Changed files by component: ${matched} of ${input.fileCount}${input.filesCapped ? '+' : ''} mapped`;
  const out: string[] = [];
  let listedFiles = 0;
  for (const [componentId, files] of input.match.byComponent) {
    const name = input.graph.components.get(componentId)?.name ?? componentId;
    const listed = files.slice(0, perComponent).map((f) => code(f));
    if (files.length > perComponent) listed.push(`and ${files.length - perComponent} more`);
    listedFiles += files.length;
    out.push(`- **${escapeText(name)}** (${plural(files.length, 'file')}): ${listed.join(', ')}`);
  }
  if (out.length === 0) return `<sub>${summary}</sub>`;
  if (listedFiles <= INLINE_FILES) return [`**${summary}**`, ...out].join('\n');
  return details(summary, out.join('\n'));
}

function footer(input: PrCommentInput): string {
  const floor = input.config.pull_requests.min_severity;
  const parts = [
    `From ${code(input.modelPath)} on the base branch ${code(input.baseRef)}`,
    floor !== 'unscored' ? `showing ${floor} and above` : undefined,
    input.detail === 'summary' ? `ids and severities only on a public repository (${code('pull_requests.public_detail')})` : undefined,
    'a threat’s status lives in the model',
  ].filter((p) => p !== undefined);
  return `<sub>${parts.join(' · ')}</sub>`;
}

function threatLink(threatId: string, issues: ReadonlyMap<string, ThreatIssueRef>): string {
  const issue = issues.get(threatId);
  if (!issue) return code(threatId);
  return issue.url ? link(threatId, issue.url) : `${code(threatId)} (#${issue.number})`;
}

function ownerText(graph: ModelGraph, threat: Threat): string {
  // Names and logins without a live `@`: a context comment must not notify owners on every
  // PR (`pull_requests.request_reviews` is the opt-in for that); escapeCell defuses mentions.
  return (threat.owner ?? [])
    .map((key) => {
      const owner = graph.owners.get(key);
      const logins = owner?.github?.length ? ` (${owner.github.join(', ')})` : '';
      return escapeCell((owner?.name ?? key) + logins);
    })
    .join(', ');
}

function capList(items: readonly string[]): string {
  const listed = items.slice(0, MAX_LISTED);
  if (items.length > MAX_LISTED) listed.push(`and ${items.length - MAX_LISTED} more`);
  return listed.join(', ');
}

/** At most `max` characters, cut at a word boundary when there is one in the last third (no "versioning an…"). */
function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= max) return oneLine;
  const cut = oneLine.slice(0, Math.max(0, max - 1));
  const space = cut.lastIndexOf(' ');
  const words = space >= (max * 2) / 3 ? cut.slice(0, space) : cut;
  return `${words.replace(/[\s,;:.(–-]+$/, '')}…`;
}

function noWrap(text: string): string {
  return text.replace(/ /g, '&nbsp;');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function lines(parts: readonly string[]): string {
  return `${parts.join('\n')}\n`;
}

function cutToFit(body: string, limit: number): string {
  const note = '\n\n> Cut short to fit GitHub’s comment size limit.\n';
  let cut = body;
  while (cut.length > 0 && utf8Length(cut) + utf8Length(note) > limit) {
    const lastBreak = cut.lastIndexOf('\n', cut.length - 2);
    cut = lastBreak > 0 ? cut.slice(0, lastBreak) : cut.slice(0, Math.floor(cut.length / 2));
  }
  return cut + note;
}

/** The cross-link a PR leaves on each threat issue it refers to (once, found again by its marker). */
export function renderCrossLinkComment(pr: PullRequestRef, threatId: string, verbs: readonly ReferenceVerb[]): string {
  const verbText = verbs.includes('mitigates') ? 'says it mitigates' : verbs.includes('fixes') ? 'says it fixes' : 'refers to';
  return lines([
    crossLinkMarker(pr),
    `Pull request ${link(`${pr.repo}#${pr.number}`, pr.url)} (${escapeText(pr.title)}) ${verbText} ${code(threatId)}.`,
    '',
    `<sub>The threat’s status lives in the threat model: when the work is done, change ${code('status')} there and this issue follows.</sub>`,
  ]);
}

/**
 * Left on a threat issue when a PR that referred to it is merged. It names the merge commit
 * (full SHA in the link) so `threatloop evidence` can trace the threat to the commit without
 * reading the pull request again.
 */
export function renderMergedComment(pr: PullRequestRef, threatId: string, verbs: readonly ReferenceVerb[], mergeCommit?: string): string {
  const verbText = verbs.includes('mitigates') || verbs.includes('fixes') ? 'to address' : 'referring to';
  const commit =
    mergeCommit && /^[0-9a-f]{40}$/.test(mergeCommit) && /^https?:\/\/[^\s()<>]+\/pull\/\d+$/.test(pr.url)
      ? ` in [\`${mergeCommit.slice(0, 7)}\`](${pr.url.replace(/\/pull\/\d+$/, '')}/commit/${mergeCommit})`
      : '';
  return lines([
    mergedMarker(pr),
    `Pull request ${link(`${pr.repo}#${pr.number}`, pr.url)} ${verbText} ${code(threatId)} was merged${commit}.`,
    '',
    `This does not change the threat’s status: the status lives in the threat model. If ${code(threatId)} is now mitigated, set its ${code('status')} (and ${code('verification')}) in the model; this issue follows on the next sync.`,
  ]);
}
