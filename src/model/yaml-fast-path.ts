/**
 * The fast way to read a model: js-yaml's event parser (about 10x faster and
 * far leaner than building a `yaml` Document), plus a compact index from each
 * node to the source range the `yaml` package would give it, so findings point
 * at the same line and column whichever path read the file.
 *
 * It handles the plain YAML a threat model is written in. Anything else makes
 * it step aside (return undefined) and source.ts reads the file with `yaml`,
 * which has the better error messages and the alias-bomb guard:
 *   - any syntax error or nesting deeper than MAX_DEPTH;
 *   - anchors, aliases, tags, directives, more than one document, `<<` keys;
 *   - keys that are not strings once resolved (`1:`, `~:`, `[a]:`), keys over
 *     1024 characters (an error for `yaml`), empty values inside flow
 *     collections, implicit pairs in flow sequences (`[a: 1]`), an empty document;
 *   - a carriage return that is not part of CR LF (js-yaml breaks lines there, `yaml` does not);
 *   - block scalar layouts where `yaml` is stricter than js-yaml, a comment
 *     line indented deeper than the entry it follows at the end of a
 *     collection, and a byte order mark before anything but a block mapping
 *     (`yaml` misreads those).
 * Stepping aside is always correct, only slower.
 *
 * Duplicate keys are the one error it reports itself (`duplicateKeys`, where
 * `yaml` reports "Map keys must be unique"): a file of tens of thousands of
 * keys plus one duplicate would otherwise cost the slow path on purpose. An
 * anchor on a value does not stop that search: the file goes to `yaml` only if
 * no key repeats (with a duplicate it is refused either way, at the same place).
 */
import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, type Event, type ScalarEvent } from 'js-yaml';

/** js-yaml's own default; deeper files go to `yaml`, which reports them. */
const MAX_DEPTH = 100;
/** `yaml` rejects implicit keys longer than this. */
const MAX_IMPLICIT_KEY_LENGTH = 1024;

/** Offsets into the text, as `yaml` gives a node's `range[0]` and `range[1]`. */
export type OffsetSpan = readonly [start: number, end: number];

export interface FastYaml {
  value: unknown;
  /** Offsets of the keys that repeat an earlier key of the same mapping (the second and later ones), in order. */
  duplicateKeys: number[];
  /** Same walk as the `yaml` path: the deepest node the path reaches; `key` points at the last mapping key. */
  locate(path: readonly (string | number)[], key: boolean): OffsetSpan;
}

/**
 * A plain scalar's value under the YAML 1.2 core schema exactly as the `yaml`
 * package resolves it (same patterns, same order, same number parsing), so
 * both readers give equal values: `2026-03-01`, `on` and `yes` stay strings,
 * `1e999` is Infinity, `1_000` and `0b11` are strings.
 */
function resolvePlain(source: string): unknown {
  const first = source.charCodeAt(0);
  // Only these first characters can start a null, bool or number: most scalars return at once.
  if (source !== '' && !'~nNtTfF-+.0123456789'.includes(source[0]!)) return source;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(source)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(source)) return first === 0x74 || first === 0x54;
  if (/^0o[0-7]+$/.test(source)) return parseInt(source.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(source)) return parseInt(source, 10);
  if (/^0x[0-9a-fA-F]+$/.test(source)) return parseInt(source.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(source)) {
    if (source.slice(-3).toLowerCase() === 'nan') return NaN;
    return first === 0x2d ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(source)) return parseFloat(source);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(source)) return parseFloat(source);
  return source;
}

/** Thrown inside the walk when the file needs the `yaml` path; caught below. */
class StepAside extends Error {}

export function parseYamlFast(text: string): FastYaml | undefined {
  // A CR not followed by LF is a line break to js-yaml but not to `yaml` (nor to the
  // line index, which counts LFs): classic Mac files and CR CR LF ones are left to `yaml`.
  if (text.includes('\r') && /\r(?!\n)/.test(text)) return undefined;
  try {
    const { index, value, duplicateKeys } = readEvents(text, parseEvents(text, { maxDepth: MAX_DEPTH }));
    return { value, duplicateKeys, locate: (path, key) => index.locate(path, key) };
  } catch {
    // Syntax errors, duplicate keys, too deep, or a construct left to `yaml` (StepAside).
    return undefined;
  }
}

