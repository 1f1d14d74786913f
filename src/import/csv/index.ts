/**
 * CSV, the first format on the seam: a spreadsheet's export of a threat table (a header row,
 * then one threat per row).
 */
import type { ImportFormat, ImportNote, ImportOptions, ImportOutcome, ImportResult } from '../types.ts';
import { findHeaderRow } from './columns.ts';
import { decodeCsvBytes, detectDelimiter, MAX_CSV_BYTES, parseCsv, type DecodedText } from './csv.ts';
import { rowsToModel } from './to-model.ts';

export { MAX_CSV_BYTES } from './csv.ts';

/** How many characters detection looks at: a header sits in the first rows. */
const DETECT_CHARS = 64 * 1024;

export const csvFormat: ImportFormat = {
  id: 'csv',
  name: 'CSV',
  extensions: ['.csv', '.tsv', '.txt'],
  maxBytes: MAX_CSV_BYTES,
  detect(text) {
    const head = text.slice(0, DETECT_CHARS);
    const first = head.trimStart()[0];
    // JSON, XML and YAML documents start with these; a sheet's first cell rarely does.
    if (first === '{' || first === '[' || first === '<' || /^\s*(?:---\s*$|[A-Za-z_]+:\s)/m.test(head.split(/\r?\n/, 1)[0] ?? '')) return 0;
    // Cut at the last line break so a half row does not read as an unterminated quote.
    const cut = head.length < text.length ? head.slice(0, Math.max(head.lastIndexOf('\n'), 0)) : head;
    const parsed = parseCsv(cut, { delimiter: detectDelimiter(cut) });
    if (!parsed.ok) return 0.2;
    if (findHeaderRow(parsed.table.rows) !== undefined) return 0.9;
    // Cells in rows, but no header we know: still most likely a sheet (the import says what is missing).
    return parsed.table.rows.some((row) => row.length > 1) ? 0.3 : 0.05;
  },
  parse(text, options) {
    return parseCsvText(text, options);
  },
};

function parseCsvText(text: string, options: ImportOptions): ImportOutcome {
  const parsed = parseCsv(text);
  if (!parsed.ok) return { ok: false, message: `${options.file}:${parsed.problem.line}:${parsed.problem.column}: ${parsed.problem.message}` };
  const outcome = rowsToModel(parsed.table, options);
  if (!outcome.ok) return { ok: false, message: `${options.file}${outcome.row ? ` row ${outcome.row}` : ''}: ${outcome.message}` };
  const { table } = parsed;
  // Irregular quoting is reported on the sheet row it is in.
  const quoting: ImportNote[] = table.warnings.map((w) => ({ kind: 'problem', row: rowAtLine(table.lines, w.line), message: w.message }));
  return { ok: true, result: { ...outcome.result, notes: [...quoting, ...outcome.result.notes] } };
}

export type CsvImport =
  | { ok: true; result: ImportResult; encoding: Extract<DecodedText, { ok: true }>['encoding'] }
  | { ok: false; message: string };

/** Bytes of a CSV file -> the import (the CSV format without detection). */
export function importCsv(bytes: Uint8Array, options: ImportOptions): CsvImport {
  if (bytes.length === 0) return { ok: false, message: `${options.file} is empty` };
  const decoded = decodeCsvBytes(bytes);
  if (!decoded.ok) return { ok: false, message: `${options.file}:${decoded.problem.line}:${decoded.problem.column}: ${decoded.problem.message}` };
  const outcome = parseCsvText(decoded.text, options);
  if (!outcome.ok) return outcome;
  const result = { ...outcome.result, notes: [...encodingNotes(decoded.encoding), ...outcome.result.notes] };
  return { ok: true, result, encoding: decoded.encoding };
}

/** A file read as Windows-1252 is worth a look at its accented characters. */
export function encodingNotes(encoding: Extract<DecodedText, { ok: true }>['encoding']): ImportNote[] {
  return encoding === 'windows-1252'
    ? [{ kind: 'review', message: 'the file is not UTF-8; it was read as Windows-1252 (Excel’s CSV on Windows): check accented characters, or export as "CSV UTF-8"' }]
    : [];
}

function rowAtLine(lines: readonly number[], line: number): number {
  let row = 1;
  for (let i = 0; i < lines.length && lines[i]! <= line; i++) row = i + 1;
  return row;
}
