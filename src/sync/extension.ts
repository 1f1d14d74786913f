/**
 * The tracker seam: another system kept in step with the same model beside GitHub (Jira today; Linear,
 * ServiceNow or GitLab issues would be one folder each, registered in ./trackers.ts). An extension
 * never patches the GitHub planner: it returns, per threat, a link to its own issue (shown as a row of
 * the GitHub issue and remembered in the issue marker as `<system>="KEY" <system>url="URL"`) and
 * notices for the dashboard. Its failures never stop the GitHub side.
 */
import type { Config } from '../config/schema.ts';
import type { ThreatModel } from '../model/schema.ts';
import type { YamlSource } from '../model/source.ts';
import type { RepoState, SyncContext } from './github/state.ts';
import type { ManualClose } from '../lifecycle/manual-close.ts';

/** A threat's issue in another tracker. */
export interface TrackerLink {
  key: string;
  url?: string;
}

/** What names a tracker: its marker attribute and config section (`jira`), and how people read it (`Jira`). */
export interface TrackerInfo {
  /** Lower-case letters, not ending in `url` (the marker keeps the URL as `<system>url`). */
  system: string;
  label: string;
}

export interface ExtensionInput {
  model: ThreatModel;
  config: Config;
  context: SyncContext;
  /** The GitHub side's issues as read for this sync (markers carry earlier links). */
  state: RepoState;
  /** The model's source, for links to a threat's line. */
  source?: YamlSource;
}

export interface ExtensionSide {
  /** Threat id -> its issue there (every known one, so no body loses its link). */
  links: ReadonlyMap<string, TrackerLink>;
  /** Tickets a person closed there while the model lists their threat as open work (issue 11: proposed like GitHub's). */
  closedByHand?: readonly ManualClose[];
  /** Who closed one of `closedByHand` marked `closerUnread`, read there now; undefined when unknown. */
  readCloser?(close: ManualClose): Promise<string | undefined>;
  /** For the dashboard, e.g. "Jira sync incomplete: ...". */
  notices: readonly string[];
  /** After the GitHub side: `created` maps threat ids to issues created in this sync. */
  finish(created: ReadonlyMap<string, { number: number; url: string }>): Promise<{ notes: string[]; failures: string[] }>;
}

export type ExtensionDryRun = { ok: true; lines: string[]; /** For `plan --format json`. */ json: unknown } | { ok: false; error: string };

export interface SyncExtension extends TrackerInfo {
  /** Whether this repository's config asks for this tracker at all (e.g. a `jira:` section). */
  appliesTo(config: Config): boolean;
  begin(input: ExtensionInput): Promise<ExtensionSide>;
  /** `threatloop plan`: what a sync would write there, written nowhere. `repo`: the model repository, to read the real state. */
  dryRun(input: Omit<ExtensionInput, 'state'> & { repo?: string }): Promise<ExtensionDryRun>;
}

/** Threat id -> links, per tracker system: what the GitHub planner shows. */
export type TrackerLinks = ReadonlyMap<string, ReadonlyMap<string, TrackerLink>>;
