/**
 * Globs against file names an outsider chooses: pathological globs are never
 * compiled (and lint says where they are), every other test is priced against
 * a budget per pull request, and a PR that exhausts it gets a partial match
 * that says so. Speed is in `npm run bench`; these assert the behaviour.
 */
import { describe, expect, it } from 'vitest';
import { globComplexity } from '../../src/model/glob-complexity.ts';
import { lintModelText } from '../../src/model/lint/index.ts';
import { ComponentSchema } from '../../src/model/schema.ts';
import { compileComponentGlobs, matchFiles, MATCH_BUDGET } from '../../src/pull-request/match.ts';
import { craftedGlobPullRequest } from '../../bench/crafted-globs.ts';

const component = (id: string, paths: string[]) => ComponentSchema.parse({ id, name: id, type: 'process', paths });
const modified = (filename: string) => ({ filename, status: 'modified' });

describe('globComplexity', () => {
  it('accepts the globs people write', () => {
    for (const glob of ['src/**', '**/*.proto', 'apps/web/**/*.{ts,tsx}', 'src/*.test.*', '**/test/**', 'services/*/db/**', 'lib/[a-z]*.go', '@(a|b)/**']) {
      expect({ glob, complexity: globComplexity(glob) }).toMatchObject({ glob, complexity: { ok: true } });
    }
    expect(globComplexity('src/**').ok && globComplexity('src/**')).toEqual({ ok: true, costly: false });
    expect(globComplexity('src/*.test.*')).toEqual({ ok: true, costly: true });
    expect(globComplexity('**/test/**')).toEqual({ ok: true, costly: true });
  });

  it('refuses several wildcards in one segment, many `**`, both at once, and very long globs', () => {
    expect(globComplexity('src/*a*a*a*.ts')).toEqual({ ok: false, reason: 'one path segment has 4 wildcards (`*` or `+(…)`; at most 2)' });
    expect(globComplexity('src/+(a|aa)+(a|aa)*.ts').ok).toBe(false);
    expect(globComplexity('src/{*a,*b}*.ts').ok).toBe(false);
    expect(globComplexity('**/a/**/b/**/c')).toEqual({ ok: false, reason: 'it has 3 `**` (at most 2)' });
    expect(globComplexity('**/x/**/*a*b').ok).toBe(false);
    expect(globComplexity(`src/${'a'.repeat(300)}`).ok).toBe(false);
    // Escaped and class characters are not wildcards.
    expect(globComplexity('src/\\*\\*\\*[*]*.ts').ok).toBe(true);
  });
});

describe('matching within a budget', () => {
  it('never compiles a too-complex glob: it matches nothing and is reported', () => {
    const matcher = compileComponentGlobs([component('evil', ['src/*a*a*a*a*a*a*.ts']), component('ok', ['src/**'])]);
    expect(matcher.invalid).toEqual([expect.objectContaining({ componentId: 'evil', tooComplex: true })]);
    expect(matcher.componentsFor(`src/${'a'.repeat(200)}.tsx`)).toEqual(['ok']);
  });

  it('the crafted-glob pull request of the bench: the evil globs match nothing, the plain ones still match', () => {
    const { components, files } = craftedGlobPullRequest();
    const result = matchFiles(files, components);
    expect(result.checkedFiles).toBe(files.length);
    expect([...result.byComponent.keys()]).toEqual(['plain']);
  });

  it('stops at the budget: the files matched so far are kept and counted, the rest are neither matched nor unmatched', () => {
    const components = [component('api', ['src/**/*.{ts,js}', '**/x/**'])];
    const files = Array.from({ length: 10 }, (_, i) => modified(`src/${'d/'.repeat(i)}f${i}.ts`));
    const unlimited = matchFiles(files, components);
    expect(unlimited.checkedFiles).toBe(10);
    // A budget that runs out part-way: the cost of the first files, then a little more.
    const partial = matchFiles(files, components, 400);
    expect(partial.checkedFiles).toBeGreaterThan(0);
    expect(partial.checkedFiles).toBeLessThan(10);
    expect(partial.byComponent.get('api')).toEqual(files.slice(0, partial.checkedFiles).map((f) => f.filename));
    expect(partial.unmatched).toEqual([]);
    expect(MATCH_BUDGET).toBeGreaterThan(1_000_000);
  });

  it('a costly glob is priced at the path length squared', () => {
    const files = [modified(`src/${'a'.repeat(99)}`)]; // 103 characters
    const cheap = [component('c', ['src/*'])];
    const costly = [component('c', ['src/*a*'])];
    expect(matchFiles(files, cheap, 104).checkedFiles).toBe(1);
    expect(matchFiles(files, costly, 104).checkedFiles).toBe(0);
    expect(matchFiles(files, costly, 104 * 104).checkedFiles).toBe(1);
  });
});

describe('lint: glob-too-complex', () => {
  it('points at the glob in the YAML, as a warning', () => {
    const text = `version: 1
system: { name: S, out_of_scope: [] }
components:
  - id: api
    name: API
    type: process
    paths:
      - src/**
      - "src/*a*a*a*.ts"
`;
    const findings = lintModelText(text, 'model.yml', { today: '2030-01-01' }).findings.filter((f) => f.rule === 'glob-too-complex');
    expect(findings).toEqual([
      expect.objectContaining({
        level: 'warning',
        start: { line: 9, column: 9 },
        message: expect.stringContaining('glob "src/*a*a*a*.ts" is too complex to match safely against the file names of a pull request (one path segment has 4 wildcards'),
      }),
    ]);
  });
});

describe('the PR comment when matching stopped at the budget', () => {
  it('says how many files were mapped, and only then', async () => {
    const { ConfigSchema } = await import('../../src/config/schema.ts');
    const { buildGraph } = await import('../../src/model/graph.ts');
    const { touchedPart } = await import('../../src/pull-request/touched.ts');
    const { renderPrComment } = await import('../../src/pull-request/comment.ts');
    const { paymentsModel } = await import('./fixtures.ts');
    const model = paymentsModel();
    const graph = buildGraph(model);
    const files = ['services/api/a.ts', 'services/api/b.ts', 'services/api/c.ts'].map(modified);
    const render = (budget: number) => {
      const match = matchFiles(files, model.components, budget);
      return renderPrComment({
        graph,
        config: ConfigSchema.parse({}),
        detail: 'full',
        match,
        touched: touchedPart(graph, match.byComponent.keys()),
        fileCount: files.length,
        filesCapped: false,
        threatIssues: new Map(),
        references: { known: [], unknown: [] },
        modelPath: 'threat-model.yml',
        baseRef: 'main',
      });
    };
    expect(render(MATCH_BUDGET)).not.toContain('matching budget');
    // Each file costs three tests of 18 characters (54): a budget of 60 covers the first file only.
    expect(matchFiles(files, model.components, 60).checkedFiles).toBe(1);
    expect(render(60)).toMatch(/> Only the first 1 of 3 changed files were mapped to components: matching the rest against the model's `paths` globs would exceed the matching budget for one pull request/);
  });
});
