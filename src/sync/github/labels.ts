/**
 * The labels threatloop manages: names (with the configured prefix), colours
 * and descriptions, and how a new label set is computed without touching any
 * label a person added. Only missing labels are created: a team that
 * recolours `severity:high` keeps its colour.
 */
import { RATINGS, STRIDE_CATEGORIES, type Rating, type StrideCategory } from '../../model/schema.ts';
import type { ExistingLabel, GithubOperation } from './state.ts';

export interface LabelSpec {
  name: string;
  color: string;
  description: string;
}

const SEVERITY_COLORS: Record<Rating, string> = {
  critical: 'b60205',
  high: 'd93f0b',
  medium: 'fbca04',
  low: '0e8a16',
  none: 'c2e0c6',
  unscored: 'bfd4f2',
};

const STRIDE_COLORS: Record<StrideCategory, string> = {
  spoofing: 'f9d0c4',
  tampering: 'fef2c0',
  repudiation: 'd4c5f9',
  'information-disclosure': 'bfdadc',
  'denial-of-service': 'e99695',
  'elevation-of-privilege': 'f7c6c7',
};

const STRIDE_DESCRIPTIONS: Record<StrideCategory, string> = {
  spoofing: 'STRIDE: pretending to be someone or something else',
  tampering: 'STRIDE: unauthorised change to data or code',
  repudiation: 'STRIDE: denying an action with no evidence to prove it',
  'information-disclosure': 'STRIDE: data exposed to someone not allowed to see it',
  'denial-of-service': 'STRIDE: making a service or data unavailable',
  'elevation-of-privilege': 'STRIDE: gaining rights one should not have',
};

export function threatLabel(prefix: string): LabelSpec {
  return { name: `${prefix}threat`, color: '5319e7', description: 'A threat from the threat model (managed by threatloop)' };
}

export function dashboardLabel(prefix: string): LabelSpec {
  return { name: `${prefix}threat-dashboard`, color: '1d76db', description: 'Threat model dashboard (managed by threatloop)' };
}

export function severityLabel(prefix: string, rating: Rating): LabelSpec {
  return {
    name: `${prefix}severity:${rating}`,
    color: SEVERITY_COLORS[rating],
    description: rating === 'unscored' ? 'Threat without a CVSS vector or severity' : `Threat severity ${rating} (CVSS rating)`,
  };
}

export function strideLabel(prefix: string, category: StrideCategory): LabelSpec {
  return { name: `${prefix}stride:${category}`, color: STRIDE_COLORS[category], description: STRIDE_DESCRIPTIONS[category] };
}

/** On the issue of an accepted or transferred threat whose acceptance has expired; renewing it removes the label. */
export function acceptanceExpiredLabel(prefix: string): LabelSpec {
  return { name: `${prefix}acceptance:expired`, color: 'e4e669', description: 'The risk acceptance has expired: renew it or act on the threat' };
}

/**
 * The managed labels a threat's issue carries: threat, severity, one per STRIDE category,
 * and `acceptance:expired` while its acceptance has expired (see `reviewAcceptances`).
 */
export function threatIssueLabels(
  prefix: string,
  rating: Rating,
  stride: readonly StrideCategory[],
  state: { acceptanceExpired?: boolean } = {},
): LabelSpec[] {
  return [
    threatLabel(prefix),
    severityLabel(prefix, rating),
    ...[...new Set(stride)].map((c) => strideLabel(prefix, c)),
    ...(state.acceptanceExpired ? [acceptanceExpiredLabel(prefix)] : []),
  ];
}

/** True for the labels the app owns on an issue: threat, threat-dashboard, severity:*, stride:*, acceptance:expired (with the prefix). */
export function isManagedLabel(name: string, prefix: string): boolean {
  const lower = name.toLowerCase();
  const p = prefix.toLowerCase();
  if (!lower.startsWith(p)) return false;
  const rest = lower.slice(p.length);
  return (
    rest === 'threat' ||
    rest === 'threat-dashboard' ||
    rest === 'acceptance:expired' ||
    rest.startsWith('severity:') ||
    rest.startsWith('stride:')
  );
}

/**
 * The label set an issue should have: every label a person added (anything
 * not managed) stays, in its place; the managed ones become exactly `desired`.
 */
export function mergeLabels(current: readonly string[], desired: readonly string[], prefix: string): string[] {
  const kept = current.filter((name) => !isManagedLabel(name, prefix));
  return [...desired, ...kept];
}

/** Same names, ignoring case and order (GitHub label names are case-insensitive). */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a.map((n) => n.toLowerCase()));
  const right = new Set(b.map((n) => n.toLowerCase()));
  return left.size === right.size && [...left].every((n) => right.has(n));
}

/** Every managed label in reading order: threat, severities (most severe first), STRIDE, acceptance, dashboard. */
export function allManagedLabels(prefix: string): LabelSpec[] {
  return [
    threatLabel(prefix),
    ...RATINGS.map((r) => severityLabel(prefix, r)),
    ...STRIDE_CATEGORIES.map((c) => strideLabel(prefix, c)),
    acceptanceExpiredLabel(prefix),
    dashboardLabel(prefix),
  ];
}

/** create-label operations for the needed labels the repository lacks, in `allManagedLabels` order. */
export function missingLabelOperations(needed: Iterable<LabelSpec>, existing: readonly ExistingLabel[], prefix: string): GithubOperation[] {
  const have = new Set(existing.map((l) => l.name.toLowerCase()));
  const wanted = new Set([...needed].map((l) => l.name));
  const operations: GithubOperation[] = [];
  for (const spec of allManagedLabels(prefix).filter((l) => wanted.has(l.name))) {
    if (have.has(spec.name.toLowerCase())) continue;
    have.add(spec.name.toLowerCase());
    operations.push({ op: 'create-label', ...spec });
  }
  return operations;
}
