/**
 * A CycloneDX JSON SBOM -> the components a threat model can link to (by
 * package URL or bom-ref), or findings that say where the file is wrong.
 * Pure: the caller reads the file. The CycloneDX library serializes and
 * validates BOMs but has no JSON reader, so this reads the few fields we use;
 * everything else in the file is left alone.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { Finding } from '../model/findings.ts';
import type { SbomLookup } from '../model/lint/rules.ts';
import { didYouMean, formatPath } from '../model/validate.ts';

/** Far above real SBOMs (a large container image is a few MB), small enough to parse quickly. */
export const MAX_SBOM_BYTES = 32 * 1024 * 1024;
/** Components (nested included) read before giving up: bounds the work a hostile file can cause. */
export const MAX_SBOM_COMPONENTS = 200_000;
const MAX_SUGGESTION_NAMES = 20_000;

export interface SbomComponent {
  /** The component's bom-ref, when the SBOM gives one. */
  bomRef?: string;
  purl?: string;
  name: string;
  version?: string;
  type?: string;
  /** JSON path in the SBOM, for messages. */
  path: string;
}

export interface Sbom extends SbomLookup {
  file: string;
  serialNumber?: string;
  version?: number;
  specVersion: string;
  components: SbomComponent[];
  /** Components a model reference (purl or bom-ref) names: exact bom-ref, exact purl, or a versionless purl. */
  find(ref: string): SbomComponent[];
}

export type ReadSbom = { ok: true; sbom: Sbom } | { ok: false; findings: Finding[] };

const SbomDocumentSchema = z.looseObject({
  bomFormat: z.literal('CycloneDX', { error: 'must be "CycloneDX" (only CycloneDX JSON SBOMs are read)' }),
  specVersion: z.string(),
  serialNumber: z.string().optional(),
  version: z.number().int().optional(),
  metadata: z.looseObject({ component: z.unknown().optional() }).optional(),
  components: z.array(z.unknown()).optional(),
});

const SbomComponentSchema = z.looseObject({
  type: z.string().optional(),
  name: z.string(),
  version: z.string().optional(),
  purl: z.string().optional(),
  'bom-ref': z.string().optional(),
  components: z.array(z.unknown()).optional(),
});

