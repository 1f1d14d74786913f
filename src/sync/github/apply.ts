/**
 * Performs a GitHub plan: one operation after the other (serial, paced),
 * within a write budget. Milestone titles become numbers (creating them
 * first); issues created here give the dashboard its links.
 *
 * The budget counts write requests. It never separates an `update-issue` from
 * the audit `comment` that explains it, and keeps room for the dashboard
 * (always last) so the dashboard can say how much is left. What does not fit
 * is simply not done: the next sync recomputes the plan from GitHub's state
 * and carries on, so stopping early loses nothing and doubles nothing.
 *
 * The audit trail survives a crash: an edit's audit comments are posted BEFORE the edit, each carrying
 * an id derived from what the edit writes (`auditId`). Killed between the two, the marker still holds
 * the old state, so the next sync plans the same edit again; it finds the comment with that id (posted by
 * a bot) and writes only the edit. The comment is thus written exactly once and never lost.
 */
import { NO_BLIND_RETRY, rateLimitWait, RateLimitedError, type GitHubClient, type WritePacer } from '../../github/client.ts';
import { summarisePlan } from './format-plan.ts';
import type { GithubOperation, GithubPlan, IssueChanges, IssueFields, RepoState } from './state.ts';
import { httpStatus } from '../../github/errors.ts';
import { listComments } from '../../github/pull-requests.ts';
import { parseMarker, renderMarker } from './marker.ts';
import { createHash } from 'node:crypto';

export interface ApplyOptions {
  owner: string;
  repo: string;
  /** Most write requests this run may send (`issues.max_writes_per_sync`). */
  budget: number;
  pacer: WritePacer;
  /** Whose hourly allowance the writes count against (installation id or token owner). */
  paceKey: string;
  /** Turns the dashboard's references to issues created in this run into links. */
  resolveIssueRefs?: (body: string, created: ReadonlyMap<string, number>) => string;
  /** Called as each write goes out, with the writes sent so far (progress). */
  onWrite?: (writes: number) => void;
}

export interface ApplyError {
  op: GithubOperation['op'];
  /** Threat id or issue number the operation was about. */
  subject: string;
  status?: number;
  message: string;
}

export type ApplyStop =
  /** The write budget of this sync is spent; the rest is for the next sync. */
  | 'budget'
  /** GitHub's rate limit (or our hourly ceiling) is reached; resume at `resumeAt`. */
  | 'rate-limit'
  /** The token cannot write to the repository (not installed, read-only, issues disabled). */
  | 'no-access';

export interface ApplyResult {
  /** Operations performed. */
  applied: number;
  /** Write requests sent. */
  writes: number;
  /** Operations not performed because the run stopped early. */
  remaining: number;
  errors: ApplyError[];
  /** Threat id -> number of the issue created in this run. */
  created: Map<string, number>;
  stoppedBy?: ApplyStop;
  resumeAt?: Date;
}

/** Write requests some operations cost (a create that is closed at once is two). */
const writeCost = (operations: GithubOperation[]) => summarisePlan({ operations, notes: [] }).writes;

const isDashboardOp = (o: GithubOperation) => o.op === 'create-dashboard' || o.op === 'update-dashboard';

/** Operations that must be applied together: an update-issue with the comments that follow it. */
function units(operations: readonly GithubOperation[]): GithubOperation[][] {
  const out: GithubOperation[][] = [];
  for (const operation of operations) {
    const last = out.at(-1);
    const head = last?.[0];
    if (operation.op === 'comment' && head?.op === 'update-issue' && head.number === operation.number) last!.push(operation);
    else out.push([operation]);
  }
  return out;
}

class StopApplying extends Error {
  readonly stop: ApplyStop;
  readonly resumeAt?: Date;
  constructor(stop: ApplyStop, message: string, resumeAt?: Date) {
    super(message);
    this.stop = stop;
    if (resumeAt) this.resumeAt = resumeAt;
  }
}

