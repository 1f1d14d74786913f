/**
 * Pull request events: fetch the inputs, let the pure core decide
 * (src/pull-request), apply the result.
 *
 * - opened / synchronize / reopened / ready_for_review / edited: the `Threat
 *   model` check run on the head commit (lint of the head's model and config),
 *   the one context comment (mapping and model read at the BASE commit, so a
 *   PR cannot hide its own context), cross-links on the threat issues the PR
 *   refers to, and optional review requests.
 * - closed with `merged: true`: one comment on each referenced threat issue.
 * - `pull_request_review` submitted / dismissed / edited: when the base config
 *   asks for owner approval (`pull_requests.require_owner_approval`) and the
 *   PR changes the model, the check run again (a review changes only who
 *   approved). Reviews of one PR coalesce: at most one such job waits.
 *
 * The webhook only enqueues a `pull-request-refresh` job with the fields it
 * needs. Jobs of one PR run one at a time (across replicas with Redis), so
 * two quick events cannot both find no comment and both create one.
 */
import type { Context } from 'probot';
import type { Config } from '../config/schema.ts';
import { CONFIG_PATH } from '../config/schema.ts';
import { hasErrors, type Finding } from '../model/findings.ts';
import type { ThreatModel } from '../model/schema.ts';
import { analysePullRequest, planContextComment, type HeadModel, type PullRequestContext } from '../pull-request/context.ts';
import {
  crossLinkMarker,
  findContextComment,
  mergedMarker,
  planIssueComments,
  planReviewRequests,
  type PullRequestRef,
  type ThreatIssueRef,
} from '../pull-request/plan.ts';
import { parseThreatReferences, resolveThreatReferences, type ReferenceVerb, type ThreatReference } from '../pull-request/references.ts';
import { GITHUB_PR_FILES_CAP, renderCrossLinkComment, renderMergedComment } from '../pull-request/comment.ts';
import type { GitHubClient } from '../github/client.ts';
import { dashboardLabel, threatLabel } from '../sync/github/labels.ts';
import { isOwnedBy, preferredFirst, sameRepo, threatIssues } from '../sync/github/issue-identity.ts';
import { parseIssueIndex, planIndexedReads, type IssueNeed } from '../sync/github/issue-index.ts';
import { decideConsent } from '../sync/consent.ts';
import { listFirstManagedPage, listManagedIssues, readManagedIssue } from '../github/issues.ts';
import {
  createComment,
  listChangedFiles,
  listComments,
  mapBounded,
  PAGE_CONCURRENCY,
  requestReviewers,
  reviewState,
  updateComment,
} from '../github/pull-requests.ts';
import { commitReader, readOwnConfigOnDefaultBranch, readRepoConfig, type ExtendsPolicy } from '../github/contents.ts';
import { loadedModel, readModelInput, type ModelInput } from '../input/pipeline.ts';
import { countFindings, publishCheckRun, type CheckConclusion } from '../github/check-run.ts';
import { listReviews, teamMembership } from '../github/reviews.ts';
import {
  approvalsFromReviews,
  assessOwnerApprovals,
  membershipQueries,
  renderApprovalCheck,
  withApprovalCheck,
  type ApprovalCheck,
} from '../lifecycle/approval.ts';
import { diffModels } from '../pull-request/diff.ts';
import type { ConfigRead } from '../config/load.ts';
import type { OwnerApprovalChange } from '../config/schema.ts';
import type { ChangedFile } from '../pull-request/match.ts';
import { describeError, type HandlerResult } from './handler.ts';
import { PullRequestJobDataSchema, type PullRequestJobData } from './jobs.ts';
import { installationPaceKey, type AppRuntime } from './runtime.ts';
import { httpStatus } from '../github/errors.ts';

/** The `pull_request` events that refresh the check run, the context comment and the cross-links. */
export const PULL_REQUEST_CONTEXT_EVENTS = [
  'pull_request.opened',
  'pull_request.synchronize',
  'pull_request.reopened',
  'pull_request.ready_for_review',
  'pull_request.edited',
] as const;
export type PullRequestContextEvent = (typeof PULL_REQUEST_CONTEXT_EVENTS)[number];

/** The payload fields we use, as the job keeps them. */
type PullRequestPayload = PullRequestJobData;

