/**
 * threat model -> CSV: one row per threat and target, with the headers `threatloop import`
 * reads back (rows of one threat that differ only in their target are read as one threat).
 * Written by hand rather than with a CSV library: quoting is the one rule it needs (RFC 4180),
 * plus a guard against spreadsheet formula injection. Pure.
 */
import { STRIDE_NAME, type ThreatModel } from '../model/schema.ts';
import { csvCell } from '../render/csv-cell.ts';

export const CSV_EXPORT_HEADERS = [
  'ID',
  'Threat',
  'STRIDE',
  'Component / Data-flow',
  'Description',
  'CVSS Vector',
  'Base Score',
  'Severity',
  'Strategy',
  'Mitigation Action',
  'Owner',
  'Status',
  'Due Date',
  'Verification Method',
  'Residual Risk',
  'Linked Ticket',
  'Rationale',
] as const;

export function exportCsv(model: ThreatModel): string {
  const rows: string[][] = [[...CSV_EXPORT_HEADERS]];
  for (const t of model.threats) {
    for (const target of t.targets) {
      rows.push([
        t.id,
        t.title,
        t.stride.map((s) => STRIDE_NAME[s]).join(', '),
        target,
        t.description ?? '',
        t.cvss?.vector ?? '',
        t.cvss?.score === undefined ? '' : t.cvss.score.toFixed(1),
        t.severity ?? '',
        (t.strategy ?? []).join(', '),
        t.mitigation ?? '',
        (t.owner ?? []).join(', '),
        t.status,
        t.due ?? '',
        t.verification ?? '',
        t.residual_risk ?? '',
        (t.refs ?? []).join(' '),
        t.rationale ?? '',
      ]);
    }
  }
  // CRLF, as RFC 4180 and Excel write it.
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
