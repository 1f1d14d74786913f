/** The check run's (and the CLI's) account of a sync: a title, a conclusion and Markdown. */
import { summarisePlan } from './github/format-plan.ts';
import type { ApplyResult } from './github/apply.ts';
import type { SyncOutcome } from './run.ts';

export interface SyncSummary {
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  /** Markdown. */
  summary: string;
}

/** The check run's (and the CLI's) account of a sync. */
export function describeSync(outcome: SyncOutcome): SyncSummary {
  const errors = outcome.findings.filter((f) => f.level === 'error').length;
  const warnings = outcome.findings.length - errors;
  const lintLine = `${countOf(errors, 'error')}, ${countOf(warnings, 'warning')} in \`${outcome.modelPath}\` at ${outcome.sha.slice(0, 7)}.`;
  const notes = outcome.notes.length > 0 ? ['', '**Notes**', ...outcome.notes.map((n) => `- ${n}`)] : [];
  const lines = (...parts: string[]) => [lintLine, '', ...attentionLines(outcome), ...parts, ...notes].join('\n');
  switch (outcome.status) {
    case 'no-model':
      return { conclusion: 'neutral', title: `No threat model at ${outcome.modelPath}`, summary: lines('Nothing was checked and no issue was changed.') };
    case 'invalid':
      return {
        conclusion: 'failure',
        title: titleFor(errors, warnings, 'issues not synced'),
        summary: lines(
          'Nothing was written to issues: existing threat issues stay as they are until the model and config are fixed.',
          'The findings are annotated on the lines they are about.',
        ),
      };
    case 'disabled':
      return { conclusion: 'success', title: titleFor(errors, warnings, 'issues disabled'), summary: lines('`issues.enabled` is false in the config: the model was checked, no issue was filed.') };
    case 'stale':
      return {
        conclusion: 'neutral',
        title: titleFor(errors, warnings, 'sync skipped: newer commit'),
        summary: lines(`Issues were not synced from this commit: ${outcome.headSha?.slice(0, 7) ?? 'a newer commit'} is now the head of the branch and is synced instead.`),
      };
    case 'no-access':
      return {
        conclusion: 'failure',
        title: `Cannot write threat issues to ${outcome.issuesRepo}`,
        summary: lines(
          `threatloop cannot write issues in **${outcome.issuesRepo}**: ${outcome.accessError ?? 'access denied'}.`,
          '',
          `Install the app on ${outcome.issuesRepo} (or add the repository to the installation) with issues write access, then push again.`,
          ...applyLines(outcome),
        ),
      };
    case 'no-consent':
      return {
        conclusion: 'failure',
        title: `${outcome.issuesRepo} has not agreed to receive these threat issues`,
        summary: lines(outcome.consentError ?? `${outcome.issuesRepo} does not accept threat issues from ${outcome.modelRepo}.`),
      };
    case 'planned':
      return { conclusion: 'success', title: titleFor(errors, warnings, `dry run: ${countOf(outcome.plan?.operations.length ?? 0, 'operation')}`), summary: lines(...planLines(outcome)) };
    case 'incomplete':
      return {
        conclusion: refusedWrites(outcome).length > 0 ? 'failure' : 'success',
        title: titleFor(errors, warnings, `sync in progress: ${progressLine(outcome)}`),
        summary: lines(
          ...applyLines(outcome),
          '',
          `${outcome.apply?.remaining ?? 0} changes are left for the next sync (${outcome.apply?.stoppedBy === 'rate-limit' ? "GitHub's rate limit" : 'write budget of this sync'}); it resumes${outcome.resumeAt ? ` after ${minuteUtc(outcome.resumeAt)}` : ' on the next push'}.`,
        ),
      };
    case 'applied': {
      const refused = refusedWrites(outcome);
      if (refused.length > 0) {
        return {
          conclusion: 'failure',
          title: titleFor(errors, warnings, `${countOf(refused.length, 'change')} refused by GitHub`),
          summary: lines(
            ...applyLines(outcome),
            '',
            `GitHub refused ${countOf(refused.length, 'change')} (${refused.map((e) => e.subject).join(', ')}): the reasons are under Notes. The other threats were synced; the refused ones are tried again on the next sync.`,
          ),
        };
      }
      // Errors in a synced model come from the clock (an acceptance that expired): synced, and red until renewed.
      return {
        conclusion: errors > 0 ? 'failure' : 'success',
        title: titleFor(errors, warnings, outcome.apply?.writes ? 'issues synced' : 'issues already in sync'),
        summary: lines(...applyLines(outcome)),
      };
    }
  }
}

