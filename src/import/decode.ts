/**
 * Bytes -> text for every import format: UTF-8 (with or without BOM), UTF-16 with a BOM,
 * else Windows-1252; binary data is refused with where it is. Pure.
 */
import { Buffer, isUtf8 } from 'node:buffer';

export interface DecodeProblem {
  message: string;
  /** 1-based physical line and column in the file. */
  line: number;
  column: number;
}

export type DecodedText =
  | { ok: true; text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' }
  | { ok: false; problem: DecodeProblem };

/**
 * Bytes -> text. UTF-8 (with or without BOM) and UTF-16 with a BOM (Excel's "Unicode text")
 * are read as such; other bytes that are not valid UTF-8 but look like text are read as
 * Windows-1252, which is what Excel's plain "CSV" export writes on Windows. NUL bytes and
 * control characters mean the file is not a text export at all.
 */
export function decodeText(bytes: Uint8Array, wording: { what: string; advice: string }): DecodedText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeWith('utf-16le', bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeWith('utf-16be', bytes.subarray(2));
  // Native passes (a 13 MB file in about 15 ms, where a byte loop and a fatal TextDecoder took 80):
  // is it UTF-8, decode, then look for control characters in the text. Below 0x20 a byte is the
  // same character in UTF-8 and in Windows-1252, so the text has one exactly where the bytes do;
  // the byte loop then runs only to say where.
  const utf8 = isUtf8(bytes);
  const text = utf8 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : new TextDecoder('windows-1252').decode(bytes);
  if (CONTROL_CHARACTER.test(text)) {
    const binary = firstBinaryByte(bytes)!;
    const { line, column } = positionOfByte(bytes, binary);
    return {
      ok: false,
      problem: { line, column, message: `this is binary data, not ${wording.what} (byte 0x${bytes[binary]!.toString(16).padStart(2, '0')} at line ${line}, column ${column}); ${wording.advice}` },
    };
  }
  return utf8 ? { ok: true, text: stripBom(text), encoding: 'utf-8' } : { ok: true, text, encoding: 'windows-1252' };
}

/** NUL, or C0 controls other than tab, LF, CR, form feed: no spreadsheet writes them (firstBinaryByte's set). */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000e-\u001f]/;

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

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

