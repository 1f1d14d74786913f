import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { ExistingIssue, RepoState } from '../../../src/sync/github/state.ts';
import { jiraSyncExtension } from '../../../src/sync/jira/extension.ts';
import { CONTEXT, config, model, SITE } from './fixtures.ts';

const ENV = { JIRA_HOST: SITE, JIRA_EMAIL: 'bot@acme.example', JIRA_API_TOKEN: 'secret-token-123' };

function issue(number: number, threatId: string, createdAt: string, jiraKey?: string): ExistingIssue {
  return {
    number,
    title: `[${threatId}] x`,
    body: '',
    state: 'open',
    labels: ['threat'],
    assignees: [],
    createdAt,
    marker: { kind: 'threat', threatId, ...(jiraKey ? { links: { jira: { key: jiraKey, url: `${SITE}/browse/${jiraKey}` } } } : {}) },
  };
}

const STATE: RepoState = {
  owner: 'acme',
  repo: 'genomics',
  issues: [issue(9, '22', '2026-01-05T00:00:00Z'), issue(4, '22', '2026-01-02T00:00:00Z', 'SEC-101')],
  labels: [],
  milestones: [],
  private: true,
};

describe('jiraSyncExtension (the runSync seam)', () => {
  it('Jira unreachable: the GitHub side still gets every known Jira key, a dashboard notice and check run notes', async () => {
    const error = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    nock(SITE).post('/rest/api/3/search/jql').times(4).replyWithError(error);
    const extension = jiraSyncExtension({ env: ENV, retry: { delay: async () => {} } });
    const side = await extension.begin({ model: model(), config: config(), context: CONTEXT, state: STATE });
    expect([...(side.links)]).toEqual([['22', { key: 'SEC-101', url: `${SITE}/browse/SEC-101` }]]);
    expect(side.notices).toEqual(['Jira sync incomplete: reading the Jira issues: Jira unreachable (ECONNREFUSED)']);
    const { notes } = await side.finish(new Map([['TM-7', { number: 12, url: 'https://github.com/acme/genomics/issues/12' }]]));
    expect(notes).toEqual(['Jira: nothing to change (incomplete)', 'Jira failure: reading the Jira issues: Jira unreachable (ECONNREFUSED)']);
  });

  it('uses the oldest GitHub issue of a threat (the one the GitHub side keeps) for links and the SLA date', async () => {
    const bodies: { fields: { duedate?: string } }[] = [];
    // Before the creates: the project's newest keys (none), then three keys that do not exist (src/sync/jira/recover.ts).
    nock(SITE)
      .post('/rest/api/3/search/jql', (body: { jql: string }) => body.jql === 'project = "SEC" ORDER BY key DESC')
      .reply(200, { issues: [], isLast: true })
      .get(/^\/rest\/api\/3\/issue\/SEC-[1-3]\?/)
      .times(3)
      .reply(404, { errorMessages: ['Issue does not exist'] });
    nock(SITE)
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [], isLast: true })
      .get('/rest/api/3/issue/SEC-101')
      .query(true)
      .reply(404, { errorMessages: ['Issue does not exist'] })
      .post('/rest/api/3/issue')
      .times(2)
      .reply(201, async (request: Request) => {
        bodies.push((await request.json()) as (typeof bodies)[number]);
        return { id: `1000${bodies.length}`, key: `SEC-${200 + bodies.length}`, self: `${SITE}/rest/api/3/issue/1` };
      })
      .post(/remotelink$/)
      .times(4)
      .reply(201, async (request: Request) => {
        const body = (await request.json()) as { object: { url: string } };
        return { id: body.object.url.length };
      })
      // One property write per issue, after the GitHub side (the create carries the first).
      .put(/properties\/threatloop$/)
      .times(2)
      .reply(200);
    const noDue = model((m) => void delete m.threats![0]!.due);
    const side = await jiraSyncExtension({ env: ENV, retry: { delay: async () => {} } }).begin({
      model: noDue,
      config: config(),
      context: CONTEXT,
      state: STATE,
    });
    expect(bodies[0]!.fields.duedate).toBe('2026-01-09'); // critical: 7 days from the oldest issue (2026-01-02)
    expect(side.links.get('22')?.key).toBe('SEC-201');
    const { notes } = await side.finish(new Map([['TM-7', { number: 12, url: 'https://github.com/acme/genomics/issues/12' }]]));
    expect(notes[0]).toBe('Jira: 2 create, 4 remote-link, 2 set-property');
    expect(notes).toContainEqual(expect.stringContaining('Jira issue SEC-101 named in the GitHub issue of threat 22 no longer exists'));
    expect(nock.isDone()).toBe(true);
  });
});
