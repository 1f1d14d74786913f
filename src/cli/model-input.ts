/**
 * What the commands that read a model share: strict parsing of `[FILE]` and
 * their options (usage errors printed, exit 2), and reading the repository
 * config (optional unless named with --config) and the model (FILE, else
 * `model` from the config, else threat-model.yml) from the working tree.
 * `lint`, `plan` and `report` add `--config` and `--today`
 * (`readModelCommandInput`); `sync` reads the same files (`readWorkingTree`).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigText } from '../config/load.ts';
import { CONFIG_PATH, DEFAULT_CONFIG, type Config } from '../config/schema.ts';
import type { Finding } from '../model/findings.ts';
import { lintOptionsFromConfig, type LintOptions } from '../model/lint/index.ts';
import { isoDate } from '../model/schema.ts';
import { parseYamlSource, sizeFinding, type YamlSource } from '../model/source.ts';
import { describeArgsError } from './args.ts';
import { EXIT, type CliIo } from './io.ts';

/** Prints `threatloop COMMAND: message` and the usage line; returns the usage exit status. */
export function usageError(io: CliIo, command: string, usage: string, message: string): number {
  io.err(`threatloop ${command}: ${message}\nusage: ${usage}`);
  return EXIT.usage;
}

export type OptionSpecs = Record<string, { type: 'string' | 'boolean'; short?: string }>;
export type OptionValues<O extends OptionSpecs> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export type ParsedCommandArgs<O extends OptionSpecs> =
  | { ok: true; values: OptionValues<O>; /** The one positional FILE, if given. */ file: string | undefined }
  | { ok: false; exit: number };

/** `[FILE]` plus `options`, strictly: an unknown option or a second FILE is a usage error (printed). */
export function parseCommandArgs<O extends OptionSpecs>(command: string, usage: string, args: string[], io: CliIo, options: O): ParsedCommandArgs<O> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (error) {
    return { ok: false, exit: usageError(io, command, usage, describeArgsError(error, options)) };
  }
  const { positionals } = parsed;
  if (positionals.length > 1) {
    return { ok: false, exit: usageError(io, command, usage, `expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`) };
  }
  return { ok: true, values: parsed.values as OptionValues<O>, file: positionals[0] };
}

export interface WorkingTreeInput {
  configFile: string;
  /** The config file's text; undefined when the default config file does not exist. */
  configText?: string;
  /** The config: the default one when the file is absent or invalid (see `configFindings`). */
  config: Config;
  /** The config's YAML, for positions in findings about `lint.rules`. */
  configSource?: YamlSource;
  /** Why the config file is invalid (errors); empty when it is valid or absent. */
  configFindings: Finding[];
  modelFile: string;
  /**
   * The model's text. Undefined when it was not read: too large (refused before reading, see
   * `modelFindings`), or the config is invalid and no FILE was named (the model's path is unknown).
   */
  modelText?: string;
  modelFindings: Finding[];
}

export type WorkingTreeResult = { ok: true; input: WorkingTreeInput } | { ok: false; /** A usage error, e.g. a missing file. */ message: string };

/** The config and the model from the working tree, as FILE and `--config` name them (both optional). */
export function readWorkingTree(cwd: string, named: { file?: string | undefined; config?: string | undefined }): WorkingTreeResult {
  const configFile = named.config ?? CONFIG_PATH;
  const configRead = readTextFile(cwd, configFile);
  const input: WorkingTreeInput = { configFile, config: DEFAULT_CONFIG, configFindings: [], modelFile: named.file ?? DEFAULT_CONFIG.model, modelFindings: [] };
  if (configRead.ok) {
    input.configText = configRead.text;
    const loaded = loadConfigText(configRead.text, configFile);
    if (loaded.ok) {
      input.config = loaded.config;
      const parsed = parseYamlSource(configRead.text, configFile);
      if (parsed.ok) input.configSource = parsed.source;
    } else {
      input.configFindings = loaded.findings;
      // Without a valid config the model's path is unknown: only a model named on the command line is read.
      if (named.file === undefined) return { ok: true, input };
    }
  } else if (named.config !== undefined || configRead.reason !== 'missing') {
    return { ok: false, message: `config ${configRead.message}` };
  }

  input.modelFile = named.file ?? input.config.model;
  const modelRead = readTextFile(cwd, input.modelFile);
  if (modelRead.ok) input.modelText = modelRead.text;
  else if (modelRead.reason === 'too-large') input.modelFindings = [modelRead.finding];
  else {
    const fromConfig = named.file === undefined && configRead.ok ? ` (the \`model\` in ${configFile})` : '';
    const hint = named.file === undefined && !configRead.ok ? `; pass FILE or set \`model\` in ${CONFIG_PATH}` : '';
    return { ok: false, message: `model ${modelRead.message}${fromConfig}${hint}` };
  }
  return { ok: true, input };
}

