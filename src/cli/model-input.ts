/**
 * What the commands that read a model share (`plan`; `lint` and `report` can
 * use it too): `[FILE] [--config PATH] [--today YYYY-MM-DD]` plus their own
 * options, the repository config (optional unless named), and the model text
 * (FILE, else `model` from the config, else threat-model.yml).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigText } from '../config/load.ts';
import { CONFIG_PATH, DEFAULT_CONFIG, type Config } from '../config/schema.ts';
import type { Finding } from '../model/findings.ts';
import { isoDate } from '../model/schema.ts';
import { EXIT, type CliIo } from './io.ts';

export interface ModelCommandInput {
  /** The command's own string options, as given. */
  values: Record<string, string | undefined>;
  config: Config;
  configFile: string;
  file: string;
  text: string;
  today: string;
}

export type ModelCommandResult =
  | { ok: true; input: ModelCommandInput }
  /** Usage errors are printed already; config findings are for the command to print. */
  | { ok: false; exit: number; configFindings?: Finding[]; configFile?: string };

export function readModelCommandInput(
  command: string,
  usage: string,
  args: string[],
  io: CliIo,
  options: Record<string, { type: 'string'; short?: string }> = {},
): ModelCommandResult {
  const usageError = (message: string): ModelCommandResult => {
    io.err(`threatloop ${command}: ${message}\nusage: ${usage}`);
    return { ok: false, exit: EXIT.usage };
  };
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...options, config: { type: 'string' }, today: { type: 'string' } },
    });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values as Record<string, string | undefined>;
  const { positionals } = parsed;
  if (positionals.length > 1) return usageError(`expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  const today = values.today ?? new Date().toISOString().slice(0, 10);
  if (!isoDate.safeParse(today).success) return usageError(`--today must be a date written YYYY-MM-DD, not "${today}"`);

  let config: Config = DEFAULT_CONFIG;
  const configFile = values.config ?? CONFIG_PATH;
  const configText = readTextFile(io.cwd, configFile);
  if (configText.ok) {
    const loaded = loadConfigText(configText.text, configFile);
    if (!loaded.ok) return { ok: false, exit: EXIT.failed, configFindings: loaded.findings, configFile };
    config = loaded.config;
  } else if (values.config !== undefined || configText.reason !== 'missing') {
    return usageError(`config ${configText.message}`);
  }

  const file = positionals[0] ?? config.model;
  const modelText = readTextFile(io.cwd, file);
  if (!modelText.ok) return usageError(`model ${modelText.message}`);
  return { ok: true, input: { values, config, configFile, file, text: modelText.text, today } };
}

export type ReadTextResult = { ok: true; text: string } | { ok: false; reason: 'missing' | 'unreadable'; message: string };

/** A text file relative to the working directory; invalid UTF-8 becomes U+FFFD, which the loader reports as binary. */
export function readTextFile(cwd: string, file: string): ReadTextResult {
  try {
    return { ok: true, text: new TextDecoder('utf-8').decode(readFileSync(resolve(cwd, file))) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', message: `file not found: ${file}` };
    if (code === 'EISDIR') return { ok: false, reason: 'unreadable', message: `${file} is a directory, not a file` };
    return { ok: false, reason: 'unreadable', message: `${file} cannot be read (${code ?? String(error)})` };
  }
}
