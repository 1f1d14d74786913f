/**
 * Persisted formats are a contract: issues written by an earlier version resync with zero writes.
 * `test/fixtures/upgrade/issues-0.1.0.json` is the issues repository as threatloop 0.1.0 left it
 * (generated once with that version's planner; its markers keep Jira links as `jira=` / `jiraurl=`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { planGithubSync } from '../../../src/sync/github/plan.ts';
import { parseMarker } from '../../../src/sync/github/marker.ts';
import type { RepoState } from '../../../src/sync/github/state.ts';
import { config, model, SMALL_MODEL, syncContext } from './plan-simulator.ts';

const written = JSON.parse(readFileSync(new URL('../../fixtures/upgrade/issues-0.1.0.json', import.meta.url), 'utf8')) as { state: RepoState };

describe('issues written by threatloop 0.1.0', () => {
  test('read back with their tracker links', () => {
    const tm22 = written.state.issues.find((issue) => issue.body.includes('id="TM-22"'));
    expect(parseMarker(tm22?.body)).toMatchObject({ threatId: 'TM-22', links: { jira: { key: 'SEC-12', url: 'https://genomewell.atlassian.net/browse/SEC-12' } } });
  });

  test('resync with zero writes, with the Jira side running and without it', () => {
    const { state } = written;
    const jira = new Map([['TM-22', { key: 'SEC-12', url: 'https://genomewell.atlassian.net/browse/SEC-12' }]]);
    // The markers are parsed afresh, as the fetcher does, so the old text is what is compared.
    const reparsed: RepoState = { ...state, issues: state.issues.map((issue) => ({ ...issue, marker: parseMarker(issue.body)! })) };
    expect(planGithubSync({ ...model(SMALL_MODEL), config: config(), state: reparsed, context: syncContext(), links: new Map([['jira', jira]]) }).operations).toEqual([]);
    expect(planGithubSync({ ...model(SMALL_MODEL), config: config(), state: reparsed, context: syncContext() }).operations).toEqual([]);
  });
});