/**
 * The model's text for a command that needs a valid config too (plan,
 * report), else the findings that stop it and the file they are about.
 */
export function requireModelText(input: WorkingTreeInput): { ok: true; text: string } | { ok: false; findings: Finding[]; file: string } {
  if (input.configFindings.length > 0) return { ok: false, findings: input.configFindings, file: input.configFile };
  if (input.modelText === undefined) return { ok: false, findings: input.modelFindings, file: input.modelFile };
  return { ok: true, text: input.modelText };
}

export interface ModelCommandInput<O extends OptionSpecs> extends WorkingTreeInput {
  /** The command's own options, as given. */
  values: OptionValues<O>;
  /** `--today`, else today (UTC). */
  today: string;
}

export type ModelCommandResult<O extends OptionSpecs> = { ok: true; input: ModelCommandInput<O> } | { ok: false; exit: number };

/**
 * `[FILE] [--config PATH] [--today YYYY-MM-DD]` plus the command's own
 * `options`, then the config and the model (`readWorkingTree`). Usage errors
 * are printed; an invalid config or a model too large to read is left to the
 * command (`configFindings`, `modelFindings`).
 */
export function readModelCommandInput<O extends OptionSpecs>(command: string, usage: string, args: string[], io: CliIo, options: O): ModelCommandResult<O> {
  const parsed = parseCommandArgs(command, usage, args, io, { ...options, config: { type: 'string' }, today: { type: 'string' } });
  if (!parsed.ok) return parsed;
  const { config, today: todayOption, ...values } = parsed.values;
  const today = (todayOption as string | undefined) ?? new Date().toISOString().slice(0, 10);
  if (!isoDate.safeParse(today).success) return { ok: false, exit: usageError(io, command, usage, `--today must be a date written YYYY-MM-DD, not "${today}"`) };
  const read = readWorkingTree(io.cwd, { file: parsed.file, config: config as string | undefined });
  if (!read.ok) return { ok: false, exit: usageError(io, command, usage, read.message) };
  return { ok: true, input: { ...read.input, values: values as OptionValues<O>, today } };
}

/** Lint options from the config (rule levels, positioned at their lines; closing statuses) and `--today`. */
export function lintOptions(input: ModelCommandInput<OptionSpecs>): LintOptions {
  return lintOptionsFromConfig(input.config, input.today, {
    file: input.configFile,
    ...(input.configSource ? { source: input.configSource } : {}),
  });
}

export type ReadTextResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'missing' | 'unreadable'; message: string }
  | { ok: false; reason: 'too-large'; message: string; finding: Finding };

/**
 * A text file relative to the working directory; invalid UTF-8 becomes U+FFFD, which the loader
 * reports as binary. A file over the loader's size limit is refused before it is read.
 */
export function readTextFile(cwd: string, file: string): ReadTextResult {
  const path = resolve(cwd, file);
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return { ok: false, reason: 'unreadable', message: `${file} is a directory, not a file` };
    const tooLarge = sizeFinding(stat.size, file);
    if (tooLarge) return { ok: false, reason: 'too-large', message: `${file} is too large: ${tooLarge.message}`, finding: tooLarge };
    return { ok: true, text: new TextDecoder('utf-8').decode(readFileSync(path)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', message: `file not found: ${file}` };
    return { ok: false, reason: 'unreadable', message: `${file} cannot be read (${code ?? String(error)})` };
  }
}
