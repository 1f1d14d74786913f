/**
 * One sync, start to finish, for the app and the CLI alike: read the config
 * and the model through the input pipeline (src/input/pipeline.ts), read the issues repository, plan, check
 * the commit is still the branch head, apply within the write budget, report.
 *
 * Safety first: config or model errors write nothing; a missing model closes
 * nothing; a commit that is no longer the head writes nothing (the newer one
 * is synced instead). Everything that happened is in the returned outcome,
 * which `describeSync` turns into a check run / CLI summary.
 */
import { DEFAULT_CONFIG, type Config } from '../config/schema.ts';
import type { Finding } from '../model/findings.ts';
import type { ThreatModel } from '../model/schema.ts';
import { resolveIssueRefs } from './github/dashboard.ts';
import { applyGithubPlan, type ApplyResult } from './github/apply.ts';
import { summarisePlan } from './github/format-plan.ts';
import { countRequests, RateLimitedError, type GitHubClient, type WritePacer } from '../github/client.ts';
import type { ConfigRead } from '../config/load.ts';
import { branchHead, commitReader, readOwnConfigOnDefaultBranch, type ExtendsPolicy } from '../github/contents.ts';
import { httpStatus } from '../github/errors.ts';
import { decideConsent } from './consent.ts';
import { isOwnedBy, sameRepo } from './github/issue-identity.ts';
import { readModelInput, syncableInput, type InputReader } from '../input/pipeline.ts';
import { listIssuesFiledBy } from '../github/issues.ts';
import { fetchRepoState, RepoAccessError } from './github/fetch.ts';
import type { GithubPlan, RepoState, SyncContext } from './github/state.ts';
import type { SyncExtension } from './extension.ts';
import { missingIssues, planGithubSync, type GithubPlanInput } from './github/plan.ts';
import { redactSecrets } from '../security/redact-secrets.ts';
import { handClosedIssues, runProposals, type ProposalOutcome } from './proposals.ts';
import { readOpenProposal, type OpenProposal } from '../github/proposal-branch.ts';
import type { DashboardProposal } from './github/dashboard.ts';
import type { ManualClose } from '../lifecycle/manual-close.ts';

export interface SyncRequest {
  octokit: GitHubClient;
  /** Repository holding the model. */
  owner: string;
  repo: string;
  /** Commit the model is read at (never a branch name). */
  sha: string;
  /** Branch `sha` belongs to, e.g. `main`: for the head check and links. */
  branch: string;
  actor?: string;
  /** Web UI base, e.g. https://github.com. */
  webUrl: string;
  now: Date;
  /** Where the model and config are read (the CLI: its working tree); default: the repository at `sha`. */
  input?: InputReader;
  /** The model's path when the caller names it (the CLI's FILE); default: `model` in the config. */
  modelPath?: string;
  /** The repository config at `sha`, when the caller has already read it (`readRepoConfig`). */
  config?: ConfigRead;
  /** Where the config's `_extends` may point, when the config is read here (default: the owner's `.github` only). */
  extendsPolicy?: ExtendsPolicy;
  /** Plan only: read everything, write nothing. */
  dryRun?: boolean;
  /** Skip the sync when `sha` is no longer the head of `branch` (the app: yes). */
  requireHead?: boolean;
  pacer: WritePacer;
  /** Whose write allowance this uses (installation id, or `token`). */
  paceKey: string;
  /** Other systems kept in step with the same model (the Jira side). */
  extensions?: readonly SyncExtension[];
  /**
   * The login that files the issues (the app's `<slug>[bot]`, the token's user), asked only when the
   * plan would file new issues: the issues it filed that lost their managed label are relabelled instead.
   */
  issueCreator?: () => Promise<string | undefined>;
  /**
   * Issues closed by hand are proposed as a change to the model (issue 11, src/sync/proposals.ts) when the
   * config's `issues.on_manual_close` (default `propose`) and `canWriteContents` allow it. The app: the
   * installation's `contents` permission; the CLI: `--propose`. Absent: they reopen as before (or stay
   * closed with `on_manual_close: keep`).
   */
  proposals?: {
    canWriteContents: () => Promise<boolean>;
    /** Whose proposal PR and comments are believed (`<slug>[bot]`, the token's login). */
    botLogin: () => Promise<string | undefined>;
    /**
     * Look at the open proposal even when no issue is closed by hand, to withdraw it (`--propose`, which
     * asks for it). The app withdraws on the `issues.reopened` event instead, so its syncs read nothing more.
     */
    always?: boolean;
  };
  /** After each GitHub write: writes done so far of the writes this sync may send (CLI progress bar). */
  onProgress?: (progress: { done: number; total: number }) => void;
}

