/**
 * What the GitHub side looks like now (the planner's input) and what should
 * change (the planner's output). The fetcher fills `RepoState` from the API;
 * `planGithubSync` turns model + config + state into `GithubOperation`s;
 * the applier performs them in order. Only this file defines these shapes.
 *
 * Every operation is one write request (a state change travels in the same
 * PATCH as the field edits); the one exception is a `create-issue` with
 * `closeAs` (create, then close: two). A `comment` always follows the
 * `update-issue` it explains: a write budget must not separate them.
 */
import type { TrackerLink } from '../extension.ts';

/**
 * What the app last wrote for the fields it audits, kept in the marker so the
 * next sync can say "status: planned → in-progress" and can take back only
 * the assignees it added itself.
 */
export interface SyncedFields {
  status?: string;
  /** critical | high | medium | low | none | unscored */
  rating?: string;
  /** CVSS base score, when the threat has a valid vector. */
  score?: number;
  /** Due date, YYYY-MM-DD (stated or from the SLA). */
  due?: string;
  /** Owner keys in the model. */
  owners?: string[];
  /** Logins the app assigned. */
  assigned?: string[];
  /**
   * Digest of the threat's own fields in the model: when it is unchanged, a body
   * that renders differently (a renamed component, a new threatloop version) is
   * refreshed quietly instead of being reported as a change to the threat.
   */
  digest?: string;
}

/** The hidden marker threatloop leaves in the body of every issue it manages (see `parseMarker`). */
export interface IssueMarker {
  /** A threat's issue, or the dashboard issue. */
  kind: 'threat' | 'dashboard';
  /** Present when `kind` is `threat`. */
  threatId?: string;
  /**
   * The repository holding the model that filed the issue (owner/name). Written when issues go to another
   * repository; absent means "the repository the issue is in" (every issue 0.1.0 wrote), see `isOwnedBy`.
   */
  modelRepo?: string;
  /**
   * Tracker system (`jira`) -> the threat's issue there, once it has one: the key, so a lagging search
   * never causes a duplicate, and the URL, so the body keeps its link when a sync runs without it.
   */
  links?: Record<string, TrackerLink>;
  synced?: SyncedFields;
  /** The last due-date reminder commented, `due-soon:YYYY-MM-DD` or `overdue:YYYY-MM-DD` (see lifecycle/reminders.ts). */
  reminded?: string;
  /**
   * The last day of the expired acceptance the issue was reopened (or labelled) for, YYYY-MM-DD: its audit
   * comment is posted once per expiry, and a renewal is told apart from a person removing the label.
   */
  expired?: string;
}

export type IssueStateReason = 'completed' | 'not_planned' | 'duplicate' | 'reopened';

export interface ExistingIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  stateReason?: IssueStateReason | null;
  labels: string[];
  assignees: string[];
  milestone?: { number: number; title: string } | null;
  /** ISO timestamp. */
  createdAt: string;
  /** ISO timestamp of the last closure (closed issues): what a proposal of it was based on. */
  closedAt?: string;
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
  /**
   * Issues carrying the marker and the managed `threat` (or dashboard) label, open and closed; before
   * filing new issues, also those the app filed with the marker that lost the label (`listIssuesFiledBy`, src/github/issues.ts).
   */
  issues: ExistingIssue[];
  labels: ExistingLabel[];
  /** Open and closed (titles are unique across both). */
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
  /** Milestone title; the applier resolves it to a number (milestones are created first). null: no milestone. */
  milestone: string | null;
};

/** Field edits plus an optional state change, sent as ONE `PATCH /repos/{o}/{r}/issues/{n}`. */
export type IssueChanges = Partial<IssueFields> & {
  state?: 'open' | 'closed';
  /** With `state: 'closed'`: completed | not_planned | duplicate; with `state: 'open'`: reopened. */
  stateReason?: IssueStateReason;
};

export type GithubOperation =
  | { op: 'create-label'; name: string; color: string; description: string }
  | {
      op: 'create-milestone';
      title: string;
      /** ISO timestamp at noon UTC of the due date, so the date shows the same in every time zone. */
      dueOn: string;
    }
  | {
      op: 'create-issue';
      threatId: string;
      fields: IssueFields;
      /** The threat is already closed in the model (e.g. mitigated): close the new issue right after creating it. */
      closeAs?: 'completed' | 'not_planned';
    }
  | {
      op: 'update-issue';
      number: number;
      /** Absent for a dashboard issue (closing a duplicate dashboard). */
      threatId?: string;
      /** Only what differs (fields and/or state). */
      changes: IssueChanges;
      /** Human-readable lines, e.g. "status: planned → in-progress", "closed as not planned". */
      changed: string[];
    }
  | {
      op: 'comment';
      number: number;
      /** Absent for a dashboard issue. */
      threatId?: string;
      body: string;
    }
  /**
   * The dashboard's body may hold issue references for threats whose issue is created
   * in the same plan: the applier passes it through `resolveIssueRefs(body, numbers)`
   * (src/sync/github/dashboard.ts) with the numbers of the issues it created. Always last.
   */
  | { op: 'create-dashboard'; fields: IssueFields }
  | { op: 'update-dashboard'; number: number; changes: IssueChanges };

export type GithubPlan = {
  operations: GithubOperation[];
  /** Things a person should know that are not operations (e.g. an owner who cannot be assigned). */
  notes: string[];
  /**
   * Open threats past a due date the model does not state: the SLA for their rating, counted from their
   * issue's creation (lint's `overdue` sees only the model's `due`). Longest overdue first; absent when none.
   */
  slaOverdue?: { threatId: string; due: string; slaDays: number; from: string }[];
};
