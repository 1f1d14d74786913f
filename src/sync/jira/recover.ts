/**
 * Finding a Jira issue whose create answer was lost, without the search index.
 *
 * A create that timed out, or that Jira answered 5xx or dropped after
 * committing, may have made the issue. The identity-label search cannot be
 * trusted to show it: Jira's search index lags behind creates. Reads by key do
 * not: Jira issue keys are numbered in sequence per project, so the issues
 * made since the project's last indexed key are `PROJECT-(n+1)`, `(n+2)`, ...
 * and `GET /issue/{key}` answers each from the database.
 *
 * So before creating anything (in every sync that plans a create, also after a
 * crash: the Jira issue itself, made with our entity property and identity
 * label, is the only record of a pending create), and again right after a
 * create whose answer was lost, the applier probes:
 *   1. one JQL search for the project's most recent keys (`ORDER BY key DESC`):
 *      the highest one is a floor, and a number missing below it is a hole
 *      (deleted, moved away, or not indexed yet), read too;
 *   2. the keys after the floor, one by one, until PROBE_GAP_LIMIT
 *      consecutive keys do not exist (deleted issues leave gaps) or
 *      PROBE_MAX_READS reads in all.
 * An issue is adopted only when it is in the configured project and names
 * this model repository and a threat about to be created (by the entity
 * property; an issue made without the property in its create body, by the
 * identity label and the `[id]` title, as the search path knows it). A probe
 * that hits its cap cannot rule a lost create out: the creates wait for the
 * next sync rather than risk a second issue.
 */
import { isNotFoundError } from 'jira.js';
import type { JiraConfig } from '../../config/schema.ts';
import { withJiraRetry, type JiraConnection, type RetryPolicy } from './client.ts';
import { jiraFieldsToRead, toJiraIssue } from './fetch.ts';
import { identityLabel, JIRA_PROPERTY_KEY, type JiraIssue } from './state.ts';

/** Consecutive keys that do not exist after which the probe stops (the end of the project). */
export const PROBE_GAP_LIMIT = 3;
/** Reads by key in one probe, at most. */
export const PROBE_MAX_READS = 50;
/** Most recent keys the floor search asks for: holes among them are read too. */
export const PROBE_WINDOW = 20;

export interface ProbeTarget {
  jira: JiraConfig;
  /** Repository holding the model, owner/name. */
  repo: string;
  /** Threats about to be created: only an issue for one of them is adopted. */
  wanted: ReadonlySet<string>;
}

export interface ProbeResult {
  /** Threat id -> the issue found for it (the lowest key when there are several). */
  adopted: Map<string, JiraIssue>;
  /** Highest key number known to exist in the project after the probe (the next probe starts above it). */
  highest: number;
  /** False when the probe stopped at PROBE_MAX_READS before it saw the end of the project. */
  complete: boolean;
  /** GET requests sent. */
  reads: number;
  /** For the check run and the dashboard. */
  notes: string[];
}

/** The number of `SEC-41` in project SEC, or undefined for another project or a malformed key. */
export function keyNumber(key: string, project: string): number | undefined {
  const match = /^([A-Z][A-Z0-9_]*)-(\d+)$/.exec(key);
  if (!match || match[1] !== project) return undefined;
  return Number(match[2]);
}

/**
 * The floor (highest listed number) and the holes among the PROBE_WINDOW numbers below it: only
 * those, so a range of deleted issues never spends the reads the keys after the floor need.
 */
export function floorAndHoles(listedKeys: readonly string[], project: string): { floor: number; holes: number[] } {
  const numbers = new Set(listedKeys.map((key) => keyNumber(key, project)).filter((n): n is number => n !== undefined));
  if (numbers.size === 0) return { floor: 0, holes: [] };
  const floor = Math.max(...numbers);
  const holes: number[] = [];
  for (let n = Math.max(1, floor - PROBE_WINDOW + 1); n < floor; n++) if (!numbers.has(n)) holes.push(n);
  return { floor, holes };
}

/**
 * Which wanted threat an issue read by key belongs to, or undefined: never an issue outside the
 * configured project (a key that moved answers under its new key), never one whose property names
 * another repository or a threat not being created.
 */
export function probedThreat(issue: JiraIssue, target: ProbeTarget): string | undefined {
  if (keyNumber(issue.key, target.jira.project) === undefined) return undefined;
  const property = issue.property;
  if (property) {
    const ours = property.repo.toLowerCase() === target.repo.toLowerCase() && target.wanted.has(property.threatId);
    return ours ? property.threatId : undefined;
  }
  if (!issue.labels.includes(identityLabel(target.repo))) return undefined;
  const threatId = /^\[([^\]]+)\]/.exec(issue.summary)?.[1];
  return threatId !== undefined && target.wanted.has(threatId) ? threatId : undefined;
}

/** The project's most recent keys from the search index (which may lag: a floor, never a ceiling). */
export async function projectFloor(connection: JiraConnection, jira: JiraConfig, retry: RetryPolicy): Promise<{ floor: number; holes: number[] }> {
  const page = await withJiraRetry(
    () =>
      connection.api.issueSearch.searchAndReconsileIssuesUsingJqlPost({
        jql: `project = "${jira.project}" ORDER BY key DESC`,
        fields: ['created'],
        maxResults: PROBE_WINDOW,
      }),
    retry,
  );
  return floorAndHoles((page.issues ?? []).map((issue) => issue.key ?? ''), jira.project);
}

/**
 * Reads `holes`, then the keys after `floor` one by one (see the file comment), and adopts what
 * belongs to a wanted threat. Throws what a read throws other than 404 (Jira unusable).
 */
export async function probeKeys(
  connection: JiraConnection,
  target: ProbeTarget,
  start: { floor: number; holes: readonly number[] },
  retry: RetryPolicy,
): Promise<ProbeResult> {
  const { jira } = target;
  const fields = jiraFieldsToRead(jira);
  const adopted = new Map<string, JiraIssue>();
  const notes: string[] = [];
  let highest = start.floor;
  let reads = 0;

  const read = async (n: number): Promise<boolean> => {
    reads++;
    try {
      const raw = await withJiraRetry(
        () => connection.api.issues.getIssue({ issueIdOrKey: `${jira.project}-${n}`, fields, properties: [JIRA_PROPERTY_KEY] }),
        retry,
      );
      const issue = toJiraIssue(raw, jira);
      const threatId = probedThreat(issue, target);
      if (threatId !== undefined) {
        const earlier = adopted.get(threatId);
        if (!earlier) adopted.set(threatId, issue);
        else notes.push(`Threat ${threatId} has more than one Jira issue: keeping ${earlier.key}, not syncing ${issue.key} (close it as a duplicate).`);
      }
      return true;
    } catch (error) {
      if (isNotFoundError(error)) return false;
      throw error;
    }
  };

  for (const n of start.holes) {
    if (reads >= PROBE_MAX_READS) break;
    await read(n);
  }
  let gap = 0;
  let n = start.floor;
  while (gap < PROBE_GAP_LIMIT && reads < PROBE_MAX_READS) {
    n++;
    if (await read(n)) {
      gap = 0;
      highest = n;
    } else {
      gap++;
    }
  }
  const complete = gap >= PROBE_GAP_LIMIT;
  for (const [threatId, issue] of adopted) {
    notes.push(`Jira issue ${issue.key} of threat ${threatId} was found by key (an earlier create's answer was lost, or the search index lags): adopted, not created again.`);
  }
  return { adopted, highest, complete, reads, notes };
}
