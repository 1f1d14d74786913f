// CVSS v4.0 scoring: MacroVector lookup + severity-distance interpolation, as in FIRST's reference
// calculator (FIRSTdotorg/cvss-v4-calculator `cvss_score.js`, RedHatProductSecurity/cvss-v4-calculator
// `cvss40.js`). Written independently from the published algorithm and data; see README.md.
//
// The score covers every metric present: Base (CVSS-B), Threat E (CVSS-BT), Environmental
// CR/IR/AR and modified base metrics (CVSS-BE / CVSS-BTE). Supplemental metrics never change it.
import { makeSpec, type MetricDef, type VersionSpec } from './parse.ts';
import { CVSS4_LOOKUP } from './v4-lookup.ts';

const HLN = ['H', 'L', 'N'] as const;
const X_HLN = ['X', 'H', 'L', 'N'] as const;
const X_SHLN = ['X', 'S', 'H', 'L', 'N'] as const;
const REQ = ['X', 'H', 'M', 'L'] as const;

// Canonical order from the v4.0 specification, section 7 (Vector String).
export const V4_METRICS: readonly MetricDef[] = [
  { name: 'AV', values: ['N', 'A', 'L', 'P'], required: true }, // 0
  { name: 'AC', values: ['L', 'H'], required: true }, // 1
  { name: 'AT', values: ['N', 'P'], required: true }, // 2
  { name: 'PR', values: ['N', 'L', 'H'], required: true }, // 3
  { name: 'UI', values: ['N', 'P', 'A'], required: true }, // 4
  { name: 'VC', values: HLN, required: true }, // 5
  { name: 'VI', values: HLN, required: true }, // 6
  { name: 'VA', values: HLN, required: true }, // 7
  { name: 'SC', values: HLN, required: true }, // 8
  { name: 'SI', values: HLN, required: true }, // 9
  { name: 'SA', values: HLN, required: true }, // 10
  { name: 'E', values: ['X', 'A', 'P', 'U'], required: false }, // 11
  { name: 'CR', values: REQ, required: false }, // 12
  { name: 'IR', values: REQ, required: false }, // 13
  { name: 'AR', values: REQ, required: false }, // 14
  { name: 'MAV', values: ['X', 'N', 'A', 'L', 'P'], required: false }, // 15
  { name: 'MAC', values: ['X', 'L', 'H'], required: false }, // 16
  { name: 'MAT', values: ['X', 'N', 'P'], required: false }, // 17
  { name: 'MPR', values: ['X', 'N', 'L', 'H'], required: false }, // 18
  { name: 'MUI', values: ['X', 'N', 'P', 'A'], required: false }, // 19
  { name: 'MVC', values: X_HLN, required: false }, // 20
  { name: 'MVI', values: X_HLN, required: false }, // 21
  { name: 'MVA', values: X_HLN, required: false }, // 22
  { name: 'MSC', values: X_HLN, required: false }, // 23
  { name: 'MSI', values: X_SHLN, required: false }, // 24
  { name: 'MSA', values: X_SHLN, required: false }, // 25
  { name: 'S', values: ['X', 'N', 'P'], required: false },
  { name: 'AU', values: ['X', 'N', 'Y'], required: false },
  { name: 'R', values: ['X', 'A', 'U', 'I'], required: false },
  { name: 'V', values: ['X', 'D', 'C'], required: false },
  { name: 'RE', values: ['X', 'L', 'M', 'H'], required: false },
  { name: 'U', values: ['X', 'Clear', 'Green', 'Amber', 'Red'], required: false },
];

export const SPEC_V40: VersionSpec = makeSpec('CVSS:4.0/', 'CVSS 4.0', V4_METRICS);

