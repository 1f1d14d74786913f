/**
 * The pull request handlers through Probot (`probot.receive`), with GitHub
 * played by nock: a small in-memory repository answering the endpoints the
 * handlers use, recording every write.
 */
import fc from 'fast-check';
import nock from 'nock';
import type { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderMarker } from '../../src/sync/github/marker.ts';
import { createTestApp, type LogEntry } from '../helpers/probot.ts';

const API = 'https://api.github.com';
const OWNER = 'acme';
const REPO = 'pay';
const BASE_SHA = 'b'.repeat(40);
const HEAD_SHA = 'c'.repeat(40);
const MERGE_SHA = 'd'.repeat(40);

const MODEL = `version: 1
system:
  name: Payments
owners:
  backend:
    name: Backend team
    github: [alice, bob]
boundaries:
  - id: internet
    name: Internet
    trust: untrusted
  - id: vpc
    name: Production VPC
    trust: trusted
components:
  - id: browser
    name: Browser
    type: external-entity
    boundary: internet
  - id: api
    name: Payments API
    type: process
    boundary: vpc
    owner: backend
    paths: ['services/api/**']
  - id: db
    name: Ledger DB
    type: data-store
    boundary: vpc
    paths: ['db/**']
flows:
  - id: f-browser-api
    from: browser
    to: api
  - id: f-api-db
    from: api
    to: db
threats:
  - id: TM-1
    title: Forged session token
    stride: S
    targets: api
    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
    mitigation: Verify token signatures
    owner: backend
    due: 2026-06-30
  - id: TM-2
    title: Ledger tampering
    stride: T
    targets: db
    severity: medium
    status: mitigated
`;

interface Comment {
  id: number;
  body: string;
  user?: { login: string; type: 'Bot' | 'User' };
}
const APP_USER = { login: 'threatloop[bot]', type: 'Bot' } as const;
interface Issue {
  number: number;
  body: string;
  labels: string[];
  comments: Comment[];
  createdAt?: string;
  state?: 'open' | 'closed';
  stateReason?: 'completed' | 'not_planned' | 'duplicate' | null;
}
interface Write {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

/** The repository as the fake API serves it. */
class FakeRepo {
  commits = new Map<string, Record<string, string>>([
    [BASE_SHA, { 'threat-model.yml': MODEL }],
    [HEAD_SHA, { 'threat-model.yml': MODEL }],
    [MERGE_SHA, { 'threat-model.yml': MODEL }],
  ]);
  prFiles: { filename: string; status: string; previous_filename?: string }[] = [];
  prComments: Comment[] = [];
  issues: Issue[] = [
    { number: 11, body: `${renderMarker({ kind: 'threat', threatId: 'TM-1' })}\nForged session token`, labels: ['threat'], comments: [] },
  ];
  writes: Write[] = [];
  reads: string[] = [];
  unexpected: string[] = [];
  #nextId = 1000;

  install(): void {
    // nock 15 hands a reply function the fetch Request (one parameter; two would mean a callback).
    const reply = async (request: Request) => this.#answer(request.method, request.url, await request.text(), request.headers.get('accept') ?? '');
    const scope = nock(API).persist();
    for (const method of ['get', 'post', 'patch'] as const) scope[method](/.*/).reply(reply);
  }

