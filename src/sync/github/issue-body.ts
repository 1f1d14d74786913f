/**
 * The body of a threat's GitHub issue: everything a reviewer needs to act on
 * the threat without opening the model, plus the hidden marker and a
 * permalink to the threat's line in the model.
 *
 * Pure and stable: the same threat renders the same text. The permalink names
 * a commit, so bodies are compared with `comparableBody`, which ignores the
 * permalink: an unchanged threat is not rewritten on every push, and its link
 * keeps pointing at the commit where the threat last changed.
 */
import type { ModelGraph } from '../../model/graph.ts';
import type { ThreatRating } from '../../model/rating.ts';
import { STRIDE_NAME, type Owner, type Threat } from '../../model/schema.ts';
import type { IssueMarker } from './state.ts';
import { renderMarker } from './marker.ts';
import type { EffectiveDue } from '../due-dates.ts';
import { COMPONENT_TYPE_NAME, RATING_LABEL, STATUS_LABEL, STRATEGY_NAME } from '../../render/display-names.ts';
import { code, escapeCell, escapeLine, escapeText, fitMarkdown, GITHUB_TITLE_LIMIT, link, mention, plainTitle } from '../../render/markdown.ts';
import { referenceLink } from '../../render/references.ts';
import { modelPermalink, type ModelPermalink } from '../permalink.ts';

export { modelPermalink, type ModelPermalink };

export interface ThreatIssueBodyInput {
  threat: Threat;
  graph: ModelGraph;
  rating: ThreatRating;
  due?: EffectiveDue;
  marker: IssueMarker;
  permalink: ModelPermalink;
  /** Whether the status closes the issue (config `issues.close_statuses`). */
  closing: boolean;
  /** Base URL of the web UI, for links to people. */
  webUrl: string;
  /** The threat's issues in other trackers (one row each, named as the tracker). */
  links?: readonly IssueLink[];
}

/** A threat's issue in another tracker, as its GitHub issue shows it. */
export interface IssueLink {
  system: string;
  /** The row's name, e.g. `Jira`. */
  label: string;
  key: string;
  url?: string;
}

/** GitHub refuses a body over 65,536 characters; bodies are cut well before (the footer and a note follow). */
export const ISSUE_BODY_LIMIT = 60_000;

export function renderThreatIssueBody(input: ThreatIssueBodyInput): string {
  const { threat, graph, rating, due } = input;
  const lines: string[] = [renderMarker(input.marker), ''];
  // A title too long for GitHub's 256 characters is cut in the issue's title: here it is whole.
  if (plainTitle(`[${threat.id}] ${threat.title}`, GITHUB_TITLE_LIMIT).cut) lines.push(`**${escapeLine(threat.title)}**`, '');

  // The facts a person triages by come first (severity, status, owner, due), each once; the table's
  // first row is its header, so it holds the severity rather than an empty header row.
  const rows: [string, string][] = [];
  rows.push(['Severity', severityCell(rating)]);
  rows.push(['Status', `${STATUS_LABEL[threat.status]}${input.closing ? ' (closes this issue)' : ''}`]);
  rows.push(['Owner', ownerCell(threat, graph, input.webUrl)]);
  rows.push(['Due', dueCell(due)]);
  rows.push(['STRIDE', threat.stride.map((c) => STRIDE_NAME[c]).join(', ')]);
  // The vector is normalised with its `CVSS:<version>/` prefix, so it names its version; the score is in Severity.
  if (rating.cvss) rows.push(['CVSS', code(rating.cvss.vector)]);
  else if (threat.cvss) rows.push(['CVSS', `${code(threat.cvss.vector)} does not parse${rating.cvssError ? `: ${escapeCell(rating.cvssError.message)}` : ''}`]);
  rows.push(['Strategy', threat.strategy?.length ? threat.strategy.map((s) => STRATEGY_NAME[s]).join(' + ') : '—']);
  for (const tracked of input.links ?? []) rows.push([tracked.label, tracked.url ? link(tracked.key, tracked.url) : code(tracked.key)]);
  const row = ([name, value]: [string, string]) => `| **${name}** | ${value} |`;
  lines.push(row(rows[0]!), TABLE_RULE, ...rows.slice(1).map(row), '');

  if (threat.description?.trim()) lines.push(escapeText(threat.description.trim()), '');
  // What to do comes before where: the mitigation is what the owner acts on.
  const section = (heading: string, text: string | undefined) => {
    if (text?.trim()) lines.push(`### ${heading}`, '', escapeText(text.trim()), '');
  };
  section('Mitigation', threat.mitigation);
  lines.push('### Targets', '', ...threat.targets.map((target) => `- ${describeTarget(target, graph)}`), '');
  section('Verification', threat.verification);
  section('Residual risk', threat.residual_risk);
  section('Rationale', threat.rationale);
  if (threat.refs?.length) lines.push('### References', '', ...threat.refs.map((ref) => `- ${referenceLink(ref)}`), '');

  const footer = [
    '---',
    `<sub>Threat ${code(threat.id)} of the ${escapeLine(graph.model.system.name)} threat model, from ${permalinkText(input.permalink)}. Edit the threat model, not this issue: threatloop rewrites this description when the threat changes.</sub>`,
  ].join('\n');
  // The permalink in the form comparableBody reduces, so a cut body is not rewritten on every push.
  const note = `> Cut short to fit GitHub's issue size limit: the whole threat is in ${permalinkText(input.permalink)}.`;
  const main = fitMarkdown(lines.join('\n'), ISSUE_BODY_LIMIT, note);
  return `${main}${main.endsWith('\n') ? '' : '\n'}\n${footer}\n`;
}

