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
  /** Hint appended to the "unknown metric" message, if any. */
  readonly unknownHint?: string;
}

export function makeSpec(prefix: string, label: string, metrics: readonly MetricDef[], unknownHint?: string): VersionSpec {
  const index = new Map<string, number>();
  metrics.forEach((m, i) => index.set(m.name, i));
  return unknownHint === undefined ? { prefix, label, metrics, index } : { prefix, label, metrics, index, unknownHint };
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
 */
export function parseMetrics(input: string, start: number, spec: VersionSpec): ParseResult {
  const metrics = spec.metrics;
  const values = new Int8Array(metrics.length).fill(-1);
  const len = input.length;
  let inOrder = start === spec.prefix.length; // only reuse the input as-is when it carried the prefix
  let last = -1;
  let pos = start;
  if (pos >= len) return fail(`vector has no metrics after the ${spec.label} prefix`, undefined, pos);
  while (pos <= len) {
    let end = input.indexOf('/', pos);
    if (end === -1) end = len;
    if (end === pos) {
      return fail(
        end === len ? 'vector ends with "/" (empty segment)' : `empty segment at offset ${pos} ("//")`,
        undefined,
        pos,
      );
    }
    const colon = input.indexOf(':', pos);
    if (colon === -1 || colon >= end) {
      const seg = input.slice(pos, end);
      return fail(`segment "${seg}" is not of the form METRIC:VALUE`, undefined, pos);
    }
    const name = input.slice(pos, colon);
    const id = spec.index.get(name);
    if (id === undefined) {
      if (name === '') return fail(`segment "${input.slice(pos, end)}" has no metric name`, undefined, pos);
      return fail(`unknown metric ${name} for ${spec.label}${spec.unknownHint ?? ''}`, name, pos);
    }
    const def = metrics[id]!;
    const value = input.slice(colon + 1, end);
    if (value.indexOf(':') !== -1) {
      return fail(`segment "${input.slice(pos, end)}" is not of the form METRIC:VALUE`, name, pos);
    }
    if (values[id] !== -1) return fail(`metric ${name} appears twice`, name, pos);
    const allowed = def.values;
    let v = -1;
    for (let i = 0; i < allowed.length; i++) {
      if (allowed[i] === value) {
        v = i;
        break;
      }
    }
    if (v === -1) {
      const shown = value === '' ? `${name}: has an empty value` : `${name}:${value} is not a valid value`;
      return fail(`${shown} (expected ${allowed.join(', ')})`, name, colon + 1);
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
