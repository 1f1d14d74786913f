import { describe, expect, it } from 'vitest';
import { ConfigSchema, OWNER_APPROVAL_CHANGES } from '../../src/config/schema.ts';
import { approvalsFromReviews, assessOwnerApprovals, membershipQueries, missingOwnerApprovals, renderApprovalCheck, withApprovalCheck } from '../../src/lifecycle/approval.ts';
import { loadModel } from '../../src/model/load.ts';
import { diffModels } from '../../src/pull-request/diff.ts';

const BASE = `version: 1
system: { name: Test }
owners:
  sec: { name: Security, github: [lena, omar], team: acme/security }
  app: { name: App team, github: dev-1 }
  nobody: { name: No login }
components:
  - { id: api, name: API, type: process }
threats:
  - { id: T1, title: Token theft, stride: S, targets: api, cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", owner: sec, status: open }
  - { id: T2, title: Log tampering, stride: T, targets: api, severity: medium, owner: app, status: open }
  - { id: T3, title: Old threat, stride: D, targets: api, severity: low, owner: [sec, app] }
  - { id: T4, title: Unowned, stride: I, targets: api, severity: high }
  - { id: T5, title: Team only, stride: E, targets: api, severity: low, owner: nobody }
`;

function load(text: string) {
  const loaded = loadModel(text, 'tm.yml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.findings));
  return loaded.model;
}

// T1 accepted and re-scored down, T2 reassigned to the author, T3 removed, T4 accepted with no owner, T5 given an owner (not a reassign).
const HEAD = BASE.replace('owner: sec, status: open', 'owner: sec, status: accepted, rationale: r, acceptance: { by: sec, on: 2026-01-01, expires: 2027-01-01 }')
  .replace('C:H/I:H/A:N', 'C:L/I:N/A:N')
  .replace('owner: app, status: open', 'owner: sec, status: open')
  .replace('  - { id: T3, title: Old threat, stride: D, targets: api, severity: low, owner: [sec, app] }\n', '')
  .replace('severity: high }', 'severity: high, status: accepted, rationale: r, acceptance: { by: sec, on: 2026-01-01, expires: 2027-01-01 } }')
  .replace('owner: nobody }', 'owner: [nobody, app] }');

const base = load(BASE);
const head = load(HEAD);
const diff = diffModels(base, head);
const ALL = OWNER_APPROVAL_CHANGES;

describe('missingOwnerApprovals', () => {
  it('lists each risky change with the base owners who could approve, none when not configured', () => {
    expect(missingOwnerApprovals({ diff, base, head, require: [], approvedBy: [] })).toEqual([]);
    const needs = missingOwnerApprovals({ diff, base, head, require: ALL, approvedBy: [] });
    expect(needs.map((n) => [n.threatId, n.changes, n.logins, n.teams])).toEqual([
      ['T1', ['accept', 'rescore-down'], ['lena', 'omar'], ['acme/security']],
      ['T2', ['reassign'], ['dev-1'], []],
      ['T4', ['accept'], [], []],
      ['T3', ['remove'], ['lena', 'omar', 'dev-1'], ['acme/security']],
    ]);
  });

  it('only the kinds the config names count', () => {
    const needs = missingOwnerApprovals({ diff, base, head, require: ['remove'], approvedBy: [] });
    expect(needs.map((n) => n.threatId)).toEqual(['T3']);
    expect(ConfigSchema.parse({ pull_requests: { require_owner_approval: ['accept', 'remove'] } }).pull_requests.require_owner_approval).toEqual(['accept', 'remove']);
    expect(ConfigSchema.safeParse({ pull_requests: { require_owner_approval: ['rescore-up'] } }).success).toBe(false);
  });

  it('an owner’s approval (any case), or a team member’s when membership is known, clears the threat; the author’s never does', () => {
    const approvedByLena = missingOwnerApprovals({ diff, base, head, require: ALL, approvedBy: ['LENA'] });
    expect(approvedByLena.map((n) => n.threatId)).toEqual(['T2', 'T4']);
    const viaTeam = missingOwnerApprovals({ diff, base, head, require: ['accept'], approvedBy: ['kim'], teamMembers: new Map([['acme/security', ['kim']]]) });
    expect(viaTeam.map((n) => n.threatId)).toEqual(['T4']);
    const self = missingOwnerApprovals({ diff, base, head, require: ['reassign'], approvedBy: ['dev-1'], author: 'dev-1' });
    expect(self.map((n) => [n.threatId, n.logins, n.authorIsOwner])).toEqual([['T2', [], true]]);
    expect(renderApprovalCheck(self, ['reassign']).summary).toContain(
      "- `T2` Log tampering: this pull request takes it from its owner; its only owner is this pull request's author, who cannot approve it: give it another owner in an earlier pull request",
    );
  });

  it('the check run fails naming who is missing, and passes once every threat is approved', () => {
    const needs = missingOwnerApprovals({ diff, base, head, require: ALL, approvedBy: [] });
    const check = renderApprovalCheck(needs, ALL);
    expect(check.conclusion).toBe('failure');
    expect(check.title).toBe('4 threats need an owner’s approval');
    expect(check.summary.split('\n').slice(2)).toEqual([
      '- `T1` Token theft: this pull request accepts or transfers the risk and lowers its score; approval needed from `lena` or `omar` or a member of `acme/security`',
      '- `T2` Log tampering: this pull request takes it from its owner; approval needed from `dev-1`',
      '- `T4` Unowned: this pull request accepts or transfers the risk; no owner with a GitHub login or team: give it an owner in an earlier pull request',
      '- `T3` Old threat: this pull request removes it; approval needed from `lena` or `omar` or `dev-1` or a member of `acme/security`',
    ]);
    expect(check.summary).not.toMatch(/(^|\s)@\w/);
    expect(renderApprovalCheck([], ALL)).toMatchObject({ conclusion: 'success', title: 'Owner approvals complete' });
    expect(renderApprovalCheck([], [])).toMatchObject({ conclusion: 'success', title: 'No owner approval required' });
  });
});

describe('approvalsFromReviews', () => {
  const HEAD = 'h'.repeat(40);
  const OLD = 'o'.repeat(40);
  const r = (login: string, state: string, commitId: string | null = HEAD) => ({ login, state, commitId });

  it('per user the latest review that sets a state counts; a later comment leaves an approval standing', () => {
    const reviews = [r('lena', 'APPROVED'), r('lena', 'COMMENTED'), r('omar', 'APPROVED'), r('omar', 'CHANGES_REQUESTED'), r('kim', 'APPROVED'), r('kim', 'DISMISSED'), r('pat', 'PENDING')];
    expect(approvalsFromReviews(reviews, HEAD)).toEqual({ approvedBy: ['lena'], stale: [] });
  });

  it('an approval of an earlier commit (or of no known commit) is stale; approving the head again counts, any case', () => {
    expect(approvalsFromReviews([r('lena', 'APPROVED', OLD), r('omar', 'APPROVED', null)], HEAD)).toEqual({ approvedBy: [], stale: ['lena', 'omar'] });
    expect(approvalsFromReviews([r('lena', 'APPROVED', OLD), r('LENA', 'APPROVED')], HEAD)).toEqual({ approvedBy: ['LENA'], stale: [] });
  });
});

describe('membership queries, unreadable teams, stale approvers and the combined check', () => {
  it('asks only about approvers (not the author) and teams of threats still missing an approval, bounded', () => {
    const needs = missingOwnerApprovals({ diff, base, head, require: ALL, approvedBy: ['kim', 'dev-1'], author: 'dev-1' });
    expect(membershipQueries(needs, ['kim', 'dev-1'], 'dev-1', 20)).toEqual([{ team: 'acme/security', login: 'kim' }]);
    expect(membershipQueries(needs, ['kim', 'lou', 'max'], undefined, 2)).toHaveLength(2);
    expect(membershipQueries(needs, [], undefined, 20)).toEqual([]);
  });

  it('a team whose membership could not be read is named with the permission it needs; a stale owner approval is named', () => {
    const needs = missingOwnerApprovals({ diff, base, head, require: ['accept'], approvedBy: ['kim'], staleApprovals: ['omar'], unreadableTeams: new Set(['acme/security']) });
    expect(needs.map((n) => [n.threatId, n.unreadableTeams, n.staleApprovers])).toEqual([
      ['T1', ['acme/security'], ['omar']],
      ['T4', [], []],
    ]);
    const line = renderApprovalCheck(needs, ['accept']).summary.split('\n').find((l) => l.includes('`T1`'));
    expect(line).toBe(
      '- `T1` Token theft: this pull request accepts or transfers the risk; approval needed from `lena` or `omar` or a member of `acme/security` (membership could not be checked: the app needs the organisation permission `members: read`) (`omar` approved an earlier commit: a push after an approval needs a new one)',
    );
  });

  it('the gate fails a clean lint check with its own title, adds to a failing one, and leaves a passing gate’s conclusion to the lint', () => {
    const lint = { title: 'No problems', summary: 'Lint: 0 errors, 0 warnings.', conclusion: 'success' as const };
    const failing = renderApprovalCheck(missingOwnerApprovals({ diff, base, head, require: ['remove'], approvedBy: [] }), ['remove']);
    expect(withApprovalCheck(lint, failing)).toMatchObject({ conclusion: 'failure', title: '1 threat needs an owner’s approval' });
    expect(withApprovalCheck({ ...lint, title: '1 error, 0 warnings', conclusion: 'failure' as const }, failing).title).toBe('1 error, 0 warnings; 1 threat needs an owner’s approval');
    const passing = withApprovalCheck(lint, renderApprovalCheck([], ['remove']));
    expect(passing).toMatchObject({ conclusion: 'success', title: 'No problems' });
    expect(passing.summary).toBe('Lint: 0 errors, 0 warnings.\n\n**Owner approval**\n\nEvery threat this pull request changes in a way that needs its owner’s approval (`remove`) has it.');
  });
});

describe('the approved changes, for the audit trail', () => {
  it('lists who approved which change on the head commit, in the failing and the passing check', () => {
    const assessed = assessOwnerApprovals({ diff, base, head, require: ['accept', 'remove'], approvedBy: ['omar'] });
    expect(assessed.map((n) => [n.threatId, n.approvedBy])).toEqual([
      ['T1', ['omar']],
      ['T4', []],
      ['T3', ['omar']],
    ]);
    const check = renderApprovalCheck(
      assessed.filter((n) => n.approvedBy.length === 0),
      ['accept', 'remove'],
      assessed.filter((n) => n.approvedBy.length > 0),
    );
    expect(check.conclusion).toBe('failure');
    expect(check.summary.split('\n').slice(-3)).toEqual([
      'Approved on this commit:',
      '- `T1` Token theft: this pull request accepts or transfers the risk; approved by `omar`',
      '- `T3` Old threat: this pull request removes it; approved by `omar`',
    ]);
  });
});
