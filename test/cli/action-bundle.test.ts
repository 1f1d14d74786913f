/**
 * The Action as the runner runs it: the committed bundle (dist-action/index.js)
 * is what the source builds, byte for byte, and started with the runner's
 * environment (INPUT_* with hyphens kept, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, a checkout folder) it annotates, summarises and
 * sets its outputs. Plus the pure parts: annotation escaping and the cap.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_BUNDLE, buildActionBundle, ROOT } from '../../scripts/build-action.ts';
import { annotationLines, jobSummary, MAX_ANNOTATIONS, outputLines } from '../../src/cli/action.ts';
import type { Finding } from '../../src/model/findings.ts';
import { workdir } from '../helpers/cli.ts';
import { threatModelText } from '../helpers/models.ts';

describe('dist-action/index.js', () => {
  it('is what `npm run build:action` builds from the source, byte for byte', async () => {
    const built = await buildActionBundle();
    const committed = readFileSync(join(ROOT, ACTION_BUNDLE), 'utf8');
    // On failure: run `npm run build:action` and commit dist-action/index.js with the source change.
    expect(built === committed, `${ACTION_BUNDLE} is stale: run npm run build:action`).toBe(true);
  }, 60_000);

  it('runs as the runner starts it: annotations, job summary, outputs, exit 1 on lint errors', () => {
    const model = threatModelText({ threats: 2 }).replace('targets: api', 'targets: apj');
    const workspace = workdir({ 'threat-model.yml': model, 'runner/output': '', 'runner/summary': '' });
    const env = {
      PATH: process.env.PATH,
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: join(workspace, 'runner/output'),
      GITHUB_STEP_SUMMARY: join(workspace, 'runner/summary'),
      // Set by the runner from action.yml: defaults included, names upper-cased with hyphens kept.
      INPUT_COMMAND: 'lint',
      'INPUT_SARIF-FILE': 'results/threatloop.sarif',
      INPUT_TOKEN: 'ghs_notUsedByLintAndNeverPrinted0000',
    };
    const run = spawnSync(process.execPath, [join(ROOT, ACTION_BUNDLE)], { cwd: workspace, env, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    // The CLI's own output sits between stop-commands markers: model text is never a workflow command.
    const stop = lines[0]!.match(/^::stop-commands::([0-9a-f-]{36})$/)?.[1];
    expect(stop).toBeDefined();
    const resume = lines.indexOf(`::${stop}::`);
    expect(resume).toBeGreaterThan(1);
    expect(lines.slice(1, resume).join('\n')).toMatch(/threat-model\.yml:\d+:\d+ error unknown-reference/);
    const annotations = lines.slice(resume + 1).filter((l) => l.startsWith('::error ') || l.startsWith('::warning '));
    expect(annotations).toContainEqual(expect.stringMatching(/^::error file=threat-model\.yml,line=\d+,col=\d+,.*title=threatloop unknown-reference::.*apj/));
    expect(readFileSync(env.GITHUB_OUTPUT, 'utf8')).toMatch(/^errors=1\nwarnings=\d+\nsarif-file=results\/threatloop\.sarif\nplanned-writes=\n$/);
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8');
    expect(summary).toContain('### Threat model: lint');
    expect(summary).toMatch(/\| 1 \| \d+ \|/);
    expect(JSON.parse(readFileSync(join(workspace, 'results/threatloop.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(run.stdout).not.toContain(env.INPUT_TOKEN);
  }, 60_000);

  it('a plan without a token is refused with the input named', () => {
    const workspace = workdir({ 'threat-model.yml': threatModelText({ threats: 1 }) });
    writeFileSync(join(workspace, 'out'), '');
    const run = spawnSync(process.execPath, [join(ROOT, ACTION_BUNDLE)], {
      cwd: workspace,
      env: { PATH: process.env.PATH, GITHUB_REPOSITORY: 'acme/app', GITHUB_OUTPUT: join(workspace, 'out'), INPUT_COMMAND: 'plan', INPUT_TOKEN: '' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('plan needs a token: the token input is empty');
  }, 60_000);
});

const finding = (over: Partial<Finding>): Finding => ({ rule: 'schema', level: 'error', message: 'm', file: 'threat-model.yml', start: { line: 3, column: 5 }, ...over });

describe('annotationLines', () => {
  it('escapes what would end a property or the command (%, newlines, colons and commas)', () => {
    const [line] = annotationLines([finding({ file: 'odd,name:.yml', message: '100% wrong\n::set-output name=x::y', end: { line: 3, column: 9 } })]);
    expect(line).toBe('::error file=odd%2Cname%3A.yml,line=3,col=5,endLine=3,endColumn=9,title=threatloop schema::100%25 wrong%0A::set-output name=x::y');
  });

  it('puts errors first and stops at the cap with a notice for the rest', () => {
    const findings = [
      ...Array.from({ length: MAX_ANNOTATIONS }, (_, i) => finding({ level: 'warning', rule: 'completeness', start: { line: i + 1, column: 1 } })),
      finding({ level: 'error', rule: 'duplicate-id' }),
    ];
    const lines = annotationLines(findings);
    expect(lines).toHaveLength(MAX_ANNOTATIONS + 1);
    expect(lines[0]).toMatch(/^::error .*duplicate-id/);
    expect(lines.at(-1)).toBe('::notice::1 more findings are not annotated; all of them are in the log above');
  });
});

describe('job summary and outputs', () => {
  it('counts, planned writes, and model text that cannot mention anyone or break the table', () => {
    const summary = jobSummary({ command: 'plan', title: 'Planned 3 writes', findings: [finding({ level: 'warning', message: 'owner @alice | see #12' })], plannedWrites: 3, applied: 0, remaining: 0 });
    expect(summary).toContain('| 0 | 1 | 3 | 0 | 0 |');
    expect(summary).toContain('owner @\u200balice \\| see #\u200b12');
    expect(outputLines({ errors: '0', 'planned-writes': '3' })).toBe('errors=0\nplanned-writes=3\n');
  });
});
