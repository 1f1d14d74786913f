/**
 * YAML text -> plain value plus a way back from a document path to the line
 * and column it came from. Used for the model and for the repository config,
 * so every finding can point at the exact place in the file.
 *
 * Hostile input is refused with a finding, never a throw or a hang: oversized
 * files, binary data, CR line ends, alias bombs, YAML syntax errors, an empty document.
 *
 * Two readers give the same value and the same positions: plain YAML (nearly
 * every model) goes through the fast one (yaml-fast-path.ts, ~10x faster and
 * far leaner); errors, anchors/aliases, tags and unusual layouts go through
 * the `yaml` package, whose messages and alias limit the findings rely on.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, YAMLParseError, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { FILE_START, type Finding, type Position } from './findings.ts';
import { inputSizeFinding, type InputKind } from './limits.ts';
import { parseYamlFast, type FastYaml } from './yaml-fast-path.ts';

/** yaml's guard against "billion laughs": aliases may expand to at most this many nodes. */
const MAX_ALIAS_COUNT = 1000;

export type DocPath = readonly (string | number)[];

export interface Span {
  start: Position;
  end: Position;
}

export interface YamlSource {
  file: string;
  text: string;
  /** Where a value sits; `key: true` points at the mapping key instead (for unknown keys). */
  locate(path: DocPath, options?: { key?: boolean }): Span;
}

export type ParsedYaml =
  | { ok: true; value: unknown; source: YamlSource }
  | { ok: false; findings: Finding[]; source: YamlSource };

export interface ParseOptions {
  /** Try the fast js-yaml reader first (default). Off only to compare the two readers in tests. */
  fastPath?: boolean;
  /** Which size limit applies (INPUT_LIMITS): the model's (default) or the config's. */
  kind?: InputKind;
}

export function parseYamlSource(text: string, file: string, options: ParseOptions = {}): ParsedYaml {
  const lineCounter = new LineCounter();
  const fail = (message: string, rule = 'yaml-syntax', start: Position = FILE_START): ParsedYaml => ({
    ok: false,
    findings: [{ rule, level: 'error', message, file, start }],
    source: blindSource(file, text),
  });

  const tooLarge = inputSizeFinding(options.kind ?? 'model', Buffer.byteLength(text, 'utf8'), file);
  if (tooLarge) return { ok: false, findings: [tooLarge], source: blindSource(file, text) };
  // NUL, or U+FFFD from decoding bytes that are not UTF-8: report the first.
  const binary = /[\u0000\uFFFD]/.exec(text);
  if (binary) {
    const at = binary.index;
    return fail('file is not UTF-8 text (binary data found)', 'yaml-syntax', offsetToPosition(text, at));
  }
  // A CR that does not start a CRLF: `yaml` reads it as text (a cryptic error further on) while
  // editors show a line break. Classic Mac files, or CR CR LF from a file converted twice.
  const loneCr = text.includes('\r') ? /\r(?!\n)/.exec(text) : null;
  if (loneCr) {
    return fail('line ends with a carriage return (CR) not followed by a line feed; save the file with LF or CRLF line ends', 'yaml-syntax', offsetToPosition(text, loneCr.index));
  }
  // Line by line: a single regex over the whole text backtracks exponentially on long blank runs.
  if (text.split('\n').every((line) => /^\s*(?:#.*)?$/.test(line))) {
    return fail('file is empty: expected a YAML mapping starting with `version: 1`');
  }

  // Plain YAML (nearly every model) takes the fast path; anything else is read by `yaml` below.
  const fast = options.fastPath === false ? undefined : parseYamlFast(text);
  if (fast) {
    const source = fastSource(file, text, fast);
    if (fast.duplicateKeys.length === 0) return { ok: true, value: fast.value, source };
    const at = (offset: number) => source.positionOf(offset);
    const errors = fast.duplicateKeys.map((offset) => ({ message: DUPLICATE_KEY_MESSAGE, start: at(offset), end: at(offset + 1) }));
    return { ok: false, source, findings: capSyntaxFindings(errors, file) };
  }

  let doc: Document.Parsed;
  try {
    // `yaml`'s own unique-keys check compares each key with every earlier one (quadratic: ~20 s for
    // 30,000 keys in one mapping); duplicateKeyErrors finds the same duplicates in one pass.
    doc = withPlainEnv(() => parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true, logLevel: 'error' }));
    addDuplicateKeyErrors(doc);
  } catch (error) {
    return fail(`YAML could not be parsed: ${describe(error)}`);
  }
  const source = documentSource(file, text, doc, lineCounter);
  if (doc.errors.length > 0) return { ok: false, source, findings: syntaxFindings(doc, file, lineCounter) };
  if (doc.contents === null) return fail('file is empty: expected a YAML mapping starting with `version: 1`');

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof RangeError ? 'nesting is too deep' : describe(error);
    return fail(`YAML could not be read: ${reason}`, 'yaml-syntax', source.locate([]).start);
  }
  return { ok: true, value, source };
}

/**
 * Runs `read` with `process.env` replaced by a plain copy, restored before returning. `yaml` 2.9's
 * parser reads `process.env.LOG_TOKENS` once per token, and `process.env` is an exotic object that asks
 * the C environment on every read: 320,000 reads for the 0.5 MB file of 40,000 keys in the hostile-input
 * bench, about 7% of its parse. `read` is synchronous, so no other code can observe the swap.
 */
function withPlainEnv<T>(read: () => T): T {
  const env = process.env;
  process.env = { ...env };
  try {
    return read();
  } finally {
    process.env = env;
  }
}

