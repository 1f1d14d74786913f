/**
 * CSV as spreadsheets export it (RFC 4180 plus what Excel, Numbers, LibreOffice and
 * Google Sheets really write): quoted fields with embedded delimiters, line breaks and
 * doubled quotes; CRLF, LF or CR line ends; a UTF-8 or UTF-16 byte order mark; `,`, `;`
 * or tab as the delimiter, detected from the header line. Pure: bytes or text in,
 * cells (and where each row starts) out; problems are values with a line and column.
 *
 * Why not csv-parse (installed): it either rejects or silently accepts text after a closing
 * quote (`relax_quotes`), while this reader keeps it and reports the cell, so a person checks
 * it; and the import needs the physical line of every record and of an unterminated quote's
 * opening, which csv-parse gives only for the record it fails on. Encodings and `;`/tab
 * detection would stay ours either way.
 */

import { decodeText, stripBom, type DecodedText } from '../decode.ts';

export type Delimiter = ',' | ';' | '\t';
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

/** Exports of a threat register are kilobytes; refuse before reading anything this large. */
export const MAX_CSV_BYTES = 8 * 1024 * 1024;

export interface CsvProblem {
  message: string;
  /** 1-based physical line and column in the file. */
  line: number;
  column: number;
}

export interface CsvTable {
  /** Records as the spreadsheet had them: row i of the sheet is rows[i - 1]. */
  rows: string[][];
  /** Physical line on which each record starts (differs from its row when a cell holds a line break). */
  lines: number[];
  delimiter: Delimiter;
  /** Tolerated irregularities (text after a closing quote), reported so a person can check the cell. */
  warnings: CsvProblem[];
}

export type CsvResult = { ok: true; table: CsvTable } | { ok: false; problem: CsvProblem };

export type { DecodedText } from '../decode.ts';

/** Bytes -> text, with the messages of a CSV export (see decodeText). */
export function decodeCsvBytes(bytes: Uint8Array): DecodedText {
  return decodeText(bytes, { what: 'a CSV export', advice: 'export the sheet as CSV' });
}

/**
 * The delimiter of the first non-blank line: whichever of `,` `;` tab occurs most often
 * outside quotes (a comma on a tie or when none occurs: a one-column sheet).
 */
export function detectDelimiter(text: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  let seenContent = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (seenContent) break;
    } else if (!inQuotes && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, counts.get(ch as Delimiter)! + 1);
    if (ch !== '\n' && ch !== '\r') seenContent = true;
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/**
 * Text -> records. A final line break ends the last record (it does not start an empty
 * one); every other line, blank ones included, is a record, so row numbers match the sheet.
 * A quote inside an unquoted field is kept as a character; text after a closing quote is
 * kept and reported. An unterminated quote is an error at the quote that opened it.
 */
export function parseCsv(input: string, options: { delimiter?: Delimiter } = {}): CsvResult {
  const text = stripBom(input);
  const delimiter = options.delimiter ?? detectDelimiter(text);
  const rows: string[][] = [];
  const lines: number[] = [];
  const warnings: CsvProblem[] = [];
  let row: string[] = [];
  let field = '';
  let line = 1;
  let lineStart = 0;
  let rowLine = 1;
  let i = 0;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    lines.push(rowLine);
    row = [];
    field = '';
  };
  const newline = (at: number): number => {
    // CRLF, LF or a lone CR: one line break. Returns the index after it.
    const next = text[at] === '\r' && text[at + 1] === '\n' ? at + 2 : at + 1;
    line++;
    lineStart = next;
    return next;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' && field === '') {
      // A quoted field (a quote that starts the field; anywhere else it is a plain character).
      const openLine = line;
      const openColumn = i - lineStart + 1;
      i++;
      for (;;) {
        if (i >= text.length) {
          return {
            ok: false,
            problem: { line: openLine, column: openColumn, message: `a quoted cell opened at line ${openLine}, column ${openColumn} is never closed (a missing or unescaped ")` },
          };
        }
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\r' || c === '\n') {
          const next = newline(i);
          field += text.slice(i, next);
          i = next;
          continue;
        }
        field += c;
        i++;
      }
      // After the closing quote: a delimiter, a line break or the end; anything else is kept, and reported.
      if (i < text.length && text[i] !== delimiter && text[i] !== '\r' && text[i] !== '\n') {
        warnings.push({ line, column: i - lineStart + 1, message: `text after a closing quote at line ${line}, column ${i - lineStart + 1} was kept as part of the cell` });
        // Mark the field non-empty so a quote in the trailing text is read as a character.
        while (i < text.length && text[i] !== delimiter && text[i] !== '\r' && text[i] !== '\n') field += text[i++]!;
      }
      continue;
    }
    if (ch === delimiter) {
      row.push(field);
      field = '';
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRow();
      i = newline(i);
      rowLine = line;
      continue;
    }
    field += ch;
    i++;
  }
  // The last record, unless the text ended with its line break (or was empty).
  if (row.length > 0 || field !== '' || (text.length > 0 && !/[\r\n]$/.test(text))) endRow();
  return { ok: true, table: { rows, lines, delimiter, warnings } };
}
