/**
 * The Jira side of one sync, in two steps around the GitHub side:
 *
 *   const jira = await beginJiraSync({ ... });    // fetch, create/update/transition Jira issues
 *   planGithubSync({ ..., jira: jira.links });     // bodies and markers carry the Jira keys
 *   ...apply the GitHub plan...
 *   const report = await jira.finish(githubIssues); // remote links to GitHub issues created meanwhile
 *
 * Jira failing never stops the GitHub side: `beginJiraSync` does not throw,
 * `links` still holds every key known from the GitHub markers (so no body
 * loses its Jira link), and `report.failures` names what went wrong in one
 * line each, for the check run summary and the dashboard.
 */
import type { Config } from '../../config/schema.ts';
import type { ThreatModel } from '../../model/schema.ts';
import type { SyncContext } from '../github/state.ts';
import { applyJiraOperations } from './apply.ts';
import { jiraCloserReader } from './changelog.ts';
import {
  connectJira,
  DEFAULT_RETRY,
  describeJiraError,
  jiraCredentialsFromEnv,
  type JiraClientOptions,
  type JiraConnection,
  type JiraEnv,
  type RetryPolicy,
} from './client.ts';
import { fetchJiraState } from './fetch.ts';
import { jiraProjectRefusal } from './projects.ts';
import { planJiraSync, type GithubIssueRef } from './plan.ts';
import { browseUrl, type JiraOperation, type JiraState } from './state.ts';

export interface JiraIssueLink {
  key: string;
  url: string;
}

export interface JiraSyncInput {
  model: ThreatModel;
  config: Config;
  context: SyncContext;
  /** Server or CLI environment holding JIRA_HOST, JIRA_EMAIL, JIRA_API_TOKEN. */
  env: JiraEnv;
  /** Threat id -> its GitHub issue, as read before the GitHub side runs. */
  githubIssues: ReadonlyMap<string, GithubIssueRef>;
  /** Threat id -> Jira key (and URL) kept in its GitHub issue's marker. */
  markers: ReadonlyMap<string, { key: string; url?: string }>;
  modelLines?: ReadonlyMap<string, number>;
  retry?: Partial<RetryPolicy>;
  client?: JiraClientOptions;
  /** Use this connection instead of building one from `env` (tests). */
  connection?: JiraConnection;
  /** `JIRA_PROJECTS` must be set and allow the project (the server: yes; the CLI: only when set). */
  requireProjectList?: boolean;
}

export interface JiraSyncReport {
  /** Jira is configured for this repository (a `jira:` section). */
  enabled: boolean;
  /** One line each, no credentials: for the check run summary and the dashboard notices. */
  failures: string[];
  notes: string[];
  /** Operations performed, by kind. */
  done: Record<JiraOperation['op'], number>;
  /** Write requests sent to Jira. */
  writes: number;
}

/** A Jira issue a person moved to a done status while the model lists its threat as open work. */
export interface JiraDoneByHand {
  threatId: string;
  key: string;
  url: string;
  /** The resolution's name (Done, Won't Do, Duplicate, ...), when Jira has one. */
  resolution: string | null;
  /** When it was moved to done (Jira's statuscategorychangedate), else when read. */
  doneAt: string;
  /** Jira's statuscategorychangedate, when it has one: the changelog entry at this time moved it to done. */
  statusChangedAt: string | null;
}

export interface JiraSyncPhase {
  /** Threat id -> its Jira issue: for the GitHub planner's `jira` input (the key goes into body and marker). */
  links: ReadonlyMap<string, JiraIssueLink>;
  /** Issues a person moved to done (threatloop leaves them done): what a proposal is made of. */
  doneByHand?: readonly JiraDoneByHand[];
  /**
   * Who moved one of `doneByHand` to done (a neutralised display name), from its changelog: one or two
   * reads, asked only for a closure about to be proposed. Undefined when unknown: the read failed (a note
   * says why), Jira stopped answering, or the move is not on the changelog's last page.
   */
  movedToDoneBy?(done: JiraDoneByHand): Promise<string | undefined>;
  /** Failures so far (for the dashboard, which is planned before `finish`). */
  failures: readonly string[];
  /** Link the Jira issues to the GitHub issues (including ones created after `beginJiraSync`) and report. */
  finish(githubIssues: ReadonlyMap<string, GithubIssueRef>): Promise<JiraSyncReport>;
}

const NOTHING_DONE = (): JiraSyncReport['done'] => ({ create: 0, update: 0, transition: 0, 'remote-link': 0, 'set-property': 0 });

