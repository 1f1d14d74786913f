/**
 * The evidence behind each threat, from what threatloop itself wrote on
 * GitHub: the threat's issue (found by its hidden marker), its Jira key (kept
 * in that marker), the pull requests that referred to it (the cross-link and
 * merged comments, with the merge commit), and its status history (the audit
 * comments: date, old → new, actor, commit). Pure: listed issues and comments
 * in, evidence per threat id out.
 *
 * Trust: an issue or comment counts only when its author is the app's login
 * (`trustedAuthor`, e.g. `threatloop[bot]`). Anyone who can comment can paste
 * a marker or an audit line; such copies are counted in `ignored`, never
 * believed.
 */
import type { ThreatModel } from '../model/schema.ts';
import type { PullRequestEvidence, StatusChange, ThreatEvidence } from '../model/traceability.ts';
import { parseMarker } from '../sync/github/marker.ts';

export interface EvidenceIssue {
  number: number;
  body: string;
  state: 'open' | 'closed';
  url: string;
  createdAt: string;
  author: string;
}

export interface EvidenceComment {
  issueNumber: number;
  author: string;
  body: string;
  createdAt: string;
}

export interface AssembledEvidence {
  byThreat: Map<string, ThreatEvidence>;
  /** Model threats with no issue the app filed. */
  withoutIssue: string[];
  /** Issues and comments that looked like threatloop's but were written by someone else. */
  ignored: { issues: number; comments: number };
}

const CROSS_LINK = /<!-- threatloop:pr-link ([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+) -->/;
const MERGED = /<!-- threatloop:pr-merged ([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+) -->/;
const FIRST_LINK = /\]\((https?:\/\/[^)\s]+)\)/;
const MERGE_COMMIT = /was merged in \[`[0-9a-f]{7}`\]\([^)\s]*\/commit\/([0-9a-f]{40})\)/;
/** `**Threat changed** in [`abc1234`](…/commit/<sha>) by [login](…) (`threat-model.yml`):` — see renderAuditComment. */
const AUDIT_HEADING = /^\*\*(Threat changed|Threat closed|Threat reopened|Threat removed from the model)\*\* in \[`[0-9a-f]{7}`\]\([^)\s]*\/commit\/([0-9a-f]{40})\)(?: by (.+?))? \(`[^`\n]*`\):/;
const STATUS_LINE = /^- status: (.+?) → (.+)$/m;

/** Issues whose comments are worth reading: the app's threat issues that have any. */
export function issuesToRead<T extends EvidenceIssue & { comments: number }>(issues: readonly T[], trustedAuthor: string): T[] {
  return issues.filter((i) => i.comments > 0 && sameLogin(i.author, trustedAuthor) && parseMarker(i.body)?.kind === 'threat');
}

export function assembleEvidence(input: {
  model: ThreatModel;
  issues: readonly EvidenceIssue[];
  comments: readonly EvidenceComment[];
  trustedAuthor: string;
}): AssembledEvidence {
  const { model, trustedAuthor } = input;
  const threatIds = new Set(model.threats.map((t) => t.id));
  const byThreat = new Map<string, ThreatEvidence>();
  const threatOfIssue = new Map<number, string>();
  const ignored = { issues: 0, comments: 0 };

  // Oldest issue first: with duplicates, the oldest is the threat's issue (as the sync keeps it).
  for (const issue of [...input.issues].sort((a, b) => a.number - b.number)) {
    const marker = parseMarker(issue.body);
    if (marker?.kind !== 'threat' || !marker.threatId) continue;
    if (!sameLogin(issue.author, trustedAuthor)) {
      ignored.issues++;
      continue;
    }
    if (!threatIds.has(marker.threatId) || byThreat.has(marker.threatId)) continue;
    threatOfIssue.set(issue.number, marker.threatId);
    byThreat.set(marker.threatId, {
      issue: { number: issue.number, url: issue.url, state: issue.state, createdAt: issue.createdAt },
      ...(marker.links?.jira ? { jiraKey: marker.links.jira.key } : {}),
      ...(marker.links?.jira?.url && /^https:\/\//.test(marker.links.jira.url) ? { jiraUrl: marker.links.jira.url } : {}),
      pullRequests: [],
      statusHistory: [],
    });
  }

  const comments = [...input.comments].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  for (const comment of comments) {
    const threatId = threatOfIssue.get(comment.issueNumber);
    if (threatId === undefined) continue;
    const looksOurs = CROSS_LINK.test(comment.body) || MERGED.test(comment.body) || AUDIT_HEADING.test(comment.body);
    if (!looksOurs) continue;
    if (!sameLogin(comment.author, trustedAuthor)) {
      ignored.comments++;
      continue;
    }
    const evidence = byThreat.get(threatId)!;
    readComment(evidence, comment);
  }
  for (const evidence of byThreat.values()) evidence.pullRequests.sort((a, b) => (a.linkedAt < b.linkedAt ? -1 : a.linkedAt > b.linkedAt ? 1 : 0));

  return { byThreat, withoutIssue: model.threats.filter((t) => !byThreat.has(t.id)).map((t) => t.id), ignored };
}

function readComment(evidence: ThreatEvidence, comment: EvidenceComment): void {
  const link = CROSS_LINK.exec(comment.body);
  if (link) {
    const pr = pullRequest(evidence, `${link[1]}#${link[2]}`, comment);
    const verb = /says it mitigates/.test(comment.body) ? 'mitigates' : /says it fixes/.test(comment.body) ? 'fixes' : 'refs';
    if (!pr.verbs.includes(verb)) pr.verbs.push(verb);
    return;
  }
  const merged = MERGED.exec(comment.body);
  if (merged) {
    const pr = pullRequest(evidence, `${merged[1]}#${merged[2]}`, comment);
    pr.mergedAt = comment.createdAt;
    const commit = MERGE_COMMIT.exec(comment.body)?.[1];
    if (commit) pr.mergeCommit = commit;
    if (pr.verbs.length === 0) pr.verbs.push(/ to address /.test(comment.body) ? 'mitigates' : 'refs');
    return;
  }
  const audit = AUDIT_HEADING.exec(comment.body);
  if (!audit) return;
  const [, heading, commit, actorText] = audit;
  const status = STATUS_LINE.exec(comment.body);
  const actor = actorText === undefined ? undefined : (/^\[([^\]]+)\]\(/.exec(actorText)?.[1] ?? actorText);
  const change = (from: string, to: string): StatusChange => ({ at: comment.createdAt, from, to, ...(actor ? { actor } : {}), ...(commit ? { commit } : {}) });
  if (status) evidence.statusHistory.push(change(status[1]!.trim(), status[2]!.trim()));
  else if (heading === 'Threat removed from the model') evidence.statusHistory.push(change(evidence.statusHistory.at(-1)?.to ?? 'in the model', 'removed from the model'));
}

function pullRequest(evidence: ThreatEvidence, reference: string, comment: EvidenceComment): PullRequestEvidence {
  let pr = evidence.pullRequests.find((p) => p.reference === reference);
  if (!pr) {
    const url = FIRST_LINK.exec(comment.body)?.[1] ?? '';
    pr = { reference, url, verbs: [], linkedAt: comment.createdAt };
    evidence.pullRequests.push(pr);
  }
  return pr;
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
