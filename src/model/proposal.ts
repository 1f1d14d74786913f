/**
 * A proposed change to a threat's status, as a closed ticket suggests it:
 * what the proposal PR's commit edits (`edit`) and what its description
 * says (who closed which ticket, when, with what evidence).
 */
import type { ThreatEdit } from './edit.ts';
import type { ThreatStatus } from './schema.ts';

export interface ProposedChange {
  threatId: string;
  /** The threat's title in the model. */
  title: string;
  from: ThreatStatus;
  to: ThreatStatus;
  /** Where the ticket lives. */
  tracker: 'github' | 'jira';
  /** How people name the ticket: `#12` or `SEC-12`. */
  ticket: string;
  ticketUrl: string;
  /** The GitHub login or Jira display name of the person who closed it. */
  closedBy: string;
  /** YYYY-MM-DD */
  closedOn: string;
  /** The pull request or commit that closed the ticket, when the tracker names one. */
  evidenceUrl?: string;
  /** The rationale is the placeholder lint flags: a person must write the reason before merging. */
  needsRationale: boolean;
  /** The lines the proposal commit changes. */
  edit: ThreatEdit;
}

/**
 * What each proposed change was based on, kept in a hidden marker in the proposal PR's description so a
 * later event (another closure, a reopen, the PR closed) can recompute the proposal without reading every
 * ticket's history again: the ticket's state when it was proposed (when and by whom it was closed, the
 * evidence). An entry is reused only while the ticket still says the same (same `closedAt`); a change to
 * `not-applicable` is always read again, since its rationale (the closing comment) is not kept here.
 */
export interface ProposalBasis {
  threatId: string;
  /** What a closed ticket proposes: done (`mitigated`) or does not apply (`not-applicable`). */
  to: 'mitigated' | 'not-applicable';
  tracker: 'github' | 'jira';
  ticket: string;
  ticketUrl: string;
  closedAt: string;
  closedBy: string;
  evidenceUrl?: string;
}

export const PROPOSAL_BASIS_PREFIX = '<!-- threatloop:proposal-basis';
/**
 * Threats one proposal holds: a description holds at most 65,536 characters, and this many rows plus their
 * basis fit with room to spare. More closed tickets wait (their issues stay closed) for the next proposal.
 */
export const MAX_PROPOSED_THREATS = 100;
/** Per-field bound when reading a basis back (believed only on the app's own PR, but bounded all the same). */
const MAX_BASIS_FIELD = 500;

export function renderProposalBasis(entries: readonly ProposalBasis[]): string {
  const rows = entries.map((e) => [e.threatId, e.to, e.tracker, e.ticket, e.ticketUrl, e.closedAt, e.closedBy, e.evidenceUrl ?? '']);
  // base64url: nothing in it can end the HTML comment early.
  return `${PROPOSAL_BASIS_PREFIX} v="1" data="${Buffer.from(JSON.stringify(rows)).toString('base64url')}" -->`;
}

/** The basis entries of a proposal PR's description; malformed entries are dropped, never guessed. */
export function parseProposalBasis(body: string | null | undefined): ProposalBasis[] {
  const match = /<!-- threatloop:proposal-basis v="1" data="([A-Za-z0-9_-]*)" -->/.exec(body ?? '');
  if (!match) return [];
  let rows: unknown;
  try {
    rows = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  const out: ProposalBasis[] = [];
  for (const row of rows.slice(0, MAX_PROPOSED_THREATS)) {
    if (!Array.isArray(row) || row.length !== 8 || !row.every((v) => typeof v === 'string' && v.length <= MAX_BASIS_FIELD)) continue;
    const [threatId, to, tracker, ticket, ticketUrl, closedAt, closedBy, evidenceUrl] = row as string[];
    if (!threatId || (to !== 'mitigated' && to !== 'not-applicable') || (tracker !== 'github' && tracker !== 'jira')) continue;
    out.push({ threatId, to, tracker, ticket: ticket!, ticketUrl: ticketUrl!, closedAt: closedAt!, closedBy: closedBy!, ...(evidenceUrl ? { evidenceUrl } : {}) });
  }
  return out;
}
