/**
 * Changed files -> the components whose `paths` globs cover them.
 *
 * Semantics (documented in the README's pull-request section):
 * - globs are picomatch globs matched against repository-relative paths, with
 *   `dot: true` (so `.github/**` and files such as `.env` are covered);
 * - a pattern without glob characters (`services/api` or `services/api/`) names
 *   a file or a directory and covers everything beneath it;
 * - a pattern starting with `!` excludes: a component covers a file when one of
 *   its positive patterns matches and none of its `!` patterns do;
 * - a leading `./` or `/` is ignored (paths are always relative to the repo root);
 * - a renamed file counts under both its old and its new path;
 * - components marked `out_of_scope` still match: the mapping is a fact about
 *   the code, and a reviewer should learn that the code they change was
 *   declared out of scope (the comment shows the rationale).
 *
 * Speed: the globs are compiled once per model (memoised on the components
 * array) and indexed by their static base directory (`services/api/**` has
 * base `services/api`). A file is only tested against the globs whose base is
 * one of its ancestor directories, so 3,000 files x 1,000 components stays
 * far below 100 ms (see `bench/pr-match.bench.ts`).
 *
 * Bounded cost: the file names come from the pull request, an outsider's too.
 * A glob that could backtrack without bound on a crafted name (see
 * `src/model/glob-complexity.ts`) is never compiled (lint: `glob-too-complex`),
 * and each test is priced (the path's length, squared for a costly glob)
 * against MATCH_BUDGET per pull request: past it, the remaining files are not
 * matched and the result says how many were (`checkedFiles`).
 */
import picomatch from 'picomatch';
import { globComplexity } from '../model/glob-complexity.ts';
import type { Component } from '../model/schema.ts';

/**
 * Steps of glob matching one pull request may cost (a test of a path of length L costs L, or L * L
 * for a costly glob): about a second of CPU at worst; a 3,000-file PR against 1,000 components
 * spends a few million.
 */
export const MATCH_BUDGET = 500_000_000;

/** A changed file as `pulls.listFiles` returns it (only the fields we use). */
export interface ChangedFile {
  filename: string;
  previous_filename?: string | undefined;
  status: string;
}

export interface FileMatch {
  /** Component id -> the changed paths it covers, in the order the files came. */
  byComponent: Map<string, string[]>;
  /** Changed files (new path) that no component covers. */
  unmatched: string[];
  /** How many of the files were matched: fewer than all when MATCH_BUDGET ran out (the rest are in neither list). */
  checkedFiles: number;
}

/** A pattern that could not be compiled; it never matches. */
export interface InvalidGlob {
  componentId: string;
  pattern: string;
  message: string;
  /** The glob is valid but could cost too much to match (see glob-complexity.ts). */
  tooComplex?: boolean;
}

interface CompiledGlob {
  componentId: string;
  exclude: boolean;
  /** Absent for a literal path: being in an ancestor's bucket is the match. */
  regex?: RegExp;
  /** A test may cost the path's length squared (2 wildcards in a segment, or 2 `**`). */
  costly: boolean;
}

/** What matching may still spend, shared by the files of one pull request. */
export interface MatchMeter {
  spent: number;
  budget: number;
}

export interface ComponentMatcher {
  /** Ids of the components that cover `path`, in model order; undefined when `meter` ran out on the way. */
  componentsFor(path: string, meter?: MatchMeter): string[] | undefined;
  invalid: readonly InvalidGlob[];
}

const PICOMATCH_OPTIONS = { dot: true } as const;

const compiledMatchers = new WeakMap<readonly Component[], ComponentMatcher>();

