import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo, workdir } from '../helpers/cli.ts';

/** A temporary repository with the given files. */
const repo = (files: Record<string, string | Buffer>) => workdir(files, 'threatloop-lint-');

async function lint(cwd: string, ...args: string[]) {
  const c = captureIo(cwd);
  const code = await main(['lint', ...args], c.io);
  const output = `${c.stdout()}\n${c.stderr()}`;
  expect(output).not.toMatch(/\n\s+at .*:\d+:\d+/); // never a stack trace
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

const CLEAN = `version: 1
system: { name: Test, out_of_scope: [] }
components:
  - { id: user, name: User, type: external-entity, waive: { R: Buys anonymously } }
threats:
  - { id: T1, title: Phishing, stride: S, targets: user, severity: low }
`;
const WARNS = CLEAN.replace('severity: low', 'severity: low, due: 2025-01-01');
const BROKEN = `${CLEAN}  - { id: T1, title: Again, stride: S, targets: usr, severity: low }\n`;

describe('threatloop lint', () => {
  it('exit 0 and a summary for a clean model', async () => {
    const r = await lint(repo({ 'threat-model.yml': CLEAN }), 'threat-model.yml');
    expect(r).toMatchObject({ code: 0, stdout: '0 errors, 0 warnings in threat-model.yml', stderr: '' });
  });

  it('exit 0 with warnings only; --today decides what is overdue', async () => {
    const dir = repo({ 'm.yml': WARNS });
    const late = await lint(dir, 'm.yml', '--today', '2025-03-01');
    expect(late.code).toBe(0);
    expect(late.stdout.split('\n')).toEqual([
      'm.yml:6:78 warning overdue threat T1 is open and was due 2025-01-01 (59 days ago)',
      '0 errors, 1 warning in m.yml',
    ]);
    expect((await lint(dir, 'm.yml', '--today', '2024-12-31')).stdout).toBe('0 errors, 0 warnings in m.yml');
  });

  it('what is overdue follows issues.close_statuses in the config', async () => {
    const mitigated = WARNS.replace('due: 2025-01-01', 'due: 2025-01-01, status: mitigated');
    const dir = repo({ 'threat-model.yml': mitigated, '.github/threatloop.yml': 'issues:\n  close_statuses: [verified]\n' });
    const r = await lint(dir, '--today', '2025-03-01');
    expect(r.stdout.split('\n')[0]).toBe('threat-model.yml:6:78 warning overdue threat T1 is mitigated and was due 2025-01-01 (59 days ago)');
    expect((await lint(repo({ 'threat-model.yml': mitigated }), '--today', '2025-03-01')).stdout).toBe('0 errors, 0 warnings in threat-model.yml');
  });

  it('exit 1 on errors, findings as file:line:col severity rule message, summary last', async () => {
    const r = await lint(repo({ 'm.yml': BROKEN }), 'm.yml');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('m.yml:7:11 error duplicate-id threat id "T1" is used twice: line 6 and line 7; give each threat its own id');
    expect(lines[1]).toMatch(/^m\.yml:7:\d+ error unknown-reference threat T1: unknown component or flow "usr"; did you mean "user"\?$/);
    expect(lines.at(-1)).toBe('2 errors, 0 warnings in m.yml');
  });

  it('defaults to the model named in .github/threatloop.yml, else threat-model.yml', async () => {
    const configured = repo({ '.github/threatloop.yml': 'model: security/model.yml\n', 'security/model.yml': BROKEN });
    expect((await lint(configured)).stdout).toMatch(/2 errors, 0 warnings in security\/model\.yml$/);
    expect((await lint(repo({ 'threat-model.yml': CLEAN }))).stdout).toBe('0 errors, 0 warnings in threat-model.yml');
  });

  it('a missing model file is a usage error naming the file', async () => {
    const none = await lint(repo({}));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^threatloop lint: model file not found: threat-model\.yml; pass FILE or set `model` in \.github\/threatloop\.yml/);
    const configured = await lint(repo({ '.github/threatloop.yml': 'model: nowhere.yml\n' }));
    expect(configured.code).toBe(2);
    expect(configured.stderr).toContain('model file not found: nowhere.yml (the `model` in .github/threatloop.yml)');
    const dir = await lint(repo({ 'sub/x': '' }), 'sub');
    expect(dir).toMatchObject({ code: 2, stderr: expect.stringContaining('sub is a directory') });
  });

  it('usage errors exit 2: unknown flag, bad format, bad date, two files, missing --config', async () => {
    const dir = repo({ 'm.yml': CLEAN });
    for (const [args, message] of [
      [['m.yml', '--bogus'], 'unknown option "--bogus" (options: --format, --sbom, --config, --today)'],
      [['m.yml', '--format', 'xml'], 'unknown format "xml" (use text, json, sarif)'],
      [['m.yml', '--today', '1/2/2025'], '--today must be a date written YYYY-MM-DD'],
      [['a.yml', 'b.yml'], 'expected one FILE, got 2'],
      [['m.yml', '--config', 'missing.yml'], 'config file not found: missing.yml'],
    ] as const) {
      const r = await lint(dir, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('usage: threatloop lint');
    }
  });

  it('--format json prints the findings and counts', async () => {
    const r = await lint(repo({ 'm.yml': BROKEN }), 'm.yml', '--format', 'json');
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.summary).toEqual({ errors: 2, warnings: 0 });
    expect(parsed.findings[0]).toMatchObject({ rule: 'duplicate-id', file: 'm.yml', start: { line: 7, column: 11 } });
  });

  it('--format sarif prints SARIF for code scanning', async () => {
    const r = await lint(repo({ 'm.yml': BROKEN }), 'm.yml', '--format', 'sarif');
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['duplicate-id', 'unknown-reference']);
    expect(sarif.runs[0].tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('applies lint.rules from the config and reports unknown rule names at their line', async () => {
    const dir = repo({
      '.github/threatloop.yml': 'lint:\n  rules:\n    overdue: error\n    unscord: off\n',
      'm.yml': WARNS.replace('severity: low, ', ''),
    });
    const r = await lint(dir, 'm.yml', '--today', '2025-03-01');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      '.github/threatloop.yml:4:5 warning lint-config lint.rules: unknown rule "unscord"; did you mean "unscored"?',
      expect.stringMatching(/^m\.yml:6:\d+ warning unscored /),
      expect.stringMatching(/^m\.yml:6:\d+ error overdue /),
      '1 error, 2 warnings in m.yml',
    ]);
  });

  it('an invalid config is reported as findings (exit 1); an explicit FILE is still linted', async () => {
    const dir = repo({ '.github/threatloop.yml': 'lint:\n  rulez: {}\n', 'm.yml': CLEAN });
    const alone = await lint(dir);
    expect(alone.code).toBe(1);
    expect(alone.stdout).toMatch(/^\.github\/threatloop\.yml:2:3 error config lint: unknown key "rulez"; did you mean "rules"\?/);
    const withFile = await lint(dir, 'm.yml');
    expect(withFile.code).toBe(1);
    expect(withFile.stdout.split('\n').at(-1)).toBe('1 error, 0 warnings in m.yml');
    const explicit = await lint(repo({ 'cfg.yml': 'lint: [\n', 'm.yml': CLEAN }), 'm.yml', '--config', 'cfg.yml');
    expect(explicit.stdout).toMatch(/^cfg\.yml:\d+:\d+ error config /);
  });

  it('bad input files: exit 1 with a positioned message', async () => {
    const dir = repo({
      'empty.yml': '',
      'binary.yml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]),
      'list.yml': '- 1\n',
      'dup.yml': 'version: 1\nversion: 1\n',
      'huge.yml': Buffer.alloc(10 * 1024 * 1024, 0x23),
    });
    const expected: Record<string, RegExp> = {
      'empty.yml': /^empty\.yml:1:1 error yaml-syntax file is empty/,
      'binary.yml': /^binary\.yml:1:1 error yaml-syntax file is not UTF-8 text/,
      'list.yml': /^list\.yml:1:1 error schema the model must be a YAML mapping/,
      'dup.yml': /^dup\.yml:2:1 error yaml-syntax Map keys must be unique/,
      'huge.yml': /^huge\.yml:1:1 error file-too-large file is 10\.0 MB; the limit is 8\.0 MB/,
    };
    for (const [file, pattern] of Object.entries(expected)) {
      const r = await lint(dir, file);
      expect(r.code, file).toBe(1);
      expect(r.stdout, file).toMatch(pattern);
    }
  });

  it('--help describes the options', async () => {
    const c = captureIo(process.cwd());
    expect(await main(['lint', '--help'], c.io)).toBe(0);
    expect(c.stdout()).toContain('--format');
    expect(c.stdout()).toContain('sarif');
  });
});
