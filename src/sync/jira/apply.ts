/**
 * Performs a Jira plan, in order, and keeps an in-memory copy of the Jira
 * state in step with what it wrote (so planning again on it yields only what
 * is still missing). A failed operation stops the rest of that threat's
 * operations; a failure that says Jira itself is unusable (down, rate limit
 * not lifting, credentials) stops the whole Jira side. Either way the failure
 * is one clean line and the next sync resumes from what Jira then holds.
 */
import type { JiraConfig } from '../../config/schema.ts';
import { classifyJiraError, createMayHaveHappened, describeJiraError, withJiraRetry, type JiraConnection, type RetryPolicy } from './client.ts';
import { keyNumber, probeKeys, projectFloor, PROBE_MAX_READS, type ProbeTarget } from './recover.ts';
import {
  JIRA_PROPERTY_KEY,
  type JiraFieldValues,
  type JiraIssue,
  type JiraOperation,
  type JiraState,
  type RemoteLink,
  type ThreatloopProperty,
} from './state.ts';

export interface JiraApplyInput {
  connection: JiraConnection;
  jira: JiraConfig;
  state: JiraState;
  operations: readonly JiraOperation[];
  retry: RetryPolicy;
  /** ISO timestamp for issues created now (injected: the applier's state copy stays deterministic in tests). */
  now?: string;
}

export interface JiraApplyResult {
  /** The Jira state after the writes that succeeded. */
  state: JiraState;
  /** Threat id -> key of the issue created for it in this run. */
  created: Map<string, string>;
  /** One line per failure (no credentials). */
  failures: string[];
  /** Operations performed, by kind. */
  done: Record<JiraOperation['op'], number>;
  /** Operations not attempted because Jira stopped answering or an earlier step for the threat failed. */
  skipped: number;
  /** Write requests sent (a transition also reads its transitions). */
  writes: number;
  /** Jira stopped answering usefully: nothing more should be tried this sync. */
  stopped: boolean;
  /** Threats with a failed operation (their later operations were skipped). */
  failedThreats: ReadonlySet<string>;
  /** Issues found by key instead of created (src/sync/jira/recover.ts), for the report. */
  notes: string[];
  /** Reads by key sent to find lost creates. */
  probeReads: number;
}

