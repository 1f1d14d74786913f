/**
 * Repository config -> validated config with defaults, or findings.
 * `loadConfigText` is for the CLI (the file on disk, with line positions);
 * `validateConfigValue` is for the app, where Probot's loader has already
 * parsed and merged `_extends` (positions then point at the file's start).
 */
import { FILE_START, type Finding } from '../model/findings.ts';
import { parseYamlSource, type YamlSource } from '../model/source.ts';
import { validateWithSchema } from '../model/validate.ts';
import { CONFIG_PATH, ConfigSchema, DEFAULT_CONFIG, type Config } from './schema.ts';

export type LoadedConfig = { ok: true; config: Config } | { ok: false; findings: Finding[] };

export function loadConfigText(text: string | undefined, file = CONFIG_PATH): LoadedConfig {
  if (text === undefined || isBlankYaml(text)) return { ok: true, config: DEFAULT_CONFIG };
  const parsed = parseYamlSource(text, file, { kind: 'config' });
  if (!parsed.ok) return { ok: false, findings: parsed.findings.map((f) => ({ ...f, rule: 'config' })) };
  if (parsed.value === null) return { ok: true, config: DEFAULT_CONFIG };
  return validateConfig(parsed.value, parsed.source);
}

export function validateConfigValue(value: unknown, file = CONFIG_PATH): LoadedConfig {
  if (value === null || value === undefined) return { ok: true, config: DEFAULT_CONFIG };
  const source: YamlSource = { file, text: '', locate: () => ({ start: FILE_START, end: FILE_START }) };
  return validateConfig(value, source);
}

function validateConfig(value: unknown, source: YamlSource): LoadedConfig {
  const validated = validateWithSchema(ConfigSchema, value, source, 'config');
  return validated.ok ? { ok: true, config: validated.value } : { ok: false, findings: validated.findings };
}

/** Only blank lines and comments: an unconfigured repository, not an error. */
function isBlankYaml(text: string): boolean {
  return text.split(/\r?\n/).every((line) => /^\s*(#.*)?$/.test(line));
}
