/**
 * How OTM's numbers and words map to threatloop's, both ways (import and export use these
 * tables, and the README documents them).
 */
import type { Severity, ThreatStatus } from '../../model/schema.ts';
import type { ImportedBoundary } from '../types.ts';

type Trust = ImportedBoundary['trust'];

/** The trust zone threatloop's OTM export puts components without a boundary in (OTM requires a parent). */
export const UNZONED_TRUST_ZONE = 'threatloop-no-boundary';

/**
 * trustRating (0 = no trust, 100 = full trust) -> trust level, by quarter:
 * 0–24 untrusted, 25–49 partner, 50–74 restricted, 75–100 trusted.
 */
export function trustOfRating(rating: number): Trust {
  if (rating < 25) return 'untrusted';
  if (rating < 50) return 'partner';
  if (rating < 75) return 'restricted';
  return 'trusted';
}

/** Trust level -> the trustRating export writes (the middle of its quarter, read back as the same level). */
export const RATING_OF_TRUST: Record<Trust, number> = { untrusted: 10, partner: 35, restricted: 60, trusted: 90 };

/**
 * likelihood × impact (each 0–100) -> severity, on risk = likelihood × impact / 100:
 * 64 and over critical (both at least 80), 36 and over high (60 × 60), 16 and over medium
 * (40 × 40), above 0 low, 0 none. A missing likelihood counts as 100 (impact alone; noted).
 */
export function severityOfRisk(likelihood: number, impact: number): Severity {
  const risk = (clamp(likelihood) * clamp(impact)) / 100;
  if (risk >= 64) return 'critical';
  if (risk >= 36) return 'high';
  if (risk >= 16) return 'medium';
  if (risk > 0) return 'low';
  return 'none';
}

function clamp(n: number): number {
  return Math.min(Math.max(n, 0), 100);
}

/** Threat instance `state` words (OTM leaves them free; IriusRisk, Threat Dragon and threatloop write these) -> status. */
const STATE_WORDS: Record<string, ThreatStatus> = {
  exposed: 'open',
  expose: 'open',
  open: 'open',
  new: 'open',
  identified: 'open',
  notstarted: 'open',
  required: 'open',
  recommended: 'open',
  planned: 'planned',
  inprogress: 'in-progress',
  partlymitigated: 'in-progress',
  partiallymitigated: 'in-progress',
  partlymitigate: 'in-progress',
  mitigated: 'mitigated',
  mitigate: 'mitigated',
  implemented: 'mitigated',
  fixed: 'mitigated',
  verified: 'verified',
  tested: 'verified',
  accepted: 'accepted',
  accept: 'accepted',
  transferred: 'transferred',
  transfer: 'transferred',
  notapplicable: 'not-applicable',
  na: 'not-applicable',
  notrelevant: 'not-applicable',
};

export function statusOfState(state: string): ThreatStatus | undefined {
  return STATE_WORDS[state.toLowerCase().replace(/[^a-z]/g, '')];
}

/** Status -> instance `state` on export: threatloop's own words, `open` as OTM's `exposed`. */
export function stateOfStatus(status: ThreatStatus): string {
  return status === 'open' ? 'exposed' : status;
}

/** How far a status is from open: differing instance states keep the least advanced one. */
export const STATUS_PROGRESS: Record<ThreatStatus, number> = {
  open: 0,
  planned: 1,
  'in-progress': 2,
  accepted: 3,
  transferred: 3,
  mitigated: 4,
  verified: 5,
  'not-applicable': 6,
};