export type SyncStatus =
  /** No model file at the commit: nothing checked, nothing written, no check run. */
  | 'no-model'
  /** Config or model errors: nothing written. */
  | 'invalid'
  /** `issues.enabled: false`: lint only. */
  | 'disabled'
  /** The commit is no longer the branch head: nothing written. */
  | 'stale'
  /** Dry run: the plan, nothing written. */
  | 'planned'
  /** Every planned operation was applied. */
  | 'applied'
  /** Budget or rate limit reached: the rest follows in a later sync. */
  | 'incomplete'
  /** The token cannot read or write the issues repository. */
  | 'no-access'
  /** `issues.repo` names another repository that has not agreed to receive this model's issues: nothing written there. */
  | 'no-consent';

export interface SyncOutcome {
  status: SyncStatus;
  modelRepo: string;
  modelPath: string;
  issuesRepo: string;
  sha: string;
  /** Lint and config findings (warnings only unless `invalid`). */
  findings: Finding[];
  configFound: boolean;
  plan?: GithubPlan;
  apply?: ApplyResult;
  notes: string[];
  /** What another side (Jira) could not do; the GitHub side completed regardless. One line each, no secrets. */
  extensionFailures?: string[];
  /** Requests this sync sent. */
  requests: { reads: number; writes: number };
  /** `stale`: the branch head now. */
  headSha?: string;
  /** `incomplete`: when to try again. */
  resumeAt?: Date;
  /** `no-access`: what GitHub said. */
  accessError?: string;
  /** `no-consent`: why, and what the target repository must add. */
  consentError?: string;
  /** Issues closed by hand, when proposals are on: what was proposed or reopened. */
  proposal?: ProposalOutcome;
}

/** How long to wait before resuming a sync that spent its write budget. */
export const BUDGET_RESUME_MS = 10 * 60 * 1000;

