/**
 * The operator's allow-list of Jira projects per GitHub owner: `JIRA_PROJECTS=org:SEC,org:OPS,org2:SEC`.
 * One Jira credential reaches every project it can see; a repository's config must not be able to point
 * it at a project its owner was not given. The server requires the list (no list: no Jira writes); the
 * CLI runs with its user's own credential and checks the list only when it is set.
 */
import type { JiraEnv } from './client.ts';

export const JIRA_PROJECTS_VAR = 'JIRA_PROJECTS';

/** Owner (lowercase) -> project keys, or undefined when the variable is not set. */
export function parseJiraProjects(value: string | undefined): Map<string, Set<string>> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const allowed = new Map<string, Set<string>>();
  for (const entry of value.split(',')) {
    const match = /^\s*([A-Za-z0-9_.-]+)\s*:\s*([A-Z][A-Z0-9_]+)\s*$/.exec(entry);
    if (!match) continue;
    const owner = match[1]!.toLowerCase();
    allowed.set(owner, (allowed.get(owner) ?? new Set()).add(match[2]!));
  }
  return allowed;
}

/** Undefined when the owner may use the project, else the failure note (names the variable, the owner and the key only). */
export function jiraProjectRefusal(env: JiraEnv, owner: string, project: string, required: boolean): string | undefined {
  const allowed = parseJiraProjects(env[JIRA_PROJECTS_VAR]);
  if (!allowed) {
    return required
      ? `${JIRA_PROJECTS_VAR} is not set on the server, so no repository may use Jira; the operator must list ${owner}:${project} in it. No Jira issue was read or written`
      : undefined;
  }
  if (allowed.get(owner.toLowerCase())?.has(project)) return undefined;
  return `Jira project ${project} is not allowed for ${owner} (${JIRA_PROJECTS_VAR} on the server lists the projects each GitHub owner may use; the operator must add ${owner}:${project}). No Jira issue was read or written`;
}