export async function applyJiraOperations(input: JiraApplyInput): Promise<JiraApplyResult> {
  const { connection, jira, retry } = input;
  const issues = new Map(input.state.issues);
  const created = new Map<string, string>();
  const failures: string[] = [];
  const failedThreats = new Set<string>();
  const done: JiraApplyResult['done'] = { create: 0, update: 0, transition: 0, 'remote-link': 0, 'set-property': 0 };
  let skipped = 0;
  let writes = 0;
  let stopped = false;
  const notes: string[] = [];
  let probeReads = 0;
  // Before the first create: issues made by a create whose answer was lost (this process or one that
  // crashed) are found by key and adopted. `highest` is where the next probe starts.
  let guard: { highest: number; incomplete?: string } | undefined;
  const creates = input.operations.filter((op): op is Extract<JiraOperation, { op: 'create' }> => op.op === 'create');
  const probeTarget = (wanted: Iterable<string>): ProbeTarget => ({ jira, repo: creates[0]!.property.repo, wanted: new Set(wanted) });
  const adopt = (threatId: string, issue: JiraIssue) => {
    issues.set(threatId, issue);
    created.set(threatId, issue.key);
  };

  for (const op of input.operations) {
    if (stopped || failedThreats.has(op.threatId)) {
      skipped++;
      continue;
    }
    const key = op.op === 'create' ? undefined : (op.key ?? created.get(op.threatId) ?? issues.get(op.threatId)?.key);
    try {
      switch (op.op) {
        case 'create': {
          if (!guard) {
            // A failed probe is this create's failure; the other creates wait for the next sync.
            guard = { highest: 0, incomplete: 'not created: the search for an earlier create whose answer was lost failed; left for the next sync' };
            const probe = await probeKeys(connection, probeTarget(creates.map((c) => c.threatId)), await projectFloor(connection, jira, retry), retry);
            probeReads += probe.reads;
            notes.push(...probe.notes);
            for (const [threatId, issue] of probe.adopted) adopt(threatId, issue);
            guard = { highest: probe.highest, ...(probe.complete ? {} : { incomplete: PROBE_CAP_REACHED }) };
          }
          if (created.has(op.threatId)) continue; // adopted: its later operations go to the found issue
          if (guard.incomplete) throw new ProbeIncompleteError(guard.incomplete);
          writes++;
          let result: { id: string; key: string };
          try {
            result = await withJiraRetry(
              () =>
                connection.api.issues.createIssue({
                  fields: createFields(jira, op.fields),
                  properties: [{ key: JIRA_PROPERTY_KEY, value: op.property }],
                }),
              retry,
              { idempotent: false },
            );
          } catch (error) {
            if (!createMayHaveHappened(error)) throw error;
            // The answer was lost: look right away; what is not found yet, the next sync's probe finds.
            const found = await probeKeys(connection, probeTarget([op.threatId]), { floor: guard.highest, holes: [] }, retry).catch(() => undefined);
            if (found) probeReads += found.reads;
            const issue = found?.adopted.get(op.threatId);
            if (!issue) throw new LostCreateError(error);
            guard.highest = Math.max(guard.highest, found!.highest);
            notes.push(...found!.notes);
            adopt(op.threatId, issue);
            continue;
          }
          guard.highest = Math.max(guard.highest, keyNumber(result.key, jira.project) ?? 0);
          created.set(op.threatId, result.key);
          issues.set(op.threatId, createdIssue(result, op, input.now ?? new Date().toISOString()));
          break;
        }
        case 'update': {
          writes++;
          const update: Record<string, unknown[]> = {};
          if (op.labels) update.labels = [...op.labels.add.map((add) => ({ add })), ...op.labels.remove.map((remove) => ({ remove }))];
          if (op.components) {
            update.components = [
              ...op.components.add.map((name) => ({ add: { name } })),
              ...op.components.remove.map((name) => ({ remove: { name } })),
            ];
          }
          const fields = editFields(op.fields);
          await withJiraRetry(
            () =>
              connection.api.issues.editIssue({
                issueIdOrKey: op.key,
                ...(Object.keys(fields).length ? { fields } : {}),
                ...(Object.keys(update).length ? { update } : {}),
                ...(op.property ? { properties: [{ key: JIRA_PROPERTY_KEY, value: op.property }] } : {}),
              }),
            retry,
          );
          const before = issues.get(op.threatId);
          if (before) issues.set(op.threatId, recorded(applyUpdate(before, op), op.property));
          break;
        }
        case 'transition': {
          const issueKey = requireKey(key, op);
          const available = await withJiraRetry(() => connection.api.issues.getTransitions({ issueIdOrKey: issueKey }), retry);
          const wanted = op.name.toLowerCase();
          const transition =
            available.transitions?.find((t) => t.name?.toLowerCase() === wanted) ??
            available.transitions?.find((t) => t.to?.name?.toLowerCase() === wanted);
          if (!transition?.id) {
            const names = (available.transitions ?? []).map((t) => t.name).filter(Boolean);
            throw new UnknownTransitionError(
              `Jira has no transition "${op.name}" (transitions.${op.to} in the config) for ${issueKey}; available: ${names.length ? names.join(', ') : 'none'}`,
            );
          }
          writes++;
          await withJiraRetry(
            () =>
              connection.api.issues.doTransition({
                issueIdOrKey: issueKey,
                transition: { id: transition.id },
                ...(op.property ? { properties: [{ key: JIRA_PROPERTY_KEY, value: op.property }] } : {}),
              }),
            retry,
          );
          const before = issues.get(op.threatId);
          if (before) {
            const category = transition.to?.statusCategory?.key;
            const after: JiraIssue = {
              ...before,
              status: transition.to?.name ?? op.name,
              statusCategory: category === 'done' || category === 'indeterminate' || category === 'new' ? category : op.to === 'done' ? 'done' : 'new',
            };
            issues.set(op.threatId, recorded(after, op.property));
          }
          break;
        }
        case 'remote-link': {
          const issueKey = requireKey(key, op);
          writes++;
          await withJiraRetry(() => connection.api.issueRemoteLinks.createOrUpdateRemoteIssueLink({ issueIdOrKey: issueKey, ...remoteLinkBody(op.link) }), retry);
          const before = issues.get(op.threatId);
          if (before) issues.set(op.threatId, { ...before, unrecordedLinks: { ...before.unrecordedLinks, [op.link.kind]: op.link.url } });
          break;
        }
        case 'set-property': {
          const issueKey = requireKey(key, op);
          writes++;
          await withJiraRetry(
            () => connection.api.issueProperties.setIssueProperty({ issueIdOrKey: issueKey, propertyKey: JIRA_PROPERTY_KEY, body: op.value }),
            retry,
          );
          const before = issues.get(op.threatId);
          if (before) issues.set(op.threatId, recorded(before, op.value));
          break;
        }
      }
      done[op.op]++;
    } catch (error) {
      failedThreats.add(op.threatId);
      if (error instanceof ProbeIncompleteError || error instanceof LostCreateError) {
        const cause = error instanceof LostCreateError ? describeJiraError(describeOperation(op, key), error.cause, connection.secrets) : describeOperation(op, key);
        failures.push(`${cause}: ${error.message}`);
        if (error instanceof LostCreateError && classifyJiraError(error.cause).fatal) stopped = true;
        continue;
      }
      failures.push(describeJiraError(describeOperation(op, key), error, connection.secrets));
      if (!(error instanceof UnknownTransitionError) && classifyJiraError(error).fatal) stopped = true;
    }
  }
  if (skipped) failures.push(`${skipped} Jira operation${skipped === 1 ? '' : 's'} left for the next sync`);
  return { state: { ...input.state, issues }, created, failures: collapse(failures), done, skipped, writes, stopped, failedThreats, notes, probeReads };
}