/** Mappings with more entries than this are looked up through a key index rather than scanned. */
const LARGE_MAPPING = 2 * 16;

/** `kind` of a node; 0 is a scalar. */
const SEQUENCE = 1;
const MAPPING = 2;

/**
 * Ranges of every node by node id (the event's index), `start`/`end` as `yaml`
 * gives range[0]/range[1], and the document's structure, in typed arrays (a
 * 5,000-threat model has ~200,000 nodes): a collection's children are
 * `childCount` ids from `childList[childStart]`, keys and values alternating
 * in a mapping. A key is compared in the text itself unless it had to be
 * decoded (quotes, escapes, folding): those are in `decodedKeys`.
 */
class PositionIndex {
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly kind: Uint8Array;
  readonly childStart: Int32Array;
  readonly childCount: Int32Array;
  childList = new Int32Array(0);
  readonly decodedKeys = new Map<number, string>();
  private readonly keyIndexes = new Map<number, Map<string, number>>();
  root = -1;
  readonly text: string;

  constructor(text: string, size: number) {
    this.text = text;
    this.start = new Int32Array(size);
    this.end = new Int32Array(size);
    this.kind = new Uint8Array(size);
    this.childStart = new Int32Array(size);
    this.childCount = new Int32Array(size);
  }

  locate(path: readonly (string | number)[], wantKey: boolean): OffsetSpan {
    let node = this.root;
    let keyNode = -1;
    let lastGood = node;
    for (const segment of path) {
      keyNode = -1;
      const kind = this.kind[node];
      const first = this.childStart[node]!;
      const count = this.childCount[node]!;
      if (kind === MAPPING) {
        const wanted = String(segment);
        let at: number;
        if (count > LARGE_MAPPING) {
          at = this.keyIndexOf(node).get(wanted) ?? first + count;
        } else {
          at = first;
          while (at < first + count && !this.keyIs(this.childList[at]!, wanted)) at += 2;
        }
        if (at >= first + count) break;
        keyNode = this.childList[at]!;
        node = this.childList[at + 1]!;
      } else if (kind === SEQUENCE && typeof segment === 'number') {
        if (!Number.isInteger(segment) || segment < 0 || segment >= count) break;
        node = this.childList[first + segment]!;
      } else {
        break;
      }
      lastGood = node;
    }
    const target = wantKey && keyNode !== -1 ? keyNode : lastGood;
    return [this.start[target]!, this.end[target]!];
  }

  /**
   * A large mapping's keys -> where each first occurs in childList, built on first use: a finding
   * for each of 30,000 unknown keys would otherwise scan the mapping 30,000 times.
   */
  private keyIndexOf(node: number): Map<string, number> {
    let keys = this.keyIndexes.get(node);
    if (keys) return keys;
    keys = new Map();
    const first = this.childStart[node]!;
    const end = first + this.childCount[node]!;
    for (let at = first; at < end; at += 2) {
      const key = this.childList[at]!;
      const name = this.decodedKeys.get(key) ?? this.text.slice(this.start[key], this.end[key]);
      if (!keys.has(name)) keys.set(name, at);
    }
    this.keyIndexes.set(node, keys);
    return keys;
  }

  private keyIs(key: number, wanted: string): boolean {
    const decoded = this.decodedKeys.get(key);
    if (decoded !== undefined) return decoded === wanted;
    const start = this.start[key]!;
    return this.end[key]! - start === wanted.length && this.text.startsWith(wanted, start);
  }
}

interface Frame {
  id: number;
  kind: 'sequence' | 'mapping';
  flow: boolean;
  /** Children ids so far (keys and values alternating in a mapping). */
  children: number[];
  value: unknown[] | Record<string, unknown>;
  /** Mapping: the key waiting for its value. */
  pendingKey: string;
  /** Mapping: the next child is a key. */
  expectKey: boolean;
  /** `yaml`'s range[2] of the last child: where a block collection ends. */
  lastAfter: number;
  /** The last child was not a block collection (so trailing comments reach this collection first). */
  lastChildIsScalarOrFlow: boolean;
}

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const HASH = 35;

