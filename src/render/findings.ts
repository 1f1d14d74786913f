/**
 * Findings -> text for people, JSON for scripts, SARIF 2.1.0 for GitHub code
 * scanning (`github/codeql-action/upload-sarif`).
 */
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding } from '../model/findings.ts';
import { LINT_RULES } from '../model/lint/index.ts';
import type { ThreatModel } from '../model/schema.ts';

/** `file:line:col severity rule message`, one finding per line. */
export function formatFindingsText(findings: readonly Finding[]): string {
  return findings
    .map((f) => `${f.file}:${f.start.line}:${f.start.column} ${f.level} ${f.rule} ${f.message}`)
    .join('\n');
}

/** `3 errors, 5 warnings in threat-model.yml` */
export function formatFindingsSummary(findings: readonly Finding[], file: string): string {
  const errors = findings.filter((f) => f.level === 'error').length;
  const warnings = findings.length - errors;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${file}`;
}

export function formatFindingsJson(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.level === 'error').length;
  return `${JSON.stringify({ findings, summary: { errors, warnings: findings.length - errors } }, null, 2)}\n`;
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** `model` (when it loaded) lets fingerprints name items by id rather than by their index in a section. */
export function formatFindingsSarif(findings: readonly Finding[], toolVersion: string, model?: ThreatModel): string {
  // Every known rule, then any a finding names that the table does not (so ruleIndex always resolves).
  const ruleIds = [...new Set([...Object.keys(LINT_RULES), ...findings.map((f) => f.rule)])];
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const fingerprints = fingerprintsOf(findings, model);
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'threatloop',
            version: toolVersion,
            semanticVersion: toolVersion,
            rules: ruleIds.map((id) => {
              const info = LINT_RULES[id];
              const description = info?.description ?? id;
              return {
                id,
                name: pascalCase(id),
                shortDescription: { text: description },
                fullDescription: { text: description },
                defaultConfiguration: { level: info?.level ?? 'error' },
                properties: { tags: ['threat-model', ...(info?.checklist ? [`checklist:${info.checklist}`] : [])] },
              };
            }),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ruleIndex.get(f.rule),
          level: f.level,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(f.file),
                region: region(f),
              },
            },
          ],
          partialFingerprints: { 'threatloop/v1': fingerprints.get(f)! },
        })),
        // Finding columns are offsets in JavaScript strings (SARIF's default kind, named for clarity).
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** Code scanning wants repository-relative URIs with forward slashes. */
function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  const uri = file.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  return { uri: encodeURI(uri), uriBaseId: '%SRCROOT%' };
}

function region(f: Finding) {
  const start = { startLine: Math.max(1, f.start.line), startColumn: Math.max(1, f.start.column) };
  const end = f.end;
  // SARIF end columns are exclusive, like the YAML ranges the positions come from; drop empty or reversed spans.
  if (!end || end.line < start.startLine || (end.line === start.startLine && end.column <= start.startColumn)) return start;
  return { ...start, endLine: end.line, endColumn: end.column };
}

const SECTIONS = new Set(['boundaries', 'components', 'flows', 'threats']);

/**
 * One alert per problem for as long as it lasts, as code scanning matches alerts across runs:
 * rule, file, the item by its id (not its index, which moves when an item is added above)
 * and the message with its numbers masked (line numbers, "N days ago", scores change while the
 * problem stays). Identical keys (the same problem twice) are told apart by their order.
 */
function fingerprintsOf(findings: readonly Finding[], model: ThreatModel | undefined): Map<Finding, string> {
  const seen = new Map<string, number>();
  const out = new Map<Finding, string>();
  for (const f of findings) {
    const key = `${f.rule}\0${f.file}\0${where(f, model)}\0${f.message.replace(/\d+/g, '#')}`;
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    out.set(f, createHash('sha256').update(`${key}\0${occurrence}`).digest('hex').slice(0, 32));
  }
  return out;
}

function where(f: Finding, model: ThreatModel | undefined): string {
  if (!f.path) return `${f.start.line}:${f.start.column}`;
  const [section, index, ...rest] = f.path;
  const item = model && typeof section === 'string' && SECTIONS.has(section) && typeof index === 'number'
    ? (model[section as 'threats'] as readonly { id: string }[])[index]
    : undefined;
  return JSON.stringify(item ? [section, { id: item.id }, ...rest] : f.path);
}

function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
