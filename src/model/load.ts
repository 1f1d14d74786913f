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
          message: `the model must be a YAML mapping with \`version: 1\`, not ${Array.isArray(value) ? 'a list' : typeof value}`,
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
