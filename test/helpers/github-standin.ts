/**
 * A small, stateful stand-in for the GitHub REST API on 127.0.0.1, for tests
 * and benchmarks that need more than a few scripted answers: the real server
 * (spawned with GHE_HOST pointing here), multi-sync scenarios (500 threats
 * with a write budget), request counting.
 *
 * It answers what threatloop uses: installation tokens, GET /app, repos,
 * git refs, contents (raw or base64), compare, issues (list with labels /
 * state / creator / pagination and Link headers, one by number, create, edit, comments listed per issue or for the
 * whole repository and posted), labels,
 * milestones, assignees, check runs, pull request reviews and team memberships. Every request is recorded. Extend it
 * for your endpoints (`route`) rather than writing another one.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';

export interface RecordedRequest {
  method: string;
  /** Path without the /api/v3 prefix and without the query, e.g. /repos/acme/app/issues. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface StandinIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  assignees: string[];
  milestone: number | null;
  created_at: string;
  /** `user` defaults to the app's bot (`issueAuthor`), `created_at` to the issue's, `updated_at` to `created_at`. */
  comments: { id: number; body: string; user?: string; created_at?: string; updated_at?: string }[];
  pull_request?: boolean;
  /** Login of whoever opened it (default: the app's bot, `issueAuthor`). */
  user?: string;
  /** When it was last closed (set on closing, as GitHub's `closed_at`). */
  closed_at?: string | null;
  /** Its timeline's events besides comments: `closed` / `reopened`, who and when (GET …/timeline). */
  events?: { event: string; actor: string; created_at: string; commit_id?: string | null; state_reason?: string | null }[];
}

/** A pull request opened through the API (POST /pulls), as GitHub keeps it. */
export interface StandinPull {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  merged: boolean;
  head: string;
  base: string;
  user: string;
}

export interface StandinRepo {
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  /** Commit sha -> files at that commit. */
  commits: Map<string, Record<string, string>>;
  branches: Map<string, string>;
  issues: StandinIssue[];
  labels: { name: string; color: string; description: string | null }[];
  milestones: { number: number; title: string; due_on: string | null; state: 'open' | 'closed' }[];
  assignees: string[];
  checkRuns: { id: number; name: string; head_sha: string; conclusion?: string; output: { title?: string; summary?: string; annotations: unknown[] } }[];
  /** Writes answer 403 "Resource not accessible by integration". */
  readOnly: boolean;
  nextNumber: number;
  /** Pull requests opened through the API (POST /pulls); numbered with the issues, as on GitHub. */
  pulls: StandinPull[];
  /** Commit sha -> its parents and message (git data API). */
  commitInfo: Map<string, { parents: string[]; message: string }>;
}

/** A pull request review as GitHub lists it (`GET /pulls/{n}/reviews`, oldest first). */
export interface StandinReview {
  id: number;
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commitId: string;
  submittedAt: string;
}

/** The head, base and author of a pull request of `addPullRequest` (a person's, not one the app opened). */
export interface AddedPull {
  head?: string;
  base?: string;
  author: string;
  /** The repository the head is in (`owner/name`): another one for a fork. */
  headRepo?: string;
}

