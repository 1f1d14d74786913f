/**
 * The Jira reconcile, pure: model + config + current Jira issues (+ the GitHub
 * issues, for links) -> the operations that bring Jira in step. Planning again
 * on the state an apply leaves behind gives no operations, but the property
 * writes a `recordLater` pass left out (that is how the sync finishes the
 * links to GitHub issues created later in the same run, and records them in
 * one property write per issue).
 */
import { createHash } from 'node:crypto';
import type { Config, JiraConfig } from '../../config/schema.ts';
import { buildGraph, type ModelGraph } from '../../model/graph.ts';
import { rateThreat, type ThreatRating } from '../../model/rating.ts';
import { RATINGS, STRIDE_CATEGORIES, type Threat, type ThreatModel } from '../../model/schema.ts';
import type { YamlSource } from '../../model/source.ts';
import { renderJiraDescription, type AdfDocument } from './description.ts';
import type { SyncContext } from '../github/state.ts';
import { effectiveDue } from '../due-dates.ts';
import {
  identityLabel,
  type JiraFieldValues,
  type JiraIssue,
  type JiraOperation,
  type JiraPlan,
  type JiraState,
  type LabelChange,
  type RemoteLink,
  type ThreatloopProperty,
} from './state.ts';
import { modelPermalink } from '../permalink.ts';
import { planAcceptanceReview } from '../../lifecycle/acceptance.ts';

/** The GitHub issue of a threat, as far as the Jira side needs it. */
export interface GithubIssueRef {
  number: number;
  url: string;
  /** ISO timestamp; the SLA due date counts from it. */
  createdAt?: string;
}

export interface JiraPlanInput {
  model: ThreatModel;
  config: Config;
  jiraState: JiraState;
  context: SyncContext;
  /** Threat id -> its GitHub issue, when it has one. */
  githubIssues: ReadonlyMap<string, GithubIssueRef>;
  /** Threat id -> 1-based line of the threat in the model file, for permalinks. */
  modelLines?: ReadonlyMap<string, number>;
  /**
   * A later pass of the same sync plans again (the sync's `finish`, after the GitHub side): leave out the
   * property writes of their own, so that pass records each issue's links once, with the GitHub link.
   * A property that rides on a create, an edit or a transition is still written.
   */
  recordLater?: boolean;
}

/** Threat id -> 1-based line of the threat in the model file (for `modelLines`). */
export function threatLines(model: ThreatModel, source: YamlSource): Map<string, number> {
  const graph = buildGraph(model);
  const lines = new Map<string, number>();
  for (const [threatId, threat] of graph.threats) {
    const index = graph.threatIndex.get(threat);
    if (index !== undefined) lines.set(threatId, source.locate(['threats', index]).start.line);
  }
  return lines;
}

/** The label every threat issue carries. */
export const JIRA_THREAT_LABEL = 'threat';

