/**
 * The `Threat model` check run: findings as annotations on the exact lines of
 * the YAML, a title and summary people can read at a glance. Used for pushes
 * (with the sync outcome) and for pull requests (lint only).
 *
 * GitHub takes at most 50 annotations per request: the first batch goes with
 * the create call, the rest follow as updates (each update must repeat the
 * title and summary).
 */
import { sortFindings, type Finding } from '../model/findings.ts';
import type { GitHubClient } from './client.ts';

export const CHECK_RUN_NAME = 'Threat model';
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub rejects an output summary longer than 65,535 characters. */
const MAX_SUMMARY_CHARS = 65_000;

export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'action_required';

export interface CheckRunInput {
  owner: string;
  repo: string;
  headSha: string;
  findings: readonly Finding[];
  title: string;
  summary: string;
  conclusion: CheckConclusion;
  /** Longer Markdown shown under the summary (optional). */
  text?: string;
  name?: string;
  detailsUrl?: string;
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  message: string;
  title: string;
}

export function toAnnotation(finding: Finding): CheckAnnotation {
  const end = finding.end && finding.end.line >= finding.start.line ? finding.end : finding.start;
  const annotation: CheckAnnotation = {
    path: finding.file,
    start_line: finding.start.line,
    end_line: end.line,
    annotation_level: finding.level === 'error' ? 'failure' : 'warning',
    message: finding.message,
    title: finding.rule,
  };
  // GitHub accepts columns only when the annotation starts and ends on the same line.
  if (end.line === finding.start.line) {
    annotation.start_column = finding.start.column;
    annotation.end_column = Math.max(end.column, finding.start.column);
  }
  return annotation;
}

/** Creates the completed check run, then adds annotations beyond the first 50 in further updates. */
export async function publishCheckRun(octokit: GitHubClient, input: CheckRunInput): Promise<{ id: number; annotations: number }> {
  const annotations = sortFindings(input.findings).map(toAnnotation);
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  const output = (batch: CheckAnnotation[] | undefined) => ({
    title: input.title,
    summary: truncate(input.summary, MAX_SUMMARY_CHARS),
    ...(input.text ? { text: truncate(input.text, MAX_SUMMARY_CHARS) } : {}),
    ...(batch && batch.length > 0 ? { annotations: batch } : {}),
  });
  const { data } = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner: input.owner,
    repo: input.repo,
    name: input.name ?? CHECK_RUN_NAME,
    head_sha: input.headSha,
    status: 'completed',
    conclusion: input.conclusion,
    completed_at: new Date().toISOString(),
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    output: output(batches[0]),
  });
  for (const batch of batches.slice(1)) {
    await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner: input.owner,
      repo: input.repo,
      check_run_id: data.id,
      output: output(batch),
    });
  }
  return { id: Number(data.id), annotations: annotations.length };
}

/** "2 errors, 1 warning" style counts. */
export function countFindings(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.level === 'error').length;
  const warnings = findings.length - errors;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 40)}\n\n… (truncated: too long for a check run)`;
}

/**
 * This app's latest check run named `name` on `headSha` (one read), so a sync that comes back to a
 * commit (a resume, the daily sweep) updates it instead of publishing it, annotations and all, again.
 * `appSlug` keeps another app's check run of the same name out.
 */
export async function findCheckRun(
  octokit: GitHubClient,
  input: { owner: string; repo: string; headSha: string; appSlug: string | undefined; name?: string },
): Promise<number | undefined> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
    owner: input.owner,
    repo: input.repo,
    ref: input.headSha,
    check_name: input.name ?? CHECK_RUN_NAME,
    filter: 'latest',
    per_page: 10,
  });
  const run = data.check_runs.find((r) => input.appSlug === undefined || r.app?.slug === input.appSlug);
  return run ? Number(run.id) : undefined;
}

/** A new title, summary and conclusion on a check run; its annotations stay as published (same commit, same findings). */
export async function updateCheckRun(
  octokit: GitHubClient,
  input: Pick<CheckRunInput, 'owner' | 'repo' | 'title' | 'summary' | 'conclusion'> & { id: number },
): Promise<void> {
  await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
    owner: input.owner,
    repo: input.repo,
    check_run_id: input.id,
    conclusion: input.conclusion,
    output: { title: input.title, summary: truncate(input.summary, MAX_SUMMARY_CHARS) },
  });
}
