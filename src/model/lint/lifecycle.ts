/**
 * Rules about a threat's life over time: acceptances that end, ids that were
 * retired, and rationales still waiting for a person to write them.
 */
import { acceptanceEnd, daysBetween, needsAcceptance } from '../acceptance.ts';
import type { ModelRule } from './rules.ts';

/**
 * The rationale a proposal writes for a threat closed as not planned when the
 * closing comment gave none. Lint flags it until a person replaces it, so the
 * proposal can be merged only with a real reason.
 */
export const RATIONALE_PLACEHOLDER = 'TODO(threatloop): say why this threat does not apply to the system';

/**
 * Rules that the passing of time makes true on a model that was valid when it was reviewed: their errors
 * fail a pull request's check, but never stop the sync, whose job is to act on them (reopen the issue).
 */
export const CLOCK_RULES: ReadonlySet<string> = new Set(['acceptance-expired']);

const acceptanceMissing: ModelRule = {
  id: 'acceptance-missing',
  level: 'warning',
  // Not the case study's "rationales" item (a justification); who and until when is this tool's addition.
  description:
    'An accepted or transferred threat without `acceptance: { by, on, expires }` (who accepted it and until when); an error for critical and high threats',
  check({ model, ratings }, report) {
    model.threats.forEach((threat, i) => {
      if (!needsAcceptance(threat) || threat.acceptance) return;
      const rating = ratings.get(threat)?.rating;
      const urgent = rating === 'critical' || rating === 'high';
      report(
        ['threats', i, 'status'],
        `threat ${threat.id} is ${threat.status} but does not say who accepted it and until when; add \`acceptance: { by: <owner or login>, on: YYYY-MM-DD, expires: YYYY-MM-DD }\``,
        { level: urgent ? 'error' : 'warning' },
      );
    });
  },
};

const acceptanceExpired: ModelRule = {
  id: 'acceptance-expired',
  level: 'error',
  description: 'The acceptance of an accepted or transferred threat has ended (`expires` passed, or a `review_every` review was missed)',
  check({ model, today }, report) {
    model.threats.forEach((threat, i) => {
      if (!needsAcceptance(threat) || !threat.acceptance) return;
      const end = acceptanceEnd(threat.acceptance);
      const ago = daysBetween(end.lastDay, today);
      if (ago <= 0) return;
      const what =
        end.by === 'expires'
          ? `expired on ${end.lastDay}`
          : `was due for review on ${end.lastDay} (${threat.acceptance.review_every} after ${threat.acceptance.on})`;
      report(
        ['threats', i, 'acceptance', end.by],
        `threat ${threat.id}: the acceptance by ${threat.acceptance.by} ${what}, ${ago} ${ago === 1 ? 'day' : 'days'} ago; renew it (a new \`on\` or \`expires\`) or change the status`,
      );
    });
  },
};

const acceptanceExpiring: ModelRule = {
  id: 'acceptance-expiring',
  level: 'warning',
  description: 'The acceptance of an accepted or transferred threat ends within `lint.acceptance_warning_days` (default 30)',
  check({ model, today, acceptanceWarningDays }, report) {
    model.threats.forEach((threat, i) => {
      if (!needsAcceptance(threat) || !threat.acceptance) return;
      const end = acceptanceEnd(threat.acceptance);
      const left = daysBetween(today, end.lastDay);
      if (left < 0 || left > acceptanceWarningDays) return;
      const when = left === 0 ? 'today' : `in ${left} ${left === 1 ? 'day' : 'days'}`;
      const what = end.by === 'expires' ? `expires ${when} (${end.lastDay})` : `is due for review ${when} (${end.lastDay})`;
      report(['threats', i, 'acceptance', end.by], `threat ${threat.id}: the acceptance by ${threat.acceptance.by} ${what}`);
    });
  },
};

const idReused: ModelRule = {
  id: 'id-reused',
  level: 'error',
  checklist: 'consistency',
  description: 'A threat uses an id listed in `retired` (the id of a removed threat; its issue and history belong to that threat)',
  check({ model, lineOf }, report) {
    const retiredAt = new Map<string, number>();
    model.retired.forEach((id, j) => {
      if (!retiredAt.has(id)) retiredAt.set(id, j);
    });
    model.threats.forEach((threat, i) => {
      const j = retiredAt.get(threat.id);
      if (j === undefined) return;
      report(
        ['threats', i, 'id'],
        `threat id "${threat.id}" is retired (line ${lineOf(['retired', j])}): it belonged to a removed threat; give this threat a new id`,
      );
    });
  },
};

const rationalePlaceholder: ModelRule = {
  id: 'rationale-placeholder',
  level: 'error',
  checklist: 'rationales',
  description: 'A `rationale` is still the placeholder a proposal wrote; replace it with the real reason',
  check({ model }, report) {
    model.threats.forEach((threat, i) => {
      if (!threat.rationale?.includes(RATIONALE_PLACEHOLDER)) return;
      report(['threats', i, 'rationale'], `threat ${threat.id}: the rationale is still the placeholder; write why the threat is ${threat.status}`);
    });
  },
};

export const LIFECYCLE_RULES: readonly ModelRule[] = [acceptanceMissing, acceptanceExpired, acceptanceExpiring, idReused, rationalePlaceholder];