class UnknownTransitionError extends Error {
  override name = 'UnknownTransitionError';
}

const PROBE_CAP_REACHED = `not created: more than ${PROBE_MAX_READS} Jira issues are newer than the search index shows, so an earlier create whose answer was lost cannot be ruled out; left for the next sync`;

/** The probe before the creates failed, or read PROBE_MAX_READS keys without reaching the end of the project. */
class ProbeIncompleteError extends Error {
  override name = 'ProbeIncompleteError';
}

/** A create that may have happened, not found by key yet. */
class LostCreateError extends Error {
  override name = 'LostCreateError';
  constructor(cause: unknown) {
    super('the issue may still appear in Jira; the next sync looks for it by key before creating again', { cause });
  }
}

function requireKey(key: string | undefined, op: JiraOperation): string {
  // Unreachable through a plan (an operation on a new issue follows its create, which stops the threat on failure).
  if (!key) throw new Error(`no Jira issue for threat ${op.threatId}`);
  return key;
}

function describeOperation(op: JiraOperation, key: string | undefined): string {
  const target = key ?? `threat ${op.threatId}`;
  switch (op.op) {
    case 'create':
      return `creating the Jira issue for threat ${op.threatId}`;
    case 'update':
      return `updating ${target} (threat ${op.threatId})`;
    case 'transition':
      return `transitioning ${target} with "${op.name}"`;
    case 'remote-link':
      return `linking ${target} to the ${op.link.kind === 'github' ? 'GitHub issue' : 'threat model'}`;
    case 'set-property':
      return `recording the threat link on ${target}`;
  }
}

