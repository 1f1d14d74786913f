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

/**
 * A repository config as read for a model: `found` false when there is none (defaults apply), `file`
 * the path it was read from, `source` its YAML when read from text (positions for `lint.rules`).
 */
export type ConfigRead = ({ ok: true; config: Config; source?: YamlSource } | { ok: false; findings: Finding[] }) & { found: boolean; file: string };

/** The config file's text (undefined: no file) as a `ConfigRead`. */
export function readConfigText(text: string | undefined, file = CONFIG_PATH): ConfigRead {
  const loaded = loadConfigText(text, file);
  const found = text !== undefined;
  if (!loaded.ok || text === undefined) return { ...loaded, found, file };
  const parsed = parseYamlSource(text, file);
  return { ...loaded, found, file, ...(parsed.ok ? { source: parsed.source } : {}) };
}

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
