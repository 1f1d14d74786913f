/**
 * What the GitHub side looks like now (the planner's input) and what should
 * change (the planner's output). The fetcher fills `RepoState` from the API;
 * `planGithubSync` turns model + config + state into `GithubOperation`s;
 * the applier performs them in order. Only this file defines these shapes.
 */

/** The hidden marker threatloop leaves in the body of every issue it manages. */
export interface IssueMarker {
  /** Threat id, or `dashboard` for the dashboard issue. */
  kind: 'threat' | 'dashboard';
  threatId?: string;
  /** Jira issue key, once the threat has one (so a lagging Jira search never causes a duplicate). */
  jiraKey?: string;
}

export interface ExistingIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  stateReason?: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null;
  labels: string[];
  assignees: string[];
  milestone?: { number: number; title: string } | null;
  createdAt: string;
  htmlUrl?: string;
  marker: IssueMarker;
}

export interface ExistingLabel {
  name: string;
  color: string;
  description: string | null;
}

export interface ExistingMilestone {
  number: number;
  title: string;
  /** ISO timestamp as GitHub returns it, e.g. 2026-03-01T07:00:00Z, or null. */
  dueOn: string | null;
  state: 'open' | 'closed';
}

/** The repository issues go to, as read before a sync. */
export interface RepoState {
  owner: string;
  repo: string;
  /** Issues carrying the marker and the managed `threat` (or dashboard) label, open and closed. */
  issues: ExistingIssue[];
  labels: ExistingLabel[];
  milestones: ExistingMilestone[];
  /** Logins that can be assigned in the repo (GET /repos/{o}/{r}/assignees), when known. */
  assignable?: ReadonlySet<string>;
  private: boolean;
}

/** What a sync is about: the commit the model was read at, and who changed it. */
export interface SyncContext {
  /** Repository holding the model, owner/name. */
  modelRepo: string;
  sha: string;
  ref: string;
  modelPath: string;
  /** Login or name of whoever pushed the change, for the audit comment. */
  actor?: string;
  /** Base URL of the web UI, e.g. https://github.com (or the GHES host). */
  webUrl: string;
  /** YYYY-MM-DD, injected so planning stays pure. */
  today: string;
}

export type IssueFields = {
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  /** Milestone title; the applier resolves it to a number (creating milestones first). */
  milestone: string | null;
};

export type GithubOperation =
  | { op: 'create-label'; name: string; color: string; description: string }
  | { op: 'update-label'; name: string; color: string; description: string }
  | { op: 'create-milestone'; title: string; dueOn: string }
  | { op: 'create-issue'; threatId: string; fields: IssueFields }
  | {
      op: 'update-issue';
      number: number;
      threatId: string;
      /** Only the fields that differ. */
      changes: Partial<IssueFields>;
      /** Human-readable lines for the audit comment, e.g. "severity: high -> critical". */
      changed: string[];
    }
  | { op: 'comment'; number: number; threatId: string; body: string }
  | { op: 'close-issue'; number: number; threatId: string; reason: 'completed' | 'not_planned' | 'duplicate' }
  | { op: 'reopen-issue'; number: number; threatId: string };

export type GithubPlan = {
  operations: GithubOperation[];
  /** Things a person should know that are not operations (e.g. an owner who cannot be assigned). */
  notes: string[];
};