/** Lines of the attention block a summary opens with (at most this many, then a count). */
const ATTENTION_LIMIT = 20;

/**
 * What the clock made urgent, first in the summary: overdue threats, then acceptances that expired (the
 * lint findings `overdue` and `acceptance-expired`, whose annotations are on the lines, and the threats the
 * plan found past their rating's SLA, which no line states). Empty when none.
 */
function attentionLines(outcome: SyncOutcome): string[] {
  const block = (heading: string, items: readonly string[]): string[] => {
    if (items.length === 0) return [];
    const more = items.length > ATTENTION_LIMIT ? [`- … and ${items.length - ATTENTION_LIMIT} more`] : [];
    return [`**${heading} (${items.length})**`, ...items.slice(0, ATTENTION_LIMIT).map((item) => `- ${item}`), ...more, ''];
  };
  const messages = (rule: string) => outcome.findings.filter((f) => f.rule === rule).map((f) => f.message);
  const slaOverdue = (outcome.plan?.slaOverdue ?? []).map(
    (o) => `threat ${o.threatId} was due ${o.due}: the ${o.slaDays}-day SLA for its rating, counted from its issue's creation on ${o.from}`,
  );
  return [...block('Overdue', [...messages('overdue'), ...slaOverdue]), ...block('Expired acceptances', messages('acceptance-expired'))];
}

/** Writes GitHub answered with 400 or 422 (invalid, too long): they fail again on every sync until something changes, so the check run must fail. */
function refusedWrites(outcome: SyncOutcome): ApplyResult['errors'] {
  return (outcome.apply?.errors ?? []).filter((error) => error.status === 400 || error.status === 422);
}

/** `312 of 1,159 writes; resumes at 14:10 UTC`: how far a long sync got and when it goes on. */
export function progressLine(outcome: SyncOutcome): string {
  const planned = outcome.plan ? summarisePlan(outcome.plan).writes : 0;
  const done = outcome.apply?.writes ?? 0;
  const resumes = outcome.resumeAt ? `resumes at ${outcome.resumeAt.toISOString().slice(11, 16)} UTC` : 'resumes on the next push';
  return `${done.toLocaleString('en-US')} of ${Math.max(planned, done).toLocaleString('en-US')} writes; ${resumes}`;
}

/** `2026-03-01 10:10 UTC`: the date format of every other output, to the minute. */
function minuteUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function titleFor(errors: number, warnings: number, tail: string): string {
  return `${countOf(errors, 'error')}, ${countOf(warnings, 'warning')} · ${tail}`;
}

function countOf(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function planLines(outcome: SyncOutcome): string[] {
  if (!outcome.plan || outcome.plan.operations.length === 0) return [`Issues in ${outcome.issuesRepo} are in sync with the model: nothing to do.`];
  const s = summarisePlan(outcome.plan);
  const parts = [
    s.created && `${s.created} created${s.createdClosed ? ` (${s.createdClosed} closed at once)` : ''}`,
    s.updated && `${s.updated} updated`,
    s.closed && `${s.closed} closed`,
    s.reopened && `${s.reopened} reopened`,
    s.comments && `${countOf(s.comments, 'audit comment')}`,
    s.labels && `${countOf(s.labels, 'label')} created`,
    s.milestones && `${countOf(s.milestones, 'milestone')} created`,
    s.dashboard && `dashboard ${s.dashboard === 'create' ? 'created' : 'updated'}`,
  ].filter(Boolean);
  return [`Planned for ${outcome.issuesRepo}: ${parts.join(', ')} (${countOf(s.writes, 'write')}).`];
}

function applyLines(outcome: SyncOutcome): string[] {
  const apply = outcome.apply;
  // Nothing planned: "Applied 0 of 0 operations" would only repeat "nothing to do".
  if (!apply || (apply.applied === 0 && apply.errors.length === 0 && !outcome.plan?.operations.length)) return planLines(outcome);
  const budget = outcome.plan ? `${apply.writes} writes` : '';
  return [
    ...planLines(outcome),
    `Applied ${apply.applied} of ${outcome.plan?.operations.length ?? 0} operations (${budget}, ${outcome.requests.reads} reads)${apply.errors.length ? `, ${countOf(apply.errors.length, 'error')}` : ''}.`,
  ];
}
