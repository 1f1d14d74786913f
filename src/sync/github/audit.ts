/**
 * The audit log: what changed in a threat between the last sync and this one,
 * as lines a person reads ("status: planned → in-progress"), and the one
 * comment per change that records it with the commit and the author.
 */
import { createHash } from 'node:crypto';
import type { Threat } from '../../model/schema.ts';
import { RATING_NAME, STATUS_LABEL } from '../../render/display-names.ts';
import { bodySections } from './issue-body.ts';
import type { SyncContext, SyncedFields } from './state.ts';
import { neutraliseReferences } from '../../render/markdown.ts';

/** A short digest of the threat's own fields (key order does not matter). */
export function threatDigest(threat: Threat): string {
  return createHash('sha256').update(stableJson(threat)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface AuditedState {
  title: string;
  synced: SyncedFields;
  body: string;
}

/**
 * Lines describing how the threat changed from `before` to `after`: title,
 * status, severity (with the CVSS score), due date, owners, then, when the
 * threat's own fields changed (its digest), the other sections of the body
 * that differ (e.g. "mitigation updated"). Empty when only the rendering
 * changed.
 */
export function describeChanges(before: AuditedState, after: AuditedState): string[] {
  const lines: string[] = [];
  const from = before.synced;
  const to = after.synced;
  // Titles are model text, and an old one may predate neutralising: the audit comment must not ping or backlink.
  const title = (text: string) => neutraliseReferences(text, 'markdown');
  if (before.title !== after.title) lines.push(`title: “${title(before.title)}” → “${title(after.title)}”`);
  if (from.status !== to.status) lines.push(`status: ${named(STATUS_LABEL, from.status)} → ${named(STATUS_LABEL, to.status)}`);
  if (from.rating !== to.rating || from.score !== to.score) {
    const scores = from.score !== to.score ? ` (CVSS ${score(from.score)} → ${score(to.score)})` : '';
    const ratings = from.rating !== to.rating ? `${named(RATING_NAME, from.rating)} → ${named(RATING_NAME, to.rating)}` : named(RATING_NAME, to.rating);
    lines.push(`severity: ${ratings}${scores}`);
  }
  if (from.due !== to.due) lines.push(`due: ${from.due ?? 'none'} → ${to.due ?? 'none'}`);
  if (!sameList(from.owners, to.owners)) lines.push(`owner: ${list(from.owners)} → ${list(to.owners)}`);

  if (from.digest !== undefined && from.digest === to.digest) return lines;
  // Other facts in the body: name the sections that changed, not their text.
  const covered = new Set(['Status', 'Severity', 'CVSS', 'Due', 'Owner']);
  const old = bodySections(before.body);
  const now = bodySections(after.body);
  const names = [...new Set([...now.keys(), ...old.keys()])].filter((name) => !covered.has(name));
  const changed = names.filter((name) => old.get(name) !== now.get(name));
  for (const name of changed) {
    const verb = !old.has(name) ? 'added' : !now.has(name) ? 'removed' : 'updated';
    lines.push(`${name.toLowerCase()} ${verb}`);
  }
  // A CVSS vector change that keeps the score still deserves a line.
  if (old.get('CVSS') !== now.get('CVSS') && !lines.some((l) => l.startsWith('severity:'))) lines.push('cvss vector updated');
  return lines;
}

/** The audit comment: the change lines, the commit (short sha, linked) and who made it. */
export function renderAuditComment(input: { lines: readonly string[]; context: SyncContext; heading: string }): string {
  const { context } = input;
  const web = context.webUrl.replace(/\/+$/, '');
  const commit = `[\`${context.sha.slice(0, 7)}\`](${web}/${context.modelRepo}/commit/${context.sha})`;
  const actor = context.actor ? ` by ${actorLink(context.actor, web)}` : '';
  return [
    `**${input.heading}** in ${commit}${actor} (\`${context.modelPath}\`):`,
    '',
    ...input.lines.map((line) => `- ${line}`),
    '',
    '<sub>Recorded by threatloop from the threat model.</sub>',
  ].join('\n');
}

/** A login is linked (not @-mentioned, so nobody is pinged by the audit log); a name is shown as is. */
function actorLink(actor: string, web: string): string {
  const login = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(\[bot\])?$/.exec(actor);
  if (!login) return actor.replace(/[<>[\]()]/g, '');
  return login[2] ? `[${actor}](${web}/apps/${login[1]})` : `[${actor}](${web}/${actor})`;
}

/** A status or rating as the issue body names it (`In progress`, `Critical`); a value the marker holds but the schema no longer knows, as is. */
function named(names: Readonly<Record<string, string>>, value: string | undefined): string {
  if (value === undefined) return 'unknown';
  return Object.hasOwn(names, value) ? names[value]! : value;
}

function score(value: number | undefined): string {
  return value === undefined ? 'none' : value.toFixed(1);
}

function list(items: readonly string[] | undefined): string {
  return items?.length ? items.join(', ') : 'none';
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return (a ?? []).join('\n') === (b ?? []).join('\n');
}
