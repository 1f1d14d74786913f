/**
 * A GitHub plan as people read it (`threatloop plan`, check run summaries):
 * one line per operation, then a summary line with counts.
 */
import type { GithubOperation, GithubPlan, IssueChanges } from './github-state.ts';

export interface PlanSummary {
  labels: number;
  milestones: number;
  /** New threat issues (of which `createdClosed` are closed right away). */
  created: number;
  createdClosed: number;
  updated: number;
  closed: number;
  reopened: number;
  comments: number;
  /** `create`, `update` or undefined when the dashboard is unchanged. */
  dashboard?: 'create' | 'update';
  /** Write requests the plan needs. */
  writes: number;
}

export function summarisePlan(plan: GithubPlan): PlanSummary {
  const summary: PlanSummary = { labels: 0, milestones: 0, created: 0, createdClosed: 0, updated: 0, closed: 0, reopened: 0, comments: 0, writes: 0 };
  for (const op of plan.operations) {
    summary.writes += op.op === 'create-issue' && op.closeAs ? 2 : 1;
    switch (op.op) {
      case 'create-label':
        summary.labels++;
        break;
      case 'create-milestone':
        summary.milestones++;
        break;
      case 'create-issue':
        summary.created++;
        if (op.closeAs) summary.createdClosed++;
        break;
      case 'update-issue':
        if (op.changes.state === 'closed') summary.closed++;
        else if (op.changes.state === 'open') summary.reopened++;
        else summary.updated++;
        break;
      case 'comment':
        summary.comments++;
        break;
      case 'create-dashboard':
        summary.dashboard = 'create';
        break;
      case 'update-dashboard':
        summary.dashboard = 'update';
        break;
    }
  }
  return summary;
}

export function formatPlan(plan: GithubPlan): string {
  const lines = plan.operations.map(formatOperation);
  if (plan.notes.length > 0) lines.push('', 'Notes:', ...plan.notes.map((note) => `- ${note}`));
  lines.push('', formatSummary(summarisePlan(plan)));
  return lines.join('\n').replace(/^\n/, '');
}

function formatOperation(op: GithubOperation): string {
  switch (op.op) {
    case 'create-label':
      return `+ label      ${op.name}  #${op.color}  ${op.description}`;
    case 'create-milestone':
      return `+ milestone  ${op.title}  due ${op.dueOn.slice(0, 10)}`;
    case 'create-issue': {
      const f = op.fields;
      const parts = [`+ issue      ${f.title}`, `labels: ${f.labels.join(', ')}`];
      if (f.milestone) parts.push(`milestone: ${f.milestone}`);
      if (f.assignees.length) parts.push(`assignees: ${f.assignees.join(', ')}`);
      if (op.closeAs) parts.push(`then closed as ${op.closeAs === 'not_planned' ? 'not planned' : 'completed'}`);
      return parts.join('  ');
    }
    case 'update-issue': {
      const what = op.changes.state === 'closed' ? 'x close' : op.changes.state === 'open' ? '↺ reopen' : '~ edit';
      const subject = op.threatId === undefined ? 'dashboard' : op.threatId;
      return `${what.padEnd(10)} #${op.number} ${subject}  ${op.changed.join('; ')}${fieldsNote(op.changes)}`;
    }
    case 'comment':
      return `+ comment    #${op.number}${op.threatId === undefined ? '' : ` ${op.threatId}`}  ${firstLine(op.body)}`;
    case 'create-dashboard':
      return `+ dashboard  ${op.fields.title}  labels: ${op.fields.labels.join(', ')}`;
    case 'update-dashboard':
      return `~ dashboard  #${op.number}${fieldsNote(op.changes)}`;
  }
}

function fieldsNote(changes: IssueChanges): string {
  const fields = (['title', 'body', 'labels', 'assignees', 'milestone'] as const).filter((f) => changes[f] !== undefined);
  return fields.length ? `  (${fields.join(', ')})` : '';
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

function formatSummary(s: PlanSummary): string {
  if (s.writes === 0) return 'Nothing to write: GitHub already matches the model.';
  const parts: string[] = [];
  const add = (n: number, one: string, many = `${one}s`) => {
    if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`);
  };
  add(s.labels, 'label to create', 'labels to create');
  add(s.milestones, 'milestone to create', 'milestones to create');
  add(s.created, 'issue to create', 'issues to create');
  if (s.createdClosed > 0) parts[parts.length - 1] += ` (${s.createdClosed} closed right away)`;
  add(s.updated, 'issue to edit', 'issues to edit');
  add(s.closed, 'issue to close', 'issues to close');
  add(s.reopened, 'issue to reopen', 'issues to reopen');
  add(s.comments, 'comment', 'comments');
  if (s.dashboard) parts.push(`dashboard to ${s.dashboard}`);
  return `${s.writes} write${s.writes === 1 ? '' : 's'}: ${parts.join(', ')}.`;
}
