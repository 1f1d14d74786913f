/**
 * Everything the PR handler decides, as one pure function of what it fetched:
 * which components and threats the PR touches, how the model changes, which
 * threats it refers to, and what to do with the context comment.
 */
import type { Config } from '../config/schema.ts';
import { buildGraph, type ModelGraph } from '../model/graph.ts';
import type { ThreatModel } from '../model/schema.ts';
import {
  detailLevel,
  renderCommentWithdrawn,
  renderNoLongerTouching,
  renderPrComment,
  type DetailLevel,
} from './comment.ts';
import { diffModels, isEmptyDiff, type ThreatDiff } from './diff.ts';
import { matchFiles, type ChangedFile, type FileMatch } from './match.ts';
import { planPrComment, type CommentPlan, type ExistingComment, type ThreatIssueRef } from './plan.ts';
import { parseThreatReferences, resolveThreatReferences, type ResolvedReferences } from './references.ts';
import { touchedPart, type TouchedPart } from './touched.ts';

/** The model at the PR's head, when the PR changes it. */
export type HeadModel = { ok: true; model: ThreatModel } | { ok: false; problem: string };

export interface PullRequestInputs {
  /** The model at the PR's base commit (the mapping a PR cannot edit for itself). */
  baseModel: ThreatModel;
  headModel?: HeadModel | undefined;
  config: Config;
  files: readonly ChangedFile[];
  filesCapped: boolean;
  isPublic: boolean;
  /** PR title and body, searched for `Mitigates <id>` and friends. */
  text: string;
  threatIssues: ReadonlyMap<string, ThreatIssueRef>;
  existingComment?: ExistingComment | undefined;
  modelPath: string;
  /** Name of the base branch, shown in the comment's footer. */
  baseRef: string;
}

export interface PullRequestContext {
  graph: ModelGraph;
  match: FileMatch;
  touched: TouchedPart;
  diff?: ThreatDiff | undefined;
  references: ResolvedReferences;
  detail: DetailLevel;
  /** True when there is anything to tell a reviewer (touched components, threat changes, threat references). */
  hasContext: boolean;
}

export function analysePullRequest(inputs: PullRequestInputs): PullRequestContext {
  const graph = buildGraph(inputs.baseModel);
  const match = matchFiles(inputs.files, inputs.baseModel.components);
  const touched = touchedPart(graph, match.byComponent.keys());
  const diff = inputs.headModel?.ok ? diffModels(inputs.baseModel, inputs.headModel.model) : undefined;
  // A reference to a threat the PR itself adds is known too: look ids up in both models.
  const threatIds = new Set(graph.threats.keys());
  if (inputs.headModel?.ok) for (const t of inputs.headModel.model.threats) threatIds.add(t.id);
  const issueNumbers = new Map([...inputs.threatIssues].map(([id, issue]) => [issue.number, id]));
  const references = resolveThreatReferences(parseThreatReferences(inputs.text), threatIds, issueNumbers);
  const hasContext =
    touched.components.length > 0 ||
    (diff !== undefined && !isEmptyDiff(diff)) ||
    inputs.headModel?.ok === false ||
    references.known.length > 0 ||
    references.unknown.length > 0;
  return { graph, match, touched, diff, references, detail: detailLevel(inputs.config, inputs.isPublic), hasContext };
}

/** What to do with the one context comment. */
export function planContextComment(inputs: PullRequestInputs, context: PullRequestContext): CommentPlan {
  const existing = inputs.existingComment;
  if (!inputs.config.pull_requests.comment) return { action: 'none', reason: 'pull_requests.comment is off' };
  if (context.detail === 'off') {
    // Nothing may be shown; an earlier comment (the repo was private then) is emptied, not left behind.
    const rendered = existing ? renderCommentWithdrawn('this repository is public and `pull_requests.public_detail` is `off`') : undefined;
    return planPrComment({ existing, rendered });
  }
  let rendered: string | undefined;
  if (context.hasContext) {
    rendered = renderPrComment({
      graph: context.graph,
      config: inputs.config,
      detail: context.detail,
      match: context.match,
      touched: context.touched,
      fileCount: inputs.files.length,
      filesCapped: inputs.filesCapped,
      threatIssues: inputs.threatIssues,
      references: context.references,
      diff: context.diff,
      headModelProblem: inputs.headModel?.ok === false ? inputs.headModel.problem : undefined,
      modelPath: inputs.modelPath,
      baseRef: inputs.baseRef,
    });
  } else if (existing) {
    rendered = renderNoLongerTouching({ modelPath: inputs.modelPath });
  }
  return planPrComment({ existing, rendered });
}