/** Left-aligned: a header cell would otherwise be centred. */
const TABLE_RULE = '| :--- | :--- |';

const PERMALINK_PATTERN = /\[`([^`\n]*)`(?: line \d+)? at `[0-9a-f]{7,40}`\]\([^)\s]*\)/g;

function permalinkText(link: ModelPermalink): string {
  const where = link.line === undefined ? code(link.path) : `${code(link.path)} line ${link.line}`;
  return `[${where} at \`${link.sha.slice(0, 7)}\`](${link.url})`;
}

/**
 * A body as compared between syncs: line endings and trailing spaces
 * normalised, the model permalink reduced to the model's path (commit and
 * line number move on every unrelated push).
 */
export function comparableBody(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .replace(PERMALINK_PATTERN, '[`$1`]')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

/** The body's top-level sections (`### Heading`) and the table rows, by name: used to say what changed. */
export function bodySections(body: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current = 'Description';
  let buffer: string[] = [];
  const flush = () => {
    const text = buffer.join('\n').trim();
    if (text) sections.set(current, text);
    buffer = [];
  };
  for (const line of comparableBody(body).split('\n')) {
    // The footer (provenance) is no section of the threat.
    if (line === '---') break;
    const heading = /^### (.+)$/.exec(line);
    const row = /^\| \*\*(.+?)\*\* \| (.*) \|$/.exec(line);
    if (heading) {
      flush();
      current = heading[1]!;
    } else if (row) {
      sections.set(row[1]!, row[2]!);
    } else if (!line.startsWith('<!-- threatloop:') && !line.startsWith('> ') && !/^\|(?: *:?-+:? *\|)+$/.test(line) && line !== '| | |') {
      buffer.push(line);
    }
  }
  flush();
  return sections;
}

function severityCell(rating: ThreatRating): string {
  if (rating.cvss) return `${RATING_LABEL[rating.rating]} (CVSS ${rating.cvss.score.toFixed(1)})`;
  if (rating.rating === 'unscored') return `${RATING_LABEL.unscored}: add a CVSS vector or a severity to the model`;
  return `${RATING_LABEL[rating.rating]} (stated, no CVSS vector)`;
}

function ownerCell(threat: Threat, graph: ModelGraph, webUrl: string): string {
  if (!threat.owner?.length) return '**unowned**: set `owner` on the threat in the model';
  return threat.owner.map((key) => describeOwner(key, graph.owners.get(key), webUrl)).join('; ');
}

function describeOwner(key: string, owner: Owner | undefined, webUrl: string): string {
  if (!owner) return `${code(key)} (not in \`owners\`)`;
  const parts = [owner.name ? escapeCell(owner.name) : code(key)];
  // The team is @-mentioned so it is notified; people are linked, not mentioned (they are assignees).
  if (owner.team) parts.push(mention(owner.team));
  if (owner.github?.length) parts.push(owner.github.map((login) => link(login, `${webUrl.replace(/\/+$/, '')}/${encodeURIComponent(login)}`)).join(', '));
  return parts.join(' · ');
}

function dueCell(due: EffectiveDue | undefined): string {
  if (!due) return '—';
  if (due.source === 'model') return due.date;
  return `${due.date} (SLA: ${due.slaDays} days from ${due.from})`;
}

function describeTarget(id: string, graph: ModelGraph): string {
  const component = graph.components.get(id);
  if (component) {
    return `**${escapeLine(component.name)}** (${code(id)}, ${COMPONENT_TYPE_NAME[component.type].toLowerCase()})${zoneText(component.boundary, graph)}`;
  }
  const flow = graph.flows.get(id);
  if (flow) {
    const from = graph.components.get(flow.from);
    const to = graph.components.get(flow.to);
    const arrow = flow.bidirectional ? '↔' : '→';
    const name = flow.name ? `**${escapeLine(flow.name)}**` : `flow ${code(id)}`;
    const ends = `${escapeLine(from?.name ?? flow.from)} ${arrow} ${escapeLine(to?.name ?? flow.to)}`;
    const boundaries = [from?.boundary, to?.boundary];
    const crossing =
      boundaries[0] !== boundaries[1]
        ? `, crosses ${boundaries.map((b) => boundaryText(b, graph)).join(` ${arrow} `)}`
        : from?.boundary
          ? `, inside ${boundaryText(from.boundary, graph)}`
          : '';
    const data = flow.data?.length ? `; data: ${flow.data.map(escapeLine).join(', ')}` : '';
    return `${name} (${code(id)}, flow ${ends}${flow.protocol ? ` over ${escapeLine(flow.protocol)}` : ''}${crossing}${data})`;
  }
  return `${code(id)} (not in the model)`;
}

function zoneText(boundaryId: string | undefined, graph: ModelGraph): string {
  return boundaryId ? ` in ${boundaryText(boundaryId, graph)}` : ', no trust boundary';
}

function boundaryText(boundaryId: string | undefined, graph: ModelGraph): string {
  if (!boundaryId) return 'no boundary';
  const boundary = graph.boundaries.get(boundaryId);
  return boundary ? `*${escapeLine(boundary.name)}* (${boundary.trust})` : code(boundaryId);
}
