/**
 * A small, stateful Jira Cloud (REST API v3) behind nock, for end-to-end tests
 * that run more than one sync: it answers the requests jira.js 6 sends for
 * threatloop (JQL search, issue by key, create, edit, entity property, remote
 * links, transitions), keeps the issues they make, and records every request.
 *
 * Knobs for the failure cases: `searchLags` (the search index has not caught
 * up: the search answers no issue, a read by key still does) and
 * `unreachable` (every request fails with ECONNREFUSED, the way undici does).
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
}

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

export class JiraStandin {
  readonly site: string;
  readonly project: string;
  readonly requests: JiraRequest[] = [];
  readonly issues = new Map<string, JiraStandinIssue>();
  /** The search index lags: searches find nothing, reads by key still work. */
  searchLags = false;
  /** Every request fails at the transport (connection refused). */
  unreachable = false;
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

  issue(key: string): JiraStandinIssue {
    const issue = this.issues.get(key);
    if (!issue) throw new Error(`Jira stand-in has no issue ${key}`);
    return issue;
  }

  /** A person moves an issue in Jira's UI (not through threatloop): status, resolution, and when. */
  moveByHand(key: string, to: 'done' | 'todo', options: { resolution?: string; at?: string } = {}): void {
    const issue = this.issue(key);
    issue.fields.status = to === 'done' ? STATUSES.done : STATUSES.todo;
    this.#statusChanged(issue, to === 'done' ? (options.resolution ?? 'Done') : null, options.at);
  }

  /** As Jira: a done status carries a resolution, and the status category change is dated. */
  #statusChanged(issue: JiraStandinIssue, resolution: string | null, at?: string): void {
    issue.fields.resolution = resolution ? { name: resolution } : null;
    issue.fields.statuscategorychangedate = at ?? new Date((this.#clock += 1000)).toISOString().replace('Z', '+0000');
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
    return this.#route(recorded, url);
  }

  #route(r: JiraRequest, url: URL): Reply {
    const { method, path, body } = r;
    if (method === 'POST' && path === `${API}/search/jql`) return this.#search(body);
    if (method === 'POST' && path === `${API}/issue`) return this.#create(body);
    const match = /^\/rest\/api\/3\/issue\/([^/]+)(?:\/(.+))?$/.exec(path);
    const issue = match ? this.issues.get(match[1]!) : undefined;
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
    if (method === 'POST' && rest === 'transitions') {
      const transition = TRANSITIONS.find((t) => t.id === body?.transition?.id);
      if (!transition) return [400, { errorMessages: ['Transition id is not valid for this issue.'], errors: {} }];
      issue.fields.status = transition.to;
      this.#statusChanged(issue, transition.to === STATUSES.done ? 'Done' : null);
      return [204];
    }
    return [404, { errorMessages: [`stand-in does not answer ${method} ${path}`], errors: {} }];
  }

  #search(body: { jql: string; fields?: string[]; properties?: string[] }): Reply {
    const label = /labels = "([^"]+)"/.exec(body.jql)?.[1];
    const project = /project = "([^"]+)"/.exec(body.jql)?.[1];
    const hits = this.searchLags
      ? []
      : [...this.issues.values()].filter((i) => project === this.project && (!label || i.fields.labels.includes(label)));
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
      created: new Date((this.#clock += 1000)).toISOString().replace('Z', '+0000'),
    };
    delete fields.project;
    const issue: JiraStandinIssue = {
      id: String(10000 + n),
      key,
      fields,
      properties: Object.fromEntries((body.properties ?? []).map((p) => [p.key, p.value])),
      remoteLinks: new Map(),
    };
    this.issues.set(key, issue);
    return [201, { id: issue.id, key, self: `${this.site}${API}/issue/${issue.id}` }];
  }

  #edit(issue: JiraStandinIssue, body: { fields?: Record<string, any>; update?: Record<string, any[]> }): Reply {
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
