/**
 * Who moved a Jira issue to done (src/sync/jira/changelog.ts): the history chosen from a changelog page,
 * the pages read (the requests jira.js 6 really sends, answered by nock), and the bounds of one sync.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { connectJira } from '../../../src/sync/jira/client.ts';
import { closerFromChangelog, jiraCloserReader, readLastChangelogPage, type ChangelogHistory } from '../../../src/sync/jira/changelog.ts';
import { MAX_PROPOSED_THREATS } from '../../../src/model/proposal.ts';
import { SITE } from './fixtures.ts';

const connection = () => connectJira({ host: SITE, email: 'sync-bot@acme.example', apiToken: 'ATATT3xFfGF0-changelog-secret' }, { onSchemaMismatch: 'throw' });
const CHANGELOG = /^\/rest\/api\/3\/issue\/([A-Z]+-\d+)\/changelog$/;

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

function history(displayName: string | undefined, created: string, field = 'status'): ChangelogHistory {
  return { ...(displayName === undefined ? {} : { author: { displayName } }), created: Date.parse(created), items: [{ field }] };
}

/** A Jira changelog page as the API answers it (oldest first). */
function page(values: { author?: { accountId: string; displayName: string }; created: string; field: string }[], startAt: number, total: number) {
  return {
    self: `${SITE}/rest/api/3/issue/SEC-1/changelog`,
    startAt,
    maxResults: 100,
    total,
    isLast: startAt + values.length >= total,
    values: values.map((v, i) => ({
      id: String(startAt + i + 1),
      ...(v.author ? { author: v.author } : {}),
      created: v.created,
      items: [{ field: v.field, fieldtype: 'jira', from: null, fromString: 'To Do', to: null, toString: 'Done' }],
    })),
  };
}

describe('closerFromChangelog', () => {
  const moved = '2030-01-01T08:00:00.000+0000';

  it('takes the status change at the move to done, not a later move between done statuses nor an older one', () => {
    const histories = [
      history('Early Bird', '2029-12-01T08:00:00.000+0000'),
      history('Dana Reyes', '2030-01-01T08:00:00.000+0000'),
      history('Label Editor', '2030-01-01T08:30:00.000+0000', 'labels'),
      history('Done To Closed', '2030-01-02T08:00:00.000+0000'),
    ];
    expect(closerFromChangelog(histories, moved)).toBe('Dana Reyes');
    expect(closerFromChangelog(histories, null)).toBe('Done To Closed');
  });

  it('unknown when the move is not on the page, or Jira names no account for it', () => {
    expect(closerFromChangelog([history('Later', '2030-01-03T00:00:00.000+0000')], moved)).toBeUndefined();
    expect(closerFromChangelog([history('Editor', '2029-12-31T00:00:00.000+0000', 'labels')], moved)).toBeUndefined();
    expect(closerFromChangelog([history(undefined, moved)], moved)).toBeUndefined();
    expect(closerFromChangelog([history('Dana Reyes', moved)], 'not a date')).toBeUndefined();
  });

  it('neutralises the name its owner wrote', () => {
    expect(closerFromChangelog([history('@org/team <b>Dana</b>\nReyes', moved)], moved)).toBe('org/team Dana Reyes');
  });
});

describe('readLastChangelogPage', () => {
  it('one read when the changelog fits a page; otherwise the last page, from where Jira’s own page size says', async () => {
    const asked: string[] = [];
    const DANA = { accountId: 'a-1', displayName: 'Dana Reyes' };
    nock(SITE)
      .get(CHANGELOG)
      .query(true)
      .reply(200, (request: Request) => {
        asked.push(new URL(request.url).search);
        return page([{ author: DANA, created: '2030-01-01T08:00:00.000+0000', field: 'status' }], 0, 1);
      });
    expect((await readLastChangelogPage(connection(), 'SEC-1')).values).toHaveLength(1);

    const answered = (startAt: number, total: number) =>
      page(Array.from({ length: Math.min(50, total - startAt) }, (_, i) => ({ author: DANA, created: `2030-01-01T08:00:${String(i % 60).padStart(2, '0')}.000+0000`, field: 'labels' })), startAt, total);
    nock(SITE)
      .get(CHANGELOG)
      .query(true)
      .times(2)
      // Jira may answer fewer histories than asked (here 50 of 100): the last page then starts at total - 50.
      .reply(200, (request: Request) => {
        const url = new URL(request.url);
        asked.push(url.search);
        return { ...answered(Number(url.searchParams.get('startAt')), 130), maxResults: 50 };
      });
    const last = await readLastChangelogPage(connection(), 'SEC-2');
    expect(last.startAt).toBe(80);
    expect(asked).toEqual(['?startAt=0&maxResults=100', '?startAt=0&maxResults=100', '?startAt=80&maxResults=100']);
  });
});

