/**
 * The reconcile plan: model + config + what GitHub holds now -> the writes
 * that make GitHub match the model. Pure; the applier performs the
 * operations in order, the CLI prints them.
 *
 * Like a diffable settings sync (find existing, compare, add/update/remove),
 * keyed by threat id through the hidden marker:
 * - no issue: create it (closed right away if the threat is already closed);
 * - an issue: edit only the managed fields that differ, and leave one audit
 *   comment saying what changed, in which commit, by whom;
 * - status in `close_statuses`: close as completed (not-applicable: as not planned); leaves it: reopen;
 * - threat gone from the model: close as not planned;
 * - several issues for one threat: keep the oldest, close the rest as duplicates.
 *
 * What is left alone, so the app does not fight people: labels it does not
 * manage, assignees it did not add, a milestone a person set on a threat with
 * no due date, label colours, and comments.
 *
 * Order: labels, milestones, then per threat in model order (update, comment,
 * duplicates), removed threats by issue number, the dashboard last.
 */
import type { Config } from '../../config/schema.ts';
import type { Finding } from '../../model/findings.ts';
import { buildGraph, type ModelGraph } from '../../model/graph.ts';
import { rateThreat, type ThreatRating } from '../../model/rating.ts';
import type { Threat, ThreatModel } from '../../model/schema.ts';
import type { YamlSource } from '../../model/source.ts';
import { renderDashboard, type DashboardProposal, type DashboardThreat } from './dashboard.ts';
import { parseIssueIndex, sameIssueIndex, withoutIssueIndex } from './issue-index.ts';
import { comparableBody, modelPermalink, renderThreatIssueBody } from './issue-body.ts';
import { GITHUB_TITLE_LIMIT, plainTitle } from '../../render/markdown.ts';
import { describeChanges, renderAuditComment, threatDigest } from './audit.ts';
import type {
  ExistingIssue,
  GithubOperation,
  GithubPlan,
  IssueChanges,
  IssueFields,
  IssueMarker,
  RepoState,
  SyncContext,
  SyncedFields,
} from './state.ts';
import {
  dashboardLabel,
  isManagedLabel,
  mergeLabels,
  missingLabelOperations,
  sameNames,
  threatIssueLabels,
  type LabelSpec,
} from './labels.ts';
import { effectiveDue, type EffectiveDue } from '../due-dates.ts';
import { isManagedMilestoneTitle, planMilestones } from './milestones.ts';
import { isOwnedBy, issuesByThreat, markerRepo, preferredFirst, sameRepo } from './issue-identity.ts';
import type { TrackerLinks } from '../extension.ts';
import { TRACKERS } from '../trackers.ts';
import type { IssueLink } from './issue-body.ts';
import { renderReminderComment } from '../../lifecycle/reminders.ts';
import { renderAcceptanceExpiredComment } from '../../lifecycle/acceptance.ts';
import { acceptanceEnd, needsAcceptance } from '../../model/acceptance.ts';
import { planClock, retiredIdsNote, reusedIdLine, type ClockPlan, type ThreatClock } from './lifecycle.ts';

export interface GithubPlanInput {
  model: ThreatModel;
  config: Config;
  state: RepoState;
  context: SyncContext;
  /** The model's source, so each issue links the threat's line. */
  source?: YamlSource;
  /** Shown on the dashboard. */
  lintWarnings?: readonly Finding[];
  /** Shown on the dashboard, e.g. a Jira failure or a write budget left over. */
  notices?: readonly string[];
  /** Per tracker system, threat id -> its issue there (from that tracker's sync), shown and linked in the body. */
  links?: TrackerLinks;
  /**
   * Threats whose issue a person closed that the sync leaves closed (issue 11): `issues.on_manual_close:
   * keep`, or a proposal that is open or is being made for them (src/sync/proposals.ts decides those).
   */
  leaveClosed?: ReadonlySet<string>;
  /** Why an issue closed by hand is reopened, when there is more to say than the model's status. */
  reopenReason?: string;
  /** The open proposal PR, listed on the dashboard. */
  proposal?: DashboardProposal;
}