/** What one event's work needs from the app: the client, the log, the clock and the write pacing. */
interface EventTools {
  octokit: GitHubClient;
  log: Context['log'];
  now: Date;
  /** Spaces a content-creating request within the installation's quota; false = quota used up, skipped. */
  paced(write: () => Promise<unknown>): Promise<boolean>;
  /** Waits for the installation's next write slot (a write that must happen anyway: the check run). */
  pace(): Promise<unknown>;
  /** This app's bot login (`<slug>[bot]`), undefined when it cannot be looked up. */
  botLogin(): Promise<string | undefined>;
  extendsPolicy: ExtendsPolicy;
}

/** `pull_request` opened/synchronize/reopened/ready_for_review/edited: a job for check run, context comment, cross-links. */
export function onPullRequest(context: Context<PullRequestContextEvent>, runtime: AppRuntime): Promise<HandlerResult> {
  return enqueuePullRequestJob(context, runtime, 'context');
}

/** `pull_request.closed`: when merged, a job for one comment on each threat issue the PR referred to. */
export function onPullRequestClosed(context: Context<'pull_request.closed'>, runtime: AppRuntime): Promise<HandlerResult> {
  const payload = context.payload;
  if (!payload.pull_request.merged) return Promise.resolve({ outcome: 'closed-unmerged' });
  return enqueuePullRequestJob(context, runtime, 'merged');
}

/** The `pull_request_review` events that can change who approved a pull request. */
export const PULL_REQUEST_REVIEW_EVENTS = ['pull_request_review.submitted', 'pull_request_review.dismissed', 'pull_request_review.edited'] as const;
export type PullRequestReviewEvent = (typeof PULL_REQUEST_REVIEW_EVENTS)[number];

/** `pull_request_review`: a job for the check run's owner-approval gate (open pull requests only). */
export function onPullRequestReview(context: Context<PullRequestReviewEvent>, runtime: AppRuntime): Promise<HandlerResult> {
  if (context.payload.pull_request.state !== 'open') return Promise.resolve({ outcome: 'skipped', reason: 'the pull request is closed' });
  return enqueuePullRequestJob(context, runtime, 'approval');
}

async function enqueuePullRequestJob(
  context: Context<PullRequestContextEvent | PullRequestReviewEvent | 'pull_request.closed'>,
  runtime: AppRuntime,
  work: PullRequestJobData['work'],
): Promise<HandlerResult> {
  const payload = context.payload as unknown as Omit<PullRequestPayload, 'installationId'> & {
    installation?: { id: number };
    changes?: { base?: unknown };
  };
  if (payload.installation?.id === undefined) return { outcome: 'skipped', reason: 'no installation in the payload' };
  // Only the fields the job uses are kept (a payload can be 25 MB; Redis should not hold it).
  const parsed = PullRequestJobDataSchema.safeParse({
    installationId: payload.installation.id,
    work,
    action: payload.action,
    baseChanged: work !== 'approval' && payload.action === 'edited' && payload.changes?.base !== undefined,
    // A `pull_request_review` payload has no top-level `number`.
    number: payload.number ?? payload.pull_request?.number,
    pull_request: pick(payload.pull_request, ['number', 'title', 'body', 'html_url', 'draft', 'merged', 'merge_commit_sha', 'changed_files', 'user', 'head', 'base']),
    repository: pick(payload.repository, ['name', 'full_name', 'private', 'owner']),
  });
  if (!parsed.success) return { outcome: 'skipped', reason: `unexpected payload: ${parsed.error.issues[0]?.path.join('.')}` };
  return runtime.jobs.enqueue({ name: 'pull-request-refresh', data: parsed.data });
}

function pick<T extends object, K extends string>(value: T | null | undefined, keys: readonly K[]): Partial<Record<K, unknown>> | undefined {
  if (!value) return undefined;
  const source = value as Record<string, unknown>;
  const picked: Partial<Record<K, unknown>> = {};
  for (const key of keys) {
    const field = source[key];
    if (field === undefined) continue;
    // Nested objects keep only what the schema names (head.sha/repo, base.sha/ref, user.login, owner.login).
    picked[key] = field && typeof field === 'object' ? pickNested(field as Record<string, unknown>) : field;
  }
  return picked;
}

function pickNested(field: Record<string, unknown>): Record<string, unknown> {
  const nested: Record<string, unknown> = {};
  for (const name of ['sha', 'ref', 'login']) if (field[name] !== undefined) nested[name] = field[name];
  // head.repo: whose repository the PR comes from (a fork decides nothing); null when the fork is gone.
  const repo = field.repo as { full_name?: unknown } | null | undefined;
  if (repo === null) nested.repo = null;
  else if (repo && typeof repo.full_name === 'string') nested.repo = { full_name: repo.full_name };
  return nested;
}