// ---------------------------------------------------------------------------------------------
// Severity levels, in tenths (the reference uses 0.0, 0.1, 0.2, 0.3; integers avoid float noise).
// Each table maps a value index (base metric value order, or modified metric order) to a level.
// Effective value of a base metric: its modified metric when present and not X, else the base.
// Base value orders: AV N,A,L,P  AC L,H  AT N,P  PR N,L,H  UI N,P,A  CIA H,L,N.
const L_AV = [0, 1, 2, 3];
const L_AC = [0, 1];
const L_AT = [0, 1];
const L_PR = [0, 1, 2];
const L_UI = [0, 1, 2];
const L_VCIA = [0, 1, 2]; // H, L, N
const L_SCIA = [1, 2, 3]; // SC/SI/SA: H, L, N (S, only via MSI/MSA, is 0)
// Modified metric orders (index 0 is X, never looked up).
const LM_AV = [-1, 0, 1, 2, 3];
const LM_AC = [-1, 0, 1];
const LM_AT = [-1, 0, 1];
const LM_PR = [-1, 0, 1, 2];
const LM_UI = [-1, 0, 1, 2];
const LM_VCIA = [-1, 0, 1, 2]; // X, H, L, N
const LM_SC = [-1, 1, 2, 3]; // X, H, L, N
const LM_SIA = [-1, 0, 1, 2, 3]; // X, S, H, L, N
const L_REQ = [0, 0, 1, 2]; // CR/IR/AR: X (treated as H), H, M, L
const EQ5_OF_E = [0, 0, 1, 2]; // E: X (treated as A), A, P, U

function eff(v: Int8Array, base: number, mod: number, lb: readonly number[], lm: readonly number[]): number {
  const m = v[mod]!;
  return m > 0 ? lm[m]! : lb[v[base]!]!;
}

