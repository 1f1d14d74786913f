/**
 * How costly a component `paths` glob is to match. Globs are compiled to
 * backtracking regular expressions (picomatch), and a pull request chooses the
 * file names they are tested against, outsiders' pull requests included: a
 * segment with several `*` costs about L^k steps on a crafted name of length L
 * (`src/*a*a*a*a*.ts` against `src/aaaa…` took seconds for ONE file), and every
 * `**` multiplies by the path length. So:
 *   - a glob with more than 2 wildcards in one path segment, more than 2 `**`,
 *     both 2 wildcards in a segment and 2 `**`, or over 256 characters is too
 *     complex: it is never matched and lint reports it (`glob-too-complex`);
 *   - the others are matched within a cost budget per pull request (see
 *     `src/pull-request/match.ts`), priced by `costly`.
 * A wildcard is a `*` run or a repeating extglob group (`*(…)`, `+(…)`, `!(…)`);
 * `?`, `[…]` and alternations (`{a,b}`, `@(…)`) cost a bounded factor.
 */

/** Longer patterns are a mistake or an attack; real `paths` globs are well under 100 characters. */
export const MAX_GLOB_LENGTH = 256;
export const MAX_WILDCARDS_PER_SEGMENT = 2;
export const MAX_GLOBSTARS = 2;

export type GlobComplexity =
  /** `costly`: testing one path may cost steps proportional to the path's length squared. */
  | { ok: true; costly: boolean }
  | { ok: false; reason: string };

export function globComplexity(pattern: string): GlobComplexity {
  if (pattern.length > MAX_GLOB_LENGTH) return { ok: false, reason: `it is ${pattern.length} characters long (at most ${MAX_GLOB_LENGTH})` };
  let globstars = 0;
  let worstSegment = 0;
  for (const segment of splitSegments(pattern.replace(/^!/, ''))) {
    if (segment === '**') {
      globstars++;
      continue;
    }
    worstSegment = Math.max(worstSegment, wildcardsIn(segment));
  }
  if (worstSegment > MAX_WILDCARDS_PER_SEGMENT) {
    return { ok: false, reason: `one path segment has ${worstSegment} wildcards (\`*\` or \`+(…)\`; at most ${MAX_WILDCARDS_PER_SEGMENT})` };
  }
  if (globstars > MAX_GLOBSTARS) return { ok: false, reason: `it has ${globstars} \`**\` (at most ${MAX_GLOBSTARS})` };
  if (globstars === MAX_GLOBSTARS && worstSegment === MAX_WILDCARDS_PER_SEGMENT) {
    return { ok: false, reason: `it has ${globstars} \`**\` and ${worstSegment} wildcards in one segment (one or the other)` };
  }
  return { ok: true, costly: globstars > 1 || worstSegment > 1 };
}

/** Splits on `/` outside `{…}`, `[…]` and `(…)`, skipping escaped characters. */
function splitSegments(pattern: string): string[] {
  const segments: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') i++;
    else if (ch === '{' || ch === '[' || ch === '(') depth++;
    else if ((ch === '}' || ch === ']' || ch === ')') && depth > 0) depth--;
    else if (ch === '/' && depth === 0) {
      segments.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  segments.push(pattern.slice(start));
  return segments;
}

/**
 * Wildcards whose cost grows with the name's length: `*` runs and the repeating or negated extglob
 * groups `*(…)`, `+(…)`, `!(…)`, inside alternations too. `{a,b}`, `@(…)`, `?(…)`, `?` and `[…]` only
 * multiply by their (bounded) number of alternatives.
 */
function wildcardsIn(segment: string): number {
  let count = 0;
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '\\') {
      i++;
    } else if (segment[i + 1] === '(' && (ch === '*' || ch === '+' || ch === '!')) {
      count++;
      i++;
    } else if (ch === '*') {
      count++;
      while (segment[i + 1] === '*') i++;
    } else if (ch === '[') {
      // A class matches one character: skip to its end.
      const close = segment.indexOf(']', i + 2);
      if (close !== -1) i = close;
    }
  }
  return count;
}
