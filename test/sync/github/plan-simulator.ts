/**
 * A pure stand-in for the GitHub applier: performs a plan's operations on a
 * RepoState the way GitHub would, so tests can check that planning again
 * after applying yields nothing (idempotence) without any network.
 */
import { DEFAULT_CONFIG, type Config } from '../../../src/config/schema.ts';
import { loadModel } from '../../../src/model/load.ts';
import type { ThreatModel } from '../../../src/model/schema.ts';
import type { YamlSource } from '../../../src/model/source.ts';
import { resolveIssueRefs } from '../../../src/sync/github/dashboard.ts';
import type { ExistingIssue, GithubOperation, GithubPlan, IssueChanges, RepoState, SyncContext } from '../../../src/sync/github/state.ts';
import { parseMarker } from '../../../src/sync/github/marker.ts';

export interface AppliedState {
  state: RepoState;
  comments: { number: number; body: string }[];
}

export function applyPlan(state: RepoState, plan: GithubPlan, today: string): AppliedState {
  const next: RepoState = {
    ...state,
    issues: state.issues.map((i) => ({ ...i, labels: [...i.labels], assignees: [...i.assignees] })),
    labels: [...state.labels],
    milestones: [...state.milestones],
  };
  const comments: AppliedState['comments'] = [];
  const created = new Map<string, number>();
  let nextNumber = Math.max(0, ...next.issues.map((i) => i.number)) + 1;
  const milestone = (title: string | null | undefined) => {
    if (title === null || title === undefined) return null;
    const found = next.milestones.find((m) => m.title === title);
    if (!found) throw new Error(`milestone "${title}" does not exist`);
    return { number: found.number, title: found.title };
  };
  const find = (number: number) => {
    const issue = next.issues.find((i) => i.number === number);
    if (!issue) throw new Error(`issue #${number} does not exist`);
    return issue;
  };
  const edit = (issue: ExistingIssue, changes: IssueChanges) => {
    if (changes.title !== undefined) issue.title = changes.title;
    if (changes.body !== undefined) {
      issue.body = resolveIssueRefs(changes.body, created);
      const marker = parseMarker(issue.body);
      if (!marker) throw new Error(`#${issue.number}: body lost its marker`);
      issue.marker = marker;
    }
    if (changes.labels !== undefined) issue.labels = [...changes.labels];
    if (changes.assignees !== undefined) issue.assignees = [...changes.assignees];
    if (changes.milestone !== undefined) issue.milestone = milestone(changes.milestone);
    if (changes.state !== undefined) {
      issue.state = changes.state;
      issue.stateReason = changes.stateReason ?? null;
    }
  };
  const create = (fields: { title: string; body: string; labels: string[]; assignees: string[]; milestone: string | null }) => {
    for (const label of fields.labels) {
      if (!next.labels.some((l) => l.name.toLowerCase() === label.toLowerCase())) throw new Error(`label "${label}" does not exist`);
    }
    const body = resolveIssueRefs(fields.body, created);
    const marker = parseMarker(body);
    if (!marker) throw new Error('created body has no marker');
    const issue: ExistingIssue = {
      number: nextNumber++,
      title: fields.title,
      body,
      state: 'open',
      stateReason: null,
      labels: [...fields.labels],
      assignees: [...fields.assignees],
      milestone: milestone(fields.milestone),
      createdAt: `${today}T10:00:00Z`,
      marker,
    };
    next.issues.push(issue);
    return issue;
  };

  for (const op of plan.operations as GithubOperation[]) {
    switch (op.op) {
      case 'create-label':
        next.labels.push({ name: op.name, color: op.color, description: op.description });
        break;
      case 'create-milestone':
        if (next.milestones.some((m) => m.title === op.title)) throw new Error(`milestone "${op.title}" already exists`);
        next.milestones.push({ number: next.milestones.length + 100, title: op.title, dueOn: op.dueOn, state: 'open' });
        break;
      case 'create-issue': {
        const issue = create(op.fields);
        created.set(op.threatId, issue.number);
        if (op.closeAs) edit(issue, { state: 'closed', stateReason: op.closeAs });
        break;
      }
      case 'update-issue':
        edit(find(op.number), op.changes);
        break;
      case 'comment':
        find(op.number);
        comments.push({ number: op.number, body: op.body });
        break;
      case 'create-dashboard':
        create(op.fields);
        break;
      case 'update-dashboard':
        edit(find(op.number), op.changes);
        break;
    }
  }
  return { state: next, comments };
}

export function emptyState(overrides: Partial<RepoState> = {}): RepoState {
  return { owner: 'genomewell', repo: 'security', issues: [], labels: [], milestones: [], private: true, ...overrides };
}

export function syncContext(overrides: Partial<SyncContext> = {}): SyncContext {
  return {
    modelRepo: 'genomewell/platform',
    sha: 'a'.repeat(40),
    ref: 'refs/heads/main',
    modelPath: 'threat-model.yml',
    actor: 'alice',
    webUrl: 'https://github.com',
    today: '2026-03-01',
    ...overrides,
  };
}

export function config(issues: Record<string, unknown> = {}): Config {
  return { ...DEFAULT_CONFIG, issues: { ...DEFAULT_CONFIG.issues, ...issues } as Config['issues'] };
}

export function model(text: string): { model: ThreatModel; source: YamlSource } {
  const loaded = loadModel(text, 'threat-model.yml');
  if (!loaded.ok) throw new Error(loaded.findings.map((f) => `${f.start.line}: ${f.message}`).join('\n'));
  return { model: loaded.model, source: loaded.source };
}

export const SMALL_MODEL = `version: 1
system:
  name: GenomeWell
owners:
  appsec:
    name: AppSec team
    github: [alice, bob]
    team: genomewell/appsec
  platform:
    name: Platform
    github: carol
boundaries:
  - { id: internet, name: Internet, trust: untrusted }
  - { id: cloud, name: AWS account, trust: restricted }
components:
  - { id: portal, name: Patient portal, type: process, boundary: cloud, owner: appsec }
  - { id: bucket, name: FASTQ bucket, type: data-store, boundary: cloud }
  - { id: user, name: Patient, type: external-entity, boundary: internet }
flows:
  - { id: upload, name: Upload, from: user, to: portal, protocol: HTTPS, data: [FASTQ] }
threats:
  - id: TM-22
    title: S3 bucket misconfig leaks FASTQ/VCF
    stride: I
    targets: bucket
    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
    strategy: mitigate
    mitigation: Block public access; bucket policy denies non-TLS.
    owner: appsec
    status: open
    due: 2026-03-31
    refs: [CWE-200]
  - id: TM-31
    title: Session token replay
    stride: [S, E]
    targets: [upload, portal]
    severity: high
    owner: platform
    status: planned
  - id: TM-40
    title: Audit log gaps
    stride: R
    targets: portal
    status: open
`;