export async function runSync(request: SyncRequest): Promise<SyncOutcome> {
  const { octokit, owner, repo, sha } = request;
  const counter = countRequests(octokit);
  const start = { ...counter };
  const today = request.now.toISOString().slice(0, 10);
  const base = {
    modelRepo: `${owner}/${repo}`,
    sha,
    notes: [] as string[],
    requests: { reads: 0, writes: 0 },
  };
  const finish = (outcome: Omit<SyncOutcome, 'requests' | 'modelRepo' | 'sha'> & { notes: string[] }): SyncOutcome => ({
    ...base,
    ...outcome,
    requests: { reads: counter.reads - start.reads, writes: counter.writes - start.writes },
  });

  const reader = request.input ?? commitReader(octokit, { owner, repo, sha }, request.config, request.extendsPolicy);
  // An acceptance that expired since the model was reviewed is an error the sync acts on, not one that stops it.
  const input = syncableInput(await readModelInput(reader, { today, ...(request.modelPath ? { modelPath: request.modelPath } : {}) }));
  if (input.status === 'config-invalid') {
    // A broken config is reported even without a model: the user asked for threatloop.
    const modelPath = input.modelPath ?? DEFAULT_CONFIG.model;
    return finish({ modelPath, issuesRepo: `${owner}/${repo}`, configFound: input.configFound, status: 'invalid', findings: input.findings, notes: [] });
  }
  const { modelPath } = input;
  let config = input.config;
  const issuesRepo = config.issues.repo ?? `${owner}/${repo}`;
  const common = { modelPath, issuesRepo, configFound: input.configFound };
  if (input.status === 'no-model') return finish({ ...common, status: 'no-model', findings: [], notes: [] });
  if (input.status === 'invalid') return finish({ ...common, status: 'invalid', findings: input.findings, notes: [] });
  const { model, source } = input;
  const warnings = input.findings;
  if (!config.issues.enabled) return finish({ ...common, status: 'disabled', findings: warnings, notes: [] });

  const [issuesOwner, issuesName] = issuesRepo.split('/') as [string, string];
  let state: RepoState;
  try {
    if (!sameRepo(issuesRepo, `${owner}/${repo}`)) {
      const target = await readOwnConfigOnDefaultBranch(octokit, issuesOwner, issuesName).catch((error: unknown) => {
        const status = httpStatus(error);
        throw status === 404 || status === 403 ? new RepoAccessError(issuesRepo, status) : error;
      });
      const consent = decideConsent(`${owner}/${repo}`, { repo: issuesRepo, ...target });
      if (!consent.granted) return finish({ ...common, status: 'no-consent', findings: warnings, notes: [], consentError: consent.reason });
      // Whether threat issues may be public there is the target's decision, not the source's.
      config = { ...config, issues: { ...config.issues, public_repo: consent.publicRepo } };
    }
    state = await fetchRepoState(octokit, {
      owner: issuesOwner,
      repo: issuesName,
      modelRepo: `${owner}/${repo}`,
      labelPrefix: config.issues.labels.prefix,
      logins: config.issues.assign_owners ? ownerLogins(model) : [],
    });
  } catch (error) {
    if (!(error instanceof RepoAccessError)) throw error;
    return finish({ ...common, status: 'no-access', findings: warnings, notes: [], accessError: error.message });
  }
  const context: SyncContext = {
    modelRepo: `${owner}/${repo}`,
    sha,
    ref: request.branch,
    modelPath,
    ...(request.actor ? { actor: request.actor } : {}),
    webUrl: request.webUrl,
    today,
  };
  const relabelled = await adoptUnlabelledIssues(octokit, request, { model, config, state, context });
  state = relabelled.state;
  // Extensions write to other systems (Jira) before the GitHub side: never in a dry run, and never for a
  // commit that is no longer the branch head.
  const extensions = request.dryRun ? [] : (request.extensions ?? []).filter((extension) => extension.appliesTo(config));
  if (request.requireHead && extensions.length > 0) {
    const headSha = await branchHead(octokit, owner, repo, request.branch);
    if (headSha !== undefined && headSha !== sha) {
      return finish({ ...common, status: 'stale', findings: warnings, plan: { operations: [], notes: [] }, notes: [], headSha });
    }
  }
  const sides = await Promise.all(extensions.map((extension) => extension.begin({ model, config, context, state, source })));
  const manual = await manualCloses(request, {
    model,
    config,
    state,
    context,
    elsewhere: sides.flatMap((side) => side.closedByHand ?? []),
    readCloser: async (close) => sides[extensions.findIndex((extension) => extension.system === close.tracker)]?.readCloser?.(close),
  });
  const planInput: GithubPlanInput = {
    ...(manual.leaveClosed ? { leaveClosed: manual.leaveClosed } : {}),
    ...(manual.reopenReason ? { reopenReason: manual.reopenReason } : {}),
    ...(manual.dashboard ? { proposal: manual.dashboard } : {}),
    model,
    config,
    state,
    context,
    source,
    lintWarnings: warnings,
    notices: sides.flatMap((side) => side.notices),
    links: new Map(extensions.map((extension, i) => [extension.system, sides[i]!.links])),
  };
  let plan = planGithubSync(planInput);
  const cost = summarisePlan(plan).writes;
  const budget = config.issues.max_writes_per_sync;
  if (cost > budget && !request.dryRun) {
    // Say it on the dashboard too: the sync that follows finishes the job.
    const notice = `${cost - budget} of ${cost} changes wait for the next sync (at most ${budget} writes per sync, to stay within GitHub's rate limits); it follows automatically.`;
    plan = planGithubSync({ ...planInput, notices: [...(planInput.notices ?? []), notice] });
  }
  const notes = [...plan.notes, ...relabelled.notes, ...(manual.outcome?.notes ?? [])];
  if (request.dryRun) return finish({ ...common, status: 'planned', findings: warnings, plan, notes });

  if (request.requireHead && plan.operations.length > 0) {
    const headSha = await branchHead(octokit, owner, repo, request.branch);
    if (headSha !== undefined && headSha !== sha) {
      return finish({ ...common, status: 'stale', findings: warnings, plan, notes, headSha });
    }
  }

  const apply = await applyGithubPlan(octokit, plan, state, {
    owner: issuesOwner,
    repo: issuesName,
    budget,
    pacer: request.pacer,
    paceKey: request.paceKey,
    resolveIssueRefs,
    ...(request.onProgress ? { onWrite: (done: number) => request.onProgress?.({ done, total: Math.min(cost, budget) }) } : {}),
  });
  const created = new Map(
    [...apply.created].map(([threatId, number]) => [threatId, { number, url: `${request.webUrl}/${issuesRepo}/issues/${number}` }]),
  );
  const extensionFailures: string[] = [];
  for (const side of sides) {
    const report = await side.finish(created);
    notes.push(...report.notes);
    extensionFailures.push(...report.failures);
  }
  for (const error of apply.errors) {
    notes.push(redactSecrets(`${error.op} ${error.subject} failed${error.status ? ` (HTTP ${error.status})` : ''}: ${error.message}`));
  }

  if (apply.stoppedBy === 'no-access') {
    return finish({ ...common, status: 'no-access', findings: warnings, plan, apply, notes, extensionFailures, accessError: apply.errors.at(-1)?.message ?? 'no write access' });
  }
  if (apply.stoppedBy) {
    const resumeAt = apply.resumeAt ?? new Date(request.now.getTime() + BUDGET_RESUME_MS);
    return finish({ ...common, status: 'incomplete', findings: warnings, plan, apply, notes, extensionFailures, resumeAt });
  }
  return finish({ ...common, status: 'applied', findings: warnings, plan, apply, notes, extensionFailures, ...(manual.outcome ? { proposal: manual.outcome } : {}) });
}

