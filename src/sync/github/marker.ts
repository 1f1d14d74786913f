/**
 * The hidden marker at the top of every issue threatloop manages, e.g.
 *
 *   <!-- threatloop:threat id="TM-22" jira="SEC-12" status="open" rating="high" -->
 *   <!-- threatloop:threat id="TM-22" repo="org%2Fsource" status="open" -->   (filed in another repository)
 *
 * It is how the app recognises its own issues (with the managed label) and
 * where it remembers what it last wrote. Values are percent-encoded and no
 * `--` survives, so nothing a model says can close the comment early or
 * forge a second attribute. Links to other trackers are `<system>="KEY"` and
 * `<system>url="URL"` (the Jira ones as every version has written them); every
 * other attribute name is one of `CORE_ATTRIBUTES`, so a new attribute must be
 * added there or it reads as a tracker link.
 */
import type { TrackerLink } from '../extension.ts';
import type { IssueMarker, SyncedFields } from './state.ts';

const MARKER_PATTERN = /<!-- threatloop:(threat|dashboard)((?: [a-z]+="[^"<>]*")*) -->/;
const ATTRIBUTE_PATTERN = / ([a-z]+)="([^"<>]*)"/g;
/** The marker's own attributes; any other name is a tracker link. */
const CORE_ATTRIBUTES = new Set(['id', 'repo', 'status', 'rating', 'score', 'due', 'owners', 'assigned', 'digest', 'reminded', 'expired']);

export function renderMarker(marker: IssueMarker): string {
  const attributes: [string, string | undefined][] = [];
  if (marker.kind === 'threat') attributes.push(['id', marker.threatId]);
  if (marker.modelRepo !== undefined) attributes.push(['repo', marker.modelRepo]);
  for (const [system, link] of Object.entries(marker.links ?? {})) attributes.push([system, link.key], [`${system}url`, link.url]);
  const synced = marker.synced;
  if (synced) {
    attributes.push(
      ['status', synced.status],
      ['rating', synced.rating],
      ['score', synced.score === undefined ? undefined : String(synced.score)],
      ['due', synced.due],
      ['owners', synced.owners && listValue(synced.owners)],
      ['assigned', synced.assigned && listValue(synced.assigned)],
      ['digest', synced.digest],
    );
  }
  // Last, and only when set: markers written before reminders existed render exactly as before.
  attributes.push(['reminded', marker.reminded], ['expired', marker.expired]);
  const text = attributes
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${name === 'owners' || name === 'assigned' ? value : escapeValue(value)}"`)
    .join('');
  return `<!-- threatloop:${marker.kind}${text} -->`;
}

/** The first threatloop marker in a body, or undefined when there is none (or it is unreadable). */
export function parseMarker(body: string | null | undefined): IssueMarker | undefined {
  if (!body) return undefined;
  const match = MARKER_PATTERN.exec(body);
  if (!match) return undefined;
  const kind = match[1] as IssueMarker['kind'];
  const values = new Map<string, string>();
  for (const [, name, raw] of (match[2] ?? '').matchAll(ATTRIBUTE_PATTERN)) {
    if (name !== undefined && raw !== undefined && !values.has(name)) values.set(name, raw);
  }
  const text = (name: string): string | undefined => {
    const raw = values.get(name);
    return raw === undefined ? undefined : unescapeValue(raw);
  };
  const list = (name: string): string[] | undefined => {
    const raw = values.get(name);
    if (raw === undefined) return undefined;
    if (raw === '') return [];
    const items = raw.split(',').map(unescapeValue);
    return items.every((item): item is string => item !== undefined) ? items : undefined;
  };

  const marker: IssueMarker = { kind };
  if (kind === 'threat') {
    const threatId = text('id');
    if (!threatId) return undefined;
    marker.threatId = threatId;
  }
  const modelRepo = text('repo');
  if (modelRepo) marker.modelRepo = modelRepo;
  const links: Record<string, TrackerLink> = {};
  for (const name of values.keys()) {
    if (CORE_ATTRIBUTES.has(name) || name.endsWith('url')) continue;
    const key = text(name);
    const url = text(`${name}url`);
    if (key) links[name] = { key, ...(url ? { url } : {}) };
  }
  if (Object.keys(links).length > 0) marker.links = links;

  const synced: SyncedFields = {};
  const status = text('status');
  if (status) synced.status = status;
  const rating = text('rating');
  if (rating) synced.rating = rating;
  const score = Number(text('score') ?? Number.NaN);
  if (Number.isFinite(score)) synced.score = score;
  const due = text('due');
  if (due) synced.due = due;
  const owners = list('owners');
  if (owners) synced.owners = owners;
  const assigned = list('assigned');
  if (assigned) synced.assigned = assigned;
  const digest = text('digest');
  if (digest) synced.digest = digest;
  if (Object.keys(synced).length > 0) marker.synced = synced;
  const reminded = text('reminded');
  if (reminded) marker.reminded = reminded;
  const expired = text('expired');
  if (expired && /^\d{4}-\d{2}-\d{2}$/.test(expired)) marker.expired = expired;
  return marker;
}

function listValue(items: readonly string[]): string {
  return items.map(escapeValue).join(',');
}

/** Percent-encoding (which also encodes `"`, `<`, `>`, `,`), plus the second `-` of any `--`. */
function escapeValue(value: string): string {
  return encodeURIComponent(value).replace(/-(?=-)/g, '%2D');
}

function unescapeValue(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