export function readSbom(text: string, file: string): ReadSbom {
  const fail = (message: string, path?: string): ReadSbom => ({
    ok: false,
    findings: [{ rule: 'sbom', level: 'error', message: path ? `${path}: ${message}` : message, file, start: { line: 1, column: 1 } }],
  });
  if (Buffer.byteLength(text, 'utf8') > MAX_SBOM_BYTES) {
    return fail(`the SBOM is larger than ${MAX_SBOM_BYTES / 1024 / 1024} MB`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const finding = jsonSyntaxFinding(text, file, (error as Error).message);
    return { ok: false, findings: [finding] };
  }
  const document = SbomDocumentSchema.safeParse(value);
  if (!document.success) {
    const issue = document.error.issues[0]!;
    return fail(issue.message, formatPath(issue.path.filter((p): p is string | number => typeof p !== 'symbol')) || '(top level)');
  }
  const components: SbomComponent[] = [];
  // Depth-first with an explicit stack: nesting depth in a hostile file cannot overflow the call stack.
  const stack: { value: unknown; path: string }[] = [];
  const pushAll = (list: readonly unknown[] | undefined, prefix: string) => {
    for (let i = (list?.length ?? 0) - 1; i >= 0; i--) stack.push({ value: list![i], path: `${prefix}[${i}]` });
  };
  pushAll(document.data.components, 'components');
  if (document.data.metadata?.component !== undefined) stack.push({ value: document.data.metadata.component, path: 'metadata.component' });
  while (stack.length > 0) {
    const { value: item, path } = stack.pop()!;
    if (components.length >= MAX_SBOM_COMPONENTS) return fail(`more than ${MAX_SBOM_COMPONENTS.toLocaleString('en-US')} components`);
    const parsed = SbomComponentSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = [path, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('');
      return fail(issue.code === 'invalid_type' && issue.input === undefined ? `is required (${issue.expected})` : issue.message, where);
    }
    const c = parsed.data;
    components.push({
      name: c.name,
      path,
      ...(c['bom-ref'] !== undefined ? { bomRef: c['bom-ref'] } : {}),
      ...(c.purl !== undefined ? { purl: c.purl } : {}),
      ...(c.version !== undefined ? { version: c.version } : {}),
      ...(c.type !== undefined ? { type: c.type } : {}),
    });
    pushAll(c.components, `${path}.components`);
  }
  return { ok: true, sbom: indexSbom(file, document.data, components) };
}

function indexSbom(file: string, document: z.output<typeof SbomDocumentSchema>, components: SbomComponent[]): Sbom {
  const byRef = new Map<string, SbomComponent[]>();
  const add = (key: string, c: SbomComponent) => {
    const list = byRef.get(key);
    if (list) {
      if (!list.includes(c)) list.push(c);
    } else byRef.set(key, [c]);
  };
  for (const c of components) {
    if (c.bomRef !== undefined) add(c.bomRef, c);
    if (c.purl !== undefined) {
      add(purlKey(c.purl), c);
      add(purlKey(c.purl, { versionless: true }), c);
    }
  }
  const find = (ref: string): SbomComponent[] =>
    byRef.get(ref) ?? (isPurl(ref) ? (byRef.get(purlKey(ref, { versionless: !hasVersion(ref) })) ?? []) : []);
  const names = components.flatMap((c) => [c.bomRef, c.purl].filter((r): r is string => r !== undefined));
  return {
    file,
    specVersion: document.specVersion,
    ...(document.serialNumber !== undefined ? { serialNumber: document.serialNumber } : {}),
    ...(document.version !== undefined ? { version: document.version } : {}),
    components,
    find,
    resolves: (ref) => find(ref).length > 0,
    // Beyond this many names a did-you-mean costs more than it helps.
    suggest: (ref) => (names.length <= MAX_SUGGESTION_NAMES ? didYouMean(ref, names) : undefined),
  };
}

export const isPurl = (ref: string) => /^pkg:/i.test(ref);

/**
 * A package URL reduced for comparison: type lower-cased, percent-encoding decoded,
 * qualifiers and subpath dropped, and (versionless) the version too. A narrow reading
 * of the purl spec rather than a parser dependency: we only compare, never build, purls.
 */
function purlKey(purl: string, options: { versionless?: boolean } = {}): string {
  const base = purl.replace(/[?#].*$/, '');
  const slash = base.lastIndexOf('/');
  const at = base.indexOf('@', slash + 1);
  const withoutVersion = at === -1 ? base : base.slice(0, at);
  const version = at === -1 ? '' : base.slice(at);
  const decoded = safeDecode(withoutVersion).replace(/^pkg:([^/]+)/i, (_, type: string) => `pkg:${type.toLowerCase()}`);
  return options.versionless ? `${decoded}@*` : `${decoded}${safeDecode(version)}`;
}

function hasVersion(purl: string): boolean {
  const base = purl.replace(/[?#].*$/, '');
  return base.indexOf('@', base.lastIndexOf('/') + 1) !== -1;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * JSON.parse's reason, at the line and column it names. V8 gives a position for some errors
 * only ("at position N (line L column C)"); otherwise the `yaml` parser, which reads JSON as
 * YAML 1.2 flow and reports positions, is asked where it stops (line 1 when it does not).
 */
function jsonSyntaxFinding(text: string, file: string, message: string): Finding {
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  let start = lineColumn ? { line: Number(lineColumn[1]), column: Number(lineColumn[2]) } : undefined;
  if (!start) {
    const linePos = parseDocument(text, { prettyErrors: true }).errors[0]?.linePos?.[0];
    start = linePos ? { line: linePos.line, column: linePos.col } : { line: 1, column: 1 };
  }
  // Drop V8's position and its quote of the input: the finding carries the position.
  const reason = message
    .replace(/\s*(?:in JSON )?at position \d+(?: \(line \d+ column \d+\))?/, '')
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '');
  return { rule: 'sbom', level: 'error', message: `the SBOM is not valid JSON: ${reason}`, file, start };
}