/**
 * What the sync does with issues a person closed while the model lists their threat as open work: leave
 * them closed (`keep`, or a proposal: made here, before the plan, so the dashboard lists it as it is now),
 * or reopen them as before, saying why when the app may not write contents. Costs no request when no
 * such issue exists; else one permission check and one read of the open proposal.
 */
async function manualCloses(
  request: SyncRequest,
  input: {
    model: ThreatModel;
    config: Config;
    state: RepoState;
    context: SyncContext;
    elsewhere: readonly ManualClose[];
    readCloser: (close: ManualClose) => Promise<string | undefined>;
  },
): Promise<{ leaveClosed?: ReadonlySet<string>; reopenReason?: string; dashboard?: DashboardProposal; outcome?: ProposalOutcome }> {
  const { model, config, state, context, elsewhere } = input;
  const owned = state.issues.filter((issue) => isOwnedBy(issue, { modelRepo: context.modelRepo, issuesRepo: `${state.owner}/${state.repo}` }));
  const handClosed = handClosedIssues(model, config, owned);
  if (handClosed.length === 0 && elsewhere.length === 0 && !request.proposals?.always) return {};
  const ids = new Set(handClosed.map(({ threat }) => threat.id));
  const configured = config.issues.on_manual_close;
  if (configured === 'keep') return { leaveClosed: ids };
  if (!request.proposals || request.dryRun || configured === 'reopen') return {};
  // The proposal PR goes to the model's repository; issues filed in another repository are reopened as before.
  if (!sameRepo(`${state.owner}/${state.repo}`, context.modelRepo)) return {};
  const canWrite = await request.proposals.canWriteContents();
  if (!canWrite) {
    return {
      reopenReason: configured
        ? "`issues.on_manual_close` asks for a proposal, but threatloop may not write this repository's contents: grant the app `contents: write`, or change the status in the model"
        : "threatloop may not write this repository's contents, so it cannot propose the change as a pull request: change the status in the model, or grant the app `contents: write`",
    };
  }
  const botLogin = await request.proposals.botLogin();
  let open: OpenProposal | null;
  let outcome: ProposalOutcome;
  try {
    open = (await readOpenProposal(request.octokit, { owner: request.owner, repo: request.repo }, botLogin)) ?? null;
    outcome = await runProposals({
      octokit: request.octokit,
      owner: request.owner,
      repo: request.repo,
      webUrl: request.webUrl,
      config,
      issues: owned,
      botLogin,
      canWriteContents: true,
      pace: () => request.pacer.beforeWrite(request.paceKey),
      budget: config.issues.max_writes_per_sync,
      open,
      elsewhere,
      readCloser: input.readCloser,
    });
  } catch (error) {
    if (error instanceof RateLimitedError) throw error;
    // The proposal failing (a protected branch, a refused write) must not stop the issues' sync, nor
    // reopen what people closed: they stay closed and the next event or sync tries again.
    const status = httpStatus(error);
    const note = `The proposal for issues closed by hand could not be written${status ? ` (HTTP ${status})` : ''}: ${error instanceof Error ? error.message : String(error)}. Those issues stay closed; the next sync tries again.`;
    return { leaveClosed: ids, outcome: { status: 'incomplete', proposed: [], waiting: [], reopened: [], findings: [], writes: 0, notes: [redactSecrets(note)] } };
  }
  const pr = outcome.pr ?? (open ? { number: open.number, htmlUrl: open.htmlUrl } : undefined);
  const changes = outcome.status === 'proposed' ? outcome.proposed : outcome.status === 'withdrawn' ? [] : (open?.basis ?? []).map((b) => ({ threatId: b.threatId, to: b.to }));
  return {
    leaveClosed: ids,
    outcome,
    ...(pr && changes.length > 0 ? { dashboard: { number: pr.number, url: pr.htmlUrl, changes } } : {}),
  };
}

