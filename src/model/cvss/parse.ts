// Strict, allocation-light parser for CVSS vector strings, shared by v3.x and v4.0.
// Pure: no I/O, never throws for any string input.
import type { CvssError } from './types.ts';

export interface MetricDef {
  /** Abbreviation, e.g. `AV`. */
  readonly name: string;
  /** Allowed values, e.g. `['N', 'A', 'L', 'P']`. Index into this array is the parsed value. */
  readonly values: readonly string[];
  /** Base metrics are mandatory; all others are optional. */
  readonly required: boolean;
}

export interface VersionSpec {
  /** Prefix including the trailing slash, e.g. `CVSS:3.1/`. */
  readonly prefix: string;
  /** Label used in messages, e.g. `CVSS 3.1`. */
  readonly label: string;
  /** Metrics in the specification's canonical order. */
  readonly metrics: readonly MetricDef[];
  readonly index: ReadonlyMap<string, number>;
  /** Packed name code (see `codeOf`) of each metric, by metric id, for the hot path. */
  readonly nameCodes: Int32Array;
  /** Per metric, the packed codes of its allowed values (same order as `values`). */
  readonly valueCodes: readonly (readonly number[])[];
  /** Hint appended to the "unknown metric" message, if any. */
  readonly unknownHint?: string;
}

/**
 * Packs a short ASCII token (1 to 4 characters, codes 1-127) into a small integer, base 128
 * (128^4 < 2^31, so it stays a V8 small integer). Anything else gives -1. Distinct tokens give
 * distinct codes. Longer values (`Clear`, `Green`, `Amber`) are compared as strings instead.
 */
export function codeOf(s: string, from = 0, to = s.length): number {
  if (to <= from || to - from > 4) return -1;
  let code = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 127) return -1;
    code = code * 128 + c;
  }
  return code;
}

export function makeSpec(prefix: string, label: string, metrics: readonly MetricDef[], unknownHint?: string): VersionSpec {
  const index = new Map<string, number>();
  const nameCodes = new Int32Array(metrics.length);
  metrics.forEach((m, i) => {
    index.set(m.name, i);
    nameCodes[i] = codeOf(m.name);
  });
  const valueCodes = metrics.map((m) => m.values.map((v) => codeOf(v)));
  const spec = { prefix, label, metrics, index, nameCodes, valueCodes };
  return unknownHint === undefined ? spec : { ...spec, unknownHint };
}

export type ParseResult =
  | { ok: true; values: Int8Array; normalised: string }
  | { ok: false; error: CvssError };

function fail(message: string, metric?: string, offset?: number): { ok: false; error: CvssError } {
  const error: CvssError = { message };
  if (metric !== undefined) error.metric = metric;
  if (offset !== undefined) error.offset = offset;
  return { ok: false, error };
}

/**
 * Parses the metric part of `input`, starting at `start` (just after the prefix, if any).
 * `values[i]` is the index of metric i's value in `spec.metrics[i].values`, or -1 when absent.
 * Metrics may appear in any order (CVSS v3.x allows it; v4.0 asks for the canonical order,
 * which we do not enforce); the normalised vector lists them in canonical order with the prefix.
 *
 * `values` is a scratch buffer of `spec.metrics.length` entries, overwritten here and returned in
 * the result; callers use it synchronously and do not keep it (saves an allocation per call).
 */
export function parseMetrics(input: string, start: number, spec: VersionSpec, values: Int8Array): ParseResult {
  const metrics = spec.metrics;
  for (let k = 0; k < values.length; k++) values[k] = -1;
  const len = input.length;
  let inOrder = start === spec.prefix.length; // only reuse the input as-is when it carried the prefix
  let last = -1;
  let pos = start;
  if (pos >= len) return fail(`vector has no metrics after the ${spec.label} prefix`, undefined, pos);
  const nameCodes = spec.nameCodes;
  const count = nameCodes.length;
  const valueCodes = spec.valueCodes;
  while (pos <= len) {
    // Scan one segment: NAME ':' VALUE, packing both into numbers as we go (no substrings).
    let i = pos;
    let nameCode = 0;
    let c = 0;
    while (i < len && (c = input.charCodeAt(i)) !== 58 /* : */ && c !== 47 /* / */) {
      if (nameCode >= 0) nameCode = c > 0 && c < 128 && i - pos < 4 ? nameCode * 128 + c : -1;
      i++;
    }
    if (i === pos && (i === len || c === 47)) {
      return fail(
        i === len ? 'vector ends with "/" (empty segment)' : `empty segment at offset ${pos} ("//")`,
        undefined,
        pos,
      );
    }
    if (i === len || c === 47) {
      return fail(`segment "${input.slice(pos, i)}" is not of the form METRIC:VALUE`, undefined, pos);
    }
    const colon = i;
    i++;
    let valueCode = 0;
    while (i < len && (c = input.charCodeAt(i)) !== 47) {
      if (valueCode >= 0) valueCode = c > 0 && c < 128 && i - colon <= 4 ? valueCode * 128 + c : -1;
      i++;
    }
    const end = i;
    // Metrics usually come in canonical order: try the one after the last, then scan.
    let id = -1;
    if (colon > pos && nameCode > 0) {
      if (last + 1 < count && nameCodes[last + 1] === nameCode) id = last + 1;
      else {
        for (let k = 0; k < count; k++) {
          if (nameCodes[k] === nameCode) {
            id = k;
            break;
          }
        }
      }
    }
    if (id === -1) {
      const name = input.slice(pos, colon);
      if (name === '') return fail(`segment "${input.slice(pos, end)}" has no metric name`, undefined, pos);
      return fail(`unknown metric ${name} for ${spec.label}${spec.unknownHint ?? ''}`, name, pos);
    }
    const def = metrics[id]!;
    const name = def.name;
    if (values[id] !== -1) return fail(`metric ${name} appears twice`, name, pos);
    const codes = valueCodes[id]!;
    let v = -1;
    if (valueCode > 0) {
      for (let k = 0; k < codes.length; k++) {
        if (codes[k] === valueCode) {
          v = k;
          break;
        }
      }
    } else if (end - colon > 5) {
      const allowed = def.values;
      for (let k = 0; k < allowed.length; k++) {
        const a = allowed[k]!;
        if (a.length === end - colon - 1 && input.startsWith(a, colon + 1)) {
          v = k;
          break;
        }
      }
    }
    if (v === -1) {
      const value = input.slice(colon + 1, end);
      if (value.indexOf(':') !== -1) {
        return fail(`segment "${input.slice(pos, end)}" is not of the form METRIC:VALUE`, name, pos);
      }
      const shown = value === '' ? `${name}: has an empty value` : `${name}:${value} is not a valid value`;
      return fail(`${shown} (expected ${def.values.join(', ')})`, name, colon + 1);
    }
    values[id] = v;
    if (id < last) inOrder = false;
    last = id;
    pos = end + 1;
  }
  for (let i = 0; i < metrics.length; i++) {
    const def = metrics[i]!;
    if (def.required && values[i] === -1) return fail(`metric ${def.name} is missing`, def.name);
  }
  let normalised: string;
  if (inOrder) {
    normalised = input;
  } else {
    normalised = spec.prefix;
    let first = true;
    for (let i = 0; i < metrics.length; i++) {
      const v = values[i]!;
      if (v === -1) continue;
      const def = metrics[i]!;
      normalised += (first ? '' : '/') + def.name + ':' + def.values[v]!;
      first = false;
    }
  }
  return { ok: true, values, normalised };
}
