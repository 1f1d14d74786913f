/**
 * Reads the Jira issues of one model repository: every issue with the
 * repository's identity label (one JQL search, paged), then, by key, any issue
 * a GitHub marker names that the search did not return (the search index
 * lags behind creates; a read by key does not).
 */
import { isNotFoundError } from 'jira.js';
import type { Issue } from 'jira.js/cloud';
import type { JiraConfig } from '../../config/schema.ts';
import { withJiraRetry, type JiraConnection, type RetryPolicy } from './client.ts';
import {
  identityLabel,
  JIRA_PROPERTY_KEY,
  type JiraIssue,
  type JiraState,
  type JiraStatusCategory,
  type ThreatloopProperty,
} from './state.ts';

export interface JiraFetchInput {
  connection: JiraConnection;
  jira: JiraConfig;
  /** Repository holding the model, owner/name. */
  repo: string;
  /** Threat id -> Jira key kept in its GitHub issue's marker. */
  markerKeys: ReadonlyMap<string, string>;
  retry: RetryPolicy;
}

const PAGE_SIZE = 100;

export function jiraFieldsToRead(jira: JiraConfig): string[] {
  const custom = [jira.fields.cvss_score, jira.fields.cvss_vector].filter((f): f is string => !!f);
  // resolution and statuscategorychangedate: how and since when an issue is done (a person's closure proposes the model change).
  return ['summary', 'labels', 'priority', 'duedate', 'assignee', 'components', 'status', 'created', 'resolution', 'statuscategorychangedate', ...custom];
}

export function identityJql(jira: JiraConfig, repo: string): string {
  return `project = "${jira.project}" AND labels = "${identityLabel(repo)}" ORDER BY created ASC`;
}

export async function fetchJiraState(input: JiraFetchInput): Promise<JiraState> {
  const { connection, jira, repo, retry } = input;
  const fields = jiraFieldsToRead(jira);
  const found: { issue: JiraIssue; markerThreat?: string }[] = [];

  let nextPageToken: string | undefined;
  do {
    const page = await withJiraRetry(
      () =>
        connection.api.issueSearch.searchAndReconsileIssuesUsingJqlPost({
          jql: identityJql(jira, repo),
          fields,
          properties: [JIRA_PROPERTY_KEY],
          maxResults: PAGE_SIZE,
          ...(nextPageToken ? { nextPageToken } : {}),
        }),
      retry,
    );
    for (const raw of page.issues ?? []) found.push({ issue: toJiraIssue(raw, jira) });
    // The token decides: Jira may leave `isLast` out. A token equal to the last one would loop forever.
    const next = page.isLast === true ? undefined : page.nextPageToken;
    nextPageToken = next && next !== nextPageToken ? next : undefined;
  } while (nextPageToken);

  const notes: string[] = [];
  const seenKeys = new Set(found.map((f) => f.issue.key));
  for (const [threatId, key] of input.markerKeys) {
    if (seenKeys.has(key)) {
      const listed = found.find((f) => f.issue.key === key)!;
      const refused = markerKeyRefusal(listed.issue, { jira, repo, threatId, key });
      if (refused) notes.push(refused);
      else listed.markerThreat = threatId;
      continue;
    }
    try {
      const raw = await withJiraRetry(
        () => connection.api.issues.getIssue({ issueIdOrKey: key, fields, properties: [JIRA_PROPERTY_KEY] }),
        retry,
      );
      const issue = toJiraIssue(raw, jira);
      // A marker is text anyone who can edit the GitHub issue can change: the key is believed only for an
      // issue in the configured project that carries our property for this very threat.
      const refused = markerKeyRefusal(issue, { jira, repo, threatId, key });
      if (refused) {
        notes.push(refused);
        continue;
      }
      // A moved issue answers under its new key (in the configured project); it is still this threat's issue.
      if (!seenKeys.has(issue.key)) {
        found.push({ issue, markerThreat: threatId });
        seenKeys.add(issue.key);
      }
    } catch (error) {
      if (!isNotFoundError(error)) throw error;
      notes.push(`Jira issue ${key} named in the GitHub issue of threat ${threatId} no longer exists; a new one will be created.`);
    }
  }

  return { site: connection.site, issues: assignToThreats(found, repo, notes), notes };
}