/** The same failure on many issues (a missing project, say) is one line with a count. */
function collapse(failures: string[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  for (const line of failures) {
    const reason = line.slice(line.indexOf(': ') + 2);
    const index = seen.get(reason);
    if (index === undefined) {
      seen.set(reason, out.length);
      out.push(line);
    } else {
      const more = /\(and (\d+) more\)$/.exec(out[index]!);
      out[index] = more ? out[index]!.replace(/\(and \d+ more\)$/, `(and ${Number(more[1]) + 1} more)`) : `${out[index]} (and 1 more)`;
    }
  }
  return out;
}

function createFields(jira: JiraConfig, f: JiraFieldValues): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    project: { key: jira.project },
    issuetype: { name: jira.issue_type },
    summary: f.summary,
    description: f.description,
    labels: f.labels,
  };
  if (f.priority) fields.priority = { name: f.priority };
  if (f.duedate) fields.duedate = f.duedate;
  if (f.assigneeAccountId) fields.assignee = { accountId: f.assigneeAccountId };
  if (f.components.length) fields.components = f.components.map((name) => ({ name }));
  for (const [id, value] of Object.entries(f.custom)) if (value !== null) fields[id] = value;
  return fields;
}

function editFields(f: Extract<JiraOperation, { op: 'update' }>['fields']): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (f.summary !== undefined) fields.summary = f.summary;
  if (f.description !== undefined) fields.description = f.description;
  if (f.priority) fields.priority = { name: f.priority };
  if (f.duedate) fields.duedate = f.duedate;
  if (f.assigneeAccountId) fields.assignee = { accountId: f.assigneeAccountId };
  for (const [id, value] of Object.entries(f.custom ?? {})) fields[id] = value;
  return fields;
}

function remoteLinkBody(link: RemoteLink) {
  const github = { url16x16: 'https://github.com/favicon.ico', title: 'GitHub' };
  return {
    globalId: link.globalId,
    application: link.kind === 'github' ? { type: 'com.github', name: 'GitHub' } : { type: 'threatloop', name: 'threatloop' },
    relationship: link.relationship,
    object: { url: link.url, title: link.title, summary: link.summary, icon: github },
  };
}

function createdIssue(result: { id: string; key: string }, op: Extract<JiraOperation, { op: 'create' }>, now: string): JiraIssue {
  const f = op.fields;
  return {
    key: result.key,
    id: result.id,
    summary: f.summary,
    labels: [...f.labels],
    priority: f.priority,
    duedate: f.duedate,
    assigneeAccountId: f.assigneeAccountId,
    components: [...f.components],
    status: '',
    statusCategory: 'new',
    custom: { ...f.custom },
    created: now,
    property: op.property,
  };
}

/** The issue once a write stored `property` (it records every link the plan knew of, so none is unrecorded). */
function recorded(issue: JiraIssue, property: ThreatloopProperty | undefined): JiraIssue {
  if (!property) return issue;
  const { unrecordedLinks: _recorded, ...rest } = issue;
  return { ...rest, property };
}

function applyUpdate(issue: JiraIssue, op: Extract<JiraOperation, { op: 'update' }>): JiraIssue {
  const f = op.fields;
  const apply = (values: string[], change?: { add: string[]; remove: string[] }) =>
    change ? [...values.filter((v) => !change.remove.includes(v)), ...change.add] : values;
  return {
    ...issue,
    summary: f.summary ?? issue.summary,
    priority: f.priority ?? issue.priority,
    duedate: f.duedate ?? issue.duedate,
    assigneeAccountId: f.assigneeAccountId ?? issue.assigneeAccountId,
    custom: { ...issue.custom, ...(f.custom ?? {}) },
    labels: apply(issue.labels, op.labels),
    components: apply(issue.components, op.components),
    // The description is known by its hash, which the property records (on this edit, a later transition or set-property).
  };
}