describe('jiraCloserReader: the bounds of one sync', () => {
  it('reads each issue once and at most as many issues as one proposal holds', async () => {
    const reads: string[] = [];
    nock(SITE)
      .get(CHANGELOG)
      .query(true)
      .times(MAX_PROPOSED_THREATS)
      .reply(200, (request: Request) => {
        reads.push(CHANGELOG.exec(new URL(request.url).pathname)![1]!);
        return page([{ author: { accountId: 'a-1', displayName: 'Dana Reyes' }, created: '2030-01-01T08:00:00.000+0000', field: 'status' }], 0, 1);
      });
    const notes: string[] = [];
    const read = jiraCloserReader(connection(), notes);
    const movedAt = '2030-01-01T08:00:00.000+0000';
    expect(await read({ key: 'SEC-1', statusChangedAt: movedAt })).toBe('Dana Reyes');
    expect(await read({ key: 'SEC-1', statusChangedAt: movedAt })).toBe('Dana Reyes');
    const names = [];
    for (let n = 2; n <= MAX_PROPOSED_THREATS + 5; n++) names.push(await read({ key: `SEC-${n}`, statusChangedAt: movedAt }));
    expect(reads).toHaveLength(MAX_PROPOSED_THREATS);
    expect(new Set(reads).size).toBe(MAX_PROPOSED_THREATS);
    expect(names.filter((name) => name === undefined)).toHaveLength(5);
    expect(notes).toEqual([]);
  });

  it('a failure is an unknown closer and a note without credentials; after a server error no more reads, after a 404 the next is read', async () => {
    nock(SITE)
      .get('/rest/api/3/issue/SEC-1/changelog')
      .query(true)
      .reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} })
      .get('/rest/api/3/issue/SEC-2/changelog')
      .query(true)
      .reply(500, { errorMessages: ['Internal server error'], errors: {} })
      .get('/rest/api/3/issue/SEC-3/changelog')
      .query(true)
      .reply(200, page([], 0, 0));
    const notes: string[] = [];
    const read = jiraCloserReader(connection(), notes);
    for (const key of ['SEC-1', 'SEC-2', 'SEC-3']) expect(await read({ key, statusChangedAt: null })).toBeUndefined();
    expect(notes).toEqual([
      'reading who moved SEC-1 to done: not found in Jira (404): Issue does not exist or you do not have permission to see it.',
      'reading who moved SEC-2 to done: Jira server error (500): Internal server error',
    ]);
    expect(nock.pendingMocks()).toEqual([`GET ${SITE}:443/rest/api/3/issue/SEC-3/changelog`]);
    nock.cleanAll();
  });

  it.each(['silent', 'throw'] as const)('an answer not in the documented shape is unknown, not a throw (jira.js schema mismatch: %s)', async (onSchemaMismatch) => {
    nock(SITE).get('/rest/api/3/issue/SEC-1/changelog').query(true).reply(200, { startAt: 0, total: 1, values: 'many' });
    const notes: string[] = [];
    const client = connectJira({ host: SITE, email: 'sync-bot@acme.example', apiToken: 'ATATT3xFfGF0-changelog-secret' }, { onSchemaMismatch });
    expect(await jiraCloserReader(client, notes)({ key: 'SEC-1', statusChangedAt: null })).toBeUndefined();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^reading who moved SEC-1 to done: /);
    expect(notes[0]).not.toContain('many');
  });
});