/** Why the Jira issue a marker names is not this threat's issue (ignored and reported), or undefined. */
function markerKeyRefusal(issue: JiraIssue, expected: { jira: JiraConfig; repo: string; threatId: string; key: string }): string | undefined {
  const project = issue.key.split('-')[0];
  const property = issue.property;
  const ours = property !== null && property.repo.toLowerCase() === expected.repo.toLowerCase() && property.threatId === expected.threatId;
  if (project === expected.jira.project && ours) return undefined;
  const why = project !== expected.jira.project ? `is not in project ${expected.jira.project}` : `does not carry threatloop's property for ${expected.repo} ${expected.threatId}`;
  return `The GitHub issue of threat ${expected.threatId} names Jira issue ${expected.key}, which ${why}: ignored (never written to).`;
}

/** Which threat each issue belongs to; one issue per threat (the marker's, else the oldest), the rest reported. */
function assignToThreats(found: readonly { issue: JiraIssue; markerThreat?: string }[], repo: string, notes: string[]): Map<string, JiraIssue> {
  const byThreat = new Map<string, { issue: JiraIssue; fromMarker: boolean }[]>();
  for (const { issue, markerThreat } of found) {
    const property = issue.property && issue.property.repo.toLowerCase() === repo.toLowerCase() ? issue.property : null;
    const threatId = property?.threatId ?? markerThreat ?? /^\[([^\]]+)\]/.exec(issue.summary)?.[1];
    if (!threatId) continue;
    const list = byThreat.get(threatId) ?? [];
    list.push({ issue, fromMarker: markerThreat === threatId });
    byThreat.set(threatId, list);
  }
  const issues = new Map<string, JiraIssue>();
  for (const [threatId, candidates] of byThreat) {
    const ordered = [...candidates].sort(
      (a, b) => Number(b.fromMarker) - Number(a.fromMarker) || a.issue.created.localeCompare(b.issue.created) || Number(a.issue.id) - Number(b.issue.id),
    );
    const [kept, ...others] = ordered;
    issues.set(threatId, kept!.issue);
    if (others.length) {
      notes.push(
        `Threat ${threatId} has more than one Jira issue: keeping ${kept!.issue.key}, not syncing ${others.map((o) => o.issue.key).join(', ')} (close them as duplicates).`,
      );
    }
  }
  return issues;
}

export function toJiraIssue(raw: Issue, jira: JiraConfig): JiraIssue {
  const f = (raw.fields ?? {}) as Record<string, unknown>;
  const named = (v: unknown, key: string) => (v && typeof v === 'object' ? ((v as Record<string, unknown>)[key] as string | undefined) : undefined);
  const status = f.status as { name?: string; statusCategory?: { key?: string } } | undefined;
  const category = status?.statusCategory?.key;
  const custom: Record<string, unknown> = {};
  for (const id of [jira.fields.cvss_score, jira.fields.cvss_vector]) if (id) custom[id] = f[id] ?? null;
  return {
    key: raw.key ?? '',
    id: raw.id ?? '',
    summary: typeof f.summary === 'string' ? f.summary : '',
    labels: Array.isArray(f.labels) ? f.labels.filter((l): l is string => typeof l === 'string') : [],
    priority: named(f.priority, 'name') ?? null,
    duedate: typeof f.duedate === 'string' ? f.duedate : null,
    assigneeAccountId: named(f.assignee, 'accountId') ?? null,
    components: Array.isArray(f.components) ? f.components.map((c) => named(c, 'name')).filter((n): n is string => !!n) : [],
    status: status?.name ?? '',
    statusCategory: (category === 'done' || category === 'indeterminate' ? category : 'new') as JiraStatusCategory,
    custom,
    created: typeof f.created === 'string' ? f.created : '',
    resolution: named(f.resolution, 'name') ?? null,
    statusChangedAt: typeof f.statuscategorychangedate === 'string' ? f.statuscategorychangedate : null,
    property: readProperty(raw.properties?.[JIRA_PROPERTY_KEY]),
  };
}

function readProperty(value: unknown): ThreatloopProperty | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<ThreatloopProperty>;
  if (typeof v.repo !== 'string' || typeof v.threatId !== 'string') return null;
  const links = v.links && typeof v.links === 'object' ? v.links : {};
  return {
    repo: v.repo,
    threatId: v.threatId,
    contentHash: typeof v.contentHash === 'string' ? v.contentHash : '',
    links: {
      ...(typeof links.github === 'string' ? { github: links.github } : {}),
      ...(typeof links.model === 'string' ? { model: links.model } : {}),
    },
    state: v.state === 'done' ? 'done' : 'open',
  };
}
