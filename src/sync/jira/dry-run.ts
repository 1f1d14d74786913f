/**
 * `threatloop plan --jira`: the Jira operations a sync would perform, written
 * nowhere. Offline (no credentials or no repository named) against an empty
 * Jira project, i.e. what a first sync creates; with JIRA_HOST, JIRA_EMAIL,
 * JIRA_API_TOKEN and a repository, against the issues Jira holds now.
 */
import type { Config } from '../../config/schema.ts';
import type { ThreatModel } from '../../model/schema.ts';
import type { YamlSource } from '../../model/source.ts';
import type { SyncContext } from '../github/state.ts';
import { connectJira, DEFAULT_RETRY, describeJiraError, jiraCredentialsFromEnv, type JiraEnv, type RetryPolicy } from './client.ts';
import { fetchJiraState } from './fetch.ts';
import { formatJiraPlan, planJiraSync, threatLines } from './plan.ts';
import type { JiraPlan, JiraState } from './state.ts';

export interface JiraDryRunInput {
  model: ThreatModel;
  config: Config;
  context: SyncContext;
  source?: YamlSource;
  env: JiraEnv;
  /** owner/name of the model repository, to read the real Jira state (with credentials in `env`). */
  repo?: string;
  retry?: Partial<RetryPolicy>;
}

export type JiraDryRun =
  | { ok: true; plan: JiraPlan; against: 'empty' | 'jira'; lines: string[] }
  | { ok: false; error: string };

export async function planJiraDryRun(input: JiraDryRunInput): Promise<JiraDryRun> {
  const jira = input.config.jira;
  if (!jira) {
    const plan: JiraPlan = { operations: [], notes: ['no `jira:` section in the config: a sync files nothing in Jira'] };
    return { ok: true, plan, against: 'empty', lines: formatJiraPlan(plan) };
  }
  const credentials = jiraCredentialsFromEnv(input.env);
  const context = input.repo ? { ...input.context, modelRepo: input.repo } : input.context;
  let state: JiraState = { site: credentials.ok ? credentials.credentials.host : 'https://your-domain.atlassian.net', issues: new Map(), notes: [] };
  let against: 'empty' | 'jira' = 'empty';
  if (credentials.ok && input.repo) {
    const connection = connectJira(credentials.credentials);
    try {
      state = await fetchJiraState({
        connection,
        jira,
        repo: input.repo,
        markerKeys: new Map(),
        retry: { ...DEFAULT_RETRY, ...input.retry },
      });
      against = 'jira';
    } catch (error) {
      return { ok: false, error: describeJiraError(`reading the Jira issues of ${input.repo}`, error, connection.secrets) };
    }
  }
  const modelLines = input.source ? threatLines(input.model, input.source) : undefined;
  const plan = planJiraSync({
    model: input.model,
    config: input.config,
    jiraState: state,
    context,
    githubIssues: new Map(),
    ...(modelLines ? { modelLines } : {}),
  });
  const heading =
    against === 'jira'
      ? `Jira project ${jira.project} at ${state.site}, as it is now (dry run, nothing is written):`
      : `Jira project ${jira.project}, empty (dry run, nothing is written${credentials.ok ? '' : '; set JIRA_HOST, JIRA_EMAIL, JIRA_API_TOKEN'}${input.repo ? '' : ' and name the repository'} to plan against the real project):`;
  return { ok: true, plan, against, lines: ['', heading, ...formatJiraPlan(plan, against === 'jira' ? state.site : undefined)] };
}
