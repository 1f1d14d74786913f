/**
 * CSV as spreadsheets export it (RFC 4180 plus what Excel, Numbers, LibreOffice and
 * Google Sheets really write): quoted fields with embedded delimiters, line breaks and
 * doubled quotes; CRLF, LF or CR line ends; a UTF-8 or UTF-16 byte order mark; `,`, `;`
 * or tab as the delimiter, detected from the header line. Pure: bytes or text in,
 * cells (and where each row starts) out; problems are values with a line and column.
 */

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

export type DecodedText =
  | { ok: true; text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' }
  | { ok: false; problem: CsvProblem };

/**
 * Bytes -> text. UTF-8 (with or without BOM) and UTF-16 with a BOM (Excel's "Unicode text")
 * are read as such; other bytes that are not valid UTF-8 but look like text are read as
 * Windows-1252, which is what Excel's plain "CSV" export writes on Windows. NUL bytes and
 * control characters mean the file is not a CSV export at all.
 */
export function decodeCsvBytes(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeWith('utf-16le', bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeWith('utf-16be', bytes.subarray(2));
  const binary = firstBinaryByte(bytes);
  if (binary !== undefined) {
    const { line, column } = positionOfByte(bytes, binary);
    return {
      ok: false,
      problem: { line, column, message: `this is binary data, not a CSV export (byte 0x${bytes[binary]!.toString(16).padStart(2, '0')} at line ${line}, column ${column}); export the sheet as CSV` },
    };
  }
  try {
    return { ok: true, text: stripBom(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)), encoding: 'utf-8' };
  } catch {
    return { ok: true, text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

function decodeWith(encoding: 'utf-16le' | 'utf-16be', bytes: Uint8Array): DecodedText {
  const text = new TextDecoder(encoding).decode(bytes);
  const bad = [...text].findIndex((ch) => ch === '\u0000' || ch === '\uFFFD');
  if (bad >= 0) {
    const { line, column } = positionInText(text, bad);
    return { ok: false, problem: { line, column, message: `the file starts with a ${encoding.toUpperCase()} byte order mark but is not ${encoding.toUpperCase()} text (line ${line}, column ${column})` } };
  }
  return { ok: true, text, encoding };
}

/** NUL, or C0 controls other than tab, LF, CR, form feed: no spreadsheet writes them. */
function firstBinaryByte(bytes: Uint8Array): number | undefined {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return i;
  }
  return undefined;
}

function positionOfByte(bytes: Uint8Array, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

function positionInText(text: string, codePointIndex: number): { line: number; column: number } {
  const before = [...text].slice(0, codePointIndex).join('');
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length, column: [...lines.at(-1)!].length + 1 };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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