export function planJiraSync(input: JiraPlanInput): JiraPlan {
  const jira = input.config.jira;
  if (!jira) return { operations: [], notes: [] };
  const graph = buildGraph(input.model);
  const operations: JiraOperation[] = [];
  const notes = [...input.jiraState.notes];
  // The GitHub side's rule: an expired acceptance no longer closes the ticket (src/lifecycle/acceptance.ts).
  const expired = new Map(planAcceptanceReview(input.model, input.config, input.context.today).expired.map((e) => [e.threatId, e]));

  for (const threat of graph.threats.values()) {
    const existing = input.jiraState.issues.get(threat.id);
    const lapsed = expired.get(threat.id);
    const desired = desiredIssue(input, jira, graph, threat, lapsed !== undefined);
    const closing = input.config.issues.close_statuses.includes(threat.status) && !lapsed;
    const github = input.githubIssues.get(threat.id);
    // Links posted earlier in this run whose record (the property) was left for the last pass.
    const knownLinks = { ...(existing?.property?.links ?? {}), ...(existing?.unrecordedLinks ?? {}) };
    const property: ThreatloopProperty = {
      repo: input.context.modelRepo,
      threatId: threat.id,
      contentHash: desired.contentHash,
      links: { ...knownLinks },
      state: existing?.property?.state ?? 'open',
    };

    // What the issue stores before the write that records this threat's property.
    let stored: ThreatloopProperty | null = existing?.property ?? null;
    let create: Extract<JiraOperation, { op: 'create' }> | undefined;
    let update: Extract<JiraOperation, { op: 'update' }> | undefined;
    let transition: Extract<JiraOperation, { op: 'transition' }> | undefined;
    if (!existing) {
      // The create carries the property (which threat this is), before any link exists.
      stored = { ...property, links: {}, state: 'open' };
      create = { op: 'create', threatId: threat.id, fields: desired.fields, property: stored };
      property.links = {};
    } else {
      const changes = diffIssue(jira, existing, desired);
      if (changes) update = { op: 'update', threatId: threat.id, key: existing.key, ...changes };
    }

    const links: RemoteLink[] = [];
    const contentChanged = existing?.property?.contentHash !== desired.contentHash;
    if (desired.modelLink && (!property.links.model || contentChanged)) links.push(desired.modelLink);
    if (github && property.links.github !== github.url) links.push(githubLink(input.context, threat, github));
    const linkOps = links.map((link): JiraOperation => {
      property.links[link.kind] = link.url;
      return { op: 'remote-link', threatId: threat.id, key: existing?.key, link };
    });

    const isDone = existing?.statusCategory === 'done';
    if (closing && !isDone) {
      transition = {
        op: 'transition',
        threatId: threat.id,
        key: existing?.key,
        to: 'done',
        name: jira.transitions.done,
        reason: `threat is ${threat.status}`,
      };
      property.state = 'done';
    } else if (closing) {
      property.state = 'done';
    } else if (isDone && existing.property?.state === 'done') {
      transition = {
        op: 'transition',
        threatId: threat.id,
        key: existing.key,
        to: 'reopen',
        name: jira.transitions.reopen,
        reason: lapsed
          ? `the acceptance (${threat.status} by ${lapsed.acceptance.by} on ${lapsed.acceptance.on}) ended on ${lapsed.end.lastDay}`
          : `threat is ${threat.status} again`,
      };
      property.state = 'open';
    } else if (isDone) {
      notes.push(
        `Jira ${existing.key} is ${existing.status} but threat ${threat.id} is ${threat.status} in the model; ` +
          'threatloop leaves it (it reopens only issues it closed itself).',
      );
    }

    // Links first (on an existing issue), then the edit and the transition: the last of those carries the
    // property (Jira's edit and transition requests take `properties`), so it records only what was done
    // and costs no write of its own. A new issue needs its key before any link: the create records the
    // threat, the last write records the links.
    const changed = !sameProperty(stored, property);
    const carrier = transition ?? update;
    if (changed && carrier) carrier.property = property;
    operations.push(...(create ? [create] : []), ...linkOps, ...(update ? [update] : []), ...(transition ? [transition] : []));
    if (changed && !carrier && !input.recordLater) {
      operations.push({ op: 'set-property', threatId: threat.id, key: existing?.key, value: property });
    }
  }

  // Threats gone from the model: their Jira issues are done too (nothing else changes on them).
  for (const [threatId, issue] of input.jiraState.issues) {
    if (graph.threats.has(threatId)) continue;
    const property: ThreatloopProperty = {
      repo: input.context.modelRepo,
      threatId,
      contentHash: issue.property?.contentHash ?? '',
      links: { ...(issue.property?.links ?? {}), ...(issue.unrecordedLinks ?? {}) },
      state: 'done',
    };
    const changed = !sameProperty(issue.property, property);
    if (issue.statusCategory !== 'done') {
      operations.push({
        op: 'transition',
        threatId,
        key: issue.key,
        to: 'done',
        name: jira.transitions.done,
        reason: 'threat was removed from the model',
        ...(changed ? { property } : {}),
      });
    } else if (changed && !input.recordLater) {
      operations.push({ op: 'set-property', threatId, key: issue.key, value: property });
    }
  }
  return { operations, notes };
}

interface DesiredIssue {
  fields: JiraFieldValues;
  contentHash: string;
  modelLink?: RemoteLink;
}