/** A `pull-request-refresh` job: the installation's client, then the refresh or the merged comments. */
export async function runPullRequestJob(runtime: AppRuntime, data: PullRequestJobData): Promise<HandlerResult> {
  const paceKey = installationPaceKey(data.installationId);
  const log = runtime.probot.log.child({ repo: data.repository.full_name, pull: data.number });
  const tools: EventTools = {
    octokit: await runtime.installationClient(data.installationId),
    log: log as Context['log'],
    now: runtime.now(),
    botLogin: runtime.botLogin,
    extendsPolicy: runtime.extendsPolicy,
    pace: () => runtime.pacer.beforeWrite(paceKey),
    paced: async (write) => {
      const exhaustedUntil = await runtime.pacer.beforeWrite(paceKey);
      if (exhaustedUntil) {
        log.warn({ until: exhaustedUntil.toISOString() }, 'pull request: hourly write allowance used up, write skipped');
        return false;
      }
      await write();
      return true;
    },
  };
  if (data.work === 'merged') return notifyMerged(tools, data);
  return data.work === 'approval' ? refreshApprovalCheck(tools, data) : refreshPullRequest(tools, data);
}

/**
 * After a review: the check run again, only when it can have changed (the base config asks for owner
 * approval and the PR changes the model). Without `require_owner_approval` a review costs the config read.
 */
async function refreshApprovalCheck(tools: EventTools, payload: PullRequestPayload): Promise<HandlerResult> {
  const { octokit } = tools;
  const { pull_request: pr, repository } = payload;
  const owner = repository.owner.login;
  const repo = repository.name;
  const baseConfig = await readRepoConfig(octokit, owner, repo, pr.base.sha, tools.extendsPolicy);
  if (!baseConfig.ok) return { outcome: 'base-config-invalid' };
  if (baseConfig.config.pull_requests.require_owner_approval.length === 0) return { outcome: 'no-approval-required' };
  const files = await listChangedFiles(octokit, { owner, repo }, pr.number);
  const checked = await checkPullRequest(tools, payload, files, baseConfig);
  return { outcome: checked.check === 'no-check' ? 'model-unchanged' : 'check-refreshed', check: checked.check };
}

