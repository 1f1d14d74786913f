/**
 * Findings: what the loader and the linter say about a file, as values with a
 * position the user can act on. Everything that reports on a model (CLI output,
 * SARIF, check-run annotations, the dashboard) consumes this one shape.
 */

export type FindingLevel = 'error' | 'warning';

/** 1-based line and column, as editors and GitHub annotations count them. */
export interface Position {
  line: number;
  column: number;
}

export interface Finding {
  /** Stable rule id, e.g. `yaml-syntax`, `schema`, `duplicate-id`, `cvss-score-mismatch`. */
  rule: string;
  level: FindingLevel;
  message: string;
  /** Path of the file the finding is about, as the user named it. */
  file: string;
  start: Position;
  end?: Position;
  /** Where in the document, e.g. `['threats', 3, 'cvss']`, when known. */
  path?: (string | number)[];
}

export const FILE_START: Position = { line: 1, column: 1 };

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.level === 'error');
}

/** Sorted by file, then position, then rule: stable output for people and diffs. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.start.line - b.start.line ||
      a.start.column - b.start.column ||
      a.rule.localeCompare(b.rule),
  );
}
