/**
 * The Jira side plugged into `runSync` (app and CLI alike) through its
 * `SyncExtension` seam: before the GitHub plan it syncs the Jira issues and
 * hands the planner their keys (body + marker); after the GitHub side it links
 * the Jira issues to GitHub issues created meanwhile. Issues a person moved to
 * done become closures for the proposal, whose closer's name is read from the
 * changelog only when the proposal asks (`readCloser`). Jira failures become
 * dashboard notices and check run notes; they never stop the GitHub side.
 */
import { issuesByThreat, threatIssues } from '../github/issue-identity.ts';
import type { RepoState } from '../github/state.ts';
import type { JiraClientOptions, JiraConnection, JiraEnv, RetryPolicy } from './client.ts';
import { threatLines, type GithubIssueRef } from './plan.ts';
import { beginJiraSync, formatJiraReport } from './sync.ts';
import type { SyncExtension } from '../extension.ts';
import { trackerInfo } from '../trackers.ts';
import { planJiraDryRun } from './dry-run.ts';
import type { ClosedAs } from '../../lifecycle/manual-close.ts';

const JIRA_TRACKER = trackerInfo('jira');
/** The closer's name when the changelog was not read or did not tell. */
const UNKNOWN_JIRA_CLOSER = 'a Jira user';

export interface JiraExtensionOptions {
  /** Where JIRA_HOST, JIRA_EMAIL, JIRA_API_TOKEN come from (the server's or the CLI's environment). */
  env: JiraEnv;
  retry?: Partial<RetryPolicy>;
  client?: JiraClientOptions;
  connection?: JiraConnection;
  /** `JIRA_PROJECTS` must allow the repository's project (the server). */
  requireProjectList?: boolean;
}

export function jiraSyncExtension(options: JiraExtensionOptions): SyncExtension {
  return {
    ...JIRA_TRACKER,
    appliesTo: (config) => config.jira !== undefined,
    async begin({ model, config, context, state, source }) {
      const githubIssues = githubIssuesOf(state, context.webUrl);
      const phase = await beginJiraSync({
        model,
        config,
        context,
        env: options.env,
        githubIssues,
        markers: jiraMarkersOf(state),
        ...(source ? { modelLines: threatLines(model, source) } : {}),
        ...(options.retry ? { retry: options.retry } : {}),
        ...(options.client ? { client: options.client } : {}),
        ...(options.connection ? { connection: options.connection } : {}),
        ...(options.requireProjectList ? { requireProjectList: true } : {}),
      });
      const doneByHand = phase.doneByHand ?? [];
      return {
        links: phase.links,
        closedByHand: doneByHand.map((done) => ({
          threatId: done.threatId,
          tracker: 'jira' as const,
          ticket: done.key,
          ticketUrl: done.url,
          closedAs: closedAsFromJira(done.resolution),
          // Who moved it is in the issue's changelog, read only when the proposal needs the name and does not
          // hold it yet; until then, and when it cannot be read, this stands in (the ticket link leads there).
          closedBy: UNKNOWN_JIRA_CLOSER,
          closerUnread: true,
          closedByApp: false,
          closedAt: done.doneAt,
        })),
        async readCloser(close) {
          const done = doneByHand.find((d) => d.key === close.ticket);
          return done && phase.movedToDoneBy ? phase.movedToDoneBy(done) : undefined;
        },
        notices: phase.failures.map((f) => `Jira sync incomplete: ${f}`),
        async finish(created) {
          const all = new Map(githubIssues);
          for (const [threatId, issue] of created) if (!all.has(threatId)) all.set(threatId, { ...issue, createdAt: `${context.today}T00:00:00Z` });
          const report = await phase.finish(all);
          return { notes: formatJiraReport(report), failures: report.failures };
        },
      };
    },
    async dryRun({ model, config, context, source, repo }) {
      const result = await planJiraDryRun({ model, config, context, env: options.env, ...(source ? { source } : {}), ...(repo ? { repo } : {}) });
      return result.ok ? { ok: true, lines: result.lines, json: { operations: result.plan.operations, notes: result.plan.notes } } : result;
    },
  };
}

/** A Jira resolution as a closure: "Won't Do"/"Won't Fix"/"Cannot Reproduce" are not planned, "Duplicate" a duplicate, the rest done. */
export function closedAsFromJira(resolution: string | null): ClosedAs {
  const name = (resolution ?? '').toLowerCase().replace(/[’']/g, '');
  if (name === 'duplicate') return 'duplicate';
  if (/^(wont do|wont fix|cannot reproduce|not a bug|declined|obsolete)$/.test(name)) return 'not_planned';
  return resolution ? 'completed' : 'unspecified';
}

/** Threat id -> the GitHub issue the GitHub side keeps for it (src/sync/github/issue-identity.ts). */
export function githubIssuesOf(state: RepoState, webUrl: string): Map<string, GithubIssueRef> {
  const issues = new Map<string, GithubIssueRef>();
  for (const [threatId, issue] of threatIssues(state.issues)) {
    const url = issue.htmlUrl ?? `${webUrl.replace(/\/+$/, '')}/${state.owner}/${state.repo}/issues/${issue.number}`;
    issues.set(threatId, { number: issue.number, url, createdAt: issue.createdAt });
  }
  return issues;
}

/** Threat id -> the Jira key (and URL) its GitHub issues' markers keep. */
export function jiraMarkersOf(state: RepoState): Map<string, { key: string; url?: string }> {
  const markers = new Map<string, { key: string; url?: string }>();
  // The first issue of a threat that holds a key, in the order of the one rule.
  for (const [threatId, issues] of issuesByThreat(state.issues)) {
    const link = issues.find((issue) => issue.marker.links?.[JIRA_TRACKER.system])?.marker.links?.[JIRA_TRACKER.system];
    if (link) markers.set(threatId, link);
  }
  return markers;
}
