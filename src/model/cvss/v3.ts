// CVSS v3.0 / v3.1 base score (FIRST specification, section 7.1 and Appendix A).
// Temporal and environmental metrics are parsed and validated, but the score returned is the
// BASE score, as threatloop compares stated base scores with vectors.
import { makeSpec, type MetricDef, type VersionSpec } from './parse.ts';

const CIA = ['H', 'L', 'N'] as const;
const X_CIA = ['X', 'N', 'L', 'H'] as const;
const REQ = ['X', 'L', 'M', 'H'] as const;

// Canonical order from the v3.1 specification, Table 15 (base, temporal, environmental).
export const V3_METRICS: readonly MetricDef[] = [
  { name: 'AV', values: ['N', 'A', 'L', 'P'], required: true },
  { name: 'AC', values: ['L', 'H'], required: true },
  { name: 'PR', values: ['N', 'L', 'H'], required: true },
  { name: 'UI', values: ['N', 'R'], required: true },
  { name: 'S', values: ['U', 'C'], required: true },
  { name: 'C', values: CIA, required: true },
  { name: 'I', values: CIA, required: true },
  { name: 'A', values: CIA, required: true },
  { name: 'E', values: ['X', 'U', 'P', 'F', 'H'], required: false },
  { name: 'RL', values: ['X', 'O', 'T', 'W', 'U'], required: false },
  { name: 'RC', values: ['X', 'U', 'R', 'C'], required: false },
  { name: 'CR', values: REQ, required: false },
  { name: 'IR', values: REQ, required: false },
  { name: 'AR', values: REQ, required: false },
  { name: 'MAV', values: ['X', 'N', 'A', 'L', 'P'], required: false },
  { name: 'MAC', values: ['X', 'L', 'H'], required: false },
  { name: 'MPR', values: ['X', 'N', 'L', 'H'], required: false },
  { name: 'MUI', values: ['X', 'N', 'R'], required: false },
  { name: 'MS', values: ['X', 'U', 'C'], required: false },
  { name: 'MC', values: X_CIA, required: false },
  { name: 'MI', values: X_CIA, required: false },
  { name: 'MA', values: X_CIA, required: false },
];

const V4_HINT = ' (a CVSS v4.0 vector needs the CVSS:4.0/ prefix)';
export const SPEC_V30: VersionSpec = makeSpec('CVSS:3.0/', 'CVSS 3.0', V3_METRICS);
export const SPEC_V31: VersionSpec = makeSpec('CVSS:3.1/', 'CVSS 3.1', V3_METRICS);
/** Unprefixed vectors (as the GenomeWell case study writes them) are read as CVSS 3.1. */
export const SPEC_V3_BARE: VersionSpec = makeSpec('CVSS:3.1/', 'CVSS 3.1', V3_METRICS, V4_HINT);

// Weights indexed by the value index in V3_METRICS.
const W_AV = [0.85, 0.62, 0.55, 0.2];
const W_AC = [0.77, 0.44];
const W_PR_U = [0.85, 0.62, 0.27];
const W_PR_C = [0.85, 0.68, 0.5];
const W_UI = [0.85, 0.62];
const W_CIA = [0.56, 0.22, 0];

/** CVSS v3.1 Roundup (specification Appendix A): integer arithmetic avoids float artefacts. */
export function roundup31(x: number): number {
  const intInput = Math.round(x * 100000);
  if (intInput % 10000 === 0) return intInput / 100000;
  return (Math.floor(intInput / 10000) + 1) / 10.0;
}

/** CVSS v3.0 Roundup as originally specified: smallest one-decimal number >= x, in floating point. */
export function roundup30(x: number): number {
  return Math.ceil(x * 10) / 10;
}

/** The impact and exploitability sub-scores (specification section 7.1), unrounded. */
export function subscoresV3(v: Int8Array): { impact: number; exploitability: number } {
  const changed = v[4] === 1;
  const c = W_CIA[v[5]!]!;
  const i = W_CIA[v[6]!]!;
  const a = W_CIA[v[7]!]!;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const pr = (changed ? W_PR_C : W_PR_U)[v[2]!]!;
  const exploitability = 8.22 * W_AV[v[0]!]! * W_AC[v[1]!]! * pr * W_UI[v[3]!]!;
  return { impact, exploitability };
}

/** Base score from parsed value indices (see V3_METRICS order). */
export function scoreV3Base(v: Int8Array, version: '3.0' | '3.1'): number {
  const changed = v[4] === 1;
  const { impact, exploitability } = subscoresV3(v);
  if (impact <= 0) return 0;
  const roundup = version === '3.0' ? roundup30 : roundup31;
  return changed
    ? roundup(Math.min(1.08 * (impact + exploitability), 10))
    : roundup(Math.min(impact + exploitability, 10));
}
