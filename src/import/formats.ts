/**
 * Which tool wrote a file, told by its content (never by its extension), and the one entry
 * that reads any of them: bytes in, an import result or a message that says where out.
 * Threat Dragon, threat-composer, pytm and Threagile's risks.json are JSON told apart by
 * their top-level keys; a .tm7 is XML with a `ThreatModel` root; a Threagile model is YAML
 * with `threagile_version` or `technical_assets`; OTM has `otmVersion`; anything else is
 * taken for a CSV sheet.
 */
import { parseDocument } from 'yaml';
import type { ExistingModel, ImportResult } from '../model/import/to-model.ts';
import { buildImport } from './build.ts';
import { looksLikePytm, readPytm } from './pytm/index.ts';
import { FORMAT_TITLES, isRecord, type FormatName, type SourceRead } from './source.ts';
import { looksLikeThreagileModel, looksLikeThreagileRisks, readThreagileModel, readThreagileRisks } from './threagile/index.ts';
import { looksLikeThreatComposer, readThreatComposer } from './threat-composer/index.ts';
import { looksLikeThreatDragon, readThreatDragon } from './threat-dragon/index.ts';
import { MAX_TM7_BYTES, parseTm7, readTm7, xmlRoot } from './tm7/index.ts';

export type DetectedFormat = FormatName | 'otm' | 'csv';
export const FROM_CHOICES = ['auto', 'csv', 'otm', ...(['threat-dragon', 'tm7', 'threat-composer', 'threagile', 'pytm'] as const)] as const;

/** JSON exports (threat-composer may embed diagrams as base64 images). */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;
/** A Threagile model is a hand-written YAML file: a few hundred kilobytes. */
export const MAX_YAML_BYTES = 8 * 1024 * 1024;
export { MAX_TM7_BYTES };

type Decoded = { ok: true; text: string } | { ok: false; message: string };

function decode(bytes: Uint8Array): Decoded {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return { ok: true, text: new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2)) };
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return { ok: true, text: new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2)) };
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    return { ok: false, message: 'the file is not UTF-8 or UTF-16 text' };
  }
}

/** Line and column of a character offset. */
function lineColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return `${line}:${offset - start + 1}`;
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const atEnd = !position || Number(position[1]) >= text.trimEnd().length - 1;
    if (atEnd) return { ok: false, message: `${lineColumn(text, text.trimEnd().length)}: the JSON ends in the middle of a value: the file is truncated` };
    if (position) return { ok: false, message: `${lineColumn(text, Number(position[1]))}: not valid JSON (${message.replace(/ in JSON at position.*$/, '').replace(/^Unexpected token/, 'unexpected token')})` };
    return { ok: false, message: `not valid JSON (${message})` };
  }
}

function parseYaml(text: string): Parsed {
  const doc = parseDocument(text, { merge: true, prettyErrors: true, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const where = error.linePos?.[0] ? `${error.linePos[0].line}:${error.linePos[0].col}` : '';
    return { ok: false, message: `${where ? `${where}: ` : ''}not valid YAML (${error.message.split('\n')[0]})` };
  }
  try {
    // Aliases are bounded: a YAML "billion laughs" is refused, not expanded.
    return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }) };
  } catch (error) {
    return { ok: false, message: `cannot be read (${error instanceof Error ? error.message : String(error)})` };
  }
}

export type Detection =
  | { ok: true; format: DetectedFormat; because: string; text?: string; value?: unknown }
  | { ok: false; message: string };

function firstChar(text: string): string {
  for (let i = 0; i < text.length && i < 4096; i++) {
    const ch = text[i]!;
    if (ch !== ' ' && ch !== '\n' && ch !== '\r' && ch !== '\t' && ch !== '\ufeff') return ch;
  }
  return '';
}

/** What the content is. JSON and YAML are parsed once here and handed on. */
export function detect(bytes: Uint8Array): Detection {
  const decoded = decode(bytes);
  if (!decoded.ok) return { ok: true, format: 'csv', because: 'it is not UTF-8 or UTF-16 text (a spreadsheet export in another encoding?)' };
  const text = decoded.text;
  const first = firstChar(text);
  if (first === '<') {
    const root = xmlRoot(text);
    if (root && 'name' in root && root.name === 'ThreatModel') return { ok: true, format: 'tm7', because: 'XML with a <ThreatModel> root', text };
    if (root && 'doctype' in root) return { ok: true, format: 'tm7', because: 'XML with a DOCTYPE', text };
    return { ok: false, message: `XML with a <${root && 'name' in root ? root.name : '?'}> root is not a format threatloop imports (a Threat Modeling Tool file has <ThreatModel>)` };
  }
  if (first === '{' || first === '[') {
    const parsed = parseJson(text);
    if (!parsed.ok) return { ok: false, message: parsed.message };
    return classify(parsed.value, 'JSON', text);
  }
  // YAML, or a CSV sheet: a sheet parses as YAML too (one string), so only a mapping with the
  // keys of a known format counts.
  if (bytes.length <= MAX_YAML_BYTES && (text.includes('threagile_version') || text.includes('technical_assets') || text.includes('otmVersion'))) {
    const parsed = parseYaml(text);
    if (parsed.ok && isRecord(parsed.value)) {
      const known = classify(parsed.value, 'YAML', text);
      if (known.ok && known.format !== 'csv') return known;
    }
    if (!parsed.ok && (text.includes('threagile_version:') || text.includes('otmVersion:'))) return { ok: false, message: parsed.message };
  }
  return { ok: true, format: 'csv', because: 'not JSON, XML or a known YAML model' };
}