export interface PushResult {
  before: string;
  after: string;
  added: string[];
  modified: string[];
  removed: string[];
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Handler = (request: RecordedRequest, match: RegExpMatchArray, url: URL) => Reply | undefined;

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export class GitHubStandin {
  readonly requests: RecordedRequest[] = [];
  readonly repos = new Map<string, StandinRepo>();
  /** Replies served before the normal handling, first match wins, consumed when `times` reaches 0. */
  readonly failures: { method: string; path: RegExp; reply: Reply; times: number }[] = [];
  readonly #lostAnswers: { method: string; path: RegExp; reply: Reply; times: number }[] = [];
  /** Who the token belongs to: the author of issues it creates (the app `threatloop` answers GET /app). */
  issueAuthor = 'threatloop[bot]';
  /** Changed files of each pull request, by `owner/name#number` (GET /pulls/{n}/files). */
  readonly pullFiles = new Map<string, string[]>();
  /** Head, base and author of each pull request, by `owner/name#number`. */
  readonly addedPulls = new Map<string, AddedPull>();
  /** Reviews of each pull request, by `owner/name#number`, oldest first. */
  readonly reviews = new Map<string, StandinReview[]>();
  /** Active members of each team, by `org/team-slug` (lower case). */
  readonly teams = new Map<string, string[]>();
  /** False: the installation lacks the `members: read` organisation permission (team memberships answer 403). */
  teamsReadable = true;
  #reviewCounter = 0;
  /**
   * A request this returns true for is applied but never answered (its connection stays open until
   * `close`): the client sees a write that GitHub did, as when a replica dies mid-request.
   */
  hold: ((request: RecordedRequest) => boolean) | undefined = undefined;
  /** `request` after each request was handled (answered or held). */
  readonly events = new EventEmitter();
  /** GET /user answers with this login; undefined = 403, as for an installation token or Actions' GITHUB_TOKEN. */
  tokenUser: string | undefined = undefined;
  /** What GET /repos/{o}/{r}/installation says the app was granted (the manifest's defaults before proposals). */
  installationPermissions: Record<string, string> = { contents: 'read', issues: 'write', checks: 'write', pull_requests: 'write', metadata: 'read' };
  /** Tree sha -> files (git data API: every commit's tree, and trees posted). */
  readonly #trees = new Map<string, Record<string, string>>();
  readonly #server: Server;
  readonly #prefix: string;
  readonly #routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
  #port = 0;
  #commitCounter = 0;
  #checkRunCounter = 0;
  #commentCounter = 0;

  /** The clock that dates issues, comments and events (SLA due dates count from an issue's creation). */
  readonly #now: () => Date;

  private constructor(prefix: string, now: () => Date) {
    this.#prefix = prefix;
    this.#now = now;
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#installRoutes();
  }

  /**
   * `prefix: '/api/v3'` serves like GitHub Enterprise Server (what Probot uses with GHE_HOST);
   * `now` dates what it stores (the real clock unless given; installation tokens always expire by the real one).
   */
  static async start(options: { prefix?: string; now?: () => Date } = {}): Promise<GitHubStandin> {
    const standin = new GitHubStandin(options.prefix ?? '', options.now ?? (() => new Date()));
    await new Promise<void>((resolve) => standin.#server.listen(0, '127.0.0.1', resolve));
    standin.#port = (standin.#server.address() as AddressInfo).port;
    return standin;
  }

  get host(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Base URL for Octokit's `baseUrl`. */
  get url(): string {
    return `http://${this.host}${this.#prefix}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  addRepo(options: {
    owner: string;
    name: string;
    private?: boolean;
    defaultBranch?: string;
    files?: Record<string, string>;
    assignees?: string[];
    readOnly?: boolean;
  }): StandinRepo {
    const repo: StandinRepo = {
      owner: options.owner,
      name: options.name,
      private: options.private ?? true,
      defaultBranch: options.defaultBranch ?? 'main',
      commits: new Map(),
      branches: new Map(),
      issues: [],
      labels: [],
      milestones: [],
      assignees: options.assignees ?? [],
      checkRuns: [],
      readOnly: options.readOnly ?? false,
      nextNumber: 1,
      pulls: [],
      commitInfo: new Map(),
    };
    this.repos.set(key(options.owner, options.name), repo);
    if (options.files) this.push(`${options.owner}/${options.name}`, options.files);
    return repo;
  }

  repo(fullName: string): StandinRepo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`stand-in has no repository ${fullName}`);
    return repo;
  }

  /** A new commit on the default branch: `null` deletes a file. */
  push(fullName: string, changes: Record<string, string | null>): PushResult {
    const repo = this.repo(fullName);
    const before = repo.branches.get(repo.defaultBranch) ?? '0'.repeat(40);
    const previous = repo.commits.get(before) ?? {};
    const files = { ...previous };
    const result: PushResult = { before, after: '', added: [], modified: [], removed: [] };
    for (const [path, text] of Object.entries(changes)) {
      if (text === null) {
        if (path in files) result.removed.push(path);
        delete files[path];
      } else {
        (path in files ? result.modified : result.added).push(path);
        files[path] = text;
      }
    }
    const sha = createHash('sha1').update(`${fullName}:${++this.#commitCounter}`).digest('hex');
    repo.commits.set(sha, files);
    repo.commitInfo.set(sha, { parents: before === '0'.repeat(40) ? [] : [before], message: 'update' });
    repo.branches.set(repo.defaultBranch, sha);
    result.after = sha;
    return result;
  }

  /**
   * A person closes (or reopens) an issue, as GitHub records it: state, `closed_at`, a timeline event with
   * the actor (and the commit, when a commit or merged PR closed it), and the comment written with it.
   * Returns the `issues` webhook payload.
   */
  setIssueState(
    fullName: string,
    number: number,
    change: { state: 'open' | 'closed'; by: string; reason?: 'completed' | 'not_planned' | 'duplicate'; commitId?: string; comment?: string; at?: string },
  ) {
    const repo = this.repo(fullName);
    const issue = repo.issues.find((i) => i.number === number);
    if (!issue) throw new Error(`stand-in has no issue #${number}`);
    const at = change.at ?? this.#now().toISOString();
    if (change.comment !== undefined) issue.comments.push({ id: ++this.#commentCounter, body: change.comment, user: change.by, created_at: at });
    issue.state = change.state;
    issue.state_reason = change.state === 'closed' ? (change.reason ?? 'completed') : 'reopened';
    if (change.state === 'closed') issue.closed_at = at;
    (issue.events ??= []).push({
      event: change.state === 'closed' ? 'closed' : 'reopened',
      actor: change.by,
      created_at: at,
      commit_id: change.commitId ?? null,
      state_reason: change.state === 'closed' ? issue.state_reason : null,
    });
    return {
      action: change.state === 'closed' ? 'closed' : 'reopened',
      issue: { ...this.#issueJson(repo, issue) },
      sender: { login: change.by, id: 2, type: change.by.endsWith('[bot]') ? 'Bot' : 'User' },
      installation: { id: 1, node_id: 'x' },
      repository: this.repositoryJson(repo),
    };
  }

  /** A pull request of `pulls` closed (merged or not) by `by`: the webhook payload, and the state changed. */
  closePull(fullName: string, number: number, options: { by: string; merged?: boolean }) {
    const repo = this.repo(fullName);
    const pull = repo.pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`stand-in has no pull request #${number}`);
    pull.state = 'closed';
    pull.merged = options.merged ?? false;
    if (pull.merged) {
      // As a merge: the default branch gets the head's files in a new commit.
      const files = repo.commits.get(repo.branches.get(pull.head)!)!;
      const model = Object.fromEntries(Object.entries(files));
      this.push(fullName, model);
    }
    return {
      action: 'closed',
      number,
      pull_request: this.#pullJson(repo, pull),
      sender: { login: options.by, id: 2, type: options.by.endsWith('[bot]') ? 'Bot' : 'User' },
      installation: { id: 1, node_id: 'x' },
      repository: this.repositoryJson(repo),
    };
  }

  /** A push webhook payload for a `push()` result. */
  pushPayload(fullName: string, push: PushResult, options: { installationId?: number; sender?: { login: string; type: string } } = {}) {
    const repo = this.repo(fullName);
    return {
      ref: `refs/heads/${repo.defaultBranch}`,
      before: push.before,
      after: push.after,
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      compare: '',
      commits: [
        {
          id: push.after,
          tree_id: push.after,
          distinct: true,
          message: 'update',
          timestamp: this.#now().toISOString(),
          url: '',
          author: { name: 'Ada', email: 'ada@example.com', username: 'ada' },
          committer: { name: 'Ada', email: 'ada@example.com', username: 'ada' },
          added: push.added,
          modified: push.modified,
          removed: push.removed,
        },
      ],
      head_commit: null,
      pusher: { name: 'ada', email: 'ada@example.com' },
      sender: options.sender ?? { login: 'ada', id: 1, type: 'User' },
      installation: { id: options.installationId ?? 1, node_id: 'x' },
      repository: this.repositoryJson(repo),
    };
  }

  /** A commit on no branch (a pull request's head): `parent`'s files with `changes`; returns its sha. */
  commit(fullName: string, parent: string, changes: Record<string, string | null>): string {
    const repo = this.repo(fullName);
    const files = { ...(repo.commits.get(parent) ?? {}) };
    for (const [path, text] of Object.entries(changes)) {
      if (text === null) delete files[path];
      else files[path] = text;
    }
    const sha = createHash('sha1').update(`${fullName}:${++this.#commitCounter}`).digest('hex');
    repo.commits.set(sha, files);
    return sha;
  }

  /**
   * A pull request (an issue with `pull_request`, as GitHub lists it) changing `files`; returns its number.
   * Head and base default to the default branch's head when the payload is made; the author to `ada`.
   */
  addPullRequest(fullName: string, files: string[], pull: Partial<AddedPull> = {}): number {
    const repo = this.repo(fullName);
    const number = repo.nextNumber++;
    this.addedPulls.set(`${fullName.toLowerCase()}#${number}`, { author: 'ada', ...pull });
    repo.issues.push({
      number,
      title: `Change ${number}`,
      body: '',
      state: 'open',
      state_reason: null,
      labels: [],
      assignees: [],
      milestone: null,
      created_at: this.#now().toISOString(),
      comments: [],
      pull_request: true,
      user: pull.author ?? 'ada',
    });
    this.pullFiles.set(`${fullName.toLowerCase()}#${number}`, files);
    return number;
  }

  /** A `pull_request` webhook payload for a pull request of `addPullRequest`, head and base at the branch head. */
  pullRequestPayload(fullName: string, number: number, action: string, options: { installationId?: number } = {}) {
    const repo = this.repo(fullName);
    return {
      action,
      number,
      pull_request: { ...this.#addedPullJson(fullName, number), changed_files: this.pullFiles.get(`${fullName.toLowerCase()}#${number}`)?.length ?? 0, merged: false },
      sender: { login: 'ada', id: 1, type: 'User' },
      installation: { id: options.installationId ?? 1, node_id: 'x' },
      repository: this.repositoryJson(repo),
    };
  }

  /** A review by `login` on the pull request's head (or `commitId`), listed from now on; returns it. */
  addReview(fullName: string, number: number, review: { login: string; state: StandinReview['state']; commitId?: string }): StandinReview {
    const key = `${fullName.toLowerCase()}#${number}`;
    const added: StandinReview = {
      id: ++this.#reviewCounter,
      login: review.login,
      state: review.state,
      commitId: review.commitId ?? this.#addedPullJson(fullName, number).head.sha,
      submittedAt: this.#now().toISOString(),
    };
    this.reviews.set(key, [...(this.reviews.get(key) ?? []), added]);
    return added;
  }

  /**
   * A `pull_request_review` webhook payload (submitted, dismissed, edited), as GitHub sends it: the review and
   * the pull request without the fields only the pull request events carry (`merged`, `changed_files`).
   */
  pullRequestReviewPayload(fullName: string, number: number, action: string, review: StandinReview, options: { installationId?: number } = {}) {
    const repo = this.repo(fullName);
    return {
      action,
      review: this.#reviewJson(review),
      pull_request: this.#addedPullJson(fullName, number),
      sender: { login: review.login, id: 2, type: 'User' },
      installation: { id: options.installationId ?? 1, node_id: 'x' },
      repository: this.repositoryJson(repo),
    };
  }

  #addedPullJson(fullName: string, number: number) {
    const repo = this.repo(fullName);
    const branchHead = repo.branches.get(repo.defaultBranch)!;
    const pull = this.addedPulls.get(`${fullName.toLowerCase()}#${number}`) ?? { author: 'ada' };
    const pr = repo.issues.find((i) => i.number === number)!;
    const headRepo = pull.headRepo ?? `${repo.owner}/${repo.name}`;
    return {
      number,
      state: pr.state,
      title: pr.title,
      body: pr.body,
      html_url: `http://${this.host}/${repo.owner}/${repo.name}/pull/${number}`,
      draft: false,
      user: { login: pull.author, id: 1, type: 'User' },
      head: { sha: pull.head ?? branchHead, ref: 'feature', repo: { full_name: headRepo } },
      base: { sha: pull.base ?? branchHead, ref: repo.defaultBranch, repo: { full_name: `${repo.owner}/${repo.name}` } },
    };
  }

  #reviewJson(review: StandinReview) {
    return {
      id: review.id,
      node_id: `PRR_${review.id}`,
      user: { login: review.login, id: 100 + review.id, type: 'User' },
      body: '',
      state: review.state,
      commit_id: review.commitId,
      submitted_at: review.submittedAt,
      author_association: 'MEMBER',
    };
  }

  repositoryJson(repo: StandinRepo) {
    return {
      id: 1000 + [...this.repos.values()].indexOf(repo),
      node_id: 'R',
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      private: repo.private,
      owner: { login: repo.owner, id: 7, type: 'Organization' },
      html_url: `http://${this.host}/${repo.owner}/${repo.name}`,
      default_branch: repo.defaultBranch,
    };
  }

  /** Requests that change something (POST/PATCH/PUT/DELETE), token requests excluded. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => WRITE_METHODS.has(r.method) && !r.path.startsWith('/app/'));
  }

  /** Reads, token requests excluded. */
  reads(): RecordedRequest[] {
    return this.requests.filter((r) => !WRITE_METHODS.has(r.method) && !r.path.startsWith('/app'));
  }

  /** Serve `reply` for the next `times` requests matching. */
  fail(method: string, path: RegExp, reply: Reply, times = 1): void {
    this.failures.push({ method, path, reply, times });
  }

  /**
   * The next `times` matching requests are handled (a create is committed) but answered with `reply`: an
   * answer lost after the write happened (a proxy's 502, a timeout on the way back).
   */
  loseAnswer(method: string, path: RegExp, reply: Reply, times = 1): void {
    this.#lostAnswers.push({ method, path, reply, times });
  }

  /** Each answer waits this long, like a round trip to GitHub (benches only: no test waits). */
  latencyMs = 0;

  /** Add or override an endpoint (tests of other features). */
  route(method: string, pattern: RegExp, handler: Handler): void {
    this.#routes.unshift({ method, pattern, handler });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    let path = decodeURIComponent(url.pathname);
    if (this.#prefix && path.startsWith(this.#prefix)) path = path.slice(this.#prefix.length);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      body: raw ? safeJson(raw) : undefined,
      headers: req.headers,
    };
    this.requests.push(recorded);

    let reply: Reply | undefined;
    const failure = this.failures.find((f) => f.times > 0 && f.method === recorded.method && f.path.test(path));
    if (failure) {
      failure.times--;
      reply = failure.reply;
    }
    for (const route of this.#routes) {
      if (reply) break;
      if (route.method !== recorded.method) continue;
      const match = path.match(route.pattern);
      if (match) reply = route.handler(recorded, match, url);
    }
    reply ??= { status: 404, body: { message: 'Not Found' } };
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (this.hold?.(recorded)) {
      this.events.emit('request', recorded);
      return;
    }
    const lost = this.#lostAnswers.find((f) => f.times > 0 && f.method === recorded.method && f.path.test(path));
    if (lost) {
      lost.times--;
      reply = lost.reply;
    }
    const isText = typeof reply.body === 'string';
    res.writeHead(reply.status, {
      'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      ...reply.headers,
    });
    res.end(reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body));
    this.events.emit('request', recorded);
  }

  #installRoutes(): void {
    const on = (method: string, pattern: RegExp, handler: Handler) => this.#routes.push({ method, pattern, handler });
    const repoOf = (m: RegExpMatchArray) => this.repos.get(key(m[1]!, m[2]!));
    const R = '/repos/([^/]+)/([^/]+)';
    const forbidden: Reply = { status: 403, body: { message: 'Resource not accessible by integration' } };
    const writable = (m: RegExpMatchArray, act: (repo: StandinRepo) => Reply): Reply | undefined => {
      const repo = repoOf(m);
      if (!repo) return undefined;
      return repo.readOnly ? forbidden : act(repo);
    };

    on('POST', /^\/app\/installations\/(\d+)\/access_tokens$/, () => ({
      status: 201,
      body: { token: 'ghs_standintoken0000000000000000', expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} },
    }));
    on('GET', /^\/app$/, () => ({ status: 200, body: { id: 1, slug: 'threatloop', name: 'threatloop' } }));
    on('GET', /^\/user$/, () => (this.tokenUser ? { status: 200, body: { login: this.tokenUser, type: 'User' } } : forbidden));

    on('GET', new RegExp(`^${R}$`), (_, m) => {
      const repo = repoOf(m);
      return repo && { status: 200, body: this.repositoryJson(repo) };
    });
    on('GET', new RegExp(`^${R}/git/ref/heads/(.+)$`), (_, m) => {
      const sha = repoOf(m)?.branches.get(m[3]!);
      return sha ? { status: 200, body: { ref: `refs/heads/${m[3]}`, object: { sha, type: 'commit' } } } : undefined;
    });
    on('GET', new RegExp(`^${R}/commits/([^/]+)$`), (_, m) => {
      const repo = repoOf(m);
      const sha = repo?.branches.get(m[3]!) ?? (repo?.commits.has(m[3]!) ? m[3] : undefined);
      return sha ? { status: 200, body: { sha, files: [] } } : { status: 422, body: { message: `No commit found for SHA: ${m[3]}` } };
    });
    on('GET', new RegExp(`^${R}/contents/(.+)$`), (request, m, url) => {
      const repo = repoOf(m);
      if (!repo) return undefined;
      const ref = url.searchParams.get('ref') ?? repo.defaultBranch;
      const sha = repo.branches.get(ref) ?? ref;
      const text = repo.commits.get(sha)?.[m[3]!];
      if (text === undefined) return undefined;
      const accept = String(request.headers.accept ?? '');
      if (accept.includes('raw')) return { status: 200, body: text, headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' } };
      // As GitHub: the size always, the content only up to 1 MB (larger files are read raw).
      const size = Buffer.byteLength(text);
      const content = size <= 1024 * 1024 ? { encoding: 'base64', content: Buffer.from(text).toString('base64') } : { encoding: 'none', content: '' };
      return { status: 200, body: { type: 'file', path: m[3], size, ...content } };
    });
    on('GET', new RegExp(`^${R}/compare/([0-9a-f]+)\\.\\.\\.([0-9a-f]+)$`), (_, m) => {
      const repo = repoOf(m);
      const before = repo?.commits.get(m[3]!);
      const after = repo?.commits.get(m[4]!);
      if (!before || !after) return undefined;
      const names = new Set([...Object.keys(before), ...Object.keys(after)]);
      const files = [...names].filter((n) => before[n] !== after[n]).map((filename) => ({ filename, status: 'modified' }));
      return { status: 200, body: { files, commits: [] } };
    });

    on('GET', new RegExp(`^${R}/issues$`), (_, m, url) => {
      const repo = repoOf(m);
      if (!repo) return undefined;
      const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean).map((l) => l.toLowerCase());
      const state = url.searchParams.get('state') ?? 'open';
      const creator = url.searchParams.get('creator')?.toLowerCase();
      const items = repo.issues.filter(
        (i) =>
          (state === 'all' || i.state === state) &&
          labels.every((l) => i.labels.some((x) => x.toLowerCase() === l)) &&
          (creator === undefined || (i.user ?? this.issueAuthor).toLowerCase() === creator),
      );
      return this.#page(url, items.map((i) => this.#issueJson(repo, i)));
    });
    // One issue by number (a pull request answers too, as an issue with `pull_request`); 404 when there is none.
    on('GET', new RegExp(`^${R}/issues/(\\d+)$`), (_, m) => {
      const repo = repoOf(m);
      const issue = repo?.issues.find((i) => i.number === Number(m[3]));
      if (!repo || !issue) return { status: 404, body: { message: 'Not Found' } };
      return { status: 200, body: this.#issueJson(repo, issue) };
    });
    on('POST', new RegExp(`^${R}/issues$`), (request, m) =>
      writable(m, (repo) => {
        const body = request.body as { title: string; body?: string; labels?: string[]; assignees?: string[]; milestone?: number };
        const invalid = tooLong(body);
        if (invalid) return invalid;
        for (const name of body.labels ?? []) this.#ensureLabel(repo, name);
        const issue: StandinIssue = {
          number: repo.nextNumber++,
          title: body.title,
          body: body.body ?? '',
          state: 'open',
          state_reason: null,
          labels: [...(body.labels ?? [])],
          assignees: (body.assignees ?? []).filter((a) => repo.assignees.includes(a)),
          milestone: body.milestone ?? null,
          created_at: this.#now().toISOString(),
          comments: [],
          user: this.issueAuthor,
        };
        repo.issues.push(issue);
        return { status: 201, body: this.#issueJson(repo, issue) };
      }),
    );
    on('PATCH', new RegExp(`^${R}/issues/(\\d+)$`), (request, m) =>
      writable(m, (repo) => {
        const issue = repo.issues.find((i) => i.number === Number(m[3]));
        if (!issue) return { status: 404, body: { message: 'Not Found' } };
        const body = request.body as Partial<{ title: string; body: string; labels: string[]; assignees: string[]; milestone: number | null; state: 'open' | 'closed'; state_reason: string }>;
        const invalid = tooLong(body);
        if (invalid) return invalid;
        if (body.title !== undefined) issue.title = body.title;
        if (body.body !== undefined) issue.body = body.body;
        if (body.labels !== undefined) {
          for (const name of body.labels) this.#ensureLabel(repo, name);
          issue.labels = [...body.labels];
        }
        if (body.assignees !== undefined) issue.assignees = body.assignees.filter((a) => repo.assignees.includes(a));
        if (body.milestone !== undefined) issue.milestone = body.milestone;
        if (body.state !== undefined && body.state !== issue.state) {
          const at = this.#now().toISOString();
          (issue.events ??= []).push({ event: body.state === 'closed' ? 'closed' : 'reopened', actor: this.issueAuthor, created_at: at, state_reason: body.state_reason ?? null });
          if (body.state === 'closed') issue.closed_at = at;
        }
        if (body.state !== undefined) {
          issue.state = body.state;
          issue.state_reason = body.state_reason ?? (body.state === 'closed' ? 'completed' : 'reopened');
        }
        return { status: 200, body: this.#issueJson(repo, issue) };
      }),
    );
    on('POST', new RegExp(`^${R}/issues/(\\d+)/comments$`), (request, m) =>
      writable(m, (repo) => {
        const issue = repo.issues.find((i) => i.number === Number(m[3]));
        if (!issue) return { status: 404, body: { message: 'Not Found' } };
        const comment = { id: ++this.#commentCounter, body: (request.body as { body: string }).body, user: this.issueAuthor, created_at: this.#now().toISOString() };
        issue.comments.push(comment);
        return { status: 201, body: this.#commentJson(repo, issue, comment) };
      }),
    );

    on('GET', new RegExp(`^${R}/issues/(\\d+)/comments$`), (_, m, url) => {
      const repo = repoOf(m);
      const issue = repo?.issues.find((i) => i.number === Number(m[3]));
      if (!repo || !issue) return undefined;
      const since = url.searchParams.get('since');
      const listed = issue.comments.map((c) => this.#commentJson(repo, issue, c)).filter((c) => since === null || c.updated_at >= since);
      return this.#page(url, listed);
    });
    // As GitHub: every issue and pull-request comment of the repository, by ascending id unless `sort` says
    // created or updated (`direction` only with `sort`); `since` keeps those updated at or after the time.
    on('GET', new RegExp(`^${R}/issues/comments$`), (_, m, url) => {
      const repo = repoOf(m);
      if (!repo) return undefined;
      const since = url.searchParams.get('since');
      const sort = url.searchParams.get('sort');
      const listed = repo.issues
        .flatMap((issue) => issue.comments.map((c) => this.#commentJson(repo, issue, c)))
        .filter((c) => since === null || c.updated_at >= since)
        .sort((a, b) => a.id - b.id);
      if (sort === 'created' || sort === 'updated') {
        const field = sort === 'created' ? 'created_at' : 'updated_at';
        const sign = url.searchParams.get('direction') === 'asc' ? 1 : -1;
        listed.sort((a, b) => (a[field] < b[field] ? -sign : a[field] > b[field] ? sign : 0));
      }
      return this.#page(url, listed);
    });
    on('PATCH', new RegExp(`^${R}/issues/comments/(\\d+)$`), (request, m) =>
      writable(m, (repo) => {
        const issue = repo.issues.find((i) => i.comments.some((c) => c.id === Number(m[3])));
        const comment = issue?.comments.find((c) => c.id === Number(m[3]));
        if (!issue || !comment) return { status: 404, body: { message: 'Not Found' } };
        comment.body = (request.body as { body: string }).body;
        comment.updated_at = this.#now().toISOString();
        return { status: 200, body: this.#commentJson(repo, issue, comment) };
      }),
    );
    on('GET', new RegExp(`^${R}/pulls/(\\d+)/files$`), (_, m, url) => {
      const files = this.pullFiles.get(`${m[1]!.toLowerCase()}/${m[2]!.toLowerCase()}#${m[3]}`);
      return files && this.#page(url, files.map((filename) => ({ filename, status: 'modified' })));
    });
    on('GET', new RegExp(`^${R}/pulls/(\\d+)/reviews$`), (_, m, url) => {
      if (!repoOf(m)) return undefined;
      const reviews = this.reviews.get(`${m[1]!.toLowerCase()}/${m[2]!.toLowerCase()}#${m[3]}`) ?? [];
      return this.#page(url, reviews.map((r) => this.#reviewJson(r)));
    });
    // As GitHub: 200 with the membership's state (a pending invitation too), 404 for a non-member, 403
    // without the organisation permission `members: read`.
    on('GET', /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/, (_, m) => {
      if (!this.teamsReadable) return forbidden;
      const members = this.teams.get(`${m[1]}/${m[2]}`.toLowerCase()) ?? [];
      if (!members.some((login) => login.toLowerCase() === m[3]!.toLowerCase())) return { status: 404, body: { message: 'Not Found' } };
      return { status: 200, body: { url: '', role: 'member', state: 'active' } };
    });
    on('GET', /^\/app\/installations$/, (_, __, url) => this.#page(url, [{ id: 1, account: { login: 'acme' }, suspended_at: null }]));
    on('GET', /^\/installation\/repositories$/, (_, __, url) => {
      const page = this.#page(url, [...this.repos.values()].map((repo) => ({ ...this.repositoryJson(repo), archived: false })));
      return { ...page, body: { total_count: this.repos.size, repositories: page.body } };
    });

    on('GET', new RegExp(`^${R}/labels$`), (_, m, url) => {
      const repo = repoOf(m);
      return repo && this.#page(url, repo.labels);
    });
    on('POST', new RegExp(`^${R}/labels$`), (request, m) =>
      writable(m, (repo) => {
        const body = request.body as { name: string; color: string; description?: string };
        if (repo.labels.some((l) => l.name.toLowerCase() === body.name.toLowerCase())) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ code: 'already_exists' }] } };
        }
        const label = { name: body.name, color: body.color, description: body.description ?? null };
        repo.labels.push(label);
        return { status: 201, body: label };
      }),
    );
    on('GET', new RegExp(`^${R}/milestones$`), (_, m, url) => {
      const repo = repoOf(m);
      const state = url.searchParams.get('state') ?? 'open';
      return repo && this.#page(url, repo.milestones.filter((ms) => state === 'all' || ms.state === state));
    });
    on('POST', new RegExp(`^${R}/milestones$`), (request, m) =>
      writable(m, (repo) => {
        const body = request.body as { title: string; due_on?: string };
        if (repo.milestones.some((ms) => ms.title === body.title)) return { status: 422, body: { message: 'Validation Failed' } };
        const milestone = { number: repo.milestones.length + 1, title: body.title, due_on: body.due_on ?? null, state: 'open' as const };
        repo.milestones.push(milestone);
        return { status: 201, body: milestone };
      }),
    );
    on('GET', new RegExp(`^${R}/assignees$`), (_, m, url) => {
      const repo = repoOf(m);
      return repo && this.#page(url, repo.assignees.map((login, id) => ({ login, id, type: 'User' })));
    });
    on('POST', new RegExp(`^${R}/check-runs$`), (request, m) => {
      const repo = repoOf(m);
      if (!repo) return undefined;
      const body = request.body as { name: string; head_sha: string; conclusion?: string; output?: { title?: string; summary?: string; annotations?: unknown[] } };
      const run = {
        id: ++this.#checkRunCounter,
        name: body.name,
        head_sha: body.head_sha,
        ...(body.conclusion ? { conclusion: body.conclusion } : {}),
        output: { title: body.output?.title, summary: body.output?.summary, annotations: [...(body.output?.annotations ?? [])] },
      };
      repo.checkRuns.push(run);
      return { status: 201, body: { id: run.id } };
    });
    on('PATCH', new RegExp(`^${R}/check-runs/(\\d+)$`), (request, m) => {
      const run = repoOf(m)?.checkRuns.find((r) => r.id === Number(m[3]));
      if (!run) return undefined;
      const body = request.body as { conclusion?: string; output?: { title?: string; summary?: string; annotations?: unknown[] } };
      // As GitHub: title and summary replaced, annotations added to those already there.
      if (body.conclusion) run.conclusion = body.conclusion;
      if (body.output?.title !== undefined) run.output.title = body.output.title;
      if (body.output?.summary !== undefined) run.output.summary = body.output.summary;
      run.output.annotations.push(...(body.output?.annotations ?? []));
      return { status: 200, body: { id: run.id } };
    });
    on('GET', new RegExp(`^${R}/installation$`), (_, m) => (repoOf(m) ? { status: 200, body: { id: 1, permissions: this.installationPermissions } } : undefined));

    // The git data API, as much as a proposal uses: commits and their trees, trees with inline content, refs.
    on('GET', new RegExp(`^${R}/git/commits/([0-9a-f]{40})$`), (_, m) => {
      const repo = repoOf(m);
      if (!repo?.commits.has(m[3]!)) return undefined;
      const info = repo.commitInfo.get(m[3]!) ?? { parents: [], message: '' };
      return { status: 200, body: { sha: m[3], tree: { sha: `tree-${m[3]}` }, parents: info.parents.map((sha) => ({ sha })), message: info.message } };
    });
    on('POST', new RegExp(`^${R}/git/trees$`), (request, m) =>
      writable(m, (repo) => {
        const body = request.body as { base_tree?: string; tree: { path: string; mode: string; type: string; content?: string; sha?: string | null }[] };
        const base = body.base_tree ? this.treeFiles(repo, body.base_tree) : {};
        if (!base) return { status: 422, body: { message: 'Invalid tree info' } };
        const files = { ...base };
        for (const entry of body.tree) {
          if (entry.content !== undefined) files[entry.path] = entry.content;
          else if (entry.sha === null) delete files[entry.path];
          else return { status: 422, body: { message: 'tree.sha is not supported by the stand-in' } };
        }
        const sha = createHash('sha1').update(`tree:${JSON.stringify(Object.entries(files).sort())}`).digest('hex');
        this.#trees.set(sha, files);
        return { status: 201, body: { sha } };
      }),
    );
    on('POST', new RegExp(`^${R}/git/commits$`), (request, m) =>
      writable(m, (repo) => {
        const body = request.body as { message: string; tree: string; parents: string[] };
        const files = this.treeFiles(repo, body.tree);
        if (!files || !body.parents.every((p) => repo.commits.has(p))) return { status: 422, body: { message: 'Invalid tree or parents' } };
        const sha = createHash('sha1').update(`commit:${++this.#commitCounter}`).digest('hex');
        repo.commits.set(sha, files);
        repo.commitInfo.set(sha, { parents: [...body.parents], message: body.message });
        return { status: 201, body: { sha, tree: { sha: body.tree }, parents: body.parents.map((p) => ({ sha: p })) } };
      }),
    );
    on('POST', new RegExp(`^${R}/git/refs$`), (request, m) =>
      writable(m, (repo) => {
        const body = request.body as { ref: string; sha: string };
        const branch = body.ref.replace(/^refs\/heads\//, '');
        if (repo.branches.has(branch)) return { status: 422, body: { message: 'Reference already exists' } };
        if (!repo.commits.has(body.sha)) return { status: 422, body: { message: 'Object does not exist' } };
        repo.branches.set(branch, body.sha);
        return { status: 201, body: { ref: body.ref, object: { sha: body.sha, type: 'commit' } } };
      }),
    );
    on('PATCH', new RegExp(`^${R}/git/refs/heads/(.+)$`), (request, m) =>
      writable(m, (repo) => {
        const body = request.body as { sha: string; force?: boolean };
        const current = repo.branches.get(m[3]!);
        if (!current) return { status: 422, body: { message: 'Reference does not exist' } };
        if (!repo.commits.has(body.sha)) return { status: 422, body: { message: 'Object does not exist' } };
        const fastForward = repo.commitInfo.get(body.sha)?.parents.includes(current) ?? false;
        if (!body.force && !fastForward) return { status: 422, body: { message: 'Update is not a fast forward' } };
        repo.branches.set(m[3]!, body.sha);
        return { status: 200, body: { ref: `refs/heads/${m[3]}`, object: { sha: body.sha, type: 'commit' } } };
      }),
    );

    // Pull requests opened through the API: listed by state and `head` (owner:branch), opened, edited.
    on('GET', new RegExp(`^${R}/pulls$`), (_, m, url) => {
      const repo = repoOf(m);
      if (!repo) return undefined;
      const state = url.searchParams.get('state') ?? 'open';
      const head = url.searchParams.get('head');
      const items = repo.pulls.filter((p) => (state === 'all' || p.state === state) && (head === null || `${repo.owner}:${p.head}`.toLowerCase() === head.toLowerCase()));
      return this.#page(url, items.map((p) => this.#pullJson(repo, p)));
    });
    on('POST', new RegExp(`^${R}/pulls$`), (request, m) =>
      writable(m, (repo) => {
        const body = request.body as { title: string; body?: string; head: string; base: string };
        if (!repo.branches.has(body.head) || !repo.branches.has(body.base)) return { status: 422, body: { message: 'Validation Failed', errors: [{ field: 'head', code: 'invalid' }] } };
        if (repo.pulls.some((p) => p.state === 'open' && p.head === body.head && p.base === body.base)) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ message: `A pull request already exists for ${repo.owner}:${body.head}.` }] } };
        }
        const invalid = tooLong(body);
        if (invalid) return invalid;
        const pull: StandinPull = { number: repo.nextNumber++, title: body.title, body: body.body ?? '', state: 'open', merged: false, head: body.head, base: body.base, user: this.issueAuthor };
        repo.pulls.push(pull);
        return { status: 201, body: this.#pullJson(repo, pull) };
      }),
    );
    on('PATCH', new RegExp(`^${R}/pulls/(\\d+)$`), (request, m) =>
      writable(m, (repo) => {
        const pull = repo.pulls.find((p) => p.number === Number(m[3]));
        if (!pull) return { status: 404, body: { message: 'Not Found' } };
        const body = request.body as { title?: string; body?: string; state?: 'open' | 'closed' };
        const invalid = tooLong(body);
        if (invalid) return invalid;
        if (body.title !== undefined) pull.title = body.title;
        if (body.body !== undefined) pull.body = body.body;
        if (body.state !== undefined) pull.state = body.state;
        return { status: 200, body: this.#pullJson(repo, pull) };
      }),
    );

    // An issue's timeline: its comments and its closed/reopened events, oldest first.
    on('GET', new RegExp(`^${R}/issues/(\\d+)/timeline$`), (_, m, url) => {
      const issue = repoOf(m)?.issues.find((i) => i.number === Number(m[3]));
      if (!issue) return undefined;
      const comments = issue.comments.map((c) => ({
        event: 'commented',
        id: c.id,
        body: c.body,
        user: { login: c.user ?? this.issueAuthor },
        actor: { login: c.user ?? this.issueAuthor },
        created_at: c.created_at ?? issue.created_at,
      }));
      const events = (issue.events ?? []).map((e) => ({ event: e.event, actor: { login: e.actor }, created_at: e.created_at, commit_id: e.commit_id ?? null, state_reason: e.state_reason ?? null }));
      const all = [...comments, ...events].sort((a, b) => a.created_at.localeCompare(b.created_at));
      return this.#page(url, all);
    });

    on('GET', new RegExp(`^${R}/commits/([0-9a-f]{40})/check-runs$`), (_, m, url) => {
      const repo = repoOf(m);
      if (!repo) return undefined;
      const name = url.searchParams.get('check_name');
      const runs = repo.checkRuns.filter((r) => r.head_sha === m[3] && (name === null || r.name === name)).reverse();
      return { status: 200, body: { total_count: runs.length, check_runs: runs.map((r) => ({ id: r.id, name: r.name, head_sha: r.head_sha, app: { slug: 'threatloop' } })) } };
    });
  }

  #pullJson(repo: StandinRepo, pull: StandinPull) {
    const headSha = repo.branches.get(pull.head) ?? '0'.repeat(40);
    return {
      number: pull.number,
      title: pull.title,
      body: pull.body,
      state: pull.state,
      merged: pull.merged,
      merge_commit_sha: null,
      draft: false,
      html_url: `http://${this.host}/${repo.owner}/${repo.name}/pull/${pull.number}`,
      user: { login: pull.user, type: pull.user.endsWith('[bot]') ? 'Bot' : 'User' },
      head: { ref: pull.head, sha: headSha, label: `${repo.owner}:${pull.head}`, repo: { full_name: `${repo.owner}/${repo.name}` } },
      base: { ref: pull.base, sha: repo.branches.get(pull.base) ?? '', repo: { full_name: `${repo.owner}/${repo.name}` } },
    };
  }

  /** Files of a tree or a commit's tree. */
  treeFiles(repo: StandinRepo, treeSha: string): Record<string, string> | undefined {
    return this.#trees.get(treeSha) ?? (treeSha.startsWith('tree-') ? repo.commits.get(treeSha.slice(5)) : undefined);
  }

  #ensureLabel(repo: StandinRepo, name: string): void {
    if (!repo.labels.some((l) => l.name.toLowerCase() === name.toLowerCase())) repo.labels.push({ name, color: 'ededed', description: null });
  }

  #issueJson(repo: StandinRepo, issue: StandinIssue) {
    const milestone = repo.milestones.find((m) => m.number === issue.milestone);
    return {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      state_reason: issue.state_reason,
      labels: issue.labels.map((name) => ({ name })),
      assignees: issue.assignees.map((login) => ({ login })),
      milestone: milestone ? { number: milestone.number, title: milestone.title } : null,
      created_at: issue.created_at,
      comments: issue.comments.length,
      user: { login: issue.user ?? this.issueAuthor, type: (issue.user ?? this.issueAuthor).endsWith('[bot]') ? 'Bot' : 'User' },
      html_url: `http://${this.host}/${repo.owner}/${repo.name}/issues/${issue.number}`,
      closed_at: issue.state === 'closed' ? (issue.closed_at ?? null) : null,
      ...(issue.pull_request ? { pull_request: { url: '' } } : {}),
    };
  }

  #commentJson(repo: StandinRepo, issue: StandinIssue, c: StandinIssue['comments'][number]) {
    const login = c.user ?? this.issueAuthor;
    const created = c.created_at ?? issue.created_at;
    return {
      id: c.id,
      body: c.body,
      user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
      created_at: created,
      updated_at: c.updated_at ?? created,
      html_url: `http://${this.host}/${repo.owner}/${repo.name}/${issue.pull_request ? 'pull' : 'issues'}/${issue.number}#issuecomment-${c.id}`,
      issue_url: `${this.url}/repos/${repo.owner}/${repo.name}/issues/${issue.number}`,
    };
  }

  /** One page of a listing, with GitHub's Link header: `next` and `last` while there are more pages, `prev` and `first` after the first. */
  #page(url: URL, items: unknown[]): Reply {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
    const page = Number(url.searchParams.get('page') ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const pages = Math.max(1, Math.ceil(items.length / perPage));
    const at = (n: number) => {
      const link = new URL(url);
      link.searchParams.set('page', String(n));
      return link.href;
    };
    const links = [
      ...(page < pages ? [`<${at(page + 1)}>; rel="next"`, `<${at(pages)}>; rel="last"`] : []),
      ...(page > 1 ? [`<${at(page - 1)}>; rel="prev"`, `<${at(1)}>; rel="first"`] : []),
    ];
    return { status: 200, body: slice, headers: links.length > 0 ? { link: links.join(', ') } : {} };
  }
}

/** GitHub's limits on an issue: a title over 256 or a body over 65,536 characters is refused with 422. */
function tooLong(fields: { title?: string | undefined; body?: string | undefined }): Reply | undefined {
  const over = (text: string | undefined, max: number) => text !== undefined && Array.from(text).length > max;
  const field = over(fields.title, 256) ? 'title' : over(fields.body, 65_536) ? 'body' : undefined;
  if (!field) return undefined;
  const message = `${field} is too long (maximum is ${field === 'title' ? 256 : 65536} characters)`;
  return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'custom', field, message }] } };
}

function key(owner: string, name: string): string {
  return `${owner}/${name}`.toLowerCase();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
