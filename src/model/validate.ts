/**
 * zod validation -> findings at the YAML position of each problem, with a
 * did-you-mean for unknown keys and misspelt enum values.
 */
import type { z } from 'zod';
import type { Finding } from './findings.ts';
import type { DocPath, YamlSource } from './source.ts';

type Issue = z.core.$ZodIssue;

export type Validated<T> = { ok: true; value: T } | { ok: false; findings: Finding[] };

export function validateWithSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  source: YamlSource,
  rule = 'schema',
): Validated<z.output<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const findings = flattenIssues(result.error.issues, value).flatMap((issue) => toFindings(issue, schema, source, rule, value));
  return { ok: false, findings };
}

/** A union failure is reported through the branch that best fits the value the user wrote. */
function flattenIssues(issues: readonly Issue[], root: unknown, prefix: PropertyKey[] = []): Issue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [{ ...issue, path }];
    const branches = issue.errors;
    const scored = branches.map((branch) => ({
      branch,
      // A branch that rejected the value's type outright is the wrong branch.
      misfit: branch.filter((i) => i.code === 'invalid_type' && i.path.length === 0).length,
      depth: Math.max(0, ...branch.map((i) => i.path.length)),
    }));
    scored.sort((a, b) => a.misfit - b.misfit || b.depth - a.depth);
    const best = scored[0]!.branch;
    if (scored[0]!.misfit > 0) return [{ ...issue, path, message: describeUnionMismatch(valueAt(root, path)) }];
    return flattenIssues(best, root, path);
  });
}

function describeUnionMismatch(value: unknown): string {
  // A missing key reaches a union as undefined: the user left it out, nothing has a wrong type.
  if (value === undefined) return 'is required';
  return `has the wrong type (${typeName(value)})`;
}

/** A mapping of thousands of unknown keys is one mistake (or an attack), not thousands of findings to print. */
const MAX_UNKNOWN_KEYS_SHOWN = 20;

function toFindings(issue: Issue, schema: z.ZodType, source: YamlSource, rule: string, root: unknown): Finding[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema, path);
    const shown = issue.keys.slice(0, MAX_UNKNOWN_KEYS_SHOWN);
    const findings: Finding[] = shown.map((key) => {
      const keyPath = [...path, key];
      const span = source.locate(keyPath, { key: true });
      const hint = didYouMean(key, known);
      return {
        rule,
        level: 'error' as const,
        message: `${formatPath(path)}: unknown key "${key}"${hint ? `; did you mean "${hint}"?` : ''}`,
        file: source.file,
        start: span.start,
        end: span.end,
        path: keyPath,
      };
    });
    const rest = issue.keys.length - shown.length;
    if (rest > 0) {
      const span = source.locate(path);
      findings.push({
        rule,
        level: 'error',
        message: `${formatPath(path)}: ${rest} more unknown keys not shown`,
        file: source.file,
        start: span.start,
        end: span.end,
        path,
      });
    }
    return findings;
  }
  const span = source.locate(path);
  return [
    {
      rule,
      level: 'error',
      message: `${formatPath(path)}: ${describeIssue(issue, valueAt(root, path))}`,
      file: source.file,
      start: span.start,
      end: span.end,
      path,
    },
  ];
}

function describeIssue(issue: Issue, actual: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (actual === undefined) return `is required (${issue.expected})`;
      return `must be ${article(issue.expected)}, not ${typeName(actual)}`;
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v));
      const hint = typeof actual === 'string' ? didYouMean(actual, issue.values.map(String)) : undefined;
      const shown = actual === undefined ? 'is required' : `${JSON.stringify(actual)} is not allowed`;
      return `${shown}; expected ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`}${hint ? ` (did you mean "${hint}"?)` : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `must list at least ${issue.minimum}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      return `must be at most ${issue.maximum}`;
    default:
      return issue.message;
  }
}

/** The keys an object at `path` accepts, found by walking the zod schema. */
export function knownKeys(schema: z.ZodType, path: DocPath): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, rest: DocPath, seen: number): void => {
    if (!node || seen > 64) return;
    const def = (node as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
        return visit(def.innerType, rest, seen + 1);
      case 'pipe':
        return visit(def.in, rest, seen + 1);
      case 'union':
        for (const option of def.options as unknown[]) visit(option, rest, seen + 1);
        return;
      case 'array':
        if (rest.length > 0 && typeof rest[0] === 'number') visit(def.element, rest.slice(1), seen + 1);
        else if (rest.length === 0) visit(def.element, rest, seen + 1);
        return;
      case 'record':
        if (rest.length > 0) visit(def.valueType, rest.slice(1), seen + 1);
        return;
      case 'object': {
        const shape = def.shape as Record<string, unknown>;
        if (rest.length === 0) for (const key of Object.keys(shape)) found.add(key);
        else visit(shape[String(rest[0])], rest.slice(1), seen + 1);
        return;
      }
    }
  };
  visit(schema, path, 0);
  return [...found];
}

export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(needle, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(input.length / 3));
  // Distance 0 is a case-only difference (`Open` for `open`, owner `Alice` for `alice`): the best hint of all.
  return best !== undefined && best !== input && bestDistance <= tolerance ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** `threats[3].cvss.vector` */
export function formatPath(path: DocPath): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function typeName(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

function article(expected: string): string {
  if (expected === 'object') return 'a mapping';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
