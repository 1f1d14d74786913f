/**
 * The Jira issue description for a threat, as an Atlassian Document Format
 * document (REST API v3). Same facts as the GitHub issue body: the threat,
 * its targets and their trust boundaries, CVSS, strategy, mitigation, status,
 * owner, due date, verification, residual risk, rationale, references, and a
 * permalink to the threat's line in the model. Pure.
 */
import type { ModelGraph } from '../../model/graph.ts';
import type { ThreatRating } from '../../model/rating.ts';
import { STRIDE_NAME, type Threat } from '../../model/schema.ts';
import { RATING_NAME, STATUS_LABEL, STRATEGY_NAME } from '../../render/display-names.ts';

export type AdfMark =
  | { type: 'strong' }
  | { type: 'em' }
  | { type: 'code' }
  | { type: 'link'; attrs: { href: string } };
export type AdfText = { type: 'text'; text: string; marks?: AdfMark[] };
export type AdfInline = AdfText | { type: 'hardBreak' };
export type AdfParagraph = { type: 'paragraph'; content: AdfInline[] };
export type AdfBlock =
  | AdfParagraph
  | { type: 'heading'; attrs: { level: 1 | 2 | 3 | 4 | 5 | 6 }; content: AdfInline[] }
  | { type: 'bulletList'; content: { type: 'listItem'; content: AdfParagraph[] }[] }
  | { type: 'rule' };
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfBlock[];
}

export interface JiraDescriptionInput {
  threat: Threat;
  rating: ThreatRating;
  graph: ModelGraph;
  /** Due date shown (the model's, or the SLA-derived one), YYYY-MM-DD. */
  due: string | null;
  /** Permalink to the threat's line in the model, when known. */
  model?: { url: string; label: string };
}

export function renderJiraDescription(input: JiraDescriptionInput): AdfDocument {
  const { threat, rating, graph } = input;
  const blocks: AdfBlock[] = [];
  if (threat.description?.trim()) blocks.push(...paragraphs(threat.description));

  const facts: AdfInline[][] = [];
  const fact = (name: string, value: AdfInline[]) => facts.push([bold(`${name}: `), ...value]);
  fact('Severity', [plain(RATING_NAME[rating.rating])]);
  if (rating.cvss) {
    fact('CVSS', [code(rating.cvss.vector), plain(` — ${rating.cvss.score.toFixed(1)} (${RATING_NAME[rating.cvss.severity]})`)]);
  } else if (threat.cvss) {
    fact('CVSS', [code(threat.cvss.vector), plain(` — invalid vector: ${rating.cvssError?.message ?? 'does not parse'}`)]);
  }
  fact('STRIDE', [plain(threat.stride.map((category) => STRIDE_NAME[category]).join(', '))]);
  fact('Targets', [plain(threat.targets.map((id) => describeTarget(graph, id)).join('; '))]);
  fact('Status', [plain(STATUS_LABEL[threat.status])]);
  if (threat.strategy?.length) fact('Strategy', [plain(threat.strategy.map((strategy) => STRATEGY_NAME[strategy]).join(' + '))]);
  const owners = (threat.owner ?? []).map((key) => describeOwner(graph, key));
  fact('Owner', [plain(owners.length ? owners.join('; ') : 'unowned')]);
  fact('Due', [plain(input.due ?? 'no due date')]);
  blocks.push({ type: 'bulletList', content: facts.map((content) => ({ type: 'listItem', content: [{ type: 'paragraph', content }] })) });

  const section = (title: string, body: string | undefined) => {
    if (!body?.trim()) return;
    blocks.push({ type: 'heading', attrs: { level: 3 }, content: [plain(title)] }, ...paragraphs(body));
  };
  section('Mitigation', threat.mitigation);
  section('Verification', threat.verification);
  section('Residual risk', threat.residual_risk);
  section('Rationale', threat.rationale);
  // Blank refs are skipped: an empty text node makes Jira reject the whole request (400).
  const refs = (threat.refs ?? []).map((ref) => ref.trim()).filter(Boolean);
  if (refs.length) {
    blocks.push(
      { type: 'heading', attrs: { level: 3 }, content: [plain('References')] },
      {
        type: 'bulletList',
        content: refs.map((ref) => ({ type: 'listItem', content: [{ type: 'paragraph', content: [reference(ref)] }] })),
      },
    );
  }

  blocks.push({ type: 'rule' });
  const footer: AdfInline[] = [];
  if (input.model) footer.push(plain('Defined in '), link(input.model.label, input.model.url), plain('. '));
  footer.push(em('Kept in step with the threat model by threatloop: change the model, not this description.'));
  blocks.push({ type: 'paragraph', content: footer });
  return { type: 'doc', version: 1, content: blocks };
}

function describeTarget(graph: ModelGraph, id: string): string {
  const component = graph.components.get(id);
  if (component) {
    const boundary = component.boundary ? graph.boundaries.get(component.boundary) : undefined;
    const zone = boundary ? ` in ${boundary.name} (${boundary.trust})` : '';
    return `${component.name} (${id})${zone}`;
  }
  const flow = graph.flows.get(id);
  if (flow) {
    const name = (cid: string) => graph.components.get(cid)?.name ?? cid;
    return `${flow.name ?? id} (${id}): ${name(flow.from)} ${flow.bidirectional ? '<->' : '->'} ${name(flow.to)}`;
  }
  return id;
}

function describeOwner(graph: ModelGraph, key: string): string {
  const owner = graph.owners.get(key);
  if (!owner) return key;
  const who = owner.name?.trim() || key;
  return owner.team ? `${who} (@${owner.team})` : who;
}

/** Blank-line separated paragraphs; single newlines become hard breaks. */
function paragraphs(text: string): AdfParagraph[] {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((para) => {
      const lines = para.split('\n');
      const content: AdfInline[] = [];
      lines.forEach((line, index) => {
        if (index > 0) content.push({ type: 'hardBreak' });
        if (line.length > 0) content.push(plain(line));
      });
      return { type: 'paragraph' as const, content };
    });
}

function reference(ref: string): AdfText {
  return /^https?:\/\/\S+$/.test(ref) ? link(ref, ref) : plain(ref);
}

const plain = (text: string): AdfText => ({ type: 'text', text });
const bold = (text: string): AdfText => ({ type: 'text', text, marks: [{ type: 'strong' }] });
const em = (text: string): AdfText => ({ type: 'text', text, marks: [{ type: 'em' }] });
const code = (text: string): AdfText => ({ type: 'text', text, marks: [{ type: 'code' }] });
const link = (text: string, href: string): AdfText => ({ type: 'text', text, marks: [{ type: 'link', attrs: { href } }] });

/** All the text of a document, for tests and dry-run output. */
export function adfPlainText(doc: AdfDocument): string {
  const inline = (nodes: readonly AdfInline[]) => nodes.map((n) => (n.type === 'text' ? n.text : '\n')).join('');
  return doc.content
    .map((block) => {
      switch (block.type) {
        case 'paragraph':
        case 'heading':
          return inline(block.content);
        case 'bulletList':
          return block.content.map((item) => `- ${item.content.map((p) => inline(p.content)).join('\n')}`).join('\n');
        case 'rule':
          return '---';
      }
    })
    .join('\n');
}
