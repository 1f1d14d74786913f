/**
 * The proposal pull request's title and description: one row per threat
 * whose ticket a person closed, old → new status, who closed it, links.
 * Pure text; the PR itself is opened by the GitHub edge.
 */
import { renderProposalBasis, type ProposalBasis, type ProposedChange } from '../model/proposal.ts';
import { STATUS_LABEL } from './display-names.ts';
import { code, escapeCell, link, table } from './markdown.ts';

/** Finds the open proposal PR again; the ids say which threats it holds. */
export const PROPOSAL_MARKER_PREFIX = '<!-- threatloop:proposal';

/** GitHub refuses longer PR titles. */
const MAX_TITLE = 256;
/** Rows listed in the body; the commit holds every change regardless. */
const MAX_ROWS = 300;


export function renderProposalTitle(changes: readonly ProposedChange[]): string {
  if (changes.length === 1) {
    const [c] = changes as [ProposedChange];
    return cut(`Threat model: ${c.threatId} ${STATUS_LABEL[c.from]} → ${STATUS_LABEL[c.to]} (${c.ticket} closed)`);
  }
  const ids = changes.map((c) => c.threatId);
  const shown = ids.slice(0, 8).join(', ') + (ids.length > 8 ? `, +${ids.length - 8}` : '');
  return cut(`Threat model: status of ${changes.length} threats whose tickets were closed (${shown})`);
}

export interface ProposalBodyOptions {
  modelPath: string;
  /** What each change was based on (src/model/proposal.ts), kept hidden at the end for later events. */
  basis?: readonly ProposalBasis[];
  /** Closed tickets beyond what one proposal holds: they follow in the next one. */
  waiting?: number;
}

export function renderProposalBody(changes: readonly ProposedChange[], options: ProposalBodyOptions): string {
  const ids = changes.map((c) => encodeURIComponent(c.threatId)).join(',');
  const rows = changes.slice(0, MAX_ROWS).map((c) => [
    `${code(c.threatId)} ${escapeCell(c.title)}`,
    `${STATUS_LABEL[c.from]} → **${STATUS_LABEL[c.to]}**`,
    `${escapeCell(c.closedBy)}, ${c.closedOn}`,
    [link(c.ticket, c.ticketUrl), ...(c.evidenceUrl ? [link(evidenceName(c.evidenceUrl), c.evidenceUrl)] : [])].join(' · '),
  ]);
  const pending = changes.filter((c) => c.needsRationale);
  const out = [
    `${PROPOSAL_MARKER_PREFIX} threats="${ids}" -->`,
    `People closed the tickets of ${changes.length === 1 ? 'this threat' : `these ${changes.length} threats`}. This pull request proposes the same change to ${code(options.modelPath)}, so it is reviewed like any other change to the model. Its commit changes only the \`status\` lines and adds a \`verification\` line with the evidence; every comment and every other line stays as it is.`,
    '',
    table(['Threat', 'Status', 'Closed by', 'Ticket and evidence'], rows),
  ];
  if (changes.length > rows.length) out.push('', `… and ${changes.length - rows.length} more (every change is in the commit).`);
  if (pending.length > 0) {
    out.push(
      '',
      `**Needs a reason before merging:** ${pending.map((c) => code(c.threatId)).join(', ')} ${pending.length === 1 ? 'was' : 'were'} closed as not planned without a comment. Replace the placeholder \`rationale\` with why the threat does not apply; lint (\`rationale-placeholder\`) fails until then.`,
    );
  }
  out.push(
    '',
    '- **Merge** to record the new statuses; the issues stay closed.',
    '- **Close without merging** to keep the model as it is: the issues reopen and the same change is not proposed again until the ticket changes.',
    '- **Reopen a ticket** to take its threat out of this proposal.',
  );
  if (options.waiting) {
    out.push('', `${options.waiting} more closed ${options.waiting === 1 ? 'ticket waits' : 'tickets wait'}: one proposal holds at most ${changes.length} threats, the rest follow once this one is merged or closed.`);
  }
  if (options.basis) out.push('', renderProposalBasis(options.basis));
  return `${out.join('\n')}\n`;
}

function evidenceName(url: string): string {
  const pull = /\/pull\/(\d+)/.exec(url);
  if (pull) return `PR #${pull[1]}`;
  const commit = /\/commit\/([0-9a-f]{7,40})/i.exec(url);
  if (commit) return `commit ${commit[1]!.slice(0, 7)}`;
  return 'evidence';
}

/** A title is plain text (ids and ticket keys only, no model prose): one line, within GitHub's limit. */
function cut(title: string): string {
  const line = title.replace(/\s+/g, ' ');
  return line.length <= MAX_TITLE ? line : `${line.slice(0, MAX_TITLE - 1)}…`;
}
