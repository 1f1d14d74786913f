/**
 * Model text -> validated, normalised model (or findings saying where it is wrong).
 * Pure: reading the file from disk or from GitHub is the caller's job.
 */
import type { Finding } from './findings.ts';
import { ThreatModelSchema, type ThreatModel } from './schema.ts';
import { parseYamlSource, type YamlSource } from './source.ts';
import { validateWithSchema } from './validate.ts';

export type LoadedModel =
  | { ok: true; model: ThreatModel; source: YamlSource }
  | { ok: false; findings: Finding[]; source: YamlSource };

export function loadModel(text: string, file: string): LoadedModel {
  const parsed = parseYamlSource(text, file);
  if (!parsed.ok) return parsed;
  const { value, source } = parsed;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      source,
      findings: [
        {
          rule: 'schema',
          level: 'error',
          message: `the model must be a YAML mapping with \`version: 1\`, not ${describeTopLevel(value)}`,
          file,
          start: source.locate([]).start,
        },
      ],
    };
  }
  const validated = validateWithSchema(ThreatModelSchema, value, source);
  if (!validated.ok) return { ok: false, findings: validated.findings, source };
  return { ok: true, model: validated.value, source };
}

function describeTopLevel(value: unknown): string {
  if (value === null) return 'an empty document (null)';
  if (Array.isArray(value)) return 'a list';
  return `${typeof value === 'string' ? 'a string' : `a ${typeof value}`} (${JSON.stringify(value).slice(0, 40)})`;
}
