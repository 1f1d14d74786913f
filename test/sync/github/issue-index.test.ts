/**
 * The dashboard's hidden issue index (src/sync/github/issue-index.ts): what the sync writes, what a
 * pull-request refresh reads back, its bound, and that an upgrade does not rewrite a dashboard for it.
 */
import { describe, expect, test } from 'vitest';
import { issueRef, resolveIssueRefs } from '../../../src/sync/github/dashboard.ts';
import {
  parseIssueIndex,
  planIndexedReads,
  renderIssueIndex,
  sameIssueIndex,
  withoutIssueIndex,
  MAX_INDEX_ENTRIES,
} from '../../../src/sync/github/issue-index.ts';
import { planGithubSync } from '../../../src/sync/github/plan.ts';
import { applyPlan, config, emptyState, model, SMALL_MODEL, syncContext } from './plan-simulator.ts';
import type { RepoState } from '../../../src/sync/github/state.ts';

const entries = (n: number, first = 1) => Array.from({ length: n }, (_, i) => ({ threatId: `TM-${i + 1}`, issue: first + i }));

describe('issue index', () => {
  test('numbers in sequence are written bare, and read back exactly', () => {
    const line = renderIssueIndex(
      [...entries(3, 10), { threatId: 'TM-9', issue: 40 }, { threatId: 'login', issue: 41 }, { threatId: 'X', issue: undefined }, { threatId: 'TM-20', issue: 50 }],
      1000,
      issueRef,
    );
    // Ids counting up with their numbers are a run (`+2`: two more); a next number under another id is bare.
    expect(line).toBe('<!-- threatloop:index TM-1=#10 +2 TM-9=#40 login TM-20=#50 -->');
    expect(parseIssueIndex(`body\n${line}\n`)).toEqual({
      issues: new Map([['TM-1', 10], ['TM-2', 11], ['TM-3', 12], ['TM-9', 40], ['login', 41], ['TM-20', 50]]),
      complete: true,
      pending: false,
    });
    // 2,000 threats numbered in model order: a few characters.
    expect(renderIssueIndex(entries(2000, 3), 60_000, issueRef)).toBe('<!-- threatloop:index TM-1=#3 +1999 -->');
  });

  test('issues created in this sync are placeholders the applier resolves; both forms record the same', () => {
    const planned = renderIssueIndex([{ threatId: 'TM-1', issue: 'pending' }, { threatId: 'TM-2', issue: 'pending' }, { threatId: 'TM-3', issue: 7 }], 1000, issueRef);
    expect(parseIssueIndex(planned)?.pending).toBe(true);
    const written = resolveIssueRefs(planned, new Map([['TM-1', 5], ['TM-2', 6]]));
    expect(written).toBe('<!-- threatloop:index TM-1=#5 TM-2=#6 TM-3=#7 -->');
    const next = renderIssueIndex(entries(3, 5), 1000, issueRef);
    expect(next).toBe('<!-- threatloop:index TM-1=#5 +2 -->');
    expect(sameIssueIndex(parseIssueIndex(written)!, next)).toBe(true);
    expect(sameIssueIndex(parseIssueIndex(written)!, renderIssueIndex(entries(3, 6), 1000, issueRef))).toBe(false);
    // A planned index with placeholders is never "the same": the dashboard is written.
    expect(sameIssueIndex(parseIssueIndex(written)!, planned)).toBe(false);
    // An issue that was not created resolves to its id: left out, and the next bare entry is not guessed.
    const failed = resolveIssueRefs(planned, new Map([['TM-2', 6]]));
    expect(parseIssueIndex(failed)?.issues).toEqual(new Map([['TM-2', 6], ['TM-3', 7]]));
  });

  test('fits beside the dashboard within 65,536 characters, cut and marked partial when it must', () => {
    // Numbers out of model order (issues filed over time): no runs.
    const many = entries(3000).map((e, i) => ({ ...e, issue: 2 * i + 1 }));
    const full = renderIssueIndex(many, 10_000, issueRef);
    expect(parseIssueIndex(full)).toMatchObject({ complete: true });
    expect(parseIssueIndex(full)!.issues.size).toBe(3000);
    const tight = renderIssueIndex(many, 60_000, issueRef);
    expect(60_000 + 1 + tight.length).toBeLessThanOrEqual(65_536);
    expect(parseIssueIndex(tight)).toMatchObject({ complete: false });
    // Placeholders are measured at the widest number they can become.
    const pending = renderIssueIndex(many.map((e) => ({ ...e, issue: 'pending' as const })), 30_000, issueRef);
    const resolved = resolveIssueRefs(pending, new Map(many.map((e) => [e.threatId, 9_999_999])));
    expect(30_000 + 1 + resolved.length).toBeLessThanOrEqual(65_536);
  });

  test('a hostile body: edited entries are read as written (a hint, checked later), the parse is bounded', () => {
    expect(parseIssueIndex('<!-- threatloop:index TM-1=#x TM-2 TM-3=#4 <b> -->')).toBeUndefined();
    expect(parseIssueIndex('<!-- threatloop:index TM-1=#x TM-2 TM-3=#4 -->')?.issues).toEqual(new Map([['TM-3', 4]]));
    // An unterminated line before the real one; bare ids with no number before them record nothing.
    const parsed = parseIssueIndex(`<!-- threatloop:index${' x'.repeat(30_000)}\n<!-- threatloop:index${' a'.repeat(30_000)} -->`);
    expect(parsed).toEqual({ issues: new Map(), complete: true, pending: false });
    const bounded = parseIssueIndex(`<!-- threatloop:index TM-0=#1${Array.from({ length: 25_000 }, (_, i) => ` T${i}`).join('')} -->`);
    expect(bounded?.issues.size).toBe(MAX_INDEX_ENTRIES);
    expect(bounded?.complete).toBe(false);
    expect(parseIssueIndex('<!-- threatloop:index TM-1=#1 +9999999 -->')?.issues.size).toBe(MAX_INDEX_ENTRIES);
    // Runs over the same ids again and again: the work is bounded, not the 75 million steps they name.
    const repeated = parseIssueIndex(`<!-- threatloop:index TM-1=#1 +15000${' TM-1=#1 +15000'.repeat(4_000)} -->`);
    expect(repeated?.issues.size).toBe(15_001);
    expect(repeated?.complete).toBe(false);
  });

  test('planIndexedReads: the touched threats and the #n that are threat issues; a gap sends to the listing', () => {
    const index = parseIssueIndex(renderIssueIndex(entries(5, 10), 0, issueRef))!;
    expect(planIndexedReads(index, { threatIds: new Set(['TM-2']), issueNumbers: new Set([14, 99]) })).toEqual({
      ok: true,
      reads: new Map([[11, 'TM-2'], [14, 'TM-5']]),
    });
    expect(planIndexedReads(index, { threatIds: new Set(['TM-6']), issueNumbers: new Set() })).toMatchObject({ ok: false });
    const partial = { ...index, complete: false };
    expect(planIndexedReads(partial, { threatIds: new Set(), issueNumbers: new Set([99]) })).toMatchObject({ ok: false });
  });
});