/** One threat as it should look on GitHub. */
interface DesiredIssue {
  threat: Threat;
  rating: ThreatRating;
  due?: EffectiveDue;
  closing: boolean;
  fields: IssueFields;
  marker: IssueMarker;
  labels: LabelSpec[];
  /** Existing issues for this threat id, the one to keep first. */
  existing: ExistingIssue[];
  /** Expired acceptance, reminder due (src/sync/github/lifecycle.ts). */
  clock: ThreatClock;
}

export function planGithubSync(given: GithubPlanInput): GithubPlan {
  const input = onlyOwnedIssues(given);
  const { config, state, context } = input;
  const issues = config.issues;
  const target = `${state.owner}/${state.repo}`;
  const blocked = filingBlocked(config, state, context);
  if (blocked) return { operations: [], notes: [blocked] };

  const prefix = issues.labels.prefix;
  const graph = buildGraph(input.model);
  const notes: string[] = [];
  const byThreat = issuesByThreat(state.issues);
  const unassignable = new Map<string, string[]>();
  const clock = planClock({
    model: input.model,
    config,
    state,
    today: context.today,
    keptIssue: (id) => byThreat.get(id)?.[0],
    dueOf: (threat) => threatDue(threat, rateThreat(threat), config, byThreat.get(threat.id)?.[0], context.today)?.date,
  });

  const desired: DesiredIssue[] = [];
  for (const threat of graph.threats.values()) {
    desired.push(desiredIssue(threat, graph, input, byThreat.get(threat.id) ?? [], unassignable, clock.byThreat.get(threat.id) ?? {}));
  }

  // Labels and milestones first: issues refer to them by name.
  const neededLabels: LabelSpec[] = desired.flatMap((d) => d.labels);
  if (issues.dashboard.enabled) neededLabels.push(dashboardLabel(prefix));
  const operations: GithubOperation[] = missingLabelOperations(neededLabels, state.labels, prefix);
  const { granularity } = issues.milestones;
  const milestonesOn = issues.milestones.enabled && granularity !== 'none';
  const dates = milestonesOn ? desired.flatMap((d) => (d.due ? [d.due.date] : [])) : [];
  const milestones = planMilestones(dates, issues.milestones.title, state.milestones, granularity === 'none' ? 'date' : granularity);
  operations.push(...milestones.operations);

  for (const d of desired) {
    d.fields.milestone = d.due && milestonesOn ? (milestones.titleOf.get(d.due.date) ?? null) : null;
    operations.push(...threatOperations(d, input));
  }
  operations.push(...removedThreatOperations(byThreat, graph, context));

  if (issues.dashboard.enabled) {
    operations.push(...dashboardOperations(desired, graph, input, clock));
  } else {
    for (const dashboard of state.issues.filter((i) => i.marker.kind === 'dashboard' && i.state === 'open')) {
      operations.push(
        closeOperation(dashboard.number, undefined, 'not_planned', 'closed: the dashboard is switched off (`issues.dashboard.enabled: false`)'),
      );
    }
  }

  const retire = retiredIdsNote([...byThreat.keys()].filter((id) => !graph.threats.has(id)), input.model, context.modelPath);
  if (retire) notes.push(retire);
  for (const [login, threats] of unassignable) {
    notes.push(
      `${login} cannot be assigned in ${target} (not a collaborator with access), so ${threats.join(', ')} ${threats.length === 1 ? 'is' : 'are'} not assigned to them. ` +
        'Give them access to the repository or change the owner’s `github` login in the model.',
    );
  }
  const slaOverdue = desired
    .filter((d) => !d.closing && d.due?.source === 'sla' && d.due.date < context.today)
    .map((d) => ({ threatId: d.threat.id, due: d.due!.date, slaDays: d.due!.slaDays ?? 0, from: d.due!.from ?? '' }))
    .sort((a, b) => a.due.localeCompare(b.due));
  return { operations, notes, ...(slaOverdue.length > 0 ? { slaOverdue } : {}) };
}

/**
 * The input with only the issues this model owns (`isOwnedBy`): an issue another model filed in the same
 * repository, or one whose marker does not say it is ours, is never edited, retitled or closed.
 */