async function refreshPullRequest(tools: EventTools, payload: PullRequestPayload): Promise<HandlerResult> {
  const { octokit, log, now } = tools;
  const { pull_request: pr, repository } = payload;
  const owner = repository.owner.login;
  const repo = repository.name;
  const today = now.toISOString().slice(0, 10);

  const files = await listChangedFiles(octokit, { owner, repo }, pr.number);
  const filesCapped = files.length >= GITHUB_PR_FILES_CAP || (pr.changed_files ?? 0) > files.length;
  const changedPaths = changedPathsOf(files);

  const baseConfig = await readRepoConfig(octokit, owner, repo, pr.base.sha, tools.extendsPolicy);
  // An edit of the title or body leaves the head commit as it was: its check run stands. A new base
  // branch does not: the head is now checked against that base's config.
  const checkStands = payload.action === 'edited' && !payload.baseChanged;
  const { check, head, headModelFound, headLintModel, base: checkedBase } = await checkPullRequest(tools, payload, files, baseConfig, checkStands);

  // The context: mapping and threats from the BASE commit.
  if (!baseConfig.ok) return { outcome: 'base-config-invalid', check };
  const config = baseConfig.config;
  const base = checkedBase ?? (await readModelInput(commitReader(octokit, { owner, repo, sha: pr.base.sha }, baseConfig), { today }));
  if (base.status === 'no-model') return { outcome: 'no-base-model', check };
  // The base's mapping is shown even when its lint has errors (they are the base's, not this PR's).
  const baseModel = loadedModel(base);
  if (!baseModel) return { outcome: 'base-model-invalid', check };

  let headModel: HeadModel | undefined;
  if (changedPaths.has(config.model)) {
    headModel = headLintModel
      ? { ok: true, model: headLintModel }
      : { ok: false, problem: !headModelFound ? 'this PR removes or moves it' : countFindings(head?.findings ?? []) };
  }
  const text = `${pr.title}\n${pr.body ?? ''}`;
  const inputs = {
    baseModel,
    headModel,
    config,
    files,
    filesCapped,
    isPublic: !repository.private,
    text,
    threatIssues: new Map<string, ThreatIssueRef>(),
    modelPath: config.model,
    baseRef: pr.base.ref,
  };
  let analysis = analysePullRequest(inputs);
  // Issue links are read only when there is something to link, and then only the issues of the threats
  // the PR touches or names, through the dashboard's index, when that costs fewer reads than the listing.
  const need: IssueNeed = {
    threatIds: new Set([...analysis.touched.threats.keys()].map((t) => t.id).concat(analysis.references.known.map((r) => r.threatId))),
    issueNumbers: referencedIssueNumbers(parseThreatReferences(text)),
  };
  const needsIssues = need.threatIds.size > 0 || need.issueNumbers.size > 0;
  const threatIssues = needsIssues
    ? await fetchThreatIssues(octokit, config, owner, repo, { need, threatCount: baseModel.threats.length, log })
    : new Map<string, ThreatIssueRef>();
  if (threatIssues.size > 0) analysis = analysePullRequest({ ...inputs, threatIssues });

  const comments = await listComments(octokit, { owner, repo }, pr.number);
  // Only this app's comment is ours to edit: a person quoting the marker keeps their comment, and another
  // app's (a staging install, a bot echoing comments) cannot be edited by us at all (403).
  const ownLogin = await tools.botLogin();
  const existingComment = findContextComment(
    comments.filter((c) => c.author?.type === 'Bot' && (ownLogin === undefined || c.author.login === ownLogin)),
  );
  const plan = planContextComment({ ...inputs, threatIssues, existingComment }, analysis);
  if (plan.action === 'create') {
    await tools.paced(() => createComment(octokit, { owner, repo }, pr.number, plan.body));
  } else if (plan.action === 'update') {
    await tools.paced(() => updateComment(octokit, { owner, repo }, plan.id, plan.body));
  }

  const prRef: PullRequestRef = { repo: repository.full_name, number: pr.number, title: pr.title, url: pr.html_url, author: pr.user?.login };
  const crossLinks = await commentOnThreatIssues(tools, config, owner, repo, {
    fromFork: isFork(payload),
    references: analysis.references.known,
    threatIssues,
    marker: crossLinkMarker(prRef),
    render: (threatId, verbs) => renderCrossLinkComment(prRef, threatId, verbs),
  });

  const reviewers =
    config.pull_requests.request_reviews && !pr.draft ? await requestReviews(tools, owner, repo, pr.number, prRef.author, config, analysis) : [];

  return {
    outcome: `comment-${plan.action === 'none' ? 'unchanged' : `${plan.action}d`}`,
    ...(plan.action === 'none' ? { reason: plan.reason } : {}),
    check,
    files: files.length,
    components: analysis.touched.components.length,
    crossLinks,
    reviewers: reviewers.length,
  };
}

async function notifyMerged(tools: EventTools, payload: PullRequestPayload): Promise<HandlerResult> {
  const { octokit } = tools;
  const { pull_request: pr, repository } = payload;
  if (!pr.merged) return { outcome: 'closed-unmerged' };
  const owner = repository.owner.login;
  const repo = repository.name;
  const references = parseThreatReferences(`${pr.title}\n${pr.body ?? ''}`);
  if (references.length === 0) return { outcome: 'no-references' };
  // The model as merged knows the threats the PR itself added.
  const sha = pr.merge_commit_sha ?? pr.base.sha;
  const configRead = await readRepoConfig(octokit, owner, repo, sha, tools.extendsPolicy);
  if (!configRead.ok || !configRead.config.issues.enabled) return { outcome: 'no-issues' };
  const config = configRead.config;
  const today = tools.now.toISOString().slice(0, 10);
  const models = await Promise.all(
    [...new Set([sha, pr.base.sha])].map(async (ref) =>
      loadedModel(await readModelInput(commitReader(octokit, { owner, repo, sha: ref }, configRead), { today, modelPath: config.model })),
    ),
  );
  const threatIds = new Set(models.flatMap((m: ThreatModel | undefined) => (m ? m.threats.map((t) => t.id) : [])));
  const need: IssueNeed = {
    threatIds: new Set(resolveThreatReferences(references, threatIds).known.map((r) => r.threatId)),
    issueNumbers: referencedIssueNumbers(references),
  };
  const threatIssues = await fetchThreatIssues(octokit, config, owner, repo, { need, threatCount: threatIds.size, log: tools.log });
  const issueNumbers = new Map([...threatIssues].map(([id, issue]) => [issue.number, id]));
  const { known } = resolveThreatReferences(references, threatIds, issueNumbers);
  const prRef: PullRequestRef = { repo: repository.full_name, number: pr.number, title: pr.title, url: pr.html_url };
  const comments = await commentOnThreatIssues(tools, config, owner, repo, {
    // Merged: a maintainer accepted it, wherever it came from.
    fromFork: false,
    references: known,
    threatIssues,
    marker: mergedMarker(prRef),
    render: (threatId, verbs) => renderMergedComment(prRef, threatId, verbs, pr.merge_commit_sha ?? undefined),
  });
  return { outcome: 'merged', comments };
}

