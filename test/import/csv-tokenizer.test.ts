import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCsvBytes, detectDelimiter, parseCsv, type Delimiter } from '../../src/import/csv/csv.ts';

/**
 * RFC 4180 writer: quote a cell holding a quote, a line break or any of `quoteAlso`, and one
 * starting with U+FEFF (unquoted at the start of a file, that is a byte order mark).
 */
function writeCsv(rows: string[][], delimiter: Delimiter, eol: string, quoteAlso: readonly string[] = [delimiter]): string {
  const cell = (c: string) => (/^\uFEFF|["\r\n]/.test(c) || quoteAlso.some((d) => c.includes(d)) ? `"${c.replaceAll('"', '""')}"` : c);
  return rows.map((r) => r.map(cell).join(delimiter) + eol).join('');
}

const text = fc.string({ unit: fc.oneof(fc.constantFrom(',', ';', '\t', '"', '\r', '\n', '\r\n', ' ', '\uFEFF', '↔', 'é'), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })), maxLength: 12 });
const table = fc.array(fc.array(text, { minLength: 1, maxLength: 6 }), { maxLength: 8 });

describe('parseCsv', () => {
  it('reads back any table written as CSV: every delimiter, CRLF / LF / CR, with or without a BOM', () => {
    fc.assert(
      fc.property(table, fc.constantFrom<Delimiter>(',', ';', '\t'), fc.constantFrom('\r\n', '\n', '\r'), fc.boolean(), (rows, delimiter, eol, bom) => {
        const csv = (bom ? '\uFEFF' : '') + writeCsv(rows, delimiter, eol);
        const parsed = parseCsv(csv, { delimiter });
        expect(parsed.ok && parsed.table.rows).toEqual(rows);
      }),
      { numRuns: 500 },
    );
  });

  it('detects the delimiter from the header line when cells holding any delimiter are quoted', () => {
    fc.assert(
      // A header has two columns or more (with one, there is no delimiter to see).
      fc.property(fc.array(text, { minLength: 2, maxLength: 6 }), table, fc.constantFrom<Delimiter>(',', ';', '\t'), (header, body, delimiter) => {
        const rows = [header, ...body];
        const parsed = parseCsv(writeCsv(rows, delimiter, '\r\n', [',', ';', '\t']));
        expect(parsed.ok && parsed.table.rows).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps quoted delimiters, doubled quotes and line breaks in a cell, and records the line each row starts on', () => {
    const parsed = parseCsv('ID,Threat\r\n1,"Leaks, ""secrets""\r\nand more"\r\n2,plain\r\n');
    expect(parsed).toMatchObject({ ok: true, table: { rows: [['ID', 'Threat'], ['1', 'Leaks, "secrets"\r\nand more'], ['2', 'plain']], lines: [1, 2, 4], delimiter: ',' } });
  });

  it('keeps blank lines as rows (row numbers match the sheet) and does not add one for the final line break', () => {
    expect(parseCsv('a\n\nb\n')).toMatchObject({ ok: true, table: { rows: [['a'], [''], ['b']] } });
    expect(parseCsv('a,b')).toMatchObject({ ok: true, table: { rows: [['a', 'b']] } });
    expect(parseCsv('')).toMatchObject({ ok: true, table: { rows: [] } });
    expect(parseCsv('a,\n')).toMatchObject({ ok: true, table: { rows: [['a', '']] } });
  });

  it('reads a quote inside an unquoted cell as a character, and reports text after a closing quote', () => {
    expect(parseCsv('5",x\n')).toMatchObject({ ok: true, table: { rows: [['5"', 'x']], warnings: [] } });
    const parsed = parseCsv('id,t\n1,"a"b,c\n');
    expect(parsed).toMatchObject({ ok: true, table: { rows: [['id', 't'], ['1', 'ab', 'c']] } });
    expect(parsed.ok && parsed.table.warnings).toEqual([expect.objectContaining({ line: 2, column: 6 })]);
  });

  it('reports an unterminated quote at the quote that opened it', () => {
    expect(parseCsv('ID,Threat\n1,ok\n2,"never closed\n3,x\n')).toEqual({
      ok: false,
      problem: { line: 3, column: 3, message: expect.stringContaining('line 3, column 3 is never closed') },
    });
  });

  it('detects ; and tab from the header line, ignoring delimiters inside quotes', () => {
    expect(detectDelimiter('ID;Threat;Owner\n1;a,b;c')).toBe(';');
    expect(detectDelimiter('ID\tThreat\n')).toBe('\t');
    expect(detectDelimiter('"a;b;c",d\n')).toBe(',');
    expect(detectDelimiter('\n\nID;Threat\n')).toBe(';');
    expect(detectDelimiter('ID\n1\n')).toBe(',');
  });
});

describe('decodeCsvBytes', () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

  it('reads UTF-8 with or without a BOM', () => {
    expect(decodeCsvBytes(bytes([0xef, 0xbb, 0xbf], 'ID,Café\n'))).toEqual({ ok: true, text: 'ID,Café\n', encoding: 'utf-8' });
    expect(decodeCsvBytes(bytes('ID,↔\n'))).toEqual({ ok: true, text: 'ID,↔\n', encoding: 'utf-8' });
  });

  it('reads UTF-16 with a BOM (Excel’s "Unicode text")', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ID\tThreat\n', 'utf16le')]);
    expect(decodeCsvBytes(le)).toEqual({ ok: true, text: 'ID\tThreat\n', encoding: 'utf-16le' });
  });

  it('reads bytes that are not UTF-8 as Windows-1252 (Excel’s CSV on Windows)', () => {
    expect(decodeCsvBytes(bytes('ID,Caf', [0xe9], '\n'))).toEqual({ ok: true, text: 'ID,Café\n', encoding: 'windows-1252' });
  });

  it('refuses binary data with the line and column of the first bad byte', () => {
    const result = decodeCsvBytes(bytes('ID,Threat\n1,ok\nab', [0x00, 0x01], 'cd'));
    expect(result).toEqual({ ok: false, problem: { line: 3, column: 3, message: expect.stringMatching(/binary data.*0x00 at line 3, column 3/) } });
  });
});