  #answer(method: string, uri: string, body: string, accept = ''): [number, unknown, Record<string, string>?] {
    const url = new URL(uri, API);
    const path = decodeURIComponent(url.pathname);
    const json = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    if (method === 'GET') this.reads.push(`${path}${url.search}`);
    else if (!path.startsWith('/app/')) this.writes.push({ method, path, body: json });
    const repo = `/repos/${OWNER}/${REPO}`;
    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/app') return [200, { id: 1, slug: 'threatloop', name: 'threatloop' }];
    if (method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return [201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' }];
    }
    if (method === 'GET' && (m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/))) {
      const files = m[1] === OWNER && m[2] === REPO ? this.commits.get(url.searchParams.get('ref') ?? '') : undefined;
      const text = files?.[m[3]!];
      if (text === undefined) return [404, { message: 'Not Found' }];
      if (accept.includes('raw')) return [200, text, { 'content-type': 'application/vnd.github.raw; charset=utf-8' }];
      return [200, { type: 'file', size: Buffer.byteLength(text), encoding: 'base64', content: Buffer.from(text).toString('base64') }];
    }
    if (method === 'GET' && path === `${repo}/pulls/7/files`) return this.#page(url, this.prFiles);
    if (method === 'GET' && path === `${repo}/issues/7/comments`) return this.#page(url, this.prComments);
    if (method === 'POST' && path === `${repo}/issues/7/comments`) {
      const comment = { id: this.#nextId++, body: String(json.body), user: APP_USER };
      this.prComments.push(comment);
      return [201, comment];
    }
    if ((m = path.match(/^\/repos\/acme\/pay\/issues\/comments\/(\d+)$/)) && method === 'PATCH') {
      const comment = this.prComments.find((c) => c.id === Number(m![1]));
      if (!comment) return [404, { message: 'Not Found' }];
      comment.body = String(json.body);
      return [200, comment];
    }
    if (method === 'GET' && path === `${repo}/issues`) {
      const label = url.searchParams.get('labels');
      const listed = this.issues
        .filter((i) => !label || i.labels.includes(label))
        .map((i) => ({
          number: i.number,
          body: i.body,
          html_url: `https://github.com/acme/pay/issues/${i.number}`,
          labels: i.labels.map((name) => ({ name })),
          state: i.state ?? 'open',
          state_reason: i.stateReason ?? null,
          created_at: i.createdAt ?? '2026-01-01T00:00:00Z',
          assignees: [],
          milestone: null,
        }));
      return this.#page(url, listed);
    }
    if ((m = path.match(/^\/repos\/acme\/pay\/issues\/(\d+)\/comments$/))) {
      const issue = this.issues.find((i) => i.number === Number(m![1]));
      if (!issue) return [404, { message: 'Not Found' }];
      if (method === 'GET') return this.#page(url, issue.comments);
      const comment = { id: this.#nextId++, body: String(json.body), user: APP_USER };
      issue.comments.push(comment);
      return [201, comment];
    }
    if (method === 'POST' && path === `${repo}/check-runs`) return [201, { id: this.#nextId++ }];
    if (method === 'PATCH' && path.startsWith(`${repo}/check-runs/`)) return [200, {}];
    if (method === 'GET' && path === `${repo}/pulls/7/requested_reviewers`) return [200, { users: [], teams: [] }];
    if (method === 'GET' && path === `${repo}/pulls/7/reviews`) return [200, []];
    if (method === 'POST' && path === `${repo}/pulls/7/requested_reviewers`) return [201, {}];
    this.unexpected.push(`${method} ${path}${url.search}`);
    return [404, { message: 'Not Found' }];
  }

  #page(url: URL, items: readonly unknown[]): [number, unknown, Record<string, string>?] {
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    if (page * perPage >= items.length) return [200, slice];
    // As GitHub: the next page and the last.
    const at = (n: number) => {
      const link = new URL(url);
      link.searchParams.set('page', String(n));
      return link.toString();
    };
    return [200, slice, { link: `<${at(page + 1)}>; rel="next", <${at(Math.ceil(items.length / perPage))}>; rel="last"` }];
  }

  writesTo(pathEnd: string, method = 'POST'): Write[] {
    return this.writes.filter((w) => w.method === method && w.path.endsWith(pathEnd));
  }
}

let github: FakeRepo;
let logs: LogEntry[];
let probot: Probot;

beforeEach(async () => {
  github = new FakeRepo();
  github.install();
  ({ probot, logs } = await createTestApp(API, { now: () => new Date('2026-01-15T12:00:00Z') }));
});

afterEach(() => {
  expect(github.unexpected).toEqual([]);
  expect(logs.filter((l) => l.fields.outcome === 'error')).toEqual([]);
});

function pullRequest(
  action: string,
  overrides: { title?: string; body?: string; private?: boolean; merged?: boolean; changedFiles?: number; author?: string; headRepo?: string } = {},
) {
  return {
    id: `delivery-${Math.random()}`,
    name: 'pull_request' as const,
    payload: {
      action,
      number: 7,
      pull_request: {
        number: 7,
        title: overrides.title ?? 'Harden the API',
        body: overrides.body ?? null,
        html_url: 'https://github.com/acme/pay/pull/7',
        draft: false,
        merged: overrides.merged ?? false,
        merge_commit_sha: overrides.merged ? MERGE_SHA : null,
        changed_files: overrides.changedFiles ?? github.prFiles.length,
        user: { login: overrides.author ?? 'carol' },
        head: { sha: HEAD_SHA, ref: 'feature', repo: { full_name: overrides.headRepo ?? `${OWNER}/${REPO}` } },
        base: { sha: BASE_SHA, ref: 'main' },
      },
      repository: { name: REPO, full_name: `${OWNER}/${REPO}`, private: overrides.private ?? true, owner: { login: OWNER } },
      installation: { id: 42 },
      sender: { login: overrides.author ?? 'carol', type: 'User' },
    },
  };
}

/** Delivers the event; returns the fields of the handler's "done" log line (its outcome). */
async function receive(event: ReturnType<typeof pullRequest>): Promise<Record<string, unknown>> {
  await probot.receive(event as never);
  const done = logs.filter((l) => typeof l.fields.handler === 'string' && l.msg.endsWith(': done'));
  return done[done.length - 1]?.fields ?? {};
}

describe('a fork’s head config', () => {
  it('is linted as the file it is: its `_extends` is not followed, so no other repository is read', async () => {
    // The base has a config of its own, so the owner's default is not read for it either.
    github.commits.set(BASE_SHA, { 'threat-model.yml': MODEL, '.github/threatloop.yml': 'model: threat-model.yml\n' });
    github.commits.set(HEAD_SHA, { 'threat-model.yml': MODEL, '.github/threatloop.yml': '_extends: .github\n' });
    github.prFiles = [{ filename: '.github/threatloop.yml', status: 'added' }];
    expect(await receive(pullRequest('opened', { headRepo: 'mallory/pay' }))).toMatchObject({ check: 'success' });
    expect(github.reads.filter((r) => r.startsWith('/repos/acme/.github/'))).toEqual([]);
  });

  it('a PR from the repository itself follows it (within the same bounds as a push)', async () => {
    github.commits.set(BASE_SHA, { 'threat-model.yml': MODEL, '.github/threatloop.yml': 'model: threat-model.yml\n' });
    github.commits.set(HEAD_SHA, { 'threat-model.yml': MODEL, '.github/threatloop.yml': '_extends: .github\n' });
    github.prFiles = [{ filename: '.github/threatloop.yml', status: 'added' }];
    await receive(pullRequest('opened'));
    expect(github.reads.filter((r) => r.startsWith('/repos/acme/.github/'))).not.toEqual([]);
  });
});

describe('pull request context comment', () => {
  it('is created once, updated in place on synchronize, and not rewritten when nothing changed', async () => {
    github.prFiles = [{ filename: 'services/api/src/auth.ts', status: 'modified' }];
    expect(await receive(pullRequest('opened'))).toMatchObject({ outcome: 'comment-created', check: 'success' });
    expect(github.writesTo('/issues/7/comments')).toHaveLength(1);
    const first = github.prComments[0]!;
    expect(first.body).toContain('<!-- threatloop:pr-context -->');
    expect(first.body).toContain('**1 component touched** (Payments API) · open threats: 1 critical');
    expect(first.body).toContain('[TM-1](https://github.com/acme/pay/issues/11) Forged session token | S | 9.8&nbsp;Critical | Open | Verify token signatures | Backend team (alice, bob) |');
    expect(first.body).toContain('```mermaid');

    github.prFiles.push({ filename: 'db/schema.sql', status: 'added' });
    expect(await receive(pullRequest('synchronize'))).toMatchObject({ outcome: 'comment-updated' });
    expect(github.writesTo('/issues/7/comments')).toHaveLength(1);
    expect(github.writesTo(`/issues/comments/${first.id}`, 'PATCH')).toHaveLength(1);
    expect(github.prComments).toHaveLength(1);
    expect(github.prComments[0]!.body).toContain('**2 components touched** (Payments API, Ledger DB)');
    expect(github.prComments[0]!.body).toContain('<details><summary>1 closed threat (mitigated)</summary>');

    const writesBefore = github.writes.length;
    expect(await receive(pullRequest('synchronize'))).toMatchObject({ outcome: 'comment-unchanged', reason: 'comment is up to date' });
    // Only the check run for the new event: the comment is untouched.
    expect(github.writes.slice(writesBefore).map((w) => `${w.method} ${w.path}`)).toEqual(['POST /repos/acme/pay/check-runs']);
  });

  it('is not created for a PR that touches no mapped component; an existing one is edited to say so', async () => {
    github.prFiles = [{ filename: 'docs/README.md', status: 'modified' }];
    expect(await receive(pullRequest('opened'))).toMatchObject({ outcome: 'comment-unchanged', reason: 'no threat context' });
    expect(github.writesTo('/comments')).toEqual([]);
    // The check run still reports on the model.
    expect(github.writesTo('/check-runs')).toHaveLength(1);

    github.prComments = [{ id: 5, body: '<!-- threatloop:pr-context -->\nold context', user: APP_USER }];
    await receive(pullRequest('synchronize'));
    expect(github.prComments[0]!.body).toContain('no longer changes files mapped to components');
    expect(github.writesTo('/issues/7/comments')).toEqual([]);
  });

  it('never edits a person’s comment that quotes the marker', async () => {
    github.prComments = [{ id: 5, body: 'Why does <!-- threatloop:pr-context --> say that?', user: { login: 'dave', type: 'User' } }];
    github.prFiles = [{ filename: 'services/api/src/auth.ts', status: 'modified' }];
    expect(await receive(pullRequest('opened'))).toMatchObject({ outcome: 'comment-created' });
    expect(github.prComments[0]!.body).toBe('Why does <!-- threatloop:pr-context --> say that?');
    expect(github.writesTo('/issues/comments/5', 'PATCH')).toEqual([]);
  });

  it('never edits another app’s comment that carries the marker (it could not, and the PR would get no context)', async () => {
    // E.g. a staging install of threatloop, or a bot that echoes comments. GitHub answers 403 to an edit of another app's comment.
    github.prComments = [{ id: 5, body: '<!-- threatloop:pr-context -->\nfrom another app', user: { login: 'threatloop-staging[bot]', type: 'Bot' } }];
    github.prFiles = [{ filename: 'services/api/src/auth.ts', status: 'modified' }];
    expect(await receive(pullRequest('opened'))).toMatchObject({ outcome: 'comment-created' });
    expect(github.writesTo('/issues/comments/5', 'PATCH')).toEqual([]);
    expect(github.prComments[0]!.body).toBe('<!-- threatloop:pr-context -->\nfrom another app');
    expect(github.prComments[1]!.body).toContain('Payments API');
  });

  it('maps a renamed file under its old path', async () => {
    github.prFiles = [{ filename: 'legacy/auth.ts', previous_filename: 'services/api/auth.ts', status: 'renamed' }];
    await receive(pullRequest('opened'));
    expect(github.prComments[0]!.body).toContain('- **Payments API** (1 file): `services/api/auth.ts`');
  });

  it('lists every page of a 3,000-file PR and says GitHub stopped there', async () => {
    github.prFiles = Array.from({ length: 3000 }, (_, i) => ({ filename: i === 2999 ? 'db/last.sql' : `services/api/f${i}.ts`, status: 'modified' }));
    await receive(pullRequest('opened', { changedFiles: 3400 }));
    expect(github.reads.filter((r) => r.startsWith('/repos/acme/pay/pulls/7/files'))).toHaveLength(30);
    const body = github.prComments[0]!.body;
    expect(body).toContain('GitHub lists only the first 3,000 changed files');
    expect(body).toContain('Ledger DB');
    expect(body).toContain('Changed files by component: 3000 of 3000+ mapped');
  });

  it('shows ids and severities only on a public repository (summary mode)', async () => {
    github.prFiles = [{ filename: 'services/api/src/auth.ts', status: 'modified' }];
    await receive(pullRequest('opened', { private: false }));
    const body = github.prComments[0]!.body;
    expect(body).toContain('| [TM-1](https://github.com/acme/pay/issues/11) | Critical |');
    expect(body).not.toContain('Forged session token');
    expect(body).not.toContain('Verify token signatures');
    expect(body).not.toContain('mermaid');
  });

  it('reads the mapping from the base commit, so a PR cannot remove its own context', async () => {
    github.commits.set(HEAD_SHA, { 'threat-model.yml': MODEL.replace("paths: ['services/api/**']", "paths: ['nowhere/**']") });
    github.prFiles = [
      { filename: 'services/api/src/auth.ts', status: 'modified' },
      { filename: 'threat-model.yml', status: 'modified' },
    ];
    await receive(pullRequest('opened'));
    expect(github.prComments[0]!.body).toContain('**1 component touched** (Payments API)');
  });
});

describe('a PR that edits the model', () => {
  it('gets the threat diff in the comment and lint annotations on the exact lines', async () => {
    const head = MODEL.replace('severity: medium\n    status: mitigated', 'severity: medium\n    status: open').replace(
      'cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X',
    );
    github.commits.set(HEAD_SHA, { 'threat-model.yml': `${head}  - id: TM-3\n    title: Replayed webhook\n    stride: R\n    targets: api\n    severity: high\n` });
    github.prFiles = [{ filename: 'threat-model.yml', status: 'modified' }];
    expect(await receive(pullRequest('opened'))).toMatchObject({ check: 'failure', outcome: 'comment-created' });

    const [check] = github.writesTo('/check-runs');
    const cvssLine = head.split('\n').findIndex((l) => l.includes('A:X')) + 1;
    expect(check!.body).toMatchObject({ name: 'Threat model', head_sha: HEAD_SHA, conclusion: 'failure' });
    const annotations = (check!.body.output as { annotations: { path: string; start_line: number; title: string; annotation_level: string }[] }).annotations;
    expect(annotations).toContainEqual(
      expect.objectContaining({ path: 'threat-model.yml', start_line: cvssLine, title: 'cvss-invalid', annotation_level: 'failure' }),
    );

    const body = github.prComments[0]!.body;
    expect(body).toContain('#### Threat model changes in this PR (1 added, 0 removed, 2 changed)');
    expect(body).toContain('- **Added** `TM-3` Replayed webhook: High, Open');
    expect(body).toContain('- **Changed** `TM-1` Forged session token: re-scored 9.8 Critical → Unscored');
    expect(body).toContain('- **Changed** `TM-2` Ledger tampering: status Mitigated → Open');
  });

  it('posts no check run when neither model nor config exists at the head', async () => {
    github.commits.set(HEAD_SHA, {});
    github.prFiles = [{ filename: 'services/api/x.ts', status: 'modified' }];
    await receive(pullRequest('opened'));
    expect(github.writesTo('/check-runs')).toEqual([]);
  });
});

describe('check run on a retargeted PR', () => {
  it('re-runs the check when an edit changes the base branch: the head is checked against the new base config', async () => {
    const releaseSha = 'e'.repeat(40);
    github.commits.set(releaseSha, { 'threat-model.yml': MODEL, '.github/threatloop.yml': 'issues:\n  enabled: maybe\n' });
    github.prFiles = [{ filename: 'README.md', status: 'modified' }];
    expect(await receive(pullRequest('opened'))).toMatchObject({ check: 'success' });

    const retargeted = pullRequest('edited');
    Object.assign(retargeted.payload, { changes: { base: { ref: { from: 'main' }, sha: { from: BASE_SHA } } } });
    retargeted.payload.pull_request.base = { sha: releaseSha, ref: 'release' };
    expect(await receive(retargeted)).toMatchObject({ check: 'failure' });
    const checks = github.writesTo('/check-runs');
    expect(checks).toHaveLength(2);
    expect(checks[1]!.body).toMatchObject({ head_sha: HEAD_SHA, conclusion: 'failure' });
  });
});

describe('write budgets for what a pull request can cause', () => {
  const TM2 = () => ({ number: 12, body: `${renderMarker({ kind: 'threat', threatId: 'TM-2' })}\nLedger tampering`, labels: ['threat'], comments: [] });

  it('a comment anyone can write with the cross-link marker does not suppress the real cross-link', async () => {
    github.prFiles = [{ filename: 'README.md', status: 'modified' }];
    github.issues[0]!.comments.push({ id: 1, body: '<!-- threatloop:pr-link acme/pay#7 --> nothing to see', user: { login: 'mallory', type: 'User' } });
    expect(await receive(pullRequest('opened', { body: 'Mitigates TM-1' }))).toMatchObject({ crossLinks: 1 });
    expect(github.issues[0]!.comments.at(-1)!.user).toEqual(APP_USER);
  });

  it('cross-links per PR are capped by pull_requests.max_cross_links, those already written counting', async () => {
    github.issues.push(TM2());
    for (const sha of [BASE_SHA, HEAD_SHA]) github.commits.get(sha)!['.github/threatloop.yml'] = 'pull_requests:\n  max_cross_links: 1\n';
    github.prFiles = [{ filename: 'README.md', status: 'modified' }];
    expect(await receive(pullRequest('opened', { body: 'Refs TM-1, TM-2' }))).toMatchObject({ crossLinks: 1 });
    expect(await receive(pullRequest('edited', { body: 'Refs TM-1, TM-2 (edited)' }))).toMatchObject({ crossLinks: 0 });
    expect(github.writesTo('/comments').filter((w) => /\/issues\/1[12]\/comments$/.test(w.path))).toHaveLength(1);
  });

  it('a fork’s PR cross-links only on issues in this repository, and none with fork_cross_links: none', async () => {
    github.prFiles = [{ filename: 'README.md', status: 'modified' }];
    expect(await receive(pullRequest('opened', { body: 'Refs TM-1', headRepo: 'mallory/pay' }))).toMatchObject({ crossLinks: 1 });
    github.issues[0]!.comments = [];
    github.commits.get(BASE_SHA)!['.github/threatloop.yml'] = 'pull_requests:\n  fork_cross_links: none\n';
    expect(await receive(pullRequest('edited', { body: 'Refs TM-1 (again)', headRepo: 'mallory/pay' }))).toMatchObject({ crossLinks: 0 });
    expect(github.issues[0]!.comments).toEqual([]);
  });

  it('a fork’s PR writes nothing into another issues repository', async () => {
    github.commits.get(BASE_SHA)!['.github/threatloop.yml'] = 'issues:\n  repo: acme/security\n';
    github.prFiles = [{ filename: 'README.md', status: 'modified' }];
    expect(await receive(pullRequest('opened', { body: 'Refs TM-1', headRepo: 'mallory/pay' }))).toMatchObject({ crossLinks: 0 });
    expect(github.writes.filter((w) => w.path.startsWith('/repos/acme/security'))).toEqual([]);
    // The context comment's issue links asked for the target's consent (a read; this fake has no acme/security).
    expect(github.unexpected.every((r) => r.startsWith('GET /repos/acme/security'))).toBe(true);
    github.unexpected = [];
  });

  it('property: no pull_request event from a fork causes more than a fixed number of writes', async () => {
    // Check run + context comment + at most max_cross_links (5) cross-links + one review request.
    const BOUND = 1 + 1 + 5 + 1;
    for (const n of [12, 13, 14, 15, 16, 17]) github.issues.push({ ...TM2(), number: n, body: `${renderMarker({ kind: 'threat', threatId: n === 12 ? 'TM-2' : `TM-${n}` })}\nx` });
    github.commits.get(BASE_SHA)!['.github/threatloop.yml'] = 'pull_requests:\n  request_reviews: true\n';
    const refs = ['TM-1', 'TM-2', 'TM-13', 'TM-14', 'TM-15', 'TM-16', 'TM-17', '#11', '#12', '#99', 'TM-404', 'acme/other#3'];
    const paths = ['services/api/src/a.ts', 'db/schema.sql', 'threat-model.yml', '.github/threatloop.yml', 'README.md'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('opened', 'synchronize', 'reopened', 'ready_for_review', 'edited', 'closed'),
        fc.uniqueArray(fc.constantFrom(...refs), { maxLength: refs.length }),
        fc.constantFrom('Refs', 'Mitigates', 'Fixes'),
        fc.subarray(paths),
        fc.boolean(),
        async (action, referenced, verb, files, merged) => {
          github.prFiles = files.map((filename) => ({ filename, status: 'modified' }));
          const before = github.writes.length;
          await receive(pullRequest(action, { body: `${verb} ${referenced.join(', ')}`, headRepo: 'mallory/pay', merged: action === 'closed' && merged, author: 'mallory' }));
          expect(github.writes.length - before).toBeLessThanOrEqual(BOUND);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('traceability', () => {
  it('cross-links each referenced threat issue once and lists unknown ids in the PR comment', async () => {
    github.prFiles = [{ filename: 'README.md', status: 'modified' }];
    const event = pullRequest('opened', { body: 'Mitigates TM-1, TM-99\n<!-- Refs TM-xx -->' });
    expect(await receive(event)).toMatchObject({ crossLinks: 1 });
    const issue = github.issues[0]!;
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]!.body).toContain('<!-- threatloop:pr-link acme/pay#7 -->');
    expect(issue.comments[0]!.body).toContain('says it mitigates `TM-1`');
    expect(github.prComments[0]!.body).toContain('- Mitigates [TM-1](https://github.com/acme/pay/issues/11) Forged session token (Critical)');
    expect(github.prComments[0]!.body).toContain('- Not threats in the model, ignored: `TM-99`');

    expect(await receive(pullRequest('edited', { body: 'Mitigates TM-1, TM-99 (edited)' }))).toMatchObject({ crossLinks: 0 });
    expect(issue.comments).toHaveLength(1);
    // Same head commit: no second check run for an edit of the description.
    expect(github.writesTo('/check-runs')).toHaveLength(1);
  });

  it('links the issue the sync keeps when two carry one threat’s marker (one closed as a duplicate by a person)', async () => {
    github.prFiles = [{ filename: 'README.md', status: 'modified' }];
    const marker = renderMarker({ kind: 'threat', threatId: 'TM-1' });
    // #11 is the older, but a person closed it as the copy: the sync keeps #12 and so must the PR side.
    github.issues = [
      { number: 11, body: `${marker}\nForged session token`, labels: ['threat'], comments: [], createdAt: '2026-01-01T00:00:00Z', state: 'closed', stateReason: 'duplicate' },
      { number: 12, body: `${marker}\nForged session token`, labels: ['threat'], comments: [], createdAt: '2026-01-01T00:00:01Z' },
    ];
    expect(await receive(pullRequest('opened', { body: 'Mitigates TM-1' }))).toMatchObject({ crossLinks: 1 });
    expect(github.issues[0]!.comments).toHaveLength(0);
    expect(github.issues[1]!.comments).toHaveLength(1);
    expect(github.prComments[0]!.body).toContain('[TM-1](https://github.com/acme/pay/issues/12)');
  });

  it('comments once on the threat issue when the PR is merged', async () => {
    const merged = pullRequest('closed', { merged: true, title: 'Sign tokens (fixes #11)', body: 'Refs TM-1' });
    expect(await receive(merged)).toMatchObject({ outcome: 'merged', comments: 1 });
    const issue = github.issues[0]!;
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]!.body).toContain('<!-- threatloop:pr-merged acme/pay#7 -->');
    expect(issue.comments[0]!.body).toContain('the status lives in the threat model');
    await receive(merged);
    expect(issue.comments).toHaveLength(1);
  });

  it('does nothing when a PR is closed without merging', async () => {
    expect(await receive(pullRequest('closed', { body: 'Mitigates TM-1' }))).toMatchObject({ outcome: 'closed-unmerged' });
    expect(github.writes).toEqual([]);
  });
});

describe('review requests (opt-in)', () => {
  it('asks the owners of touched critical/high threats, never the author', async () => {
    github.commits.set(BASE_SHA, { 'threat-model.yml': MODEL, '.github/threatloop.yml': 'pull_requests:\n  request_reviews: true\n' });
    github.prFiles = [{ filename: 'services/api/src/auth.ts', status: 'modified' }];
    await receive(pullRequest('opened', { author: 'alice' }));
    expect(github.writesTo('/pulls/7/requested_reviewers').map((w) => w.body)).toEqual([{ reviewers: ['bob'] }]);
  });

  it('is off by default', async () => {
    github.prFiles = [{ filename: 'services/api/src/auth.ts', status: 'modified' }];
    await receive(pullRequest('opened'));
    expect(github.writesTo('/requested_reviewers')).toEqual([]);
  });
});
