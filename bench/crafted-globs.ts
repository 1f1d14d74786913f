/**
 * The crafted-glob pull request of the denial-of-service finding: components
 * whose globs have several `*` in one segment, and changed files named to make
 * a backtracking matcher try every way to split them (long runs of the
 * repeated letter, no match at the end). Before the complexity bound one file
 * cost about 2 s; now such globs are never compiled.
 */
import { ComponentSchema, type Component } from '../src/model/schema.ts';
import type { ChangedFile } from '../src/pull-request/match.ts';

export function craftedGlobPullRequest(options: { files?: number } = {}): { components: Component[]; files: ChangedFile[] } {
  const components = [
    ComponentSchema.parse({ id: 'evil', name: 'Evil', type: 'process', paths: ['src/*a*a*a*a*a*a*.ts', '**/*a*a*a*a*b/**'] }),
    // Allowed but costly: two wildcards in a segment, one `**`.
    ComponentSchema.parse({ id: 'costly', name: 'Costly', type: 'process', paths: ['**/*a*a.ts'] }),
    ComponentSchema.parse({ id: 'plain', name: 'Plain', type: 'process', paths: ['src/**', 'lib/*.go'] }),
  ];
  const files = Array.from({ length: options.files ?? 100 }, (_, i) => ({
    filename: `src/${'a'.repeat(200 + (i % 50))}.tsx`,
    status: 'added',
  }));
  return { components, files };
}