export async function beginJiraSync(input: JiraSyncInput): Promise<JiraSyncPhase> {
  const markerLinks = new Map<string, JiraIssueLink>();
  const jira = input.config.jira;
  const owner = input.context.modelRepo.split('/')[0]!;
  const refusal = jira ? jiraProjectRefusal(input.env, owner, jira.project, input.requireProjectList ?? false) : undefined;
  const connection = jira ? (refusal ? { failure: refusal } : (input.connection ?? connectFromEnv(input.env, input.client))) : null;
  const site = connection && 'api' in connection ? connection.site : undefined;
  for (const [threatId, marker] of input.markers) {
    const url = marker.url ?? (site ? browseUrl(site, marker.key) : undefined);
    if (url) markerLinks.set(threatId, { key: marker.key, url });
  }
  if (!jira || !connection) {
    const report: JiraSyncReport = { enabled: false, failures: [], notes: [], done: NOTHING_DONE(), writes: 0 };
    return { links: markerLinks, failures: report.failures, finish: async () => report };
  }
  if (!('api' in connection)) {
    const report: JiraSyncReport = { enabled: true, failures: [connection.failure], notes: [], done: NOTHING_DONE(), writes: 0 };
    return { links: markerLinks, failures: report.failures, finish: async () => report };
  }

  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...input.retry };
  const failures: string[] = [];
  const recovered: string[] = [];
  const done = NOTHING_DONE();
  let writes = 0;
  let stopped = false;
  const failedThreats = new Set<string>();
  const plan = (state: JiraState, githubIssues: ReadonlyMap<string, GithubIssueRef>, recordLater: boolean) =>
    planJiraSync({ model: input.model, config: input.config, jiraState: state, context: input.context, githubIssues, modelLines: input.modelLines, recordLater });
  const apply = async (state: JiraState, operations: readonly JiraOperation[]) => {
    const result = await applyJiraOperations({ connection, jira, state, operations, retry });
    failures.push(...result.failures);
    recovered.push(...result.notes);
    for (const kind of Object.keys(done) as JiraOperation['op'][]) done[kind] += result.done[kind];
    writes += result.writes;
    stopped ||= result.stopped;
    for (const threatId of result.failedThreats) failedThreats.add(threatId);
    return result;
  };

  let state: JiraState;
  try {
    state = await fetchJiraState({
      connection,
      jira,
      repo: input.context.modelRepo,
      markerKeys: new Map([...input.markers].map(([threatId, m]) => [threatId, m.key])),
      retry,
    });
  } catch (error) {
    failures.push(describeJiraError('reading the Jira issues', error, connection.secrets));
    const report: JiraSyncReport = { enabled: true, failures, notes: [], done, writes };
    return { links: markerLinks, failures: [...failures], finish: async () => report };
  }

  // The property writes wait for `finish`, which records each issue's links (the GitHub one included)
  // in one write. Should the sync stop in between, the next one posts the links again (the same
  // globalId: Jira updates the link, no duplicate) and records them.
  const doneByHand = jiraDoneByHand(input.model, input.config, state, input.context.today);
  const first = plan(state, input.githubIssues, true);
  const applied = await apply(state, first.operations);
  state = applied.state;
  const links = new Map(markerLinks);
  for (const [threatId, issue] of state.issues) links.set(threatId, { key: issue.key, url: browseUrl(state.site, issue.key) });

  const readCloser = jiraCloserReader(connection, recovered);
  return {
    links,
    doneByHand,
    // Not from a Jira that stopped answering during this sync.
    movedToDoneBy: async (done) => (stopped ? undefined : readCloser(done)),
    failures: [...failures],
    async finish(githubIssues) {
      // Not against a Jira that just stopped answering, and not again for a threat that already failed this run.
      if (!stopped) {
        const second = plan(state, githubIssues, false).operations.filter((op) => !failedThreats.has(op.threatId));
        if (second.length) state = (await apply(state, second)).state;
      }
      return { enabled: true, failures, notes: [...first.notes, ...recovered], done, writes };
    },
  };
}

/**
 * Done in Jira while the model says open work, and not by threatloop (its property says it left the issue
 * open): the same rule by which the plan leaves such an issue done rather than transitioning it back.
 */
export function jiraDoneByHand(model: ThreatModel, config: Config, state: JiraState, today: string): JiraDoneByHand[] {
  return model.threats.flatMap((threat) => {
    const issue = state.issues.get(threat.id);
    if (!issue || issue.statusCategory !== 'done' || issue.property?.state === 'done' || config.issues.close_statuses.includes(threat.status)) return [];
    const statusChangedAt = issue.statusChangedAt ?? null;
    return [{ threatId: threat.id, key: issue.key, url: browseUrl(state.site, issue.key), resolution: issue.resolution ?? null, doneAt: statusChangedAt ?? today, statusChangedAt }];
  });
}

function connectFromEnv(env: JiraEnv, options: JiraClientOptions | undefined): JiraConnection | { failure: string } {
  const credentials = jiraCredentialsFromEnv(env);
  if (!credentials.ok) {
    return {
      failure: `Jira is configured (jira: in .github/threatloop.yml) but ${credentials.missing.join(', ')} ${credentials.missing.length === 1 ? 'is' : 'are'} not set; no Jira issues were synced`,
    };
  }
  try {
    return connectJira(credentials.credentials, options);
  } catch (error) {
    // jira.js validates its config (host a URL, email an address); name the variable, never its value.
    const paths = ((error as { issues?: { path?: PropertyKey[] }[] }).issues ?? []).map((issue) => (issue.path ?? []).join('.'));
    const problems = [
      paths.includes('host') && 'JIRA_HOST is not a valid URL (expected e.g. https://your-domain.atlassian.net)',
      paths.includes('auth.email') && 'JIRA_EMAIL is not an email address (the Atlassian account the API token belongs to)',
    ].filter((p): p is string => !!p);
    const what = problems.length ? problems.join('; ') : 'the Jira client refused JIRA_HOST, JIRA_EMAIL or JIRA_API_TOKEN';
    return { failure: `${what}; no Jira issues were synced` };
  }
}

/** The report as lines for a check run summary or the dashboard. */
export function formatJiraReport(report: JiraSyncReport): string[] {
  if (!report.enabled) return [];
  const counts = Object.entries(report.done)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  const lines = [`Jira: ${counts.length ? counts.join(', ') : 'nothing to change'}${report.failures.length ? ' (incomplete)' : ''}`];
  for (const failure of report.failures) lines.push(`Jira failure: ${failure}`);
  for (const note of report.notes) lines.push(`Jira note: ${note}`);
  return lines;
}
