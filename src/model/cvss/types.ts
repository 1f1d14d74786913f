/** CVSS versions this module scores. Unprefixed v3 vectors are scored as 3.1. */
export type CvssVersion = '3.0' | '3.1' | '4.0';

/** Qualitative severity rating scale shared by CVSS v3.x and v4.0. */
export type SeverityRating = 'none' | 'low' | 'medium' | 'high' | 'critical';

export interface CvssScore {
  version: CvssVersion;
  /** Normalised vector: `CVSS:x.y/` prefix, metrics in the specification's order. */
  vector: string;
  /** Score with one decimal (0.0 – 10.0). */
  score: number;
  severity: SeverityRating;
}

export interface CvssError {
  /** Names the bad, missing or duplicated metric or value. */
  message: string;
  /** The metric abbreviation concerned, when there is one (e.g. `AV`). */
  metric?: string;
  /** Character offset in the input where the problem is, when known. */
  offset?: number;
}

export type CvssResult = { ok: true; value: CvssScore } | { ok: false; error: CvssError };
