/**
 * A threat's rating, derived once from what the model says: the CVSS vector
 * when there is one (its computed score wins over any stated score), else the
 * stated `severity`, else `unscored`.
 */
import { scoreCvss, type CvssError, type CvssScore } from './cvss/index.ts';
import { RATINGS, type Rating, type Threat } from './schema.ts';

export interface ThreatRating {
  rating: Rating;
  /** Present when the threat has a valid vector. */
  cvss?: CvssScore;
  /** Present when the threat has a vector that does not parse. */
  cvssError?: CvssError;
  /** The score the model states, if any (lint compares it with `cvss.score`). */
  statedScore?: number;
}

export function rateThreat(threat: Threat): ThreatRating {
  if (threat.cvss) {
    const result = scoreCvss(threat.cvss.vector);
    const statedScore = threat.cvss.score;
    if (result.ok) return { rating: result.value.severity, cvss: result.value, statedScore };
    return { rating: threat.severity ?? 'unscored', cvssError: result.error, statedScore };
  }
  return { rating: threat.severity ?? 'unscored' };
}

/** Most severe first: critical, high, medium, low, none, unscored. */
export function compareRatings(a: Rating, b: Rating): number {
  return RATINGS.indexOf(a) - RATINGS.indexOf(b);
}

/** True when `rating` is at least as severe as `floor` (`unscored` as a floor admits everything). */
export function meetsFloor(rating: Rating, floor: Rating): boolean {
  return compareRatings(rating, floor) <= 0;
}
