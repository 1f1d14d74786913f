/**
 * JSON and YAML text of the tool formats (OTM, Threat Dragon, threat-composer, Threagile, pytm)
 * -> a value, or a message with `file:line:column` that says what is wrong (a JSON that stops
 * early is reported as truncated). YAML aliases are bounded, so an alias bomb is refused, not
 * expanded.
 */
import { parseDocument } from 'yaml';

export type StructuredText = { ok: true; value: unknown } | { ok: false; message: string };

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

export function readJson(text: string, file: string): StructuredText {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const end = text.trimEnd().length;
    if (!position || Number(position[1]) >= end - 1) return { ok: false, message: `${file}:${lineColumn(text, end)}: the JSON ends in the middle of a value: the file is truncated` };
    return { ok: false, message: `${file}:${lineColumn(text, Number(position[1]))}: not valid JSON (${message.replace(/ in JSON at position.*$/, '')})` };
  }
}

/** `merge`: read YAML 1.1 merge keys (`<<: *customer-contracts`), as Threagile models use them. */
export function readYaml(text: string, file: string, options: { merge?: boolean } = {}): StructuredText {
  const doc = parseDocument(text, { merge: options.merge ?? false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const pos = error.linePos?.[0];
    return { ok: false, message: `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML (${error.message.split('\n')[0]})` };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }) };
  } catch (error) {
    return { ok: false, message: `${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The first 64 KB: what detectors look at (cheap on a 30 MB file). */
export function head(text: string): string {
  return text.slice(0, 64 * 1024);
}
