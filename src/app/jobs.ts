/**
 * The work a webhook causes, as jobs a queue can keep (in this process, or in
 * Redis across replicas and restarts). Job data is plain JSON, validated when
 * a worker takes it: a job stored by another version or written into Redis
 * by hand is refused with a message, never half-run.
 *
 * - `sync`: one repository, from a commit (push) or its default branch head
 *   (installation, resume, daily re-evaluation). One at a time per repository.
 * - `pull-request-refresh`: the check run, context comment and cross-links of
 *   one pull request event (or the merged comments). One at a time per PR.
 * - `resume`: a sync that stopped on its write budget or a rate limit,
 *   delayed until it may write again.
 * - `daily`: every installed repository synced again once a day (the place
 *   for date-driven work such as acceptance expiry).
 */
import { z } from 'zod';
import type { ConfigRead } from '../config/load.ts';

const login = z.string().min(1).max(100);

export const SyncJobDataSchema = z.object({
  installationId: z.number().int().positive(),
  owner: login,
  repo: login,
  /** The pushed commit; absent = the default branch head when the job runs. */
  sha: z.string().regex(/^[0-9a-f]{40}$/).optional(),
  branch: z.string().min(1).max(255).optional(),
  actor: z.string().max(200).optional(),
  webUrl: z.url().optional(),
  reason: z.enum(['push', 'installation', 'resume', 'daily']),
});
export type SyncJobData = z.infer<typeof SyncJobDataSchema>;

/** The pull request fields the refresh uses (the rest of the webhook payload is not kept). */
export const PullRequestJobDataSchema = z.object({
  installationId: z.number().int().positive(),
  /**
   * `context`: check run, comment, cross-links; `merged`: comments on the referenced threat issues;
   * `approval`: a review changed who approved, so only the check run (with its owner-approval gate) again.
   */
  work: z.enum(['context', 'merged', 'approval']),
  action: z.string().max(50),
  /** `edited` only: true when the PR was retargeted to another base branch. */
  baseChanged: z.boolean().default(false),
  number: z.number().int().positive(),
  pull_request: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string().nullable(),
    html_url: z.string(),
    draft: z.boolean().optional(),
    merged: z.boolean().nullable().optional(),
    merge_commit_sha: z.string().nullable().optional(),
    changed_files: z.number().int().nonnegative().optional(),
    user: z.object({ login: z.string() }).nullable(),
    /** `repo` null: the fork was deleted; another repository's full name: a pull request from a fork. */
    head: z.object({ sha: z.string(), repo: z.object({ full_name: z.string() }).nullish() }),
    base: z.object({ sha: z.string(), ref: z.string() }),
  }),
  repository: z.object({ name: login, full_name: z.string(), private: z.boolean(), owner: z.object({ login }) }),
});
export type PullRequestJobData = z.infer<typeof PullRequestJobDataSchema>;

/** What a proposal's basis entry holds (src/model/proposal.ts), as a declined PR hands it to its job. */
const ProposalBasisSchema = z.object({
  threatId: z.string().min(1).max(500),
  to: z.enum(['mitigated', 'not-applicable']),
  tracker: z.enum(['github', 'jira']),
  ticket: z.string().max(500),
  ticketUrl: z.string().max(500),
  closedAt: z.string().max(500),
  closedBy: z.string().max(500),
  evidenceUrl: z.string().max(500).optional(),
});

/**
 * Issues closed or reopened by hand, or the proposal PR closed without merging (issue 11): the proposal of
 * the repository recomputed from every issue closed by hand (src/app/proposals.ts). One at a time per
 * repository, in the same turn as its syncs.
 */
export const ProposalJobDataSchema = z.object({
  installationId: z.number().int().positive(),
  owner: login,
  repo: login,
  reason: z.enum(['issue-closed', 'issue-reopened', 'proposal-declined', 'fixes-merged']),
  /** `fixes-merged`: the merged pull request that says `Fixes <threat id>` (read when `pull_requests.propose_on_fixes`). */
  fixes: z
    .object({
      number: z.number().int().positive(),
      url: z.string().max(500),
      mergedBy: z.string().max(100),
      mergedAt: z.string().max(50),
      threatIds: z.array(z.string().min(1).max(200)).max(50),
    })
    .optional(),
  /** `proposal-declined`: the PR and what it proposed (read from the app's own marker). */
  declined: z.object({ number: z.number().int().positive(), basis: z.array(ProposalBasisSchema).max(100) }).optional(),
});
export type ProposalJobData = z.infer<typeof ProposalJobDataSchema>;

export type JobRequest =
  /**
   * `config`: the repository config the webhook already read at `sha`, handed over within this process
   * only (never stored in Redis: a worker elsewhere reads it again).
   */
  | { name: 'sync'; data: SyncJobData; config?: ConfigRead }
  | { name: 'resume'; data: SyncJobData }
  | { name: 'pull-request-refresh'; data: PullRequestJobData }
  | { name: 'proposal'; data: ProposalJobData }
  | { name: 'daily'; data: Record<string, never> };

export type JobName = JobRequest['name'];

/** The key jobs are serialised on: one repository (sync, resume), one pull request, or the daily sweep. */
export function jobKey(job: JobRequest): string {
  switch (job.name) {
    case 'sync':
    case 'resume':
    case 'proposal':
      return repositoryKey(job.data.owner, job.data.repo);
    case 'pull-request-refresh':
      // A distinct key from the repository's sync, which a PR comment must not wait hours for.
      return `${job.data.repository.full_name.toLowerCase()}#pull-${job.data.number}`;
    case 'daily':
      return 'daily';
  }
}

/**
 * Jobs that may stand in for each other while one waits: a review only asks for the check run again, and
 * a proposal recompute reads every issue closed by hand when it runs, so a flood of reviews on one PR (or
 * of closures in one repository) needs one waiting job, not one each. A declined proposal or a merged
 * `Fixes` PR carries what only its event knows, so it is never dropped. Undefined: every job runs.
 */
export function coalesceKey(job: JobRequest): string | undefined {
  if (job.name === 'pull-request-refresh' && job.data.work === 'approval') return `approval@${jobKey(job)}`;
  if (job.name === 'proposal' && !job.data.declined && !job.data.fixes) return `proposal@${jobKey(job)}`;
  return undefined;
}

export function repositoryKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}

/** A job read back from a queue: its data checked against its schema, or a message saying what is wrong. */
export function parseJob(name: string, data: unknown): { ok: true; job: JobRequest } | { ok: false; message: string } {
  const schema =
    name === 'sync' || name === 'resume'
      ? SyncJobDataSchema
      : name === 'pull-request-refresh'
        ? PullRequestJobDataSchema
        : name === 'proposal'
          ? ProposalJobDataSchema
        : name === 'daily'
          ? z.object({}).strict()
          : undefined;
  if (!schema) return { ok: false, message: `unknown job "${name.slice(0, 50)}"` };
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, message: `job "${name}": ${issue.path.join('.') || '(data)'} ${issue.message}` };
  }
  return { ok: true, job: { name, data: parsed.data } as JobRequest };
}