/**
 * The errors `yaml` reports with `uniqueKeys: true` (same message, same position: the second key),
 * found with one hash set per mapping instead of a scan of the earlier keys for every key. Like
 * `yaml`, only scalar keys with the same value are duplicates (`1` and `"1"` are not; NaN never is).
 * The errors join the parser's in document order.
 */
function addDuplicateKeyErrors(doc: Document.Parsed): void {
  const duplicates: YAMLParseError[] = [];
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of (node as YAMLMap).items as Pair[]) {
        pending.push(pair.key, pair.value);
        if (!isScalar(pair.key)) continue;
        const value = pair.key.value;
        if (typeof value === 'number' && Number.isNaN(value)) continue;
        if (seen.has(value)) {
          const at = pair.key.range?.[0] ?? 0;
          duplicates.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', DUPLICATE_KEY_MESSAGE));
        } else {
          seen.add(value);
        }
      }
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(item);
    }
  }
  if (duplicates.length === 0) return;
  duplicates.sort((a, b) => a.pos[0] - b.pos[0]);
  const merged: YAMLParseError[] = [];
  let next = 0;
  for (const error of doc.errors) {
    while (next < duplicates.length && duplicates[next]!.pos[0] <= error.pos[0]) merged.push(duplicates[next++]!);
    merged.push(error);
  }
  merged.push(...duplicates.slice(next));
  doc.errors = merged;
}

/** `yaml`'s message for a duplicate key; the fast reader reports duplicates with the same words. */
const DUPLICATE_KEY_MESSAGE = 'Map keys must be unique';

/** Past the first few, YAML errors are mostly echoes of the first one; a broken file can produce thousands. */
const MAX_SYNTAX_FINDINGS = 20;

function syntaxFindings(doc: Document.Parsed, file: string, lineCounter: LineCounter): Finding[] {
  return capSyntaxFindings(
    doc.errors.map((error) => ({
      start: toPosition(lineCounter, error.pos[0]),
      end: toPosition(lineCounter, error.pos[1]),
      // The parser recurses per nesting level; running out of stack means absurdly deep nesting, not a bug.
      message: /call stack/i.test(error.message) ? 'nesting is too deep to read (thousands of levels)' : firstLine(error.message),
    })),
    file,
  );
}

/** Syntax errors as findings: each place and message once, at most MAX_SYNTAX_FINDINGS and a count of the rest. */
function capSyntaxFindings(errors: readonly { message: string; start: Position; end: Position }[], file: string): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const { message, start, end } of errors) {
    const key = `${start.line}:${start.column}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push({ rule: 'yaml-syntax', level: 'error', message, file, start, end });
  }
  if (findings.length <= MAX_SYNTAX_FINDINGS) return findings;
  const rest = findings.length - MAX_SYNTAX_FINDINGS;
  const next = findings[MAX_SYNTAX_FINDINGS]!;
  return [
    ...findings.slice(0, MAX_SYNTAX_FINDINGS),
    { ...next, message: `${rest} more YAML syntax errors not shown (fix the ones above first; later errors often follow from them)` },
  ];
}

function documentSource(file: string, text: string, doc: Document.Parsed, lineCounter: LineCounter): YamlSource {
  return {
    file,
    text,
    locate(path, options = {}) {
      let node: unknown = doc.contents;
      let keyNode: unknown;
      let lastGood: unknown = node;
      for (const segment of path) {
        node = resolve(doc, node);
        keyNode = undefined;
        if (isMap(node)) {
          const pair = pairOf(node as YAMLMap, String(segment));
          if (!pair) break;
          keyNode = pair.key;
          node = pair.value ?? pair.key;
        } else if (isSeq(node) && typeof segment === 'number') {
          const item = node.items[segment];
          if (item === undefined) break;
          node = item;
        } else {
          break;
        }
        lastGood = node;
      }
      const target = (options.key && keyNode ? keyNode : lastGood) as Node | undefined;
      const range = target?.range;
      if (!range) return { start: FILE_START, end: FILE_START };
      return { start: toPosition(lineCounter, range[0]), end: toPosition(lineCounter, range[1]) };
    },
  };
}

/** Mappings with more entries than this are looked up through a key index rather than scanned. */
const LARGE_MAPPING = 16;
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

/** The first pair whose scalar key reads as `key`: one finding per key of a 30,000-key mapping must not scan it each time. */
function pairOf(map: YAMLMap, key: string): Pair | undefined {
  const matches = (p: unknown): p is Pair => isPair(p) && isScalar(p.key) && String(p.key.value) === key;
  if (map.items.length <= LARGE_MAPPING) return map.items.find(matches);
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    pairIndexes.set(map, index);
  }
  return index.get(key);
}

/** Same answers as documentSource, from the fast path's offsets. */
function fastSource(file: string, text: string, fast: FastYaml): YamlSource & { positionOf(offset: number): Position } {
  let lineStarts: number[] | undefined;
  const position = (offset: number): Position => {
    lineStarts ??= lineStartsOf(text);
    // Last line starting at or before offset.
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low]! + 1 };
  };
  return {
    file,
    text,
    positionOf: position,
    locate(path, options = {}) {
      const [start, end] = fast.locate(path, options.key === true);
      return { start: position(start), end: position(end) };
    },
  };
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) starts.push(nl + 1);
  return starts;
}

function resolve(doc: Document.Parsed, node: unknown): unknown {
  for (let hops = 0; isAlias(node) && hops < 100; hops++) node = node.resolve(doc);
  return node;
}

/** A source whose document could not be built: every path points at the start of the file. */
function blindSource(file: string, text: string): YamlSource {
  return { file, text, locate: () => ({ start: FILE_START, end: FILE_START }) };
}

function toPosition(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

export function offsetToPosition(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function describe(error: unknown): string {
  return firstLine(error instanceof Error ? error.message : String(error));
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