function onlyOwnedIssues<T extends Pick<GithubPlanInput, 'state' | 'context'>>(input: T): T {
  const where = { modelRepo: input.context.modelRepo, issuesRepo: `${input.state.owner}/${input.state.repo}` };
  const issues = input.state.issues.filter((issue) => isOwnedBy(issue, where));
  return issues.length === input.state.issues.length ? input : { ...input, state: { ...input.state, issues } };
}

/**
 * Why nothing may be filed at all (issues switched off, or a public repository without opt-in). For
 * another repository, `config.issues.public_repo` is the target's own opt-in (the sync puts it there,
 * src/sync/consent.ts): a source cannot make another repository's issues public.
 */
function filingBlocked(config: Config, state: RepoState, context: Pick<SyncContext, 'modelRepo'>): string | undefined {
  if (!config.issues.enabled) return 'GitHub issues are switched off (`issues.enabled: false`): nothing is filed.';
  const target = `${state.owner}/${state.repo}`;
  if (!state.private && !config.issues.public_repo && !sameRepo(target, context.modelRepo)) {
    return (
      `${target} is public, so threat issues there would be public too: nothing was filed. ` +
      `To accept that, ${target} must set \`issues.public_repo: true\` in its own .github/threatloop.yml (on its default branch); ` +
      'or send the issues to a private repository with `issues.repo`.'
    );
  }
  if (!state.private && !config.issues.public_repo) {
    return (
      `${state.owner}/${state.repo} is public, so threat issues there would be public too: nothing was filed. ` +
      'To file them, set `issues.repo: org/private-security-repo` in .github/threatloop.yml to send them to a private repository, ' +
      'or `issues.public_repo: true` to accept that they are public.'
    );
  }
  return undefined;
}

/**
 * What a plan for this input would file as new issues: the threats (and the dashboard) with no managed
 * issue in `state`. Cheap (nothing rendered), so a sync can look for managed issues that lost their
 * label only when it is about to file new ones.
 */
export function missingIssues(given: Pick<GithubPlanInput, 'model' | 'config' | 'state' | 'context'>): { threatIds: Set<string>; dashboard: boolean } {
  const input = onlyOwnedIssues(given);
  const { config, state } = input;
  if (filingBlocked(config, state, input.context)) return { threatIds: new Set(), dashboard: false };
  const found = issuesByThreat(state.issues);
  return {
    threatIds: new Set(input.model.threats.map((t) => t.id).filter((id) => !found.has(id))),
    dashboard: config.issues.dashboard.enabled && !state.issues.some((i) => i.marker.kind === 'dashboard'),
  };
}