export async function applyGithubPlan(
  octokit: GitHubClient,
  plan: GithubPlan,
  state: Pick<RepoState, 'milestones'>,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const { owner, repo } = options;
  const result: ApplyResult = { applied: 0, writes: 0, remaining: 0, errors: [], created: new Map() };
  const milestones = new Map(state.milestones.map((m) => [m.title, m.number]));

  const main = units(plan.operations.filter((o) => !isDashboardOp(o)));
  const dashboard = plan.operations.filter(isDashboardOp);
  const dashboardCost = dashboard.length;
  const mainCost = writeCost(main.flat());
  // Keep room for the dashboard when the plan does not fit, unless that would leave no room for anything else.
  const mainBudget =
    mainCost + dashboardCost <= options.budget || options.budget <= dashboardCost ? options.budget : options.budget - dashboardCost;

  const write = async <T>(send: () => Promise<T>): Promise<T> => {
    const resumeAt = await options.pacer.beforeWrite(options.paceKey);
    if (resumeAt) throw new StopApplying('rate-limit', 'hourly write allowance used up', resumeAt);
    result.writes++;
    options.onWrite?.(result.writes);
    return send();
  };

  /** A missing milestone (its creation failed) must not cost the threat its issue: leave it off and say so. */
  const milestoneNumber = (title: string | null | undefined, subject: string): number | null | undefined => {
    if (title === undefined || title === null) return title;
    const number = milestones.get(title);
    if (number === undefined) {
      result.errors.push({ op: 'create-milestone', subject, message: `milestone "${title}" does not exist; left unset until the next sync` });
    }
    return number;
  };

  const issuePatch = (subject: string, changes: IssueChanges, body = changes.body) => {
    const milestone = milestoneNumber(changes.milestone, subject);
    return {
      ...(changes.title !== undefined ? { title: changes.title } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(changes.labels !== undefined ? { labels: changes.labels } : {}),
      ...(changes.assignees !== undefined ? { assignees: changes.assignees } : {}),
      ...(milestone !== undefined ? { milestone } : {}),
      ...(changes.state !== undefined ? { state: changes.state } : {}),
      ...(changes.stateReason !== undefined ? { state_reason: changes.stateReason } : {}),
    };
  };

  const createIssue = async (subject: string, fields: IssueFields, body = fields.body): Promise<number> => {
    const milestone = milestoneNumber(fields.milestone, subject);
    const { data } = await write(() =>
      octokit.request('POST /repos/{owner}/{repo}/issues', {
        owner,
        repo,
        title: fields.title,
        body,
        labels: fields.labels,
        assignees: fields.assignees,
        ...(typeof milestone === 'number' ? { milestone } : {}),
        ...NO_BLIND_RETRY,
      }),
    );
    return data.number;
  };

  const resolveRefs = (body: string | undefined) =>
    body === undefined || !options.resolveIssueRefs ? body : options.resolveIssueRefs(body, result.created);

  const perform = async (operation: GithubOperation): Promise<void> => {
    switch (operation.op) {
      case 'create-label':
        await write(() =>
          octokit.request('POST /repos/{owner}/{repo}/labels', {
            owner,
            repo,
            name: operation.name,
            color: operation.color,
            description: operation.description,
          }),
        );
        return;
      case 'create-milestone': {
        const { data } = await write(() =>
          octokit.request('POST /repos/{owner}/{repo}/milestones', { owner, repo, title: operation.title, due_on: operation.dueOn }),
        );
        milestones.set(operation.title, data.number);
        return;
      }
      case 'create-issue': {
        const number = await createIssue(operation.threatId, operation.fields);
        result.created.set(operation.threatId, number);
        if (operation.closeAs) {
          await write(() =>
            octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
              owner,
              repo,
              issue_number: number,
              state: 'closed',
              state_reason: operation.closeAs,
            }),
          );
        }
        return;
      }
      case 'update-issue':
        await write(() =>
          octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
            owner,
            repo,
            issue_number: operation.number,
            ...issuePatch(operation.threatId ?? `#${operation.number}`, operation.changes),
          }),
        );
        return;
      case 'comment':
        await write(() =>
          octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
            owner,
            repo,
            issue_number: operation.number,
            body: operation.body,
            ...NO_BLIND_RETRY,
          }),
        );
        return;
      case 'create-dashboard':
        await createIssue('dashboard', operation.fields, resolveRefs(operation.fields.body));
        return;
      case 'update-dashboard':
        await write(() =>
          octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
            owner,
            repo,
            issue_number: operation.number,
            ...issuePatch('dashboard', operation.changes, resolveRefs(operation.changes.body)),
          }),
        );
        return;
    }
  };

  /**
   * Runs one step about `operation`; an error that ends the run is thrown, any other is recorded and
   * answers false (the caller skips what depended on it).
   */
  const attempt = async (operation: GithubOperation, step: () => Promise<unknown>): Promise<boolean> => {
    try {
      await step();
      return true;
    } catch (error) {
      if (error instanceof StopApplying) throw error;
      const stop = classify(error, operation);
      if (stop) throw stop;
      result.errors.push(describe(operation, error));
      return false;
    }
  };

  const run = async (unit: GithubOperation[]) => {
    const [update, ...comments] = unit;
    if (update?.op === 'update-issue' && comments.length > 0) return runAudited(update, comments);
    for (const operation of unit) {
      // An update that failed must not be followed by a comment claiming it happened.
      if (!(await attempt(operation, () => perform(operation)))) return;
      result.applied++;
    }
  };

  /** Comments first (skipping any a previous, interrupted run already posted), then the edit they explain. */
  const runAudited = async (update: Extract<GithubOperation, { op: 'update-issue' }>, comments: GithubOperation[]) => {
    const id = auditId(update);
    let posted: string[] = [];
    const listed = await attempt(update, async () => {
      posted = (await listComments(octokit, { owner, repo }, update.number)).filter((c) => c.author?.type === 'Bot').map((c) => c.body);
    });
    if (!listed) return;
    for (const [i, comment] of comments.entries()) {
      if (comment.op !== 'comment') continue;
      const tag = auditTag(id, i);
      const sent = await attempt(comment, async () => {
        if (!posted.some((body) => body.includes(tag))) await perform({ ...comment, body: `${comment.body}\n\n${tag}` });
      });
      // Without its comment the edit waits: the next sync plans both again.
      if (!sent) return;
      result.applied++;
    }
    if (await attempt(update, () => perform(update))) result.applied++;
  };

  let spent = 0;
  const phases: { units: GithubOperation[][]; budget: number }[] = [
    { units: main, budget: mainBudget },
    { units: dashboard.map((o) => [o]), budget: options.budget },
  ];
  for (const [p, phase] of phases.entries()) {
    for (const [i, unit] of phase.units.entries()) {
      const cost = writeCost(unit);
      const untouched = () => phase.units.slice(i).flat().length;
      if (spent + cost > phase.budget) {
        result.stoppedBy = 'budget';
        result.remaining += untouched();
        break;
      }
      spent += cost;
      try {
        // A rate limit between an edit and its audit comment would lose the comment for good (the next
        // sync sees the edit done): start a unit only when the hour has room for all of it.
        const resumeAt = cost > 1 ? await options.pacer.roomFor(options.paceKey, cost) : undefined;
        if (resumeAt) throw new StopApplying('rate-limit', 'hourly write allowance used up', resumeAt);
        await run(unit);
      } catch (error) {
        if (!(error instanceof StopApplying)) throw error;
        result.stoppedBy = error.stop;
        if (error.resumeAt) result.resumeAt = error.resumeAt;
        if (error.stop === 'no-access') result.errors.push({ op: unit[0]!.op, subject: `${owner}/${repo}`, message: error.message });
        // The unit in progress may be half done; count it as remaining (the next sync sees what happened).
        result.remaining += untouched() + phases.slice(p + 1).reduce((n, later) => n + later.units.flat().length, 0);
        return result;
      }
    }
  }
  return result;
}