/**
 * One pass over the events builds the value and the positions of every node,
 * reproducing the `yaml` composer's ranges (quotes included, block scalars
 * from their `|`/`>` header, empty values after their indicator, collections
 * to the end of their last entry or closing bracket). Each event is dropped
 * once read, so the event list does not stay whole next to the value.
 */
function readEvents(text: string, events: (Event | undefined)[]): { index: PositionIndex; value: unknown; duplicateKeys: number[] } {
  const index = new PositionIndex(text, events.length);
  const stack: Frame[] = [];
  /** End of the last node seen (or a collection's start): where the next node's indicators begin. */
  let cursor = 0;
  let documents = 0;
  let root: unknown;
  const duplicateKeys: number[] = [];
  /** An anchor on a value was seen: only a duplicate key keeps the file off `yaml`. */
  let anchored = false;

  const childList: number[] = [];
  const attach = (id: number, value: unknown, after: number, child: 'scalar' | 'flow' | 'block'): void => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      if (index.root !== -1) throw new StepAside();
      index.root = id;
      root = value;
      return;
    }
    parent.children.push(id);
    if (Array.isArray(parent.value)) {
      parent.value.push(value);
    } else if (parent.expectKey) {
      // Only string keys: `yaml` and js-yaml stringify others differently.
      if (typeof value !== 'string') throw new StepAside();
      if (Object.hasOwn(parent.value, value)) duplicateKeys.push(index.start[id]!);
      parent.pendingKey = value;
      parent.expectKey = false;
      return;
    } else {
      // `__proto__` must become an own property, as `yaml` makes it.
      Object.defineProperty(parent.value, parent.pendingKey, { value, writable: true, enumerable: true, configurable: true });
      parent.expectKey = true;
    }
    parent.lastAfter = after;
    parent.lastChildIsScalarOrFlow = child !== 'block';
  };

  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    events[i] = undefined;
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        if (++documents > 1 || event.directives.length > 0) throw new StepAside();
        break;
      case EVENT_ID.ALIAS:
        throw new StepAside();
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        if (event.tagStart !== -1) throw new StepAside();
        const flow = event.style === 2;
        const mapping = event.type === EVENT_ID.MAPPING;
        const parent = stack[stack.length - 1];
        if (parent?.kind === 'mapping' && parent.expectKey) throw new StepAside(); // complex key
        anchored ||= event.anchorStart !== -1;
        // `[a: 1]` is a mapping without braces; `yaml` ranges it differently.
        if (flow && text.charCodeAt(event.start) !== (mapping ? 0x7b : 0x5b)) throw new StepAside();
        index.start[i] = event.start;
        index.kind[i] = mapping ? MAPPING : SEQUENCE;
        stack.push({
          id: i,
          kind: mapping ? 'mapping' : 'sequence',
          flow,
          children: [],
          value: mapping ? {} : [],
          pendingKey: '',
          expectKey: mapping,
          lastAfter: event.start,
          lastChildIsScalarOrFlow: false,
        });
        cursor = event.start;
        break;
      }
      case EVENT_ID.SCALAR: {
        const parent = stack[stack.length - 1];
        const isKey = parent?.kind === 'mapping' && parent.expectKey;
        if (event.anchorStart !== -1) {
          if (isKey) throw new StepAside();
          anchored = true;
        }
        const [start, end, after] = scalarRange(text, event, cursor, parent, isKey);
        index.start[i] = start;
        index.end[i] = end;
        const source = getScalarValue(text, event);
        const value = event.style === SCALAR_STYLE.PLAIN ? resolvePlain(source) : source;
        if (isKey) {
          if (end - start > MAX_IMPLICIT_KEY_LENGTH) throw new StepAside();
          if (value === '<<') throw new StepAside(); // a merge key in YAML 1.1; leave the reading to `yaml`
          if (typeof value === 'string' && (!event.fast || event.style !== SCALAR_STYLE.PLAIN)) index.decodedKeys.set(i, value);
        }
        attach(i, value, after, 'scalar');
        cursor = end;
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (!frame) break; // end of the document
        if (frame.kind === 'mapping' && !frame.expectKey) throw new StepAside(); // a key without a value event
        let end: number;
        let after: number;
        if (frame.flow) {
          end = closingBracket(text, cursor, frame) + 1;
          after = lineRest(text, end);
        } else {
          end = after = frame.lastAfter;
          // Comment lines after the last entry stay with this collection unless all of them are
          // indented less than it (then `yaml` hands them to the parent), as the `yaml` parser does.
          const comments = trailingCommentIndents(text, end);
          if (comments.length > 0) {
            const indent = columnOf(text, index.start[frame.id]!);
            // A deeper first comment joins the last value itself: rare, left to `yaml`.
            if (frame.lastChildIsScalarOrFlow && comments[0]! > indent) throw new StepAside();
            if (indent !== 0 && comments.some((c) => c >= indent)) after = skipSeparation(text, end);
          }
        }
        index.end[frame.id] = end;
        index.childStart[frame.id] = childList.length;
        index.childCount[frame.id] = frame.children.length;
        for (const child of frame.children) childList.push(child);
        attach(frame.id, frame.value, after, frame.flow ? 'flow' : 'block');
        cursor = end;
        break;
      }
    }
  }
  if (index.root === -1 || (anchored && duplicateKeys.length === 0)) throw new StepAside();
  index.childList = Int32Array.from(childList);
  // After a byte order mark, `yaml` misreads anything but a block mapping (`- a` is an error there).
  if (text.charCodeAt(0) === 0xfeff && (index.kind[index.root] !== MAPPING || text.charCodeAt(index.start[index.root]!) === 0x7b)) {
    throw new StepAside();
  }
  return { index, value: root, duplicateKeys };
}

