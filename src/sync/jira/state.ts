/**
 * What the Jira side looks like now (the Jira planner's input) and what should
 * change (its output). `fetchJiraState` fills `JiraState`; `planJiraSync`
 * turns model + config + state into `JiraOperation`s; `applyJiraOperations`
 * performs them in order.
 *
 * How a threat finds its Jira issue, in order:
 *  1. the key kept in the GitHub issue's marker (read by key: strongly consistent),
 *  2. a JQL search on the repository's identity label `threatloop-<hash>`
 *     (the search index may lag a few seconds behind a create),
 *  3. before creating one, the project's newest keys read one by one
 *     (recover.ts: a create whose answer was lost, not indexed yet),
 * and the issue itself carries the `threatloop` entity property
 * `{ repo, threatId, ... }` that says which threat it is. (Jira indexes entity
 * properties for JQL only when a Connect/Forge app declares them, so the label
 * is what a REST integration can search on.)
 */
import { createHash } from 'node:crypto';
import type { AdfDocument } from './description.ts';

export const JIRA_PROPERTY_KEY = 'threatloop';

/** Stored on every Jira issue threatloop manages (entity property `threatloop`). */
export interface ThreatloopProperty {
  /** Repository holding the model, owner/name. */
  repo: string;
  threatId: string;
  /** Hash of the managed content (description without the commit it was rendered at): rewrite only when it changes. */
  contentHash: string;
  /** Remote links threatloop has posted (url by kind), so a resync needs no extra reads to know them. */
  links: { github?: string; model?: string };
  /** `done` once threatloop transitioned the issue to done: only then does an open threat transition it back. */
  state: 'open' | 'done';
}

export type JiraStatusCategory = 'new' | 'indeterminate' | 'done';

/** One Jira issue as read before a sync: only the fields threatloop manages. */
export interface JiraIssue {
  key: string;
  id: string;
  summary: string;
  labels: string[];
  priority: string | null;
  duedate: string | null;
  assigneeAccountId: string | null;
  components: string[];
  status: string;
  statusCategory: JiraStatusCategory;
  /** Custom field id -> value, for the configured CVSS fields. */
  custom: Record<string, unknown>;
  created: string;
  /** The resolution's name once done (e.g. Done, Won't Do), else null. */
  resolution?: string | null;
  /** When the status category last changed (Jira's `statuscategorychangedate`): when it was moved to done. */
  statusChangedAt?: string | null;
  /** The `threatloop` property as Jira stores it. */
  property: ThreatloopProperty | null;
  /**
   * Remote links posted in this run that the stored property does not record yet (the applier's copy of
   * the state only; Jira never holds it). The sync's last pass records them.
   */
  unrecordedLinks?: { github?: string; model?: string };
}

export interface JiraState {
  /** Base URL of the Jira site, e.g. https://acme.atlassian.net (for browse links). */
  site: string;
  /** Threat id -> its Jira issue. */
  issues: ReadonlyMap<string, JiraIssue>;
  /** Things a person should know (duplicates, dead marker keys). */
  notes: string[];
}

/** The fields threatloop writes, as Jira's REST API takes them. */
export interface JiraFieldValues {
  summary: string;
  description: AdfDocument;
  labels: string[];
  priority: string | null;
  duedate: string | null;
  assigneeAccountId: string | null;
  components: string[];
  custom: Record<string, string | number | null>;
}

export interface RemoteLink {
  kind: 'github' | 'model';
  /** Stable per threat and kind, so posting again updates the link instead of adding one. */
  globalId: string;
  url: string;
  title: string;
  summary: string;
  relationship: string;
}

export type LabelChange = { add: string[]; remove: string[] };

export type JiraOperation =
  | {
      op: 'create';
      threatId: string;
      fields: JiraFieldValues;
      property: ThreatloopProperty;
    }
  | {
      op: 'update';
      threatId: string;
      key: string;
      /** Only the fields that differ (`fields` of PUT /issue), plus label and component adds/removes. */
      fields: Partial<Omit<JiraFieldValues, 'labels' | 'components'>>;
      labels?: LabelChange;
      components?: LabelChange;
      /** Human-readable, e.g. "priority: High -> Highest". */
      changed: string[];
      /** The property, recorded by this edit (`properties` of PUT /issue) instead of a write of its own. */
      property?: ThreatloopProperty;
    }
  | {
      op: 'transition';
      threatId: string;
      key?: string;
      to: 'done' | 'reopen';
      name: string;
      reason: string;
      /** The property, recorded by the transition itself (`properties` of POST /issue/{key}/transitions). */
      property?: ThreatloopProperty;
    }
  | { op: 'remote-link'; threatId: string; key?: string; link: RemoteLink }
  | { op: 'set-property'; threatId: string; key?: string; value: ThreatloopProperty };

export type JiraPlan = { operations: JiraOperation[]; notes: string[] };

/**
 * The label that marks every Jira issue of one model repository, and is searched for.
 * Jira labels cannot hold spaces; a short hash keeps it valid for any owner/name.
 */
export function identityLabel(repo: string): string {
  return `threatloop-${createHash('sha256').update(repo.toLowerCase()).digest('hex').slice(0, 12)}`;
}

export function browseUrl(site: string, key: string): string {
  return `${site.replace(/\/+$/, '')}/browse/${key}`;
}