// Highest-severity vectors of each EQ (MAX_COMPOSED in the reference), as level tuples.
// EQ1: AV, PR, UI
const MAX_EQ1: readonly (readonly number[])[][] = [
  [[0, 0, 0]],
  [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  [[3, 0, 0], [1, 1, 1]],
];
// EQ2: AC, AT
const MAX_EQ2: readonly (readonly number[])[][] = [[[0, 0]], [[1, 0], [0, 1]]];
// EQ3+EQ6: VC, VI, VA, CR, IR, AR; keyed by eq3 * 2 + eq6
const MAX_EQ36: readonly (readonly number[])[][] = [
  [[0, 0, 0, 0, 0, 0]], // 00: VC:H/VI:H/VA:H/CR:H/IR:H/AR:H
  [[0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 1]], // 01
  [[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]], // 10
  [[1, 0, 1, 0, 1, 0], [1, 0, 0, 0, 1, 1], [0, 1, 0, 1, 0, 1], [0, 1, 1, 1, 0, 0], [1, 1, 0, 0, 0, 1]], // 11
  [], // 20: impossible
  [[1, 1, 1, 0, 0, 0]], // 21: VC:L/VI:L/VA:L/CR:H/IR:H/AR:H
];
// EQ4: SC, SI, SA
const MAX_EQ4: readonly (readonly number[])[][] = [[[1, 0, 0]], [[1, 1, 1]], [[2, 2, 2]]];

// Depth of each MacroVector (MAX_SEVERITY in the reference), in tenths.
const DEPTH_EQ1 = [1, 4, 5];
const DEPTH_EQ2 = [1, 2];
const DEPTH_EQ36 = [7, 6, 8, 8, 0, 10]; // eq3 * 2 + eq6
const DEPTH_EQ4 = [6, 5, 4];

interface Macro {
  value: number;
  // Maximal scoring differences to the next lower MacroVector, NaN when there is none.
  msd1: number;
  msd2: number;
  msd36: number;
  msd4: number;
  /** How many of EQ1, EQ2, EQ3+EQ6, EQ4, EQ5 have a lower MacroVector (the mean's divisor). */
  n: number;
}

function look(eq1: number, eq2: number, eq3: number, eq4: number, eq5: number, eq6: number): number {
  const s = CVSS4_LOOKUP[`${eq1}${eq2}${eq3}${eq4}${eq5}${eq6}`];
  return s === undefined ? NaN : s;
}

function macroIndex(eq1: number, eq2: number, eq3: number, eq4: number, eq5: number, eq6: number): number {
  return ((((eq1 * 2 + eq2) * 3 + eq3) * 3 + eq4) * 3 + eq5) * 2 + eq6;
}

const MACROS: (Macro | undefined)[] = new Array<Macro | undefined>(324).fill(undefined);
for (let eq1 = 0; eq1 < 3; eq1++)
  for (let eq2 = 0; eq2 < 2; eq2++)
    for (let eq3 = 0; eq3 < 3; eq3++)
      for (let eq4 = 0; eq4 < 3; eq4++)
        for (let eq5 = 0; eq5 < 3; eq5++)
          for (let eq6 = 0; eq6 < 2; eq6++) {
            const value = look(eq1, eq2, eq3, eq4, eq5, eq6);
            if (Number.isNaN(value)) continue;
            let lower36: number;
            if (eq3 === 0 && eq6 === 0) {
              // 00 -> 01 or 10: take the higher of the two.
              const left = look(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
              const right = look(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
              lower36 = left > right ? left : right;
            } else if (eq3 === 1 && eq6 === 0) {
              lower36 = look(eq1, eq2, eq3, eq4, eq5, eq6 + 1); // 10 -> 11
            } else if (eq3 === 2) {
              lower36 = NaN; // 21 -> 32 does not exist
            } else {
              lower36 = look(eq1, eq2, eq3 + 1, eq4, eq5, eq6); // 01 -> 11, 11 -> 21
            }
            const msd1 = value - look(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
            const msd2 = value - look(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
            const msd36 = value - lower36;
            const msd4 = value - look(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
            const msd5 = value - look(eq1, eq2, eq3, eq4, eq5 + 1, eq6);
            let n = 0;
            for (const d of [msd1, msd2, msd36, msd4, msd5]) if (!Number.isNaN(d)) n++;
            MACROS[macroIndex(eq1, eq2, eq3, eq4, eq5, eq6)] = { value, msd1, msd2, msd36, msd4, n };
          }

/**
 * Severity distance of `levels` (read from `lv` at offset `at`, `width` metrics) from the first
 * candidate that is not more severe in any metric, or -1 when no candidate fits.
 */
function fitDistance(cands: readonly (readonly number[])[], lv: Int8Array, at: number, width: number): number {
  outer: for (let c = 0; c < cands.length; c++) {
    const cand = cands[c]!;
    let d = 0;
    for (let k = 0; k < width; k++) {
      const diff = lv[at + k]! - cand[k]!;
      if (diff < 0) continue outer;
      d += diff;
    }
    return d;
  }
  return -1;
}

/** Distance from the last candidate (the reference's fall-through case; never reached in practice). */
function lastDistance(cands: readonly (readonly number[])[], lv: Int8Array, at: number, width: number): number {
  const cand = cands[cands.length - 1]!;
  let d = 0;
  for (let k = 0; k < width; k++) d += lv[at + k]! - cand[k]!;
  return d;
}

/** Half-up rounding to one decimal after lifting by 1e-6 (see README.md, "v4.0 rounding"). */
export function roundV4(x: number): number {
  return Math.round((x + 1e-6) * 10) / 10;
}

// Effective levels, in this order: AV PR UI | AC AT | VC VI VA CR IR AR | SC SI SA.
// Module-level scratch buffer: scoring is synchronous and the buffer never escapes.
const LV = new Int8Array(14);
const AV = 0, PR = 1, UI = 2, AC = 3, AT = 4, VC = 5, VI = 6, VA = 7, CR = 8, IR = 9, AR = 10, SC = 11, SI = 12, SA = 13;

/** Fills LV from parsed values and returns the MacroVector as digits packed in base 10. */
function effective(v: Int8Array): number {
  const av = (LV[AV] = eff(v, 0, 15, L_AV, LM_AV));
  const ac = (LV[AC] = eff(v, 1, 16, L_AC, LM_AC));
  const at = (LV[AT] = eff(v, 2, 17, L_AT, LM_AT));
  const pr = (LV[PR] = eff(v, 3, 18, L_PR, LM_PR));
  const ui = (LV[UI] = eff(v, 4, 19, L_UI, LM_UI));
  const vc = (LV[VC] = eff(v, 5, 20, L_VCIA, LM_VCIA));
  const vi = (LV[VI] = eff(v, 6, 21, L_VCIA, LM_VCIA));
  const va = (LV[VA] = eff(v, 7, 22, L_VCIA, LM_VCIA));
  const sc = (LV[SC] = eff(v, 8, 23, L_SCIA, LM_SC));
  const si = (LV[SI] = eff(v, 9, 24, L_SCIA, LM_SIA));
  const sa = (LV[SA] = eff(v, 10, 25, L_SCIA, LM_SIA));
  const e = v[11]!;
  const cr = (LV[CR] = L_REQ[v[12]! < 0 ? 0 : v[12]!]!);
  const ir = (LV[IR] = L_REQ[v[13]! < 0 ? 0 : v[13]!]!);
  const ar = (LV[AR] = L_REQ[v[14]! < 0 ? 0 : v[14]!]!);
  // EQ1: 0 AV:N and PR:N and UI:N; 1 (AV:N or PR:N or UI:N) and not all, and not AV:P; 2 otherwise.
  const nN = (av === 0 ? 1 : 0) + (pr === 0 ? 1 : 0) + (ui === 0 ? 1 : 0);
  const eq1 = nN === 3 ? 0 : nN > 0 && av !== 3 ? 1 : 2;
  // EQ2: 0 AC:L and AT:N; 1 otherwise.
  const eq2 = ac === 0 && at === 0 ? 0 : 1;
  // EQ3: 0 VC:H and VI:H; 1 one of VC/VI/VA is H; 2 none is H.
  const eq3 = vc === 0 && vi === 0 ? 0 : vc === 0 || vi === 0 || va === 0 ? 1 : 2;
  // EQ4: 0 MSI:S or MSA:S; 1 one of SC/SI/SA is H; 2 otherwise.
  const eq4 = si === 0 || sa === 0 ? 0 : sc === 1 || si === 1 || sa === 1 ? 1 : 2;
  // EQ5: E:A (or X) 0, E:P 1, E:U 2.
  const eq5 = EQ5_OF_E[e < 0 ? 0 : e]!;
  // EQ6: 0 (CR:H and VC:H) or (IR:H and VI:H) or (AR:H and VA:H); 1 otherwise.
  const eq6 = (cr === 0 && vc === 0) || (ir === 0 && vi === 0) || (ar === 0 && va === 0) ? 0 : 1;
  return ((((eq1 * 10 + eq2) * 10 + eq3) * 10 + eq4) * 10 + eq5) * 10 + eq6;
}

/** CVSS v4.0 score from parsed value indices (V4_METRICS order). */
export function scoreV4(v: Int8Array): number {
  const packed = effective(v);
  // No impact on the vulnerable nor the subsequent system: 0.0 whatever else.
  if (LV[VC] === 2 && LV[VI] === 2 && LV[VA] === 2 && LV[SC] === 3 && LV[SI] === 3 && LV[SA] === 3) return 0;
  const eq6 = packed % 10;
  const eq5 = ((packed / 10) | 0) % 10;
  const eq4 = ((packed / 100) | 0) % 10;
  const eq3 = ((packed / 1000) | 0) % 10;
  const eq2 = ((packed / 10000) | 0) % 10;
  const eq1 = (packed / 100000) | 0;
  const macro = MACROS[macroIndex(eq1, eq2, eq3, eq4, eq5, eq6)]!;
  const k36 = eq3 * 2 + eq6;
  const c1 = MAX_EQ1[eq1]!;
  const c2 = MAX_EQ2[eq2]!;
  const c36 = MAX_EQ36[k36]!;
  const c4 = MAX_EQ4[eq4]!;
  // The reference walks the product of the EQs' max vectors and keeps the first one that is at
  // least as severe in every metric: that is the first fitting candidate of each EQ. Were none to
  // fit, it would fall through with the last of the product (the last candidate of every EQ);
  // checked exhaustively, that never happens, but it is mirrored for fidelity.
  let d1 = fitDistance(c1, LV, AV, 3);
  let d2 = fitDistance(c2, LV, AC, 2);
  let d36 = fitDistance(c36, LV, VC, 6);
  let d4 = fitDistance(c4, LV, SC, 3);
  if (d1 < 0 || d2 < 0 || d36 < 0 || d4 < 0) {
    d1 = lastDistance(c1, LV, AV, 3);
    d2 = lastDistance(c2, LV, AC, 2);
    d36 = lastDistance(c36, LV, VC, 6);
    d4 = lastDistance(c4, LV, SC, 3);
  }
  // Each EQ with a lower MacroVector moves the score down by its maximal scoring difference times
  // the proportion (severity distance / MacroVector depth); the score drops by the mean of those.
  let sum = 0;
  if (!Number.isNaN(macro.msd1)) sum += (macro.msd1 * d1) / DEPTH_EQ1[eq1]!;
  if (!Number.isNaN(macro.msd2)) sum += (macro.msd2 * d2) / DEPTH_EQ2[eq2]!;
  if (!Number.isNaN(macro.msd36)) sum += (macro.msd36 * d36) / DEPTH_EQ36[k36]!;
  if (!Number.isNaN(macro.msd4)) sum += (macro.msd4 * d4) / DEPTH_EQ4[eq4]!;
  // EQ5's proportional distance is always 0, but it still counts in the mean when it has a lower.
  const mean = macro.n === 0 ? 0 : sum / macro.n;
  let score = macro.value - mean;
  if (score < 0) score = 0;
  if (score > 10) score = 10;
  return roundV4(score);
}