/**
 * The same for the same edit, whichever sync plans it: the issue, the marker it writes (the audited state,
 * not the body around it, whose permalink names the commit) and the title and state it sets.
 */
export function auditId(update: Extract<GithubOperation, { op: 'update-issue' }>): string {
  const marker = update.changes.body === undefined ? undefined : parseMarker(update.changes.body);
  const identity = JSON.stringify([
    update.number,
    marker ? renderMarker(marker) : null,
    update.changes.title ?? null,
    update.changes.state ?? null,
    update.changes.stateReason ?? null,
  ]);
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

/** The hidden tag an audit comment carries (`i`: its place among the edit's comments). */
export function auditTag(id: string, i: number): string {
  return `<!-- threatloop:audit id="${id}-${i}" -->`;
}

/** Errors that end the run rather than one operation: rate limits and missing write access. */
function classify(error: unknown, operation: GithubOperation): StopApplying | undefined {
  if (error instanceof RateLimitedError) return new StopApplying('rate-limit', error.message, error.resumeAt);
  const status = httpStatus(error);
  const wait = rateLimitWait(error as Parameters<typeof rateLimitWait>[0], Date.now());
  if (wait) return new StopApplying('rate-limit', 'GitHub rate limit', new Date(Date.now() + wait.seconds * 1000));
  if (status === 403 || ((status === 404 || status === 410) && !isGone(operation, error))) {
    return new StopApplying(
      'no-access',
      status === 410 ? 'issues are disabled in this repository' : `the app cannot write issues here (HTTP ${status})`,
    );
  }
  return undefined;
}

/**
 * 404/410 on one issue (not the repository's issues endpoints): it was deleted or transferred after
 * this sync read it. Only that issue is skipped; issues switched off answer 410 with their own message.
 */
function isGone(operation: GithubOperation, error: unknown): boolean {
  if (!('number' in operation)) return false;
  return !/issues are disabled/i.test((error as { message?: string }).message ?? '');
}

function describe(operation: GithubOperation, error: unknown): ApplyError {
  const subject =
    'threatId' in operation && operation.threatId
      ? operation.threatId
      : 'number' in operation
        ? `#${operation.number}`
        : 'title' in operation
          ? operation.title
          : 'name' in operation
            ? operation.name
            : 'dashboard';
  const status = httpStatus(error);
  const message =
    (status === 404 || status === 410) && isGone(operation, error) && 'number' in operation
      ? `#${operation.number} is gone (deleted or transferred since this sync read it): skipped; the next sync plans it again`
      : error instanceof Error
        ? error.message
        : String(error);
  return { op: operation.op, subject, ...(typeof status === 'number' ? { status } : {}), message };
}
