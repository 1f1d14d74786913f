/**
 * `threatloop import`: a model another tool (or a spreadsheet) holds -> a threat model.
 * Bytes in, the model (as data, then as YAML text) and a report out; the command only
 * reads and writes files. See README.md beside this file for how to add a format.
 */
import { encodingNotes } from './csv/index.ts';
import { decodeText } from './decode.ts';
import { detectFormat, formatById, FORMATS } from './registry.ts';
import type { ImportFormat, ImportOptions, ImportResult } from './types.ts';

export { importCsv, MAX_CSV_BYTES } from './csv/index.ts';
export { detectFormat, formatByExtension, formatById, FORMATS, largestMaxBytes } from './registry.ts';
export { ImportBuilder } from './builder.ts';
export type { ExistingModel, FormatId, ImportFormat, ImportNote, ImportOptions, ImportOutcome, ImportResult, SourcePlace } from './types.ts';
export { FORMAT_IDS } from './types.ts';
export { formatImportedModel, mergeIntoModelText, readExistingModel } from './write.ts';

export type SourceImport =
  | { ok: true; result: ImportResult; format: ImportFormat; detected: boolean }
  | { ok: false; message: string; format?: ImportFormat };

/**
 * Bytes of a file -> the import, in the format named (`from`) or the one its content shows
 * (`auto`). The size limit is the command's to check before reading; a format's own smaller
 * limit is checked here, once the format is known.
 */
export function importSource(bytes: Uint8Array, from: string, options: ImportOptions): SourceImport {
  const file = options.file;
  if (bytes.length === 0) return { ok: false, message: `${file} is empty` };
  const named = from === 'auto' ? undefined : formatById(from);
  if (from !== 'auto' && !named) return { ok: false, message: `unknown format "${from}" (auto, ${FORMATS.map((f) => f.id).join(', ')})` };
  const csvLike = named?.id === 'csv' || (named === undefined && /\.(csv|tsv|txt)$/i.test(file));
  const decoded = decodeText(
    bytes,
    csvLike ? { what: 'a CSV export', advice: 'export the sheet as CSV' } : { what: `a ${named?.name ?? 'threat model'} file`, advice: 'is it the file you meant?' },
  );
  if (!decoded.ok) return { ok: false, message: `${file}:${decoded.problem.line}:${decoded.problem.column}: ${decoded.problem.message}` };
  let format = named;
  if (!format) {
    const detection = detectFormat(decoded.text);
    if (!detection.ok) return { ok: false, message: `${file}: ${detection.message}` };
    format = detection.format;
  }
  if (bytes.length > format.maxBytes) {
    return { ok: false, format, message: `${file} is ${megabytes(bytes.length)}; the limit for ${format.name} is ${megabytes(format.maxBytes)}` };
  }
  const outcome = format.parse(decoded.text, options);
  if (!outcome.ok) return { ok: false, format, message: outcome.message };
  const result = { ...outcome.result, notes: [...encodingNotes(decoded.encoding), ...outcome.result.notes] };
  return { ok: true, result, format, detected: named === undefined };
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
