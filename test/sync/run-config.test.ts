import { beforeEach, describe, expect, it } from 'vitest';
import { describeError } from '../../src/app/handler.ts';
import { redactSecrets } from '../../src/security/redact-secrets.ts';
import { rateLimitWait } from '../../src/github/client.ts';
import { mergeConfigs, readRepoConfig } from '../../src/github/contents.ts';
import type { GitHubStandin } from '../helpers/github-standin.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';
import { TestOctokit } from '../helpers/probot.ts';

const standin = useGitHubStandin();
let github: GitHubStandin;
beforeEach(() => {
  github = standin.github;
});
const client = () => new TestOctokit({ auth: { token: 't' }, baseUrl: github.url });

describe('readRepoConfig', () => {
  it('reads the config at the commit, not the branch: a later commit does not leak in', async () => {
    github.addRepo({ owner: 'acme', name: 'app', files: { '.github/threatloop.yml': 'model: old.yml\n' } });
    const sha = github.repo('acme/app').branches.get('main')!;
    github.push('acme/app', { '.github/threatloop.yml': 'model: new.yml\n' });
    const read = await readRepoConfig(client(), 'acme', 'app', sha);
    expect(read).toMatchObject({ ok: true, found: true, config: { model: 'old.yml' } });
  });

  it('falls back to the organisation default in <org>/.github, and follows _extends (lists replaced, maps merged)', async () => {
    github.addRepo({ owner: 'acme', name: '.github', files: { '.github/threatloop.yml': 'issues:\n  close_statuses: [verified]\n  labels:\n    prefix: "sec/"\n' } });
    github.addRepo({ owner: 'acme', name: 'app', files: { 'README.md': 'x' } });
    const fallback = await readRepoConfig(client(), 'acme', 'app', github.repo('acme/app').branches.get('main')!);
    expect(fallback).toMatchObject({ ok: true, found: true, config: { issues: { close_statuses: ['verified'], labels: { prefix: 'sec/' } } } });

    github.push('acme/app', { '.github/threatloop.yml': '_extends: .github\nissues:\n  close_statuses: [mitigated]\n' });
    const extended = await readRepoConfig(client(), 'acme', 'app', github.repo('acme/app').branches.get('main')!);
    expect(extended).toMatchObject({ ok: true, config: { issues: { close_statuses: ['mitigated'], labels: { prefix: 'sec/' } } } });
  });

  it('invalid YAML or values become config findings, not exceptions', async () => {
    github.addRepo({ owner: 'acme', name: 'app', files: { '.github/threatloop.yml': 'issues: [unclosed\n' } });
    const broken = await readRepoConfig(client(), 'acme', 'app', github.repo('acme/app').branches.get('main')!);
    expect(broken).toMatchObject({ ok: false, findings: [expect.objectContaining({ rule: 'config', level: 'error', file: '.github/threatloop.yml' })] });
    github.push('acme/app', { '.github/threatloop.yml': 'issues:\n  max_writes_per_sync: -1\n' });
    const invalid = await readRepoConfig(client(), 'acme', 'app', github.repo('acme/app').branches.get('main')!);
    expect(invalid.ok).toBe(false);
  });

  it('mergeConfigs drops _extends', () => {
    expect(mergeConfigs([{ a: { b: 1, c: [1] } }, { a: { c: [2] }, _extends: 'x' }])).toEqual({ a: { b: 1, c: [2] } });
  });
});

describe('rate limit answers', () => {
  it('honours retry-after, falls back to 60 s on an unlabelled secondary limit, and treats an exhausted quota as a stop', () => {
    expect(rateLimitWait({ status: 403, message: 'x', response: { headers: { 'retry-after': '12' } } }, 0)).toEqual({ kind: 'retry', seconds: 12 });
    expect(rateLimitWait({ status: 403, message: 'You have exceeded a secondary rate limit' }, 0)).toEqual({ kind: 'retry', seconds: 60 });
    expect(rateLimitWait({ status: 429, message: 'Too many' }, 0)).toEqual({ kind: 'retry', seconds: 60 });
    expect(rateLimitWait({ status: 403, message: 'x', response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '100' } } }, 50_000)).toEqual({ kind: 'quota', seconds: 51 });
    expect(rateLimitWait({ status: 403, message: 'Resource not accessible by integration' }, 0)).toBeUndefined();
    expect(rateLimitWait({ status: 404, message: 'x' }, 0)).toBeUndefined();
  });
});

describe('error logging', () => {
  it('redacts tokens, JWTs and private keys', () => {
    const message = 'failed with token ghs_abcdefghijklmnopqrstuvwxyz012345 and Bearer eyJhbGciOi.eyJpc3MiOjF9.c2ln -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----';
    const redacted = redactSecrets(message);
    expect(redacted).not.toMatch(/ghs_|eyJ|MIIE/);
    expect(describeError(Object.assign(new Error(message), { status: 500 }))).toMatchObject({ status: 500, message: redacted });
  });
});