function desiredIssue(
  threat: Threat,
  graph: ModelGraph,
  input: GithubPlanInput,
  existing: ExistingIssue[],
  unassignable: Map<string, string[]>,
  clock: ThreatClock,
): DesiredIssue {
  const { config, context, state } = input;
  const prefix = config.issues.labels.prefix;
  const rating = rateThreat(threat);
  const kept = existing[0];
  const due = threatDue(threat, rating, config, kept, context.today);
  // An expired acceptance no longer closes the issue: the risk is back until someone renews it.
  const closing = config.issues.close_statuses.includes(threat.status) && !clock.expired;

  const logins: string[] = [];
  if (config.issues.assign_owners) {
    for (const key of threat.owner ?? []) {
      for (const login of graph.owners.get(key)?.github ?? []) {
        if (logins.some((l) => l.toLowerCase() === login.toLowerCase())) continue;
        if (state.assignable && !hasLogin(state.assignable, login)) {
          const list = unassignable.get(login) ?? [];
          unassignable.set(login, [...list, threat.id]);
          continue;
        }
        logins.push(login);
      }
    }
  }

  const previous = kept?.marker;
  const links = trackerLinks(threat.id, input.links, previous);
  const synced: SyncedFields = {
    status: threat.status,
    rating: rating.rating,
    ...(rating.cvss ? { score: rating.cvss.score } : {}),
    ...(due ? { due: due.date } : {}),
    owners: threat.owner ?? [],
    // With assignment off the app does not touch assignees, and remembers what it had added.
    assigned: config.issues.assign_owners ? logins : (previous?.synced?.assigned ?? []),
    digest: threatDigest(threat),
  };
  const modelRepo = markerRepo({ modelRepo: context.modelRepo, issuesRepo: `${input.state.owner}/${input.state.repo}` });
  const marker: IssueMarker = {
    kind: 'threat',
    threatId: threat.id,
    ...(modelRepo ? { modelRepo } : {}),
    ...(links.length > 0 ? { links: Object.fromEntries(links.map(({ system, key, url }) => [system, { key, ...(url ? { url } : {}) }])) } : {}),
    synced,
    // Carried over so a body update never forgets a reminder already sent.
    ...(clock.reminded ? { reminded: clock.reminded } : previous?.reminded ? { reminded: previous.reminded } : {}),
    ...(clock.expired ? { expired: clock.expired.end.lastDay } : {}),
  };
  const index = graph.threatIndex.get(threat);
  const line = input.source && index !== undefined ? input.source.locate(['threats', index]).start.line : undefined;
  const body = renderThreatIssueBody({
    threat,
    graph,
    rating,
    due,
    marker,
    closing,
    webUrl: context.webUrl,
    permalink: modelPermalink(context.webUrl, context.modelRepo, context.sha, context.modelPath, line),
    links,
  });
  const labels = threatIssueLabels(prefix, rating.rating, threat.stride, { acceptanceExpired: clock.expired !== undefined });
  return {
    threat,
    rating,
    due,
    closing,
    marker,
    labels,
    existing,
    clock,
    fields: { title: issueTitle(threat), body, labels: labels.map((l) => l.name), assignees: logins, milestone: null },
  };
}

/** The due date the sync uses: stated, or the SLA counted from the day its issue was first created (today for a new one). */
function threatDue(threat: Threat, rating: ThreatRating, config: Config, kept: ExistingIssue | undefined, today: string): EffectiveDue | undefined {
  return effectiveDue(threat, rating.rating, config, kept ? kept.createdAt.slice(0, 10) : today);
}

/** A threat that does not apply was never work done: its issue closes as not planned. */
function closeReason(threat: Threat): 'completed' | 'not_planned' {
  return threat.status === 'not-applicable' ? 'not_planned' : 'completed';
}

/** `[<id>] <title>`, mentions and references neutralised, cut to GitHub's limit (the body then holds it whole). */
export function issueTitle(threat: Threat): string {
  return plainTitle(`[${threat.id}] ${threat.title}`, GITHUB_TITLE_LIMIT).title;
}