function desiredIssue(input: JiraPlanInput, jira: JiraConfig, graph: ModelGraph, threat: Threat, acceptanceExpired: boolean): DesiredIssue {
  const { context, config } = input;
  const rating = rateThreat(threat);
  // The GitHub side's rule (SLA counted from the GitHub issue's creation), so both trackers show one date.
  const createdOn = input.githubIssues.get(threat.id)?.createdAt?.slice(0, 10) ?? context.today;
  const due = effectiveDue(threat, rating.rating, config, createdOn)?.date ?? null;
  const line = input.modelLines?.get(threat.id);
  const modelUrl = modelPermalink(context.webUrl, context.modelRepo, context.sha, context.modelPath, line).url;
  const modelLabel = `${context.modelPath}${line ? ` line ${line}` : ''} at ${context.sha.slice(0, 7)}`;
  const description = renderJiraDescription({ threat, rating, graph, due, model: { url: modelUrl, label: modelLabel } });
  // The content a person reads, without the commit and line it was rendered at:
  // a push that does not touch this threat must not rewrite its description.
  const contentHash = hashContent(renderJiraDescription({ threat, rating, graph, due }));

  const owners = (threat.owner ?? []).map((key) => graph.owners.get(key));
  const assignee = owners.find((owner) => owner?.jira)?.jira ?? null;
  const components = unique(threat.targets.map((target) => jira.components[target]).filter((c): c is string => !!c));
  const custom: Record<string, string | number | null> = {};
  if (jira.fields.cvss_score) custom[jira.fields.cvss_score] = rating.cvss?.score ?? null;
  if (jira.fields.cvss_vector) custom[jira.fields.cvss_vector] = rating.cvss?.vector ?? null;

  return {
    fields: {
      summary: jiraSummary(threat),
      description,
      labels: desiredLabels(jira, context.modelRepo, threat, rating, acceptanceExpired),
      priority: jira.priority[rating.rating],
      duedate: due,
      assigneeAccountId: assignee,
      components,
      custom,
    },
    contentHash,
    modelLink: {
      kind: 'model',
      globalId: `threatloop:model:${context.modelRepo}:${threat.id}`,
      url: modelUrl,
      title: `Threat ${threat.id} in ${context.modelRepo}/${context.modelPath}`,
      summary: threat.title,
      relationship: 'defined in threat model',
    },
  };
}

/** Jira's limit on `summary`, in UTF-16 code units (a longer one is refused with 400). */
export const JIRA_SUMMARY_MAX = 255;

/**
 * `[<id>] <title>` as Jira accepts it: one line (Jira refuses a summary with a line break)
 * and at most 255 characters, a long title cut with an ellipsis rather than the issue refused.
 */
