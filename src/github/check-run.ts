/**
 * The `Threat model` check run: findings as annotations on the exact lines of
 * the YAML, a title and summary people can read at a glance. Used for pushes
 * (with the sync outcome) and for pull requests (lint only).
 *
 * One write per check run: at most 50 annotations (GitHub's limit per request), those on the lines and
 * files the change touched first, and a line in the summary for the rest. A model with thousands of
 * warnings (perhaps from a fork's pull request) must not cost one update request per 50 of them.
 */
import { sortFindings, type Finding } from '../model/findings.ts';
import type { GitHubClient } from './client.ts';

export const CHECK_RUN_NAME = 'Threat model';
export const ANNOTATIONS_PER_REQUEST = 50;
/** Annotations per check run: one request's worth. */
export const MAX_ANNOTATIONS = ANNOTATIONS_PER_REQUEST;
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
  /** Files the change touched: their findings are annotated first. */
  changedPaths?: ReadonlySet<string>;
  /** Called before the one write, to space it with the installation's other writes. */
  pace?: () => Promise<unknown>;
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

/** The findings to annotate (changed files first, then in file/line order), at most `MAX_ANNOTATIONS`, and how many were left out. */
export function chooseAnnotations(findings: readonly Finding[], changedPaths?: ReadonlySet<string>): { shown: Finding[]; omitted: number } {
  const sorted = sortFindings(findings);
  const changedFirst = changedPaths ? [...sorted.filter((f) => changedPaths.has(f.file)), ...sorted.filter((f) => !changedPaths.has(f.file))] : sorted;
  const shown = changedFirst.slice(0, MAX_ANNOTATIONS);
  return { shown, omitted: findings.length - shown.length };
}

/** Creates the completed check run, in one request. */
export async function publishCheckRun(octokit: GitHubClient, input: CheckRunInput): Promise<{ id: number; annotations: number }> {
  const { shown, omitted } = chooseAnnotations(input.findings, input.changedPaths);
  const rest =
    omitted > 0
      ? `\n\n${plural(omitted, 'more finding')} not annotated (at most ${MAX_ANNOTATIONS} per check run, those in changed files first): run \`threatloop lint\` to see them all.`
      : '';
  const annotations = shown.map(toAnnotation);
  const summaryRoom = MAX_SUMMARY_CHARS - rest.length;
  await input.pace?.();
  const { data } = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner: input.owner,
    repo: input.repo,
    name: input.name ?? CHECK_RUN_NAME,
    head_sha: input.headSha,
    status: 'completed',
    conclusion: input.conclusion,
    completed_at: new Date().toISOString(),
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    output: {
      title: input.title,
      summary: truncate(input.summary, summaryRoom) + rest,
      ...(input.text ? { text: truncate(input.text, MAX_SUMMARY_CHARS) } : {}),
      ...(annotations.length > 0 ? { annotations } : {}),
    },
  });
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
