// Exact CVSS base scoring for v3.0, v3.1 and v4.0. Pure functions; errors are values.
// See README.md for the accepted syntax and the rounding choices.
import { parseMetrics, type VersionSpec } from './parse.ts';
import type { CvssResult, CvssVersion, SeverityRating } from './types.ts';
import { scoreV3Base, SPEC_V30, SPEC_V31, SPEC_V3_BARE, subscoresV3 } from './v3.ts';
import { scoreV4, SPEC_V40 } from './v4.ts';

export type { CvssError, CvssResult, CvssScore, CvssVersion, SeverityRating } from './types.ts';
export { roundup30, roundup31 } from './v3.ts';
export { roundV4 } from './v4.ts';

// Parse buffers, reused: scoring is synchronous and never keeps them.
const SCRATCH_V3 = new Int8Array(SPEC_V31.metrics.length);
const SCRATCH_V4 = new Int8Array(SPEC_V40.metrics.length);

/** Qualitative rating: 0.0 none, 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10.0 critical. */
export function severityOf(score: number): SeverityRating {
  if (!(score > 0)) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/**
 * Parses `vector` strictly and scores it.
 *
 * - `CVSS:3.0/…`, `CVSS:3.1/…`, `CVSS:4.0/…` select the version. A vector without prefix is read
 *   as CVSS 3.1 (the GenomeWell case study writes `AV:N/AC:L/…`); v4.0 needs its prefix.
 * - Every base metric exactly once, known metrics and values only, no empty segments, no
 *   whitespace. Metrics may come in any order; `vector` in the result is in canonical order.
 * - Temporal/environmental (v3) and threat/environmental/supplemental (v4) metrics are accepted
 *   (each at most once, valid values). v3.x returns the BASE score; v4.0 scores every metric
 *   present (CVSS-B, -BT, -BE or -BTE).
 */
export function scoreCvss(vector: string): CvssResult {
  if (typeof vector !== 'string') return { ok: false, error: { message: 'vector is not a string' } };
  if (vector.length === 0) return { ok: false, error: { message: 'vector is empty', offset: 0 } };
  let spec: VersionSpec;
  let version: CvssVersion;
  let start: number;
  if (vector.startsWith('CVSS:')) {
    const slash = vector.indexOf('/');
    const label = vector.slice(5, slash === -1 ? vector.length : slash);
    if (label === '3.1') {
      spec = SPEC_V31;
      version = '3.1';
    } else if (label === '4.0') {
      spec = SPEC_V40;
      version = '4.0';
    } else if (label === '3.0') {
      spec = SPEC_V30;
      version = '3.0';
    } else {
      return {
        ok: false,
        error: {
          message: `unsupported CVSS version "${label}" (expected CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/)`,
          offset: 5,
        },
      };
    }
    if (slash === -1) {
      return { ok: false, error: { message: `vector has no metrics after the ${spec.label} prefix`, offset: vector.length } };
    }
    start = slash + 1;
  } else {
    spec = SPEC_V3_BARE;
    version = '3.1';
    start = 0;
  }
  const parsed = parseMetrics(vector, start, spec, version === '4.0' ? SCRATCH_V4 : SCRATCH_V3);
  if (!parsed.ok) {
    // `cvss:3.1/av:n/...` would otherwise be "unknown metric cvss" (a bad value such as `AV:n` already says which).
    const upper = vector.toUpperCase();
    if (parsed.error.message.startsWith('unknown metric') && upper !== vector && scoreCvss(upper).ok) {
      return { ok: false, error: { message: `CVSS vectors are case-sensitive: write "${upper}"`, offset: 0 } };
    }
    // No metric name or value contains whitespace, so only a failed parse can be due to it.
    const ws = /\s/.exec(vector);
    if (ws !== null) {
      return { ok: false, error: { message: `vector contains whitespace at offset ${ws.index}`, offset: ws.index } };
    }
    return parsed;
  }
  const score = version === '4.0' ? scoreV4(parsed.values) : scoreV3Base(parsed.values, version);
  return { ok: true, value: { version, vector: parsed.normalised, score, severity: severityOf(score) } };
}

/**
 * The v3.x impact (0 to about 6.1) and exploitability (0 to about 3.9) sub-scores of a valid
 * vector; undefined for v4.0, which has none, and for an invalid vector.
 */
export function cvssSubscores(vector: string): { impact: number; exploitability: number } | undefined {
  const scored = scoreCvss(vector);
  if (!scored.ok || scored.value.version === '4.0') return undefined;
  const text = scored.value.vector;
  const values = new Int8Array(SPEC_V31.metrics.length);
  const parsed = parseMetrics(text, text.indexOf('/') + 1, SPEC_V31, values);
  return parsed.ok ? subscoresV3(values) : undefined;
}
