/**
 * The registry of trackers kept in step beside GitHub, for the app and the CLI alike. A new tracker is
 * one folder under src/sync/, one line here and one section in the config schema. Each tracker's code
 * is loaded only when extensions are created, so the planner (which needs only the names, to keep
 * every known tracker's link in a body) and commands that sync nothing never load a tracker's client.
 */
import type { Delay } from '../github/client.ts';
import type { SyncExtension, TrackerInfo } from './extension.ts';

export interface TrackerOptions {
  /** Where credentials come from (the server's or the CLI's environment). */
  env: Readonly<Record<string, string | undefined>>;
  /** Waits between retries (tests: no waiting). */
  delay?: Delay;
  /** The server: the operator's allow-lists (e.g. `JIRA_PROJECTS`) must allow what a repository asks for. */
  server?: boolean;
}

interface TrackerEntry extends TrackerInfo {
  create(options: TrackerOptions): Promise<SyncExtension>;
}

const REGISTRY: readonly TrackerEntry[] = [
  // The marker keeps `jira="KEY" jiraurl="URL"`, as every version has written it.
  { system: 'jira', label: 'Jira', create: async ({ env, delay, server }) =>
      (await import('./jira/extension.ts')).jiraSyncExtension({ env, ...(delay ? { retry: { delay } } : {}), ...(server ? { requireProjectList: true } : {}) }),
  },
];

/** Every tracker threatloop knows, whether or not a repository uses it. */
export const TRACKERS: readonly TrackerInfo[] = REGISTRY.map(({ system, label }) => ({ system, label }));

export function trackerInfo(system: string): TrackerInfo {
  const info = TRACKERS.find((tracker) => tracker.system === system);
  if (!info) throw new Error(`no tracker "${system}" in src/sync/trackers.ts`);
  return info;
}

export function createExtensions(options: TrackerOptions): Promise<SyncExtension[]> {
  return Promise.all(REGISTRY.map((entry) => entry.create(options)));
}
