/**
 * A small, stateful Jira Cloud (REST API v3) behind nock, for end-to-end tests
 * that run more than one sync: it answers the requests jira.js 6 sends for
 * threatloop (JQL search, issue by key, create, edit, entity property, remote
 * links, transitions, changelog), keeps the issues they make (with the `properties` a
 * create, an edit or a transition carries, as Jira does), and records every request.
 * Each edit and status change is a history in the issue's changelog, by the API's
 * account or, for `moveByHand`, by the person named; the changelog is paged as
 * Jira's is (oldest first, `startAt`, `maxResults` at most 100, `total`).
 *
 * Knobs for the failure cases: `searchLags` (the search index has not caught
 * up: the search answers no issue, a read by key still does), `indexLags`
 * (issues created from now on stay out of the search until
 * `catchUpSearchIndex()`), `unreachable` (every request fails with
 * ECONNREFUSED, the way undici does), `createAnswer` for creates whose
 * answer is lost or late (see CreateAnswer), and `changelogAnswer` for a
 * changelog that fails (see ChangelogAnswer). Keys are numbered per project in
 * sequence, as Jira's are; a key that moved (`moveIssue`) still answers a read
 * with the issue under its new key, as Jira does.
 *
 * nock intercepts fetch for the whole process; test/setup.ts still lets
 * loopback through, so this works beside the GitHub stand-in (not beside
 * `useGitHubStandin`, which steps nock aside).
 */
import nock from 'nock';

export interface JiraRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  headers: Record<string, string>;
}

export interface JiraStandinIssue {
  id: string;
  key: string;
  fields: Record<string, any>;
  properties: Record<string, unknown>;
  /** globalId -> the remote link as posted. */
  remoteLinks: Map<string, any>;
  /** The issue's histories, oldest first, as `GET /issue/{key}/changelog` pages them. */
  changelog: JiraStandinHistory[];
}

export interface JiraAccount {
  accountId: string;
  displayName: string;
}

export interface JiraStandinHistory {
  id: string;
  author: JiraAccount;
  created: string;
  items: { field: string; fieldtype: string; from: string | null; fromString: string | null; to: string | null; toString: string | null }[];
}

/** The account the API token belongs to: whatever threatloop changes is changed by it. */
export const API_ACCOUNT: JiraAccount = { accountId: '557058:sync-bot', displayName: 'threatloop sync' };
/** Who moves an issue by hand unless a test names someone else. */
export const PERSON: JiraAccount = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Dana Reyes' };
/** Jira Cloud answers at most this many histories per changelog page. */
const CHANGELOG_PAGE_LIMIT = 100;

const API = '/rest/api/3';
const STATUSES = {
  todo: { name: 'To Do', statusCategory: { key: 'new', id: 2 } },
  done: { name: 'Done', statusCategory: { key: 'done', id: 3 } },
};
const TRANSITIONS = [
  { id: '11', name: 'To Do', to: STATUSES.todo },
  { id: '31', name: 'Done', to: STATUSES.done },
];

type Reply = readonly [number, unknown?, Record<string, string>?];

/**
 * How the next creates are answered:
 * - `ok`: 201 at once;
 * - `commit-then-504`: the issue is made, then a gateway answers 504 (the answer is lost);
 * - `commit-then-reset`: the issue is made, then the connection drops (ECONNRESET);
 * - `slow`: the issue is made, the answer waits for `releaseHeld()` (the client gives up first);
 * - `slow-commit`: nothing is made until `releaseHeld()`, then the issue is made and answered late.
 */
export type CreateAnswer = 'ok' | 'commit-then-504' | 'commit-then-reset' | 'slow' | 'slow-commit';

/** How changelog reads are answered: `ok`, `500` (a server error), or `malformed` (200 with a body that is not JSON). */
export type ChangelogAnswer = 'ok' | '500' | 'malformed';

export class JiraStandin {
  readonly site: string;
  readonly project: string;
  readonly requests: JiraRequest[] = [];
  readonly issues = new Map<string, JiraStandinIssue>();
  /** The search index lags: searches find nothing, reads by key still work. */
  searchLags = false;
  /** Every request fails at the transport (connection refused). */
  unreachable = false;
  /** Issues created while this is true stay out of the search until `catchUpSearchIndex()`. */
  indexLags = false;
  createAnswer: CreateAnswer = 'ok';
  changelogAnswer: ChangelogAnswer = 'ok';
  /** Called when a request is held (`slow`, `slow-commit`): a test fires the client's timer from here. */
  onHold: () => void = () => {};
  readonly #unindexed = new Set<string>();
  readonly #moved = new Map<string, string>();
  #held: (() => void)[] = [];
  #next = 1;
  #clock = Date.parse('2030-01-01T09:00:00Z');