/** The PR's head is in another repository (a fork), or its fork is gone. */
export function isFork(payload: Pick<PullRequestPayload, 'pull_request' | 'repository'>): boolean {
  const head = payload.pull_request.head.repo;
  return !head || head.full_name.toLowerCase() !== payload.repository.full_name.toLowerCase();
}

function issuesRepository(config: Config, owner: string, repo: string): { owner: string; repo: string } {
  const [issuesOwner, issuesRepo] = (config.issues.repo ?? `${owner}/${repo}`).split('/') as [string, string];
  return { owner: issuesOwner, repo: issuesRepo };
}

/** The `#n` a PR refers to (`Fixes #12`): threat issues or not, the index tells. */
function referencedIssueNumbers(references: readonly ThreatReference[]): Set<number> {
  const numbers = references.flatMap((r) => (/^#\d{1,9}$/.test(r.id) ? [Number(r.id.slice(1))] : []));
  return new Set(numbers);
}

/**
 * Threat id -> its issue, by the one rule the sync keeps (src/sync/github/issue-identity.ts), so a
 * cross-link never lands on a duplicate the sync closes. Unreadable issues repository: no links.
 *
 * With `need`, when reading the needed issues one by one costs fewer requests than listing them all,
 * the dashboard's index names them (one read) and each is read by number; an index that cannot answer,
 * an issue that is gone, or one whose own marker is not this model's threat sends it to the listing.
 */
async function fetchThreatIssues(
  octokit: GitHubClient,
  config: Config,
  owner: string,
  repo: string,
  lookup?: { need: IssueNeed; threatCount: number; log: Context['log'] },
): Promise<Map<string, ThreatIssueRef>> {
  if (!config.issues.enabled) return new Map();
  const target = issuesRepository(config, owner, repo);
  const where = { modelRepo: `${owner}/${repo}`, issuesRepo: `${target.owner}/${target.repo}` };
  let listed;
  try {
    // Another repository is written to (cross-links) only with its consent, as for the sync (src/sync/consent.ts).
    if (!sameRepo(where.modelRepo, where.issuesRepo)) {
      const own = await readOwnConfigOnDefaultBranch(octokit, target.owner, target.repo);
      if (!decideConsent(where.modelRepo, { repo: where.issuesRepo, ...own }).granted) return new Map();
    }
    if (lookup) {
      const indexed = await threatIssuesFromIndex(octokit, config, target, where, lookup);
      if (indexed) return indexed;
    }
    listed = await listManagedIssues(octokit, { ...target, label: threatLabel(config.issues.labels.prefix).name });
  } catch (error) {
    const status = httpStatus(error);
    if (status === 403 || status === 404) return new Map();
    throw error;
  }
  const owned = listed.filter((issue) => isOwnedBy(issue, where));
  return new Map([...threatIssues(owned)].map(([id, issue]) => [id, { number: issue.number, url: issue.htmlUrl ?? '' }]));
}

/** The dashboard's index read, then only the needed issues; undefined when the listing must answer. */
async function threatIssuesFromIndex(
  octokit: GitHubClient,
  config: Config,
  target: { owner: string; repo: string },
  where: { modelRepo: string; issuesRepo: string },
  lookup: { need: IssueNeed; threatCount: number; log: Context['log'] },
): Promise<Map<string, ThreatIssueRef> | undefined> {
  const { need, log } = lookup;
  const listingReads = Math.ceil(lookup.threatCount / 100);
  // One read for the dashboard, then one per issue: only worth it below the listing's page count.
  const indexReads = 1 + need.threatIds.size + need.issueNumbers.size;
  if (!config.issues.dashboard.enabled || indexReads >= listingReads) return undefined;
  const dashboards = await listFirstManagedPage(octokit, { ...target, label: dashboardLabel(config.issues.labels.prefix).name });
  const [dashboard] = preferredFirst(dashboards.filter((issue) => issue.marker.kind === 'dashboard' && isOwnedBy(issue, where)));
  const index = parseIssueIndex(dashboard?.body);
  const planned = index ? planIndexedReads(index, need) : ({ ok: false, reason: 'the dashboard has no issue index' } as const);
  if (!planned.ok) {
    log.debug({ reason: planned.reason }, 'pull request: threat issues listed in full');
    return undefined;
  }
  const numbers = [...planned.reads.keys()];
  const issues = await mapBounded(numbers, PAGE_CONCURRENCY, (number) => readManagedIssue(octokit, { ...target, number }));
  const found = new Map<string, ThreatIssueRef>();
  for (const [i, number] of numbers.entries()) {
    const issue = issues[i];
    const threatId = planned.reads.get(number)!;
    // The dashboard is only a hint (anyone with triage rights can edit it): the issue's own marker decides.
    if (!issue || issue.marker.kind !== 'threat' || issue.marker.threatId !== threatId || !isOwnedBy(issue, where)) {
      log.debug({ number, threatId }, 'pull request: the issue index is stale; threat issues listed in full');
      return undefined;
    }
    found.set(threatId, { number: issue.number, url: issue.htmlUrl ?? '' });
  }
  return found;
}

/** Comments once per referenced threat issue (an existing comment with `marker` means done). */
async function commentOnThreatIssues(
  tools: EventTools,
  config: Config,
  owner: string,
  repo: string,
  input: {
    /** An unmerged PR from a fork: `pull_requests.fork_cross_links` decides. */
    fromFork: boolean;
    references: readonly { verb: ReferenceVerb; threatId: string }[];
    threatIssues: ReadonlyMap<string, ThreatIssueRef>;
    marker: string;
    render: (threatId: string, verbs: ReferenceVerb[]) => string;
  },
): Promise<number> {
  if (!config.issues.enabled || input.references.length === 0) return 0;
  const { octokit } = tools;
  const target = issuesRepository(config, owner, repo);
  if (input.fromFork) {
    // A fork decides nothing: it may not write into another (perhaps private) repository, or anywhere when `none`.
    const sameRepository = sameRepo(`${target.owner}/${target.repo}`, `${owner}/${repo}`);
    if (config.pull_requests.fork_cross_links === 'none' || !sameRepository) return 0;
  }
  const max = config.pull_requests.max_cross_links;
  // Only this app's own comments count as "already linked": anyone can write a comment with our marker.
  const ownLogin = await tools.botLogin();
  const commentsOnIssue = new Map<number, string[]>();
  for (const { threatId } of input.references) {
    const issue = input.threatIssues.get(threatId);
    if (!issue || commentsOnIssue.has(issue.number)) continue;
    // Reads are bounded too: no more issues than could be linked, plus those already linked.
    if (commentsOnIssue.size >= 2 * max) break;
    const comments = await listComments(octokit, target, issue.number);
    commentsOnIssue.set(
      issue.number,
      comments.filter((c) => c.author?.type === 'Bot' && (ownLogin === undefined || c.author.login === ownLogin)).map((c) => c.body),
    );
  }
  const plans = planIssueComments({ ...input, commentsOnIssue, maxPerPullRequest: max });
  let written = 0;
  for (const plan of plans) {
    const done = await tools.paced(() => createComment(octokit, target, plan.issueNumber, plan.body));
    if (done) written++;
  }
  return written;
}

async function requestReviews(
  tools: EventTools,
  owner: string,
  repo: string,
  pullNumber: number,
  author: string | undefined,
  config: Config,
  analysis: PullRequestContext,
): Promise<string[]> {
  const { octokit } = tools;
  const { requested, reviewed } = await reviewState(octokit, { owner, repo }, pullNumber);
  const logins = planReviewRequests({
    graph: analysis.graph,
    threats: analysis.touched.threats.keys(),
    closeStatuses: config.issues.close_statuses,
    author,
    alreadyRequested: requested,
    alreadyReviewed: reviewed,
  });
  if (logins.length === 0) return [];
  // Refused (someone is not a collaborator) or no write allowance left: review requests are a courtesy,
  // the comment already went out.
  let accepted = false;
  const sent = await tools.paced(async () => {
    accepted = await requestReviewers(octokit, { owner, repo }, pullNumber, logins);
  });
  return sent && accepted ? logins : [];
}

/** Title, summary and conclusion of the PR check run. */
export function describePullRequestCheck(input: {
  findings: readonly Finding[];
  modelPath: string | undefined;
  modelFound: boolean;
  headSha: string;
  model: ThreatModel | undefined;
}): { title: string; summary: string; conclusion: CheckConclusion } {
  const at = `at ${input.headSha.slice(0, 7)}`;
  if (!input.modelFound) {
    const errors = hasErrors(input.findings);
    return {
      conclusion: errors ? 'failure' : 'neutral',
      title: errors ? `Config: ${countFindings(input.findings)}` : `No threat model at ${input.modelPath ?? 'the configured path'}`,
      summary: errors
        ? `The config \`${CONFIG_PATH}\` ${at} has errors; see the annotations.`
        : `\`${CONFIG_PATH}\` exists but there is no model at \`${input.modelPath}\` ${at}. Nothing was checked.`,
    };
  }
  const errors = input.findings.filter((f) => f.level === 'error');
  const warnings = input.findings.filter((f) => f.level === 'warning');
  const threats = input.model ? `${input.model.threats.length} threats, ${input.model.components.length} components. ` : '';
  const listed = warnings.slice(0, 50).map((w) => `- \`${w.file}:${w.start.line}\` ${w.rule}: ${w.message}`);
  if (warnings.length > listed.length) listed.push(`- … and ${warnings.length - listed.length} more (see the annotations)`);
  return {
    conclusion: errors.length > 0 ? 'failure' : 'success',
    title: input.findings.length === 0 ? 'No problems' : countFindings(input.findings),
    summary: [
      `${threats}Lint of \`${input.modelPath}\` ${at}: ${countFindings(input.findings)}.`,
      ...(warnings.length > 0 ? ['', '**Warnings**', ...listed] : []),
    ].join('\n'),
  };
}

/**
 * The `Threat model` check run of a pull request's head: lint of the head's model and config and, when the
 * BASE config asks for it, the owner-approval gate. `approvalOnly` (a review): published only when the gate
 * applies. Returns what the context comment reuses (the head's model, and the base's when it was read).
 */
async function checkPullRequest(
  tools: EventTools,
  payload: PullRequestPayload,
  files: readonly ChangedFile[],
  baseConfig: ConfigRead,
  checkStands = false,
): Promise<{ check: string; head: ModelInput | undefined; headModelFound: boolean; headLintModel: ThreatModel | undefined; base?: ModelInput }> {
  const { octokit, log, now } = tools;
  const { pull_request: pr, repository } = payload;
  const owner = repository.owner.login;
  const repo = repository.name;
  const today = now.toISOString().slice(0, 10);
  const approvalOnly = payload.work === 'approval';
  const changedPaths = changedPathsOf(files);

  // The owner-approval gate is asked for by the BASE config only: a pull request cannot switch it off.
  const config = baseConfig.ok ? baseConfig.config : undefined;
  const require = config?.pull_requests.require_owner_approval ?? [];
  const none = { check: 'no-check', head: undefined, headModelFound: false, headLintModel: undefined };
  if (approvalOnly && (!config || require.length === 0 || (!changedPaths.has(config.model) && !changedPaths.has(CONFIG_PATH)))) return none;

  // The check run: what the model and config would be if this PR merged.
  // A fork's head config is linted as the file it is: its `_extends` is not followed (a fork must not make
  // the app read, or name in a public check run, another repository's config).
  const headPolicy = isFork(payload) ? { ...tools.extendsPolicy, followExtends: false } : tools.extendsPolicy;
  const headConfig = changedPaths.has(CONFIG_PATH) ? await readRepoConfig(octokit, owner, repo, pr.head.sha, headPolicy) : baseConfig;
  // A broken head config hides the model's path: the base's names the file to check.
  const headModelPath = headConfig.ok ? headConfig.config.model : baseConfig.ok ? baseConfig.config.model : undefined;
  // The gate applies when the PR changes the model file, or points the config at another one.
  const gated = config !== undefined && require.length > 0 && (changedPaths.has(config.model) || headModelPath !== config.model);
  if (approvalOnly && !gated) return none;
  const head = headModelPath
    ? await readModelInput(commitReader(octokit, { owner, repo, sha: pr.head.sha }, headConfig), { today, modelPath: headModelPath })
    : undefined;
  const headModelFound = head !== undefined && (head.status === 'config-invalid' ? head.modelFound : head.status !== 'no-model');
  // Loaded even with lint errors: the check run counts its threats, the comment shows its diff.
  const headLintModel = head ? loadedModel(head) : undefined;
  let check: string = 'no-check';
  let base: ModelInput | undefined;
  if (!checkStands && (headModelFound || headConfig.found || gated)) {
    const findings = head?.findings ?? (headConfig.ok ? [] : headConfig.findings);
    let report = describePullRequestCheck({ findings, modelPath: headModelPath, modelFound: headModelFound, headSha: pr.head.sha, model: headLintModel });
    if (gated) {
      // Read here rather than after the check: the context comment reuses it (no extra read).
      base = await readModelInput(commitReader(octokit, { owner, repo, sha: pr.base.sha }, baseConfig), { today });
      const approval = await ownerApprovalCheck(tools, payload, { require, base: loadedModel(base), head: headLintModel, headFound: headModelFound });
      if (approval) report = withApprovalCheck(report, approval);
    }
    try {
      await publishCheckRun(octokit, { owner, repo, headSha: pr.head.sha, findings, ...report, changedPaths, pace: tools.pace });
      check = report.conclusion;
    } catch (error) {
      // Without the checks permission (or on a hiccup) the comment still goes out.
      log.warn({ error: describeError(error) }, 'pull request: the check run could not be published');
      check = 'check-failed';
    }
  }
  return { check, head, headModelFound, headLintModel, ...(base ? { base } : {}) };
}

/** The paths a PR changes; a renamed file counts under its old and new path. */
function changedPathsOf(files: readonly ChangedFile[]): Set<string> {
  return new Set(files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename])));
}

