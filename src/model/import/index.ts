/**
 * `threatloop import`: a spreadsheet's CSV export -> a threat model. Bytes in, the model
 * (as data, then as YAML text) and a report out; the command only reads and writes files.
 */
import { decodeCsvBytes, parseCsv, type DecodedText } from './csv.ts';
import { rowsToModel, type ImportNote, type ImportOptions, type ImportResult } from './to-model.ts';

export { MAX_CSV_BYTES } from './csv.ts';
export type { ExistingModel, ImportNote, ImportOptions, ImportResult } from './to-model.ts';
export { formatImportedModel, mergeIntoModelText, readExistingModel } from './write.ts';

export type CsvImport =
  | { ok: true; result: ImportResult; encoding: Extract<DecodedText, { ok: true }>['encoding'] }
  | { ok: false; message: string };

export function importCsv(bytes: Uint8Array, options: ImportOptions): CsvImport {
  if (bytes.length === 0) return { ok: false, message: `${options.file} is empty` };
  const decoded = decodeCsvBytes(bytes);
  if (!decoded.ok) return { ok: false, message: `${options.file}:${decoded.problem.line}:${decoded.problem.column}: ${decoded.problem.message}` };
  const parsed = parseCsv(decoded.text);
  if (!parsed.ok) return { ok: false, message: `${options.file}:${parsed.problem.line}:${parsed.problem.column}: ${parsed.problem.message}` };
  const outcome = rowsToModel(parsed.table, options);
  if (!outcome.ok) return { ok: false, message: `${options.file}${outcome.row ? ` row ${outcome.row}` : ''}: ${outcome.message}` };
  const { table } = parsed;
  // Irregular quoting is reported on the sheet row it is in.
  const quoting: ImportNote[] = table.warnings.map((w) => ({ kind: 'problem', row: rowAtLine(table.lines, w.line), message: w.message }));
  const encodingNote: ImportNote[] =
    decoded.encoding === 'windows-1252'
      ? [{ kind: 'review', message: 'the file is not UTF-8; it was read as Windows-1252 (Excel’s CSV on Windows): check accented characters, or export as "CSV UTF-8"' }]
      : [];
  const result = { ...outcome.result, notes: [...encodingNote, ...quoting, ...outcome.result.notes] };
  return { ok: true, result, encoding: decoded.encoding };
}

function rowAtLine(lines: readonly number[], line: number): number {
  let row = 1;
  for (let i = 0; i < lines.length && lines[i]! <= line; i++) row = i + 1;
  return row;
}