/**
 * Before filing new issues: the issues the creator filed that carry the marker of a threat (or the
 * dashboard) about to be filed, but not the managed label (removed by hand, or `labels.prefix` changed),
 * join the state, so the plan labels them again instead of filing a second issue.
 */
async function adoptUnlabelledIssues(
  octokit: GitHubClient,
  request: SyncRequest,
  input: { model: ThreatModel; config: Config; state: RepoState; context: SyncContext },
): Promise<{ state: RepoState; notes: string[] }> {
  const { state } = input;
  const missing = missingIssues(input);
  if (!request.issueCreator || (missing.threatIds.size === 0 && !missing.dashboard)) return { state, notes: [] };
  const creator = await request.issueCreator();
  if (!creator) return { state, notes: [] };
  const known = new Set(state.issues.map((i) => i.number));
  const adopted = (await listIssuesFiledBy(octokit, { owner: state.owner, repo: state.repo, creator })).filter(
    (issue) =>
      !known.has(issue.number) &&
      isOwnedBy(issue, { modelRepo: input.context.modelRepo, issuesRepo: `${state.owner}/${state.repo}` }) &&
      (issue.marker.kind === 'dashboard' ? missing.dashboard : missing.threatIds.has(issue.marker.threatId ?? '')),
  );
  if (adopted.length === 0) return { state, notes: [] };
  return {
    state: { ...state, issues: [...state.issues, ...adopted].sort((a, b) => a.number - b.number) },
    notes: [
      `${adopted.map((i) => `#${i.number}`).join(', ')} had lost threatloop's label (removed by hand, or \`issues.labels.prefix\` changed): ` +
        'found by their hidden marker and labelled again instead of filing new issues.',
    ],
  };
}

/** GitHub logins of every owner the model names (the assignee list is read only if there are some). */
function ownerLogins(model: ThreatModel): string[] {
  return [...new Set(Object.values(model.owners ?? {}).flatMap((owner) => owner.github ?? []))];
}

