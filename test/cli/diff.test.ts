import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo, workdir } from '../helpers/cli.ts';

const BASE = `version: 1
system: { name: Test }
components:
  - { id: api, name: API, type: process }
threats:
  - { id: T1, title: Stolen token, stride: S, targets: api, severity: high, status: open, owner: [] }
  - { id: T2, title: Log tampering, stride: T, targets: api, cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N" }
  - { id: T3, title: Going away, stride: D, targets: api, severity: low }
`.replace(', owner: []', '');
const HEAD = BASE.replace('status: open', 'status: mitigated')
  .replace('C:H/I:H/A:N', 'C:L/I:L/A:N')
  .replace('  - { id: T3, title: Going away, stride: D, targets: api, severity: low }\n', '  - { id: T4, title: New one, stride: E, targets: api, severity: medium }\n');

async function diff(cwd: string, ...args: string[]) {
  const c = captureIo(cwd);
  const code = await main(['diff', ...args], c.io);
  expect(c.all()).not.toMatch(/\n\s+at .*:\d+:\d+/);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'ignore' });
}

describe('threatloop diff', () => {
  it('two files: the changes as the PR comment words them, exit 0', async () => {
    const dir = workdir({ 'a.yml': BASE, 'b.yml': HEAD });
    const r = await diff(dir, 'a.yml', 'b.yml');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '--- a.yml',
      '+++ b.yml',
      'Threat model changes: 1 added, 1 removed, 2 changed',
      '  Added T4 New one: Medium, Open',
      '  Removed T3 Going away (was Low)',
      '  Changed T1 Stolen token: status Open → Mitigated',
      '  Changed T2 Log tampering: re-scored 9.1 Critical → 6.5 Medium',
    ]);
    expect((await diff(dir, 'a.yml', 'a.yml')).stdout).toBe('--- a.yml\n+++ a.yml\nThreat model changes: 0 added, 0 removed, 0 changed');
  });

  it('--format json: the diff data with both sources', async () => {
    const r = await diff(workdir({ 'a.yml': BASE, 'b.yml': HEAD }), 'a.yml', 'b.yml', '--format', 'json');
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      base: 'a.yml',
      head: 'b.yml',
      added: [{ id: 'T4', status: 'open', score: { rating: 'medium' } }],
      removed: [{ id: 'T3' }],
      changed: [{ id: 'T1', status: { from: 'open', to: 'mitigated' } }, { id: 'T2', rescored: { from: { score: 9.1 }, to: { score: 6.5 } } }],
    });
  });

  it('two git revisions: the model path from the config, REV:path also works', async () => {
    const dir = workdir({ '.github/threatloop.yml': 'model: security/tm.yml\n', 'security/tm.yml': BASE });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'base');
    git(dir, 'checkout', '-q', '-b', 'work');
    writeFileSync(join(dir, 'security/tm.yml'), HEAD);
    git(dir, 'commit', '-q', '-am', 'head');
    const r = await diff(dir, 'main', 'HEAD');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['--- main:security/tm.yml', '+++ HEAD:security/tm.yml', 'Threat model changes: 1 added, 1 removed, 2 changed']);
    const explicit = await diff(dir, 'main:security/tm.yml', 'security/tm.yml');
    expect(explicit.stdout.split('\n')[2]).toBe('Threat model changes: 1 added, 1 removed, 2 changed');
  });

  it('a model that does not load: its findings on stderr, exit 1, nothing on stdout', async () => {
    const dir = workdir({ 'a.yml': BASE, 'b.yml': `${HEAD}  - { id: T5, title: x }\n` });
    const r = await diff(dir, 'a.yml', 'b.yml');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('b.yml:9:5 error schema');
    expect(r.stderr).toContain('threatloop diff: b.yml does not load; fix it first (threatloop lint)');
  });

  it('usage errors exit 2: one argument, a bad format, an unknown revision, an option as a revision, outside git', async () => {
    const dir = workdir({ 'a.yml': BASE });
    expect((await diff(dir, 'a.yml')).code).toBe(2);
    expect((await diff(dir, 'a.yml', 'a.yml', '--format', 'xml')).stderr).toContain('unknown format "xml"');
    const outside = await diff(dir, 'a.yml', 'nope');
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^threatloop diff: cannot read nope:threat-model\.yml from git: .*\(not a file either\)/);
    const option = await diff(dir, 'a.yml', '--output=x:y');
    expect(option.code).toBe(2);
    const dashed = await diff(dir, 'a.yml', '--', '--output=/tmp/x:y');
    expect(dashed.code).toBe(2);
    expect(dashed.stderr).toContain('"--output=/tmp/x:y" is not a revision');
  });

  describe('owner approval (pull_requests.require_owner_approval)', () => {
    const OWNED = BASE.replace('system: { name: Test }\n', 'system: { name: Test }\nowners:\n  sec: { name: Security, github: [lena], team: acme/security }\n').replace(
      'severity: low }',
      'severity: low, owner: sec }',
    );
    const REQUIRE = 'pull_requests:\n  require_owner_approval: [remove, accept]\n';

    it('lists each threat whose change needs an owner and who (the BASE revision’s config and owners), in text and JSON', async () => {
      const dir = workdir({ '.github/threatloop.yml': REQUIRE, 'threat-model.yml': OWNED });
      git(dir, 'init', '-q', '-b', 'main');
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', 'base');
      git(dir, 'checkout', '-q', '-b', 'work');
      // The change also drops the requirement and makes someone else the owner: neither counts.
      writeFileSync(join(dir, '.github/threatloop.yml'), 'pull_requests:\n  require_owner_approval: []\n');
      writeFileSync(join(dir, 'threat-model.yml'), HEAD.replace('system: { name: Test }\n', 'system: { name: Test }\nowners:\n  sec: { name: Security, github: [mallory] }\n'));
      git(dir, 'commit', '-q', '-am', 'head');
      const text = await diff(dir, 'main', 'HEAD');
      expect(text.code).toBe(0);
      expect(text.stdout.split('\n').slice(-2)).toEqual([
        "Needs an owner's approval (pull_requests.require_owner_approval in main:.github/threatloop.yml):",
        '  T3 Going away: this pull request removes it; approval needed from lena or a member of acme/security',
      ]);
      const json = JSON.parse((await diff(dir, 'main', 'HEAD', '--format', 'json')).stdout) as { ownerApprovals: unknown };
      expect(json.ownerApprovals).toEqual({
        required: ['remove', 'accept'],
        config: 'main:.github/threatloop.yml',
        needs: [{ threatId: 'T3', title: 'Going away', changes: ['remove'], owners: ['sec'], logins: ['lena'], teams: ['acme/security'] }],
      });
    });

    it('two files: the working tree’s config (or --config); without the key nothing is listed', async () => {
      const dir = workdir({ 'a.yml': OWNED, 'b.yml': HEAD, 'strict.yml': REQUIRE });
      expect((await diff(dir, 'a.yml', 'b.yml')).stdout).not.toContain('approval');
      const strict = await diff(dir, 'a.yml', 'b.yml', '--config', 'strict.yml');
      expect(strict.stdout).toContain('  T3 Going away: this pull request removes it; approval needed from lena or a member of acme/security');
      const json = JSON.parse((await diff(dir, 'a.yml', 'b.yml', '--format', 'json')).stdout) as { ownerApprovals: unknown };
      expect(json.ownerApprovals).toEqual({ required: [], config: '.github/threatloop.yml', needs: [] });
    });
  });
});