export function jiraSummary(threat: Threat): string {
  const summary = `[${threat.id}] ${threat.title.trim().replace(/\s*[\r\n]+\s*/g, ' ')}`;
  if (summary.length <= JIRA_SUMMARY_MAX) return summary;
  let cut = summary.slice(0, JIRA_SUMMARY_MAX - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** On the Jira issue of a threat whose acceptance has expired (GitHub's `acceptance:expired`; Jira labels take no colon). */
export const JIRA_ACCEPTANCE_EXPIRED_LABEL = 'acceptance-expired';

/** Config labels, the threat label, severity, STRIDE, `acceptance-expired` while it is, and the repository's identity label. */
export function desiredLabels(jira: JiraConfig, repo: string, threat: Threat, rating: ThreatRating, acceptanceExpired = false): string[] {
  return unique([
    ...jira.labels,
    JIRA_THREAT_LABEL,
    `severity-${rating.rating}`,
    ...threat.stride.map((category) => `stride-${category}`),
    ...(acceptanceExpired ? [JIRA_ACCEPTANCE_EXPIRED_LABEL] : []),
    identityLabel(repo),
  ]);
}

/** Labels threatloop removes when they no longer apply (it never removes any other). */
const MANAGED_LABELS = new Set([
  ...RATINGS.map((r) => `severity-${r}`),
  ...STRIDE_CATEGORIES.map((c) => `stride-${c}`),
  JIRA_ACCEPTANCE_EXPIRED_LABEL,
]);

function diffIssue(
  jira: JiraConfig,
  existing: JiraIssue,
  desired: DesiredIssue,
): Omit<Extract<JiraOperation, { op: 'update' }>, 'op' | 'threatId' | 'key'> | null {
  const want = desired.fields;
  const fields: Extract<JiraOperation, { op: 'update' }>['fields'] = {};
  const changed: string[] = [];
  if (existing.summary !== want.summary) {
    fields.summary = want.summary;
    changed.push(`summary: ${existing.summary} -> ${want.summary}`);
  }
  if (existing.property?.contentHash !== desired.contentHash) {
    fields.description = want.description;
    changed.push('description');
  }
  if (want.priority !== null && existing.priority?.toLowerCase() !== want.priority.toLowerCase()) {
    fields.priority = want.priority;
    changed.push(`priority: ${existing.priority ?? 'none'} -> ${want.priority}`);
  }
  if (want.duedate !== null && existing.duedate !== want.duedate) {
    fields.duedate = want.duedate;
    changed.push(`due: ${existing.duedate ?? 'none'} -> ${want.duedate}`);
  }
  if (want.assigneeAccountId !== null && existing.assigneeAccountId !== want.assigneeAccountId) {
    fields.assigneeAccountId = want.assigneeAccountId;
    changed.push('assignee');
  }
  const custom: Record<string, string | number | null> = {};
  for (const [id, value] of Object.entries(want.custom)) {
    const now = existing.custom[id] ?? null;
    const same = typeof value === 'number' ? Number(now) === value && now !== null : now === value;
    if (!same) {
      custom[id] = value;
      changed.push(`${id}: ${now ?? 'none'} -> ${value ?? 'none'}`);
    }
  }
  if (Object.keys(custom).length) fields.custom = custom;

  const labels = diffSet(existing.labels, want.labels, (l) => MANAGED_LABELS.has(l));
  if (labels) changed.push(`labels: ${describeChange(labels)}`);
  const managedComponents = new Set(Object.values(jira.components));
  const components = diffSet(existing.components, want.components, (c) => managedComponents.has(c));
  if (components) changed.push(`components: ${describeChange(components)}`);

  if (!changed.length) return null;
  return { fields, ...(labels ? { labels } : {}), ...(components ? { components } : {}), changed };
}

function diffSet(current: readonly string[], desired: readonly string[], managed: (v: string) => boolean): LabelChange | null {
  const add = desired.filter((v) => !current.includes(v));
  const remove = current.filter((v) => managed(v) && !desired.includes(v));
  return add.length || remove.length ? { add, remove } : null;
}

function describeChange(change: LabelChange): string {
  return [...change.add.map((v) => `+${v}`), ...change.remove.map((v) => `-${v}`)].join(' ');
}

function githubLink(context: SyncContext, threat: Threat, issue: GithubIssueRef): RemoteLink {
  const repo = /\/([^/]+\/[^/]+)\/issues\/\d+/.exec(issue.url)?.[1];
  return {
    kind: 'github',
    globalId: `threatloop:github:${context.modelRepo}:${threat.id}`,
    url: issue.url,
    title: `GitHub issue ${repo ?? ''}#${issue.number}`,
    summary: `[${threat.id}] ${threat.title}`,
    relationship: 'tracked in GitHub',
  };
}

function sameProperty(a: ThreatloopProperty | null, b: ThreatloopProperty): boolean {
  return (
    a !== null &&
    a.repo === b.repo &&
    a.threatId === b.threatId &&
    a.contentHash === b.contentHash &&
    a.state === b.state &&
    (a.links?.github ?? null) === (b.links.github ?? null) &&
    (a.links?.model ?? null) === (b.links.model ?? null)
  );
}

function hashContent(doc: AdfDocument): string {
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 16);
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** The plan as lines a person reads (`threatloop plan --jira`). */
export function formatJiraPlan(plan: JiraPlan, site?: string): string[] {
  const issue = (op: { key?: string; threatId: string }) => op.key ?? `(new issue for threat ${op.threatId})`;
  const lines = plan.operations.map((op) => {
    switch (op.op) {
      case 'create': {
        const f = op.fields;
        const facts = [
          `labels ${f.labels.join(', ')}`,
          f.priority ? `priority ${f.priority}` : null,
          f.duedate ? `due ${f.duedate}` : null,
          f.assigneeAccountId ? `assignee ${f.assigneeAccountId}` : null,
          f.components.length ? `components ${f.components.join(', ')}` : null,
        ].filter(Boolean);
        return `create issue     ${f.summary}  (${facts.join('; ')})`;
      }
      case 'update':
        return `update issue     ${op.key} [${op.threatId}]: ${op.changed.join('; ')}${op.property ? '; property threatloop' : ''}`;
      case 'transition':
        return `transition       ${issue(op)} with "${op.name}" (${op.reason})${op.property ? ', property threatloop' : ''}`;
      case 'remote-link':
        return `link             ${issue(op)} -> ${op.link.title} ${op.link.url}`;
      case 'set-property':
        return `record link      ${issue(op)} property threatloop = { repo: ${op.value.repo}, threatId: ${op.value.threatId} }`;
    }
  });
  const header = `Jira${site ? ` (${site})` : ''}: ${plan.operations.length} operation${plan.operations.length === 1 ? '' : 's'}`;
  return [header, ...lines.map((l) => `  ${l}`), ...plan.notes.map((n) => `  note: ${n}`)];
}