describe('the sync keeps the index', () => {
  const planned = (state: RepoState) => planGithubSync({ ...model(SMALL_MODEL), config: config(), state, context: syncContext() });

  /** The repository after applying a first sync's plan (the simulator resolves placeholders as the applier does). */
  function afterFirstSync(): RepoState {
    const empty = emptyState();
    return applyPlan(empty, planned(empty), syncContext().today).state;
  }

  test('a first sync writes it; the next sync with the numbers known writes nothing', () => {
    const state = afterFirstSync();
    const dashboard = state.issues.find((i) => i.marker.kind === 'dashboard')!;
    const index = parseIssueIndex(dashboard.body)!;
    expect(index.issues.size).toBeGreaterThan(0);
    for (const [threatId, number] of index.issues) expect(state.issues.find((i) => i.number === number)?.marker.threatId).toBe(threatId);
    expect(planned(state).operations.filter((op) => op.op === 'update-dashboard')).toEqual([]);
  });

  test('a dashboard without an index (an earlier version) is not rewritten for it; a stale index is refreshed', () => {
    const state = afterFirstSync();
    const withoutIndex = state.issues.map((i) => (i.marker.kind === 'dashboard' ? { ...i, body: withoutIssueIndex(i.body) } : i));
    expect(planned({ ...state, issues: withoutIndex }).operations).toEqual([]);
    const stale = state.issues.map((i) => (i.marker.kind === 'dashboard' ? { ...i, body: i.body.replace(/TM-\d+=#(\d+)/, 'TM-1=#999') } : i));
    expect(planned({ ...state, issues: stale }).operations.map((op) => op.op)).toEqual(['update-dashboard']);
  });
});