function classify(value: unknown, syntax: 'JSON' | 'YAML', text: string): Detection {
  if (isRecord(value) && 'otmVersion' in value) return { ok: true, format: 'otm', because: `${syntax} with otmVersion`, value, text };
  if (looksLikeThreatDragon(value)) return { ok: true, format: 'threat-dragon', because: `${syntax} with summary and detail.diagrams`, value, text };
  if (looksLikeThreatComposer(value)) return { ok: true, format: 'threat-composer', because: `${syntax} with a schema number and threats`, value, text };
  if (looksLikePytm(value)) return { ok: true, format: 'pytm', because: `${syntax} with findings, flows and elements`, value, text };
  if (looksLikeThreagileModel(value)) return { ok: true, format: 'threagile', because: `${syntax} with threagile_version or technical_assets`, value, text };
  if (looksLikeThreagileRisks(value)) return { ok: true, format: 'threagile', because: `${syntax} list of risks with synthetic_id (Threagile's risks.json)`, value, text };
  if (Array.isArray(value) && value.length === 0) return { ok: false, message: `an empty ${syntax} list: nothing to import` };
  const keys = isRecord(value) ? Object.keys(value).slice(0, 6).map((k) => `"${k}"`).join(', ') : Array.isArray(value) ? 'a list' : typeof value;
  return {
    ok: false,
    message: `${syntax} that no supported tool writes (top level: ${keys || 'empty'}); threatloop imports ${Object.values(FORMAT_TITLES).join(', ')}, OTM and CSV`,
  };
}

function limitFor(format: DetectedFormat): number {
  return format === 'tm7' ? MAX_TM7_BYTES : format === 'threagile' ? MAX_JSON_BYTES : MAX_JSON_BYTES;
}

export type FormatImport =
  | { ok: true; format: FormatName; because: string; result: ImportResult }
  | { ok: false; message: string }
  | { ok: 'other'; format: 'otm' | 'csv'; because: string };

export interface FormatImportOptions {
  file: string;
  from?: (typeof FROM_CHOICES)[number];
  systemName?: string;
  existing?: ExistingModel;
}

/** The size limit of a format, checked by the caller before reading the file. */
export const MAX_IMPORT_BYTES = Math.max(MAX_TM7_BYTES, MAX_JSON_BYTES);

/**
 * Reads one of the five tool formats. CSV and OTM are answered with `ok: 'other'`, for the
 * caller's own importers. `from` forces a format and says so when the content disagrees.
 */
export function importFormat(bytes: Uint8Array, options: FormatImportOptions): FormatImport {
  const fail = (message: string): FormatImport => ({ ok: false, message: `${options.file}: ${message}` });
  if (bytes.length === 0) return { ok: false, message: `${options.file} is empty` };
  const detected = detect(bytes);
  if (!detected.ok) return fail(detected.message);
  const from = options.from ?? 'auto';
  if (from !== 'auto' && from !== detected.format) {
    const what = detected.format === 'csv' ? 'no format threatloop knows' : `${detected.format === 'otm' ? 'OTM' : FORMAT_TITLES[detected.format]} (${detected.because})`;
    return fail(`--from ${from}, but the content is ${what}; pass --from ${detected.format === 'csv' ? 'csv' : detected.format} or leave --from out`);
  }
  if (detected.format === 'otm' || detected.format === 'csv') return { ok: 'other', format: detected.format, because: detected.because };
  if (bytes.length > limitFor(detected.format)) return fail(`${(bytes.length / 1024 / 1024).toFixed(1)} MB is over the ${limitFor(detected.format) / 1024 / 1024} MB limit for ${FORMAT_TITLES[detected.format]}`);
  let read: SourceRead;
  switch (detected.format) {
    case 'tm7': {
      const parsed = parseTm7(detected.text!);
      read = parsed.ok ? readTm7(parsed.model) : { ok: false, message: parsed.message };
      break;
    }
    case 'threat-dragon':
      read = readThreatDragon(detected.value);
      break;
    case 'threat-composer':
      read = readThreatComposer(detected.value);
      break;
    case 'pytm':
      read = readPytm(detected.value);
      break;
    case 'threagile':
      read = Array.isArray(detected.value) ? readThreagileRisks(detected.value) : readThreagileModel(detected.value);
      break;
  }
  if (!read.ok) return fail(`${read.where && !read.message.includes(read.where) ? `${read.where}: ` : ''}${read.message}`);
  const result = buildImport(read.source, {
    file: options.file,
    ...(options.systemName !== undefined ? { systemName: options.systemName } : {}),
    ...(options.existing ? { existing: options.existing } : {}),
  });
  return { ok: true, format: detected.format, because: detected.because, result };
}