  constructor(site: string, project = 'SEC') {
    this.site = site;
    this.project = project;
    const scope = nock(site).persist();
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      scope.intercept(() => true, method).reply((request: Request) => this.#handle(request));
    }
  }

  /** Requests that change something (the JQL search is a POST but only reads). */
  writes(): JiraRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.path !== `${API}/search/jql`);
  }

  /** The search index catches up with every issue created while `indexLags` was set. */
  catchUpSearchIndex(): void {
    this.#unindexed.clear();
  }

  /** Answers every held create (a `slow-commit` one is made now). */
  releaseHeld(): void {
    const held = this.#held;
    this.#held = [];
    for (const release of held) release();
  }

  /** Moves an issue to another key (another project): a read by the old key answers with the new one. */
  moveIssue(key: string, newKey: string): void {
    const issue = this.issue(key);
    this.issues.delete(key);
    issue.key = newKey;
    this.issues.set(newKey, issue);
    this.#moved.set(key, newKey);
  }

  /** An issue someone made by hand in the project (next key in sequence). */
  addIssue(fields: Record<string, any>, properties: Record<string, unknown> = {}): JiraStandinIssue {
    const [, reply] = this.#create({ fields: { project: { key: this.project }, ...fields }, properties: Object.entries(properties).map(([key, value]) => ({ key, value })) });
    return this.issue((reply as { key: string }).key);
  }

  issue(key: string): JiraStandinIssue {
    const issue = this.issues.get(key);
    if (!issue) throw new Error(`Jira stand-in has no issue ${key}`);
    return issue;
  }

  /** A person moves an issue in Jira's UI (not through threatloop): status, resolution, when, and who (`PERSON` unless named). */
  moveByHand(key: string, to: 'done' | 'todo', options: { resolution?: string; at?: string; by?: JiraAccount } = {}): void {
    const issue = this.issue(key);
    this.#statusChanged(issue, to === 'done' ? STATUSES.done : STATUSES.todo, to === 'done' ? (options.resolution ?? 'Done') : null, options.by ?? PERSON, options.at);
  }

  /** Someone edits an issue by hand `count` times, one label history each (the fields stay as they are): a changelog longer than a page. */
  editByHand(key: string, count: number, by: JiraAccount = PERSON): void {
    const issue = this.issue(key);
    for (let i = 0; i < count; i++) this.#addHistory(issue, by, [{ field: 'labels', fieldtype: 'jira', from: null, fromString: null, to: null, toString: `edit-${i}` }]);
  }

  /** As Jira: a done status carries a resolution, the status category change is dated, and the change is a history. */
  #statusChanged(issue: JiraStandinIssue, status: (typeof STATUSES)[keyof typeof STATUSES], resolution: string | null, by: JiraAccount, at?: string): void {
    const from = issue.fields.status;
    issue.fields.status = status;
    issue.fields.resolution = resolution ? { name: resolution } : null;
    issue.fields.statuscategorychangedate = at ?? this.#tick();
    this.#addHistory(issue, by, [{ field: 'status', fieldtype: 'jira', from: null, fromString: from?.name ?? null, to: null, toString: status.name }], issue.fields.statuscategorychangedate);
  }

  #addHistory(issue: JiraStandinIssue, author: JiraAccount, items: JiraStandinHistory['items'], at?: string): void {
    issue.changelog.push({ id: String(issue.changelog.length + 1), author, created: at ?? this.#tick(), items });
  }

  /** Jira's timestamp format, one second later each time. */
  #tick(): string {
    return new Date((this.#clock += 1000)).toISOString().replace('Z', '+0000');
  }

  /** `GET /issue/{key}/changelog`: the histories from `startAt`, oldest first, at most 100 a page. */
  #changelog(issue: JiraStandinIssue, url: URL): Reply {
    if (this.changelogAnswer === '500') return [500, { errorMessages: ['Internal server error'], errors: {} }];
    if (this.changelogAnswer === 'malformed') return [200, '{"values": [{"author": ', { 'content-type': 'application/json' }];
    const startAt = Math.max(0, Number(url.searchParams.get('startAt') ?? 0) || 0);
    const maxResults = Math.min(CHANGELOG_PAGE_LIMIT, Math.max(1, Number(url.searchParams.get('maxResults') ?? CHANGELOG_PAGE_LIMIT) || CHANGELOG_PAGE_LIMIT));
    const values = issue.changelog.slice(startAt, startAt + maxResults);
    const total = issue.changelog.length;
    return [200, { self: `${this.site}${API}/issue/${issue.key}/changelog`, startAt, maxResults, total, isLast: startAt + values.length >= total, values }];
  }

  async #handle(request: Request): Promise<Reply> {
    const url = new URL(request.url);
    const text = await request.text();
    const recorded: JiraRequest = {
      method: request.method,
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries([...new Set(url.searchParams.keys())].map((k) => [k, url.searchParams.getAll(k).join(',')])),
      body: text ? safeJson(text) : undefined,
      headers: Object.fromEntries(request.headers),
    };
    this.requests.push(recorded);
    if (this.unreachable) {
      // A transport error that quotes the request (as some proxies' do): nothing of it may reach a log or GitHub.
      const quoted = `${request.method} ${url.href} authorization: ${recorded.headers.authorization ?? ''}`;
      throw Object.assign(new Error(`connect ECONNREFUSED ${url.host} (${quoted})`), { code: 'ECONNREFUSED' });
    }
    if (request.method === 'POST' && recorded.path === `${API}/issue` && this.createAnswer !== 'ok') return this.#answerCreateBadly(recorded);
    return this.#route(recorded, url);
  }

  async #answerCreateBadly(r: JiraRequest): Promise<Reply> {
    const mode = this.createAnswer;
    if (mode === 'slow-commit') {
      let reply: Reply = [500];
      await this.#hold(() => void (reply = this.#create(r.body)));
      return reply;
    }
    const reply = this.#create(r.body);
    if (reply[0] !== 201) return reply;
    if (mode === 'commit-then-504') return [504, '<html><body>Gateway Timeout</body></html>'];
    if (mode === 'commit-then-reset') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    await this.#hold();
    return reply;
  }

  /** Waits for `releaseHeld()`, which runs `onRelease` at once (so the test sees its effect right after). */
  #hold(onRelease: () => void = () => {}): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#held.push(() => {
        onRelease();
        resolve();
      });
      this.onHold();
    });
  }

  #route(r: JiraRequest, url: URL): Reply {
    const { method, path, body } = r;
    if (method === 'POST' && path === `${API}/search/jql`) return this.#search(body);
    if (method === 'POST' && path === `${API}/issue`) return this.#create(body);
    const match = /^\/rest\/api\/3\/issue\/([^/]+)(?:\/(.+))?$/.exec(path);
    const issue = match ? (this.issues.get(match[1]!) ?? this.issues.get(this.#moved.get(match[1]!) ?? '')) : undefined;
    if (!match || !issue) return [404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} }];
    const rest = match[2];
    if (method === 'GET' && !rest) {
      // jira.js repeats a list parameter (fields=a&fields=b); Jira also takes a comma-separated list.
      const list = (name: string) => url.searchParams.getAll(name).flatMap((v) => v.split(','));
      const fields = url.searchParams.has('fields') ? list('fields') : undefined;
      const properties = list('properties');
      return [200, this.#json(issue, fields, properties)];
    }
    if (method === 'PUT' && !rest) return this.#edit(issue, body);
    if (method === 'PUT' && rest?.startsWith('properties/')) {
      const existed = rest.slice('properties/'.length) in issue.properties;
      issue.properties[rest.slice('properties/'.length)] = body;
      return [existed ? 200 : 201];
    }
    if (method === 'POST' && rest === 'remotelink') {
      const id = issue.remoteLinks.size + 1;
      const existed = issue.remoteLinks.has(body.globalId);
      issue.remoteLinks.set(body.globalId, body);
      return [existed ? 200 : 201, { id, self: `${this.site}${API}/issue/${issue.key}/remotelink/${id}` }];
    }
    if (method === 'GET' && rest === 'transitions') return [200, { transitions: TRANSITIONS }];
    if (method === 'GET' && rest === 'changelog') return this.#changelog(issue, url);
    if (method === 'POST' && rest === 'transitions') {
      const transition = TRANSITIONS.find((t) => t.id === body?.transition?.id);
      if (!transition) return [400, { errorMessages: ['Transition id is not valid for this issue.'], errors: {} }];
      this.#setProperties(issue, body.properties);
      this.#statusChanged(issue, transition.to, transition.to === STATUSES.done ? 'Done' : null, API_ACCOUNT);
      return [204];
    }
    return [404, { errorMessages: [`stand-in does not answer ${method} ${path}`], errors: {} }];
  }

  #search(body: { jql: string; fields?: string[]; properties?: string[]; maxResults?: number }): Reply {
    const label = /labels = "([^"]+)"/.exec(body.jql)?.[1];
    const project = /project = "([^"]+)"/.exec(body.jql)?.[1];
    let hits = this.searchLags
      ? []
      : [...this.issues.values()].filter(
          (i) => project === this.project && i.key.startsWith(`${this.project}-`) && !this.#unindexed.has(i.key) && (!label || i.fields.labels.includes(label)),
        );
    // The newest keys first, as many as asked (the recovery probe's floor); other searches get every hit on one page.
    if (/ORDER BY key DESC/.test(body.jql)) {
      hits = hits.sort((a, b) => Number(b.key.split('-')[1]) - Number(a.key.split('-')[1])).slice(0, body.maxResults ?? 50);
    }
    return [200, { issues: hits.map((i) => this.#json(i, body.fields, body.properties ?? [])), isLast: true }];
  }

  #create(body: { fields: Record<string, any>; properties?: { key: string; value: unknown }[] }): Reply {
    const f = body.fields;
    if (f.project?.key !== this.project) return [400, { errorMessages: [], errors: { project: 'valid project is required' } }];
    const n = this.#next++;
    const key = `${this.project}-${n}`;
    const fields: Record<string, any> = {
      ...f,
      labels: [...(f.labels ?? [])],
      priority: f.priority ? { ...f.priority, id: '1' } : null,
      assignee: f.assignee ? { accountId: f.assignee.accountId, displayName: 'Someone' } : null,
      components: (f.components ?? []).map((c: { name: string }, i: number) => ({ id: String(200 + i), name: c.name })),
      duedate: f.duedate ?? null,
      status: STATUSES.todo,
      created: this.#tick(),
    };
    delete fields.project;
    const issue: JiraStandinIssue = {
      id: String(10000 + n),
      key,
      fields,
      properties: {},
      remoteLinks: new Map(),
      changelog: [],
    };
    this.#setProperties(issue, body.properties);
    this.issues.set(key, issue);
    if (this.indexLags) this.#unindexed.add(key);
    return [201, { id: issue.id, key, self: `${this.site}${API}/issue/${issue.id}` }];
  }

  /** `properties: [{ key, value }]` of a create, an edit or a transition: set (or replaced) with the change. */
  #setProperties(issue: JiraStandinIssue, properties: { key: string; value: unknown }[] | undefined): void {
    for (const { key, value } of properties ?? []) issue.properties[key] = value;
  }

  #edit(issue: JiraStandinIssue, body: { fields?: Record<string, any>; update?: Record<string, any[]>; properties?: { key: string; value: unknown }[] }): Reply {
    for (const [name, value] of Object.entries(body.fields ?? {})) {
      issue.fields[name] = name === 'priority' ? { ...value, id: '1' } : value;
    }
    for (const change of body.update?.labels ?? []) {
      if (change.add) issue.fields.labels.push(change.add);
      if (change.remove) issue.fields.labels = issue.fields.labels.filter((l: string) => l !== change.remove);
    }
    for (const change of body.update?.components ?? []) {
      if (change.add) issue.fields.components.push({ id: '299', name: change.add.name });
      if (change.remove) issue.fields.components = issue.fields.components.filter((c: { name: string }) => c.name !== change.remove.name);
    }
    this.#setProperties(issue, body.properties);
    const changed = [...Object.keys(body.fields ?? {}), ...Object.keys(body.update ?? {})];
    if (changed.length) this.#addHistory(issue, API_ACCOUNT, changed.map((field) => ({ field, fieldtype: 'jira', from: null, fromString: null, to: null, toString: null })));
    return [204];
  }

  #json(issue: JiraStandinIssue, fields: string[] | undefined, properties: string[]) {
    const picked = fields ? Object.fromEntries(fields.filter((f) => f in issue.fields).map((f) => [f, issue.fields[f]])) : issue.fields;
    const props = Object.fromEntries(properties.filter((p) => p in issue.properties).map((p) => [p, issue.properties[p]]));
    return {
      id: issue.id,
      key: issue.key,
      self: `${this.site}${API}/issue/${issue.id}`,
      fields: picked,
      ...(Object.keys(props).length ? { properties: props } : {}),
    };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
