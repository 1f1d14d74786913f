/**
 * How the model's enumerated values read to people, one table per value set,
 * shared by every renderer (issue bodies, dashboard, report, CLI). STRIDE
 * letters and names live with the categories in `src/model/schema.ts`.
 */
import type { Component, Rating, Strategy, ThreatStatus } from '../model/schema.ts';

/** `Critical`, `High`, ..., `Unscored`. */
export const RATING_NAME: Record<Rating, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  none: 'None',
  unscored: 'Unscored',
};

const RATING_ICON: Record<Rating, string> = {
  critical: '🔴',
  high: '🟠',
  medium: '🟡',
  low: '🟢',
  none: '⚪',
  unscored: '❔',
};

/** The rating with a coloured marker, for tables a person scans (`🔴 Critical`). */
// Keyed from RATING_NAME rather than the schema's RATINGS: this module then loads no zod, and `threatloop cvss` starts faster.
export const RATING_LABEL = Object.fromEntries(Object.entries(RATING_NAME).map(([r, name]) => [r, `${RATING_ICON[r as Rating]} ${name}`])) as Record<Rating, string>;

export const STATUS_LABEL: Record<ThreatStatus, string> = {
  open: 'Open',
  planned: 'Planned',
  'in-progress': 'In progress',
  mitigated: 'Mitigated',
  verified: 'Verified',
  accepted: 'Accepted',
  transferred: 'Transferred',
  'not-applicable': 'Not applicable',
};

export const STRATEGY_NAME: Record<Strategy, string> = {
  eliminate: 'Eliminate',
  mitigate: 'Mitigate',
  accept: 'Accept',
  transfer: 'Transfer',
};

export const COMPONENT_TYPE_NAME: Record<Component['type'], string> = {
  'external-entity': 'External entity',
  process: 'Process',
  'data-store': 'Data store',
};
