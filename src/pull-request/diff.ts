/**
 * The threat-level difference between the model at a PR's base and at its
 * head: what a security reviewer needs to see when a PR edits the model.
 * Threats are matched by id (ids are compared as strings).
 */
import { strideCoverage, type ElementKind, type ElementType } from '../model/coverage.ts';
import { rateThreat } from '../model/rating.ts';
import type { Rating, StrideCategory, Threat, ThreatModel, ThreatStatus } from '../model/schema.ts';

/** How a threat is rated, as shown in a diff. */
export interface ThreatScore {
  rating: Rating;
  /** CVSS base score, when the threat has a valid vector. */
  score?: number;
  vector?: string;
}

export interface ThreatSummary {
  id: string;
  title: string;
  score: ThreatScore;
  status: ThreatStatus;
}

export interface Change<T> {
  from: T;
  to: T;
}

export interface ThreatChange {
  id: string;
  /** Title at head. */
  title: string;
  /** Rating at head (for sorting and filtering). */
  score: ThreatScore;
  /** Only the fields that changed are present. */
  rescored?: Change<ThreatScore>;
  status?: Change<ThreatStatus>;
  owner?: Change<string[]>;
  due?: Change<string | undefined>;
  titleChange?: Change<string>;
  targets?: Change<string[]>;
  /** The mitigation text was edited (the text itself is in the PR diff). */
  mitigationEdited?: boolean;
}

/** A component or flow the PR adds to the model, with the STRIDE categories it still lacks at head. */
export interface AddedElement {
  id: string;
  name: string;
  kind: ElementKind;
  type: ElementType;
  outOfScope: boolean;
  /** Applicable categories with neither a threat nor a waiver at head. */
  missing: StrideCategory[];
}

export interface ThreatDiff {
  added: ThreatSummary[];
  removed: ThreatSummary[];
  changed: ThreatChange[];
  /** Components and flows new at head (by id), in head model order. */
  addedElements?: AddedElement[];
}

export function diffModels(base: ThreatModel, head: ThreatModel): ThreatDiff {
  const baseById = firstById(base.threats);
  const headById = firstById(head.threats);
  const added: ThreatSummary[] = [];
  const changed: ThreatChange[] = [];
  for (const [id, threat] of headById) {
    const before = baseById.get(id);
    if (!before) {
      added.push(summarise(threat));
      continue;
    }
    const change = compareThreat(before, threat);
    if (change) changed.push(change);
  }
  const removed = [...baseById.values()].filter((t) => !headById.has(t.id)).map(summarise);
  return { added, removed, changed, addedElements: addedElements(base, head) };
}

function addedElements(base: ThreatModel, head: ThreatModel): AddedElement[] {
  const before = new Set([...base.components.map((c) => `component:${c.id}`), ...base.flows.map((f) => `flow:${f.id}`)]);
  return strideCoverage(head)
    .elements.filter((e) => !before.has(`${e.kind}:${e.id}`))
    .map(({ id, name, kind, type, outOfScope, missing }) => ({ id, name, kind, type, outOfScope, missing }));
}

export function isEmptyDiff(diff: ThreatDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0 && (diff.addedElements?.length ?? 0) === 0;
}

export function scoreOf(threat: Threat): ThreatScore {
  const rated = rateThreat(threat);
  const score: ThreatScore = { rating: rated.rating };
  if (rated.cvss) {
    score.score = rated.cvss.score;
    score.vector = rated.cvss.vector;
  } else if (threat.cvss) {
    score.vector = threat.cvss.vector;
  }
  return score;
}

function summarise(threat: Threat): ThreatSummary {
  return { id: threat.id, title: threat.title, score: scoreOf(threat), status: threat.status };
}

function compareThreat(before: Threat, after: Threat): ThreatChange | undefined {
  const change: ThreatChange = { id: after.id, title: after.title, score: scoreOf(after) };
  let any = false;
  const oldScore = scoreOf(before);
  const newScore = change.score;
  if (oldScore.rating !== newScore.rating || oldScore.score !== newScore.score || oldScore.vector !== newScore.vector) {
    change.rescored = { from: oldScore, to: newScore };
    any = true;
  }
  if (before.status !== after.status) {
    change.status = { from: before.status, to: after.status };
    any = true;
  }
  if (!sameList(before.owner, after.owner)) {
    change.owner = { from: before.owner ?? [], to: after.owner ?? [] };
    any = true;
  }
  if (before.due !== after.due) {
    change.due = { from: before.due, to: after.due };
    any = true;
  }
  if (before.title !== after.title) {
    change.titleChange = { from: before.title, to: after.title };
    any = true;
  }
  if (!sameList(before.targets, after.targets)) {
    change.targets = { from: before.targets, to: after.targets };
    any = true;
  }
  if ((before.mitigation ?? '').trim() !== (after.mitigation ?? '').trim()) {
    change.mitigationEdited = true;
    any = true;
  }
  return any ? change : undefined;
}

function firstById(threats: readonly Threat[]): Map<string, Threat> {
  const map = new Map<string, Threat>();
  for (const threat of threats) if (!map.has(threat.id)) map.set(threat.id, threat);
  return map;
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const left = a ?? [];
  const right = b ?? [];
  return left.length === right.length && left.every((v, i) => v === right[i]);
}
