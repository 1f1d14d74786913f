import { describe, expect, it } from 'vitest';
import { ComponentSchema, type Component } from '../../src/model/schema.ts';
import { compileComponentGlobs, matchFiles } from '../../src/pull-request/match.ts';
import { paymentsModel } from './fixtures.ts';

const components = paymentsModel().components;
const modified = (filename: string) => ({ filename, status: 'modified' });

describe('matchFiles', () => {
  it('maps files to components by their globs and lists the rest as unmatched', () => {
    const result = matchFiles(
      [modified('services/api/src/auth.ts'), modified('db/migrations/001.sql'), modified('README.md'), modified('lib/report.sql')],
      components,
    );
    expect([...result.byComponent]).toEqual([
      ['api', ['services/api/src/auth.ts']],
      ['db', ['db/migrations/001.sql', 'lib/report.sql']],
    ]);
    expect(result.unmatched).toEqual(['README.md']);
  });

  it('counts a renamed file under its old and its new path', () => {
    const result = matchFiles(
      [{ filename: 'services/worker/main.ts', previous_filename: 'services/api/worker.ts', status: 'renamed' }],
      components,
    );
    expect([...result.byComponent]).toEqual([
      ['api', ['services/api/worker.ts']],
      ['worker', ['services/worker/main.ts']],
    ]);
    expect(result.unmatched).toEqual([]);
  });

  it('treats a literal pattern as a file or directory covering everything beneath it', () => {
    const matcher = compileComponentGlobs(components);
    expect(matcher.componentsFor('services/worker')).toEqual(['worker']);
    expect(matcher.componentsFor('services/worker/a/b.go')).toEqual(['worker']);
    expect(matcher.componentsFor('services/workers/x.go')).toEqual([]);
  });

  it('honours exclusions, dot files and a leading ./', () => {
    const comps: Component[] = [
      ComponentSchema.parse({ id: 'ci', name: 'CI', type: 'process', paths: ['./.github/**', '/deploy/'] }),
      ...components,
    ];
    const matcher = compileComponentGlobs(comps);
    expect(matcher.componentsFor('services/api/docs/README.md')).toEqual([]);
    expect(matcher.componentsFor('services/api/.env')).toEqual(['api']);
    expect(matcher.componentsFor('.github/workflows/ci.yml')).toEqual(['ci']);
    expect(matcher.componentsFor('deploy/prod.yaml')).toEqual(['ci']);
  });

  it('matches out-of-scope components (the comment shows their rationale)', () => {
    expect([...matchFiles([modified('third_party/sdk/x.js')], components).byComponent.keys()]).toEqual(['vendored']);
  });

  it('lists a file once per component and components in model order', () => {
    const result = matchFiles([modified('services/api/q.sql'), modified('services/api/q.sql')], components);
    expect([...result.byComponent]).toEqual([
      ['api', ['services/api/q.sql']],
      ['db', ['services/api/q.sql']],
    ]);
  });

  it('compiles each model once', () => {
    expect(compileComponentGlobs(components)).toBe(compileComponentGlobs(components));
  });

  it('agrees with picomatch on every file (property: the index skips only globs that cannot match)', async () => {
    const picomatch = (await import('picomatch')).default;
    const fc = await import('fast-check');
    const segment = fc.constantFrom('src', 'api', 'db', 'a.ts', '.env', 'x.sql', 'services', 'lib', 'web');
    const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
    const glob = fc.constantFrom('src/**', 'services/*/db/**', '**/*.sql', 'api/**/*.ts', 'lib/*', '{src,web}/**', 'services/api', 'src/a.ts', '**/.env');
    fc.assert(
      fc.property(fc.array(glob, { minLength: 1, maxLength: 4 }), fc.array(path, { maxLength: 20 }), (globs, paths) => {
        const comps = [ComponentSchema.parse({ id: 'c', name: 'C', type: 'process', paths: globs })];
        const matcher = compileComponentGlobs(comps);
        for (const p of paths) {
          const expected = globs.some((g) => (/[*{]/.test(g) ? picomatch.isMatch(p, g, { dot: true }) : p === g || p.startsWith(`${g}/`)));
          expect(matcher.componentsFor(p)!.length > 0).toBe(expected);
        }
      }),
    );
  });
});