/** `yaml`'s [range[0], range[1], range[2]] of a scalar. */
function scalarRange(text: string, event: ScalarEvent, cursor: number, parent: Frame | undefined, isKey: boolean): [number, number, number] {
  if (event.tagStart !== -1) throw new StepAside();
  const flow = parent?.flow === true;
  switch (event.style) {
    case SCALAR_STYLE.PLAIN: {
      if (event.valueStart === -1) {
        // An empty value: `yaml` puts it just after its `:` or `-` and any blanks.
        if (flow || !parent || isKey) throw new StepAside();
        const at = skipBlanks(text, afterIndicator(text, cursor, parent));
        // With comments before the next node, `yaml` stretches the empty value over them.
        const commented = text.charCodeAt(at) === HASH || trailingCommentIndents(text, at).length > 0;
        const after = commented ? skipSeparation(text, at) : at;
        return [at, at, after];
      }
      return [event.valueStart, event.valueEnd, flow ? event.valueEnd : lineRest(text, event.valueEnd)];
    }
    case SCALAR_STYLE.SINGLE_QUOTED:
    case SCALAR_STYLE.DOUBLE_QUOTED: {
      const end = event.valueEnd + 1;
      return [event.valueStart - 1, end, flow ? end : lineRest(text, end)];
    }
    default: {
      const start = blockScalarHeader(text, cursor, parent);
      const end = blockScalarEnd(text, event);
      return [start, end, end];
    }
  }
}

/**
 * Where the empty value of a pair or item sits: after the `:` that follows
 * the key (cursor = key end), or after the `-` of the item (cursor = the
 * sequence start or the end of the previous item).
 */
function afterIndicator(text: string, cursor: number, parent: Frame): number {
  let at: number;
  if (parent.kind === 'mapping') at = skipBlanks(text, cursor);
  else at = parent.children.length === 0 ? cursor : skipSeparation(text, cursor);
  if (text.charCodeAt(at) !== (parent.kind === 'mapping' ? 0x3a : 0x2d)) throw new StepAside();
  return at + 1;
}

/** The `|` or `>` that opens a block scalar: the first character after the separation from the previous node. */
function blockScalarHeader(text: string, cursor: number, parent: Frame | undefined): number {
  let at = cursor;
  for (;;) {
    at = skipSeparation(text, at);
    const ch = text.charCodeAt(at);
    if (ch === 0x7c || ch === 0x3e) return at;
    // the `:` of the pair or `-` of the item (or `?`), then more separation
    if (parent && (ch === 0x3a || ch === 0x2d || ch === 0x3f) && at < text.length) {
      at++;
      continue;
    }
    throw new StepAside();
  }
}

