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