/** Compiles every component's globs once; later calls with the same array reuse the result. */
export function compileComponentGlobs(components: readonly Component[]): ComponentMatcher {
  const cached = compiledMatchers.get(components);
  if (cached) return cached;
  const buckets = new Map<string, CompiledGlob[]>();
  const order = new Map<string, number>();
  const invalid: InvalidGlob[] = [];
  components.forEach((component, index) => {
    if (!order.has(component.id)) order.set(component.id, index);
    for (const raw of component.paths ?? []) {
      const compiled = compileGlob(component.id, raw);
      if ('message' in compiled) {
        invalid.push(compiled);
        continue;
      }
      const bucket = buckets.get(compiled.base);
      if (bucket) bucket.push(compiled.glob);
      else buckets.set(compiled.base, [compiled.glob]);
    }
  });

  const componentsFor = (path: string, meter?: MatchMeter): string[] | undefined => {
    const file = normalisePath(path);
    let covered: Set<string> | undefined;
    let excluded: Set<string> | undefined;
    const cost = file.length + 1;
    const visit = (base: string): boolean => {
      const bucket = buckets.get(base);
      if (!bucket) return true;
      for (const glob of bucket) {
        if (glob.regex) {
          if (meter) {
            meter.spent += glob.costly ? cost * cost : cost;
            if (meter.spent > meter.budget) return false;
          }
          if (!glob.regex.test(file)) continue;
        }
        if (glob.exclude) (excluded ??= new Set()).add(glob.componentId);
        else (covered ??= new Set()).add(glob.componentId);
      }
      return true;
    };
    if (!visit('')) return undefined;
    for (let slash = file.indexOf('/'); slash !== -1; slash = file.indexOf('/', slash + 1)) {
      if (!visit(file.slice(0, slash))) return undefined;
    }
    if (!visit(file)) return undefined;
    if (!covered) return [];
    const ids = [...covered].filter((id) => !excluded?.has(id));
    return ids.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  };

  const matcher: ComponentMatcher = { componentsFor, invalid };
  compiledMatchers.set(components, matcher);
  return matcher;
}

function compileGlob(componentId: string, raw: string): { base: string; glob: CompiledGlob } | InvalidGlob {
  let pattern = raw.trim();
  const exclude = pattern.startsWith('!');
  if (exclude) pattern = pattern.slice(1);
  pattern = pattern.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  if (pattern === '') return { componentId, pattern: raw, message: 'the pattern is empty' };
  const complexity = globComplexity(pattern);
  if (!complexity.ok) return { componentId, pattern: raw, message: `too complex to match safely: ${complexity.reason}`, tooComplex: true };
  try {
    const scan = picomatch.scan(pattern);
    if (!scan.isGlob) {
      // A literal names a file or directory: it covers itself and everything beneath.
      return { base: normalisePath(pattern), glob: { componentId, exclude, costly: false } };
    }
    const regex = picomatch.makeRe(pattern, PICOMATCH_OPTIONS);
    return { base: normalisePath(scan.base), glob: { componentId, exclude, regex, costly: complexity.costly } };
  } catch (error) {
    return { componentId, pattern: raw, message: error instanceof Error ? error.message : String(error) };
  }
}

function normalisePath(path: string): string {
  return path.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
}

/**
 * Which components each changed file belongs to. A renamed file is matched
 * under its previous and its new path; a path is listed once per component.
 */
export function matchFiles(files: readonly ChangedFile[], components: readonly Component[], budget = MATCH_BUDGET): FileMatch {
  const matcher = compileComponentGlobs(components);
  const byComponent = new Map<string, string[]>();
  const seen = new Map<string, Set<string>>();
  const unmatched: string[] = [];
  const meter: MatchMeter = { spent: 0, budget };
  let checkedFiles = 0;
  files: for (const file of files) {
    const paths = file.previous_filename && file.previous_filename !== file.filename
      ? [file.filename, file.previous_filename]
      : [file.filename];
    const idsByPath: [string, string[]][] = [];
    for (const path of paths) {
      const ids = matcher.componentsFor(path, meter);
      // Out of budget: this file and the rest stay unmatched (and unlisted), and the result says so.
      if (ids === undefined) break files;
      idsByPath.push([path, ids]);
    }
    checkedFiles++;
    let matchedAny = false;
    for (const [path, ids] of idsByPath) {
      for (const id of ids) {
        matchedAny = true;
        let listed = seen.get(id);
        if (!listed) {
          listed = new Set();
          seen.set(id, listed);
          byComponent.set(id, []);
        }
        if (listed.has(path)) continue;
        listed.add(path);
        byComponent.get(id)?.push(path);
      }
    }
    if (!matchedAny) unmatched.push(file.filename);
  }
  return { byComponent: sortByModelOrder(byComponent, components), unmatched, checkedFiles };
}

function sortByModelOrder(byComponent: Map<string, string[]>, components: readonly Component[]): Map<string, string[]> {
  const sorted = new Map<string, string[]>();
  for (const component of components) {
    const paths = byComponent.get(component.id);
    if (paths && !sorted.has(component.id)) sorted.set(component.id, paths);
  }
  return sorted;
}
