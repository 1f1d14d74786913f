/**
 * The traceability matrix: one row per threat and target, from diagram
 * element to score to mitigation to requirement and test, and (when an
 * evidence pack is built) on to the issue, the Jira key, the pull requests
 * and their merge commits, and the dated status history. Pure: the model
 * and, optionally, evidence already read from GitHub go in, rows come out.
 */
import type { ModelGraph } from './graph.ts';
import { rateThreat } from './rating.ts';
import type { Rating, StrideCategory, Threat, ThreatModel } from './schema.ts';
import { STRIDE_LETTER } from './schema.ts';
import { buildGraph } from './graph.ts';

/** A pull request that referred to a threat, as the app's cross-link comment recorded it. */
export interface PullRequestEvidence {
  /** owner/name#number */
  reference: string;
  url: string;
  title?: string;
  /** How the PR referred to the threat: mitigates, fixes or refs. */
  verbs: string[];
  /** When the app linked it (the cross-link comment's time). */
  linkedAt: string;
  mergedAt?: string;
  /** Full SHA of the merge commit, when the app recorded it. */
  mergeCommit?: string;
}

/** One change of a threat's status, from an audit comment the app wrote. */
export interface StatusChange {
  /** ISO timestamp of the audit comment. */
  at: string;
  from: string;
  to: string;
  /** Who made the change (the commit's pusher or the workflow actor), as the comment names them. */
  actor?: string;
  /** The commit the change was synced from. */
  commit?: string;
}

/** What GitHub (and the Jira key kept in the issue marker) says about one threat. */
export interface ThreatEvidence {
  issue?: { number: number; url: string; state: 'open' | 'closed'; createdAt: string };
  jiraKey?: string;
  jiraUrl?: string;
  pullRequests: PullRequestEvidence[];
  statusHistory: StatusChange[];
}

export interface TraceabilityRow {
  threat: Threat;
  threatId: string;
  title: string;
  /** The target id as the model writes it. */
  elementId: string;
  /** Component or flow name; the id when the model does not define it. */
  element: string;
  elementKind: 'component' | 'flow' | 'unknown';
  /** Trust boundary name (a flow's: "from → to" when its ends sit in different boundaries). */
  boundary: string;
  stride: StrideCategory[];
  cvssVector: string;
  /** Computed base score, or '' when the threat has no valid vector. */
  score: string;
  severity: Rating;
  strategy: string[];
  mitigation: string;
  controls: string[];
  tests: string[];
  verification: string;
  residualRisk: string;
  /** Why the risk is accepted or transferred (empty unless the status or strategy says so). */
  acceptance: string;
  owners: string[];
  due: string;
  status: string;
  evidence?: ThreatEvidence;
}

export function traceabilityRows(
  model: ThreatModel,
  evidence?: ReadonlyMap<string, ThreatEvidence>,
  graph: ModelGraph = buildGraph(model),
): TraceabilityRow[] {
  const rows: TraceabilityRow[] = [];
  for (const threat of model.threats) {
    const rating = rateThreat(threat);
    const accepts = threat.status === 'accepted' || threat.status === 'transferred' || threat.strategy?.some((s) => s === 'accept' || s === 'transfer');
    const shared = {
      threat,
      threatId: threat.id,
      title: threat.title,
      stride: threat.stride,
      cvssVector: threat.cvss ? (rating.cvss?.vector ?? threat.cvss.vector) : '',
      score: rating.cvss ? rating.cvss.score.toFixed(1) : '',
      severity: rating.rating,
      strategy: threat.strategy ?? [],
      mitigation: threat.mitigation?.trim() ?? '',
      controls: threat.controls ?? [],
      tests: threat.tests ?? [],
      verification: threat.verification?.trim() ?? '',
      residualRisk: threat.residual_risk?.trim() ?? '',
      acceptance: accepts ? (threat.rationale?.trim() ?? '') : '',
      owners: threat.owner ?? [],
      due: threat.due ?? '',
      status: threat.status,
      ...(evidence?.has(threat.id) ? { evidence: evidence.get(threat.id)! } : {}),
    };
    for (const target of new Set(threat.targets)) rows.push({ ...shared, elementId: target, ...elementOf(graph, target) });
  }
  return rows;
}

function elementOf(graph: ModelGraph, id: string): Pick<TraceabilityRow, 'element' | 'elementKind' | 'boundary'> {
  const boundaryName = (boundaryId: string | undefined) => (boundaryId ? (graph.boundaries.get(boundaryId)?.name ?? boundaryId) : '');
  const component = graph.components.get(id);
  if (component) return { element: component.name, elementKind: 'component', boundary: boundaryName(component.boundary) };
  const flow = graph.flows.get(id);
  if (flow) {
    const from = boundaryName(graph.components.get(flow.from)?.boundary);
    const to = boundaryName(graph.components.get(flow.to)?.boundary);
    const name = flow.name?.trim() || `${graph.components.get(flow.from)?.name ?? flow.from} → ${graph.components.get(flow.to)?.name ?? flow.to}`;
    return { element: name, elementKind: 'flow', boundary: from === to ? from : `${from || 'none'} → ${to || 'none'}` };
  }
  return { element: id, elementKind: 'unknown', boundary: '' };
}

/** `S, T`: STRIDE letters, for compact cells. */
export function strideLetters(categories: readonly StrideCategory[]): string {
  return categories.map((c) => STRIDE_LETTER[c]).join(', ');
}