function threatOperations(d: DesiredIssue, input: GithubPlanInput): GithubOperation[] {
  const { config, context } = input;
  const id = d.threat.id;
  const [kept, ...others] = d.existing;
  const operations: GithubOperation[] = [];
  if (!kept) {
    operations.push({ op: 'create-issue', threatId: id, fields: d.fields, ...(d.closing ? { closeAs: closeReason(d.threat) } : {}) });
    return operations;
  }

  const prefix = config.issues.labels.prefix;
  const changes: IssueChanges = {};
  const restored: string[] = [];
  if (kept.title !== d.fields.title) changes.title = d.fields.title;
  if (comparableBody(kept.body) !== comparableBody(d.fields.body)) changes.body = d.fields.body;

  const labels = mergeLabels(kept.labels, d.fields.labels, prefix);
  if (!sameNames(labels, kept.labels)) {
    changes.labels = labels;
    const missing = d.fields.labels.filter((l) => !kept.labels.some((k) => k.toLowerCase() === l.toLowerCase()));
    const extra = kept.labels.filter((k) => isManagedLabel(k, prefix) && !d.fields.labels.some((l) => l.toLowerCase() === k.toLowerCase()));
    restored.push(`labels: ${[...missing.map((l) => `+${l}`), ...extra.map((l) => `-${l}`)].join(' ')}`);
  }

  if (config.issues.assign_owners) {
    const before = kept.marker.synced?.assigned ?? [];
    const dropped = before.filter((login) => !hasLogin(d.fields.assignees, login));
    const assignees = [
      ...kept.assignees.filter((login) => !hasLogin(dropped, login)),
      ...d.fields.assignees.filter((login) => !hasLogin(kept.assignees, login)),
    ];
    if (!sameNames(assignees, kept.assignees)) {
      changes.assignees = assignees;
      restored.push(`assignees: ${assignees.length ? assignees.join(', ') : 'none'}`);
    }
  }

  if (config.issues.milestones.enabled && config.issues.milestones.granularity !== 'none') {
    const current = kept.milestone?.title ?? null;
    const wanted = d.fields.milestone;
    const ours = current !== null && isManagedMilestoneTitle(current, config.issues.milestones.title);
    // Without a due date the app only takes off a milestone it set; a person's milestone stays.
    if (current !== wanted && (wanted !== null || ours)) {
      changes.milestone = wanted;
      restored.push(`milestone: ${current ?? 'none'} → ${wanted ?? 'none'}`);
    }
  }

  const modelChanges = describeChanges(
    { title: kept.title, synced: kept.marker.synced ?? {}, body: kept.body },
    { title: d.fields.title, synced: d.marker.synced ?? {}, body: d.fields.body },
  );
  const { expired, reminder } = d.clock;
  // The expiry is announced once (its own comment), when the marker does not hold it yet.
  const newlyExpired = expired !== undefined && kept.marker.expired !== expired.end.lastDay;
  /** Lines for the plan whose record is their own comment (expiry, reminder), not the audit comment. */
  const clockLines: string[] = [];
  const reused = reusedIdLine(kept, id, d.fields.title);
  if (reused) modelChanges.push(reused);
  if (kept.marker.expired !== undefined && !expired) modelChanges.push(acceptanceClearedLine(d.threat, prefix));
  if (changes.body && modelChanges.length === 0) {
    // Not a change to the threat: a Jira link, a renamed component or owner, a new rendering.
    restored.unshift(
      newLinks(kept.marker, d.marker) || 'description refreshed',
    );
  }

  const stateLines: string[] = [];
  if (kept.state === 'open' && d.closing) {
    changes.state = 'closed';
    changes.stateReason = closeReason(d.threat);
    stateLines.push(`closed as ${changes.stateReason === 'not_planned' ? 'not planned' : 'completed'}: status \`${d.threat.status}\` is in \`issues.close_statuses\``);
  } else if (kept.state === 'closed' && d.closing && d.threat.status === 'not-applicable' && kept.stateReason === 'completed') {
    // Marked not applicable after it was closed as done: the issue says so too. Only this
    // one correction: any other closed reason may be a person's choice, and is kept.
    changes.state = 'closed';
    changes.stateReason = 'not_planned';
    stateLines.push('closed as not planned (was completed): status `not-applicable`');
  } else if (kept.state === 'closed' && !d.closing && !input.leaveClosed?.has(id)) {
    changes.state = 'open';
    changes.stateReason = 'reopened';
    if (expired) {
      (newlyExpired ? clockLines : stateLines).push(
        `reopened: the acceptance (${d.threat.status} by ${expired.acceptance.by}) ended on ${expired.end.lastDay}; renew it in the model to close the issue`,
      );
    } else {
      stateLines.push(
        kept.stateReason === 'not_planned'
          ? `reopened: the threat is back in the model with status \`${d.threat.status}\``
          : `reopened: the model lists the threat with status \`${d.threat.status}\` (change its status in the model to close it)`,
      );
      if (input.reopenReason) stateLines.push(input.reopenReason);
    }
  }
  if (newlyExpired && changes.state !== 'open') clockLines.push(`acceptance ended on ${expired.end.lastDay}: labelled \`${prefix}acceptance:expired\``);
  if (reminder) {
    // Named without `@`: plan lines reach logs and job summaries, where they must not look like mentions.
    const who = reminder.handles.length > 0 ? `, mentioning ${reminder.handles.join(', ')}` : '';
    clockLines.push(`reminder: ${reminder.threshold} (due ${reminder.due})${who}`);
  }

  if (Object.keys(changes).length > 0) {
    const modelLines = [...modelChanges, ...stateLines];
    // Edits that are not changes to the threat (fields a person changed on GitHub, a refreshed
    // rendering) show in the plan but are not written to the audit log.
    const changed =
      modelLines.length > 0
        ? [...modelLines, ...clockLines]
        : clockLines.length > 0
          ? [...clockLines, ...restored.filter((line) => line !== 'description refreshed')]
          : restored;
    operations.push({ op: 'update-issue', number: kept.number, threatId: id, changes, changed });
    if (modelLines.length > 0) {
      const heading = reused
        ? 'Threat id reused'
        : changes.state === 'closed'
          ? 'Threat closed'
          : changes.state === 'open'
            ? 'Threat reopened'
            : 'Threat changed';
      operations.push({ op: 'comment', number: kept.number, threatId: id, body: renderAuditComment({ lines: modelLines, context, heading }) });
    }
    // After the edit they explain, in the same unit: the applier posts them first, tagged, so a crash between
    // comment and edit neither loses nor doubles them (src/sync/github/apply.ts).
    if (newlyExpired) operations.push({ op: 'comment', number: kept.number, threatId: id, body: renderAcceptanceExpiredComment(expired, input.model) });
    if (reminder) operations.push({ op: 'comment', number: kept.number, threatId: id, body: renderReminderComment(reminder) });
  }

  operations.push(...duplicateOperations(kept, others, id));
  return operations;
}