/** Team memberships read per check (one request each); approvals beyond them are not counted (fails closed). */
const MAX_MEMBERSHIP_READS = 20;

/**
 * The owner-approval part of the check run: the risky changes between the base and head models, the PR's
 * reviews (read only when there is a risky change), and team memberships of approvers (only for threats
 * still missing an approval). Owners come from the BASE model. Undefined: the base has no model that
 * loads, so there are no owners to ask.
 */
async function ownerApprovalCheck(
  tools: EventTools,
  payload: PullRequestPayload,
  input: { require: readonly OwnerApprovalChange[]; base: ThreatModel | undefined; head: ThreatModel | undefined; headFound: boolean },
): Promise<ApprovalCheck | undefined> {
  const { octokit, log } = tools;
  const { pull_request: pr, repository } = payload;
  const where = { owner: repository.owner.login, repo: repository.name };
  const { require, base } = input;
  if (!base) return undefined;
  if (!input.head && input.headFound) {
    return {
      conclusion: 'failure',
      title: 'Owner approvals cannot be checked',
      summary: 'The model at the head commit does not load, so what it changes is unknown: owner approvals are checked once it loads.',
    };
  }
  // A PR that deletes the model removes every threat.
  const head = input.head ?? { ...base, threats: [] };
  const diff = diffModels(base, head);
  const author = pr.user?.login;
  const gate = { diff, base, head, require, author };
  if (assessOwnerApprovals({ ...gate, approvedBy: [] }).length === 0) return renderApprovalCheck([], require);

  let read: Awaited<ReturnType<typeof listReviews>>;
  try {
    read = await listReviews(octokit, where, pr.number);
  } catch (error) {
    const status = httpStatus(error);
    if (status !== 403 && status !== 404) throw error;
    log.warn({ status }, 'pull request: reviews could not be read; no approval counts');
    read = { reviews: [], capped: false };
  }
  const { approvedBy, stale } = approvalsFromReviews(read.reviews, pr.head.sha);
  let assessed = assessOwnerApprovals({ ...gate, approvedBy, staleApprovals: stale });
  const queries = membershipQueries(
    assessed.filter((n) => n.approvedBy.length === 0),
    approvedBy,
    author,
    MAX_MEMBERSHIP_READS,
  );
  if (queries.length > 0) {
    const teamMembers = new Map<string, string[]>();
    const unreadableTeams = new Set<string>();
    for (const { team, login } of queries) {
      const key = team.toLowerCase();
      if (unreadableTeams.has(key)) continue;
      const membership = await teamMembership(octokit, team, login);
      if (membership === 'unreadable') {
        unreadableTeams.add(key);
        teamMembers.delete(key);
        continue;
      }
      const members = teamMembers.get(key) ?? [];
      if (membership === 'member') members.push(login);
      teamMembers.set(key, members);
    }
    assessed = assessOwnerApprovals({ ...gate, approvedBy, staleApprovals: stale, teamMembers, unreadableTeams });
  }
  const check = renderApprovalCheck(
    assessed.filter((n) => n.approvedBy.length === 0),
    require,
    assessed.filter((n) => n.approvedBy.length > 0),
  );
  if (!read.capped || check.conclusion === 'success') return check;
  return { ...check, summary: `${check.summary}\n\nOnly the first ${read.reviews.length} reviews were read; later approvals were not seen.` };
}
