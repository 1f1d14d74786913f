/**
 * The traceability matrix as CSV (RFC 4180: comma, double quotes, CRLF, a
 * UTF-8 byte order mark so Excel reads the arrows and accents). One row per
 * threat and target; each cell neutralised against spreadsheet formulas (`csvCell`).
 */
import type { ThreatModel } from '../model/schema.ts';
import { STRIDE_NAME } from '../model/schema.ts';
import type { TraceabilityRow } from '../model/traceability.ts';
import { RATING_NAME } from './display-names.ts';
import { csvCell } from './csv-cell.ts';

const BASE_COLUMNS = [
  'Threat ID',
  'Threat',
  'Element ID',
  'Element',
  'Element type',
  'Trust boundary',
  'STRIDE',
  'CVSS vector',
  'CVSS score',
  'Severity',
  'Strategy',
  'Mitigation',
  'Controls',
  'Tests',
  'Verification',
  'Residual risk',
  'Acceptance rationale',
  'Owner',
  'Due',
  'Status',
] as const;

const EVIDENCE_COLUMNS = ['Issue', 'Jira', 'Pull requests', 'Merge commits', 'Status history'] as const;

/** `withEvidence` adds the GitHub columns (the evidence pack); the plain report leaves them out. */
export function renderTraceabilityCsv(model: ThreatModel, rows: readonly TraceabilityRow[], options: { withEvidence?: boolean } = {}): string {
  const ownerName = (key: string) => model.owners[key]?.name?.trim() || key;
  const header = [...BASE_COLUMNS, ...(options.withEvidence ? EVIDENCE_COLUMNS : [])];
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) {
    const cells = [
      row.threatId,
      row.title,
      row.elementId,
      row.element,
      row.elementKind,
      row.boundary,
      row.stride.map((c) => STRIDE_NAME[c]).join('; '),
      row.cvssVector,
      row.score,
      RATING_NAME[row.severity],
      row.strategy.join('; '),
      row.mitigation,
      row.controls.join('; '),
      row.tests.join('; '),
      row.verification,
      row.residualRisk,
      row.acceptance,
      row.owners.map(ownerName).join('; '),
      row.due,
      row.status,
    ];
    if (options.withEvidence) {
      const e = row.evidence;
      cells.push(
        e?.issue?.url ?? '',
        e?.jiraKey ?? '',
        (e?.pullRequests ?? []).map((pr) => `${pr.reference} (${pr.verbs.join('/')})${pr.mergedAt ? ` merged ${pr.mergedAt.slice(0, 10)}` : ''}`).join('; '),
        (e?.pullRequests ?? []).flatMap((pr) => (pr.mergeCommit ? [pr.mergeCommit] : [])).join('; '),
        (e?.statusHistory ?? []).map((h) => `${h.at.slice(0, 10)} ${h.from} → ${h.to}${h.actor ? ` by ${h.actor}` : ''}`).join('; '),
      );
    }
    lines.push(cells.map(csvCell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