/** The audit line when an issue loses `acceptance:expired`: the acceptance was renewed, or the status no longer rests on one. */
function acceptanceClearedLine(threat: Threat, prefix: string): string {
  const label = `\`${prefix}acceptance:expired\``;
  if (!threat.acceptance || !needsAcceptance(threat)) {
    return `no longer an expired acceptance (status \`${threat.status}\`): label ${label} removed`;
  }
  return `acceptance renewed (${threat.status} by ${threat.acceptance.by} on ${threat.acceptance.on}, holds until ${acceptanceEnd(threat.acceptance).lastDay}): label ${label} removed`;
}

function duplicateOperations(kept: ExistingIssue, others: readonly ExistingIssue[], threatId: string | undefined): GithubOperation[] {
  const what = threatId === undefined ? 'the dashboard' : `threat \`${threatId}\``;
  return others
    .filter((issue) => issue.state === 'open')
    .flatMap((issue) => [
      closeOperation(issue.number, threatId, 'duplicate', `closed as a duplicate of #${kept.number}`),
      {
        op: 'comment' as const,
        number: issue.number,
        ...(threatId === undefined ? {} : { threatId }),
        body: `Duplicate of #${kept.number}: threatloop keeps one issue for ${what} (the oldest), so this copy is closed. Nothing else is changed.`,
      },
    ]);
}

function removedThreatOperations(byThreat: Map<string, ExistingIssue[]>, graph: ModelGraph, context: SyncContext): GithubOperation[] {
  const removed = [...byThreat.entries()]
    .filter(([id]) => !graph.threats.has(id))
    .flatMap(([id, list]) => list.filter((issue) => issue.state === 'open').map((issue) => ({ id, issue })))
    .sort((a, b) => a.issue.number - b.issue.number);
  return removed.flatMap(({ id, issue }) => [
    closeOperation(issue.number, id, 'not_planned', `closed as not planned: \`${id}\` is no longer in the model`),
    {
      op: 'comment' as const,
      number: issue.number,
      threatId: id,
      body: renderAuditComment({
        heading: 'Threat removed from the model',
        context,
        lines: [`\`${id}\` is no longer in \`${context.modelPath}\`: closing as not planned. If the threat comes back, this issue reopens.`],
      }),
    },
  ]);
}

function closeOperation(
  number: number,
  threatId: string | undefined,
  reason: 'completed' | 'not_planned' | 'duplicate',
  line: string,
): GithubOperation {
  return {
    op: 'update-issue',
    number,
    ...(threatId === undefined ? {} : { threatId }),
    changes: { state: 'closed', stateReason: reason },
    changed: [line],
  };
}