/**
 * Port of the `yaml` lexer's block scalar end: its last newline, less
 * trailing lines that hold no more than the content's indentation in spaces
 * (unless `|+` keeps them).
 */
function blockScalarEnd(text: string, event: ScalarEvent): number {
  const contentStart = event.valueStart;
  let nl = event.valueEnd > 0 && text.charCodeAt(event.valueEnd - 1) === LF ? event.valueEnd - 1 : event.valueEnd;
  if (nl === text.length && event.valueEnd !== text.length) throw new StepAside();
  // Indentation of the first line with content.
  let indent = 0;
  for (let i = contentStart; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === SPACE) indent++;
    else if (ch === LF) indent = 0;
    else if (ch !== CR) break;
  }
  // `yaml` treats spaces-then-tab after the scalar specially; leave those files to it.
  let next = nl + 1;
  while (text.charCodeAt(next) === SPACE) next++;
  if (text.charCodeAt(next) === TAB) throw new StepAside();
  if (event.chomping !== 3) {
    for (;;) {
      let i = nl - 1;
      let ch = text.charCodeAt(i);
      if (ch === CR) ch = text.charCodeAt(--i);
      const lastChar = i;
      while (ch === SPACE) ch = text.charCodeAt(--i);
      if (ch === LF && i >= contentStart && i + 1 + indent > lastChar) nl = i;
      else break;
    }
  }
  // `yaml` is stricter than js-yaml about leading blank lines indented deeper than the content.
  for (let i = contentStart, lineIndent = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === SPACE) lineIndent++;
    else if (ch === LF) {
      if (lineIndent > indent) throw new StepAside();
      lineIndent = 0;
    } else if (ch !== CR) break;
  }
  return Math.min(nl + 1, text.length);
}

/** The `]` or `}` closing a flow collection, after its last entry (cursor). */
function closingBracket(text: string, cursor: number, frame: Frame): number {
  const close = frame.kind === 'mapping' ? 0x7d : 0x5d;
  let at = frame.children.length === 0 ? cursor + 1 : cursor;
  for (;;) {
    at = skipSeparation(text, at);
    const ch = text.charCodeAt(at);
    if (ch === close) return at;
    if (ch === 0x2c && at < text.length) {
      at++;
      continue;
    }
    throw new StepAside();
  }
}

function skipBlanks(text: string, at: number): number {
  let ch = text.charCodeAt(at);
  while (ch === SPACE || ch === TAB) ch = text.charCodeAt(++at);
  return at;
}

/** Skips blanks, line breaks and comments. */
function skipSeparation(text: string, at: number): number {
  for (;;) {
    const ch = text.charCodeAt(at);
    if (ch === SPACE || ch === TAB || ch === LF || ch === CR) at++;
    else if (ch === HASH) at = endOfLine(text, at);
    else return at;
  }
}

/** `yaml`'s range[2] in block context: past trailing blanks, a comment and one line break. */
function lineRest(text: string, at: number): number {
  at = skipBlanks(text, at);
  if (text.charCodeAt(at) === HASH) at = endOfLine(text, at);
  else if (text.charCodeAt(at) === CR && text.charCodeAt(at + 1) === LF) at++;
  return text.charCodeAt(at) === LF ? at + 1 : at;
}

/** Indentations of the comment lines between `at` (the end of a node) and the next node. */
function trailingCommentIndents(text: string, at: number): number[] {
  const indents: number[] = [];
  if (at > 0 && text.charCodeAt(at - 1) !== LF) {
    // Finish the node's own line first.
    at = skipBlanks(text, at);
    if (text.charCodeAt(at) === CR) at++;
    if (text.charCodeAt(at) !== LF) return indents;
    at++;
  }
  for (;;) {
    const lineStart = at;
    at = skipBlanks(text, at);
    let ch = text.charCodeAt(at);
    if (ch === HASH) {
      indents.push(at - lineStart);
      at = endOfLine(text, at);
      ch = text.charCodeAt(at);
    }
    if (ch === CR) ch = text.charCodeAt(++at);
    if (ch !== LF) return indents;
    at++;
  }
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

function endOfLine(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  return nl === -1 ? text.length : nl;
}
