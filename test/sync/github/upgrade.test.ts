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
import { applyPlan, config, model, SMALL_MODEL, syncContext } from './plan-simulator.ts';

const written = JSON.parse(readFileSync(new URL('../../fixtures/upgrade/issues-0.1.0.json', import.meta.url), 'utf8')) as { state: RepoState };

describe('issues written by threatloop 0.1.0', () => {
  test('read back with their tracker links', () => {
    const tm22 = written.state.issues.find((issue) => issue.body.includes('id="TM-22"'));
    expect(parseMarker(tm22?.body)).toMatchObject({ threatId: 'TM-22', links: { jira: { key: 'SEC-12', url: 'https://genomewell.atlassian.net/browse/SEC-12' } } });
  });

  // 0.1.0 wrote markers without `repo=`. The fixture was written for a model in genomewell/platform; as the
  // same version would have written it for a model in the issues repository itself, only the repository
  // named in the links differs.
  const OWN = 'genomewell/security';
  const asOwnRepository: RepoState = {
    ...written.state,
    issues: written.state.issues.map((issue) => {
      const body = issue.body.replaceAll('genomewell/platform', OWN);
      return { ...issue, body, marker: parseMarker(body)! };
    }),
  };

  test('in the model’s own repository: resync with zero writes, with the Jira side running and without it', () => {
    const jira = new Map([['TM-22', { key: 'SEC-12', url: 'https://genomewell.atlassian.net/browse/SEC-12' }]]);
    expect(asOwnRepository.issues.every((issue) => issue.marker.modelRepo === undefined)).toBe(true);
    const context = syncContext({ modelRepo: OWN });
    expect(planGithubSync({ ...model(SMALL_MODEL), config: config(), state: asOwnRepository, context, links: new Map([['jira', jira]]) }).operations).toEqual([]);
    expect(planGithubSync({ ...model(SMALL_MODEL), config: config(), state: asOwnRepository, context }).operations).toEqual([]);
  });

  test('in the model’s own repository on a later day, when TM-22 is overdue: only its reminder (marker edit + comment) and the dashboard, then zero writes', () => {
    const context = syncContext({ modelRepo: OWN, today: '2026-04-02' });
    const input = { ...model(SMALL_MODEL), config: config(), context };
    const first = planGithubSync({ ...input, state: asOwnRepository });
    const tm22 = asOwnRepository.issues.find((issue) => issue.marker.threatId === 'TM-22')!;
    const onTm22 = first.operations.filter((op) => 'number' in op && op.number === tm22.number);
    expect(onTm22.map((op) => op.op)).toEqual(['update-issue', 'comment']);
    expect(onTm22[1]).toMatchObject({ body: expect.stringContaining('was due on 2026-03-31 (2 days ago)') });
    // The edit adds `reminded` to the marker and changes nothing else in it.
    const edited = onTm22[0]!.op === 'update-issue' ? parseMarker(onTm22[0]!.changes.body) : undefined;
    expect(edited).toEqual({ ...tm22.marker, reminded: 'overdue:2026-03-31' });
    const after = applyPlan(asOwnRepository, first, context.today).state;
    expect(planGithubSync({ ...input, state: after }).operations).toEqual([]);
  });

  test('in another repository: not believed, so none of them is edited, retitled or closed', () => {
    // The version that wrote them may have been made to file there without the target's consent.
    const { state } = written;
    const reparsed: RepoState = { ...state, issues: state.issues.map((issue) => ({ ...issue, marker: parseMarker(issue.body)! })) };
    const operations = planGithubSync({ ...model(SMALL_MODEL), config: config(), state: reparsed, context: syncContext() }).operations;
    const touched = operations.flatMap((op) => ('number' in op ? [op.number] : []));
    expect(touched).toEqual([]);
    // The threats get issues of their own, whose markers name the model repository.
    const created = operations.filter((op) => op.op === 'create-issue');
    expect(created).toHaveLength(3);
    for (const op of created) expect(parseMarker(op.fields.body)?.modelRepo).toBe('genomewell/platform');
  });

  test('an issue another model filed in this repository is never touched, even with the same threat id', () => {
    const other: RepoState = {
      ...asOwnRepository,
      issues: asOwnRepository.issues.map((issue) => {
        const body = issue.body.replace(/<!-- threatloop:(threat|dashboard)/, '<!-- threatloop:$1 repo="genomewell%2Fother"');
        return { ...issue, body, marker: parseMarker(body)! };
      }),
    };
    const operations = planGithubSync({ ...model(SMALL_MODEL), config: config(), state: other, context: syncContext({ modelRepo: OWN }) }).operations;
    expect(operations.flatMap((op) => ('number' in op ? [op.number] : []))).toEqual([]);
  });
});
