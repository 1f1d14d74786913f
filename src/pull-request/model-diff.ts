/**
 * The model diff as rows, one per added, removed or changed threat: the PR
 * comment shows them as Markdown, `threatloop diff` as plain text. One
 * wording for both, so the terminal says what the PR says.
 */
import type { ThreatDiff, ThreatScore } from './diff.ts';
import { RATING_NAME, STATUS_LABEL } from '../render/display-names.ts';
import { code, escapeText } from '../render/markdown.ts';

export interface DiffStyle {
  /** `Added`, `Removed`, `Changed`. */
  verb(word: string): string;
  /** An id or another literal. */
  literal(text: string): string;
  /** Text from the model (titles). */
  text(text: string): string;
}

export const MARKDOWN_DIFF_STYLE: DiffStyle = { verb: (w) => `**${w}**`, literal: code, text: escapeText };
export const PLAIN_DIFF_STYLE: DiffStyle = { verb: (w) => w, literal: (t) => t, text: (t) => t.replace(/\s+/g, ' ') };

/** `summary` names threats and re-scores only (a public repository); `full` says every change. */
export function diffRows(diff: ThreatDiff, detail: 'full' | 'summary', style: DiffStyle): string[] {
  const rows: string[] = [];
  const name = (id: string, title: string) => (detail === 'full' ? `${style.literal(id)} ${style.text(title)}` : style.literal(id));
  const list = (items: readonly string[]) => (items.length > 0 ? items.map(style.literal).join(', ') : 'none');
  for (const t of diff.added) rows.push(`${style.verb('Added')} ${name(t.id, t.title)}: ${scoreText(t.score)}${detail === 'full' ? `, ${STATUS_LABEL[t.status]}` : ''}`);
  for (const t of diff.removed) rows.push(`${style.verb('Removed')} ${name(t.id, t.title)} (was ${scoreText(t.score)})`);
  for (const c of diff.changed) {
    const changes: string[] = [];
    if (c.rescored) changes.push(`re-scored ${scoreText(c.rescored.from)} → ${scoreText(c.rescored.to)}`);
    if (detail === 'full') {
      if (c.status) changes.push(`status ${STATUS_LABEL[c.status.from]} → ${STATUS_LABEL[c.status.to]}`);
      if (c.owner) changes.push(`owner ${list(c.owner.from)} → ${list(c.owner.to)}`);
      if (c.due) changes.push(`due ${c.due.from ?? 'none'} → ${c.due.to ?? 'none'}`);
      if (c.titleChange) changes.push(`title was “${style.text(c.titleChange.from)}”`);
      if (c.targets) changes.push(`targets ${list(c.targets.from)} → ${list(c.targets.to)}`);
      if (c.mitigationEdited) changes.push('mitigation edited');
    }
    // Every changed threat gets its row; in summary mode (or for a change the list does not name) without the details.
    rows.push(`${style.verb('Changed')} ${name(c.id, c.title)}${changes.length > 0 ? `: ${changes.join('; ')}` : ''}`);
  }
  return rows;
}

export function diffCounts(diff: ThreatDiff): string {
  return `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`;
}

export function scoreText(score: ThreatScore): string {
  return score.score !== undefined ? `${score.score.toFixed(1)} ${RATING_NAME[score.rating]}` : RATING_NAME[score.rating];
}

/** `threatloop diff` text output: a count line, then one row per threat. */
export function renderModelDiffText(diff: ThreatDiff): string {
  const rows = diffRows(diff, 'full', PLAIN_DIFF_STYLE);
  return [`Threat model changes: ${diffCounts(diff)}`, ...rows.map((r) => `  ${r}`)].join('\n');
}