function dashboardOperations(desired: readonly DesiredIssue[], graph: ModelGraph, input: GithubPlanInput, clock: ClockPlan): GithubOperation[] {
  const { config, context, state } = input;
  const prefix = config.issues.labels.prefix;
  const threats: DashboardThreat[] = desired.map((d) => ({
    threat: d.threat,
    rating: d.rating,
    ...(d.due ? { due: d.due } : {}),
    closed: d.closing,
    issue: d.existing[0]?.number ?? 'pending',
  }));
  const body = renderDashboard({
    graph,
    threats,
    today: context.today,
    modelPath: context.modelPath,
    acceptances: { expired: clock.review.expired, expiring: clock.review.expiring, warningDays: config.lint.acceptance_warning_days },
    ...(markerRepo({ modelRepo: context.modelRepo, issuesRepo: `${state.owner}/${state.repo}` }) ? { modelRepo: context.modelRepo } : {}),
    ...(input.lintWarnings ? { lintWarnings: input.lintWarnings.filter((f) => f.level === 'warning') } : {}),
    ...(input.notices ? { notices: input.notices } : {}),
    ...(input.proposal ? { proposal: input.proposal } : {}),
  });
  const title = config.issues.dashboard.title;
  const label = dashboardLabel(prefix).name;
  const [kept, ...others] = preferredFirst(state.issues.filter((i) => i.marker.kind === 'dashboard'));
  if (!kept) {
    return [{ op: 'create-dashboard', fields: { title, body, labels: [label], assignees: [], milestone: null } }];
  }
  const changes: IssueChanges = {};
  const changed: string[] = [];
  if (kept.title !== title) {
    changes.title = title;
    changed.push(`title: “${kept.title}” → “${title}”`);
  }
  // The issue index is compared by what it records; a dashboard without one (an earlier version's) is
  // not rewritten just to add it (src/sync/github/issue-index.ts).
  const seen = (text: string) => comparableBody(withoutIssueIndex(text));
  const index = parseIssueIndex(kept.body);
  if (seen(kept.body) !== seen(body) || (index !== undefined && !sameIssueIndex(index, body))) {
    changes.body = body;
    changed.push('dashboard updated');
  }
  const labels = mergeLabels(kept.labels, [label], prefix);
  if (!sameNames(labels, kept.labels)) {
    changes.labels = labels;
    changed.push(`labels: ${labels.join(', ')}`);
  }
  if (kept.state === 'closed') {
    changes.state = 'open';
    changes.stateReason = 'reopened';
    changed.push('reopened: the dashboard is kept open while `issues.dashboard.enabled` is true');
  }
  const operations: GithubOperation[] = duplicateOperations(kept, others, undefined);
  if (Object.keys(changes).length > 0) operations.push({ op: 'update-dashboard', number: kept.number, changes });
  return operations;
}

/**
 * A threat's links to every tracker threatloop knows, in the registry's order: this sync's (when that
 * tracker ran), else the one its issue's marker remembers (a sync without that tracker keeps it).
 */
function trackerLinks(threatId: string, current: TrackerLinks | undefined, previous: IssueMarker | undefined): IssueLink[] {
  return TRACKERS.flatMap(({ system, label }) => {
    const fresh = current?.get(system);
    const link = fresh ? fresh.get(threatId) : undefined;
    const kept = previous?.links?.[system];
    const key = link?.key ?? kept?.key;
    if (!key) return [];
    const url = link ? link.url : kept?.key === key ? kept.url : undefined;
    return [{ system, label, key, ...(url ? { url } : {}) }];
  });
}

/** "jira: linked SEC-12" for each link the marker did not have yet ('' when none). */
function newLinks(before: IssueMarker, after: IssueMarker): string {
  return Object.entries(after.links ?? {})
    .filter(([system, link]) => before.links?.[system]?.key !== link.key)
    .map(([system, link]) => `${system}: linked ${link.key}`)
    .join('; ');
}

function hasLogin(logins: Iterable<string>, login: string): boolean {
  const lower = login.toLowerCase();
  for (const l of logins) if (l.toLowerCase() === lower) return true;
  return false;
}
