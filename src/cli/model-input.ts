/**
 * What the commands that read a model share: strict parsing of `[FILE]` and
 * their options (usage errors printed, exit 2), and reading the repository
 * config (optional unless named with --config) and the model (FILE, else
 * `model` from the config, else threat-model.yml) from the working tree.
 * `lint`, `plan` and `report` add `--config` and `--today`
 * (`readModelCommandInput`); `sync` reads the same files (`readWorkingTree`). What was read goes
 * through the input pipeline (`assessWorkingTree`, `workingTreeReader`: src/input/pipeline.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigText, type ConfigRead } from '../config/load.ts';
import { CONFIG_PATH, DEFAULT_CONFIG, type Config } from '../config/schema.ts';
import type { Finding } from '../model/findings.ts';
import { isoDate } from '../model/schema.ts';
import { inputSizeFinding, type InputKind } from '../model/limits.ts';
import { parseYamlSource, type YamlSource } from '../model/source.ts';
import { assessModelInput, type FileRead, type InputReader, type ModelInput } from '../input/pipeline.ts';
import { formatFindingsSummary, formatFindingsText } from '../render/findings.ts';
import { MAX_SBOM_BYTES, readSbom, type Sbom } from '../sbom/read.ts';
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
  const configRead = readTextFile(cwd, configFile, 'config');
  const input: WorkingTreeInput = { configFile, config: DEFAULT_CONFIG, configFindings: [], modelFile: named.file ?? DEFAULT_CONFIG.model, modelFindings: [] };
  if (configRead.ok) {
    input.configText = configRead.text;
    const loaded = loadConfigText(configRead.text, configFile);
    if (loaded.ok) {
      input.config = loaded.config;
      const parsed = parseYamlSource(configRead.text, configFile, { kind: 'config' });
      if (parsed.ok) input.configSource = parsed.source;
    } else {
      input.configFindings = loaded.findings;
      // Without a valid config the model's path is unknown: only a model named on the command line is read.
      if (named.file === undefined) return { ok: true, input };
    }
  } else if (configRead.reason === 'too-large') {
    input.configFindings = [configRead.finding];
    if (named.file === undefined) return { ok: true, input };
  } else if (named.config !== undefined || configRead.reason !== 'missing') {
    return { ok: false, message: `config ${configRead.message}` };
  }

  input.modelFile = named.file ?? input.config.model;
  const modelRead = readTextFile(cwd, input.modelFile, 'model');
  if (modelRead.ok) input.modelText = modelRead.text;
  else if (modelRead.reason === 'too-large') input.modelFindings = [modelRead.finding];
  else {
    const fromConfig = named.file === undefined && configRead.ok ? ` (the \`model\` in ${configFile})` : '';
    const hint = named.file === undefined && !configRead.ok ? `; pass FILE or set \`model\` in ${CONFIG_PATH}` : '';
    return { ok: false, message: `model ${modelRead.message}${fromConfig}${hint}` };
  }
  return { ok: true, input };
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

export type SbomInputResult =
  | { ok: true; sbom?: Sbom; findings: Finding[]; file?: string }
  | { ok: false; message: string };

/**
 * The SBOM named by `--sbom`, else by config `sbom` (none when neither). A missing or
 * unreadable file is a usage error; a file that is not a CycloneDX JSON SBOM gives findings.
 */
export function readSbomInput(cwd: string, named: string | undefined, config: Config): SbomInputResult {
  const file = named ?? config.sbom;
  if (file === undefined) return { ok: true, findings: [] };
  const fromConfig = named === undefined ? ` (the \`sbom\` in ${CONFIG_PATH})` : '';
  const path = resolve(cwd, file);
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return { ok: false, message: `SBOM ${file} is a directory, not a file${fromConfig}` };
    if (stat.size > MAX_SBOM_BYTES) {
      return { ok: true, file, findings: [{ rule: 'sbom', level: 'error', message: `the SBOM is larger than ${MAX_SBOM_BYTES / 1024 / 1024} MB`, file, start: { line: 1, column: 1 } }] };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' || code === 'ENOTDIR' ? `SBOM file not found: ${file}${fromConfig}` : `SBOM ${file} cannot be read (${code ?? String(error)})` };
  }
  const read = readSbom(new TextDecoder('utf-8').decode(readFileSync(path)), file);
  return read.ok ? { ok: true, sbom: read.sbom, findings: [], file } : { ok: true, findings: read.findings, file };
}

export type ReadTextResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'missing' | 'unreadable'; message: string }
  | { ok: false; reason: 'too-large'; message: string; finding: Finding };

/**
 * A text file relative to the working directory; invalid UTF-8 becomes U+FFFD, which the loader
 * reports as binary. A file over its size limit (INPUT_LIMITS) is refused before it is read.
 */
export function readTextFile(cwd: string, file: string, kind: InputKind): ReadTextResult {
  const path = resolve(cwd, file);
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return { ok: false, reason: 'unreadable', message: `${file} is a directory, not a file` };
    const tooLarge = inputSizeFinding(kind, stat.size, file);
    if (tooLarge) return { ok: false, reason: 'too-large', message: `${file} is too large: ${tooLarge.message}`, finding: tooLarge };
    return { ok: true, text: new TextDecoder('utf-8').decode(readFileSync(path)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', message: `file not found: ${file}` };
    return { ok: false, reason: 'unreadable', message: `${file} cannot be read (${code ?? String(error)})` };
  }
}

/** The config as `readWorkingTree` read it, for the input pipeline. */
function configReadOf(input: WorkingTreeInput): ConfigRead {
  const common = { found: input.configText !== undefined || input.configFindings.length > 0, file: input.configFile };
  if (input.configFindings.length > 0) return { ok: false, findings: input.configFindings, ...common };
  return { ok: true, config: input.config, ...(input.configSource ? { source: input.configSource } : {}), ...common };
}

/** The model as `readWorkingTree` read it; undefined when it was not read at all (its path is unknown). */
function modelReadOf(input: WorkingTreeInput): FileRead | undefined {
  if (input.modelText !== undefined) return { ok: true, text: input.modelText };
  const tooLarge = input.modelFindings[0];
  return tooLarge ? { ok: false, reason: 'too-large', finding: tooLarge } : undefined;
}

/** The input pipeline's verdict on the working tree (src/input/pipeline.ts). */
export function assessWorkingTree(input: WorkingTreeInput, today: string, sbom?: Sbom): ModelInput {
  const model = modelReadOf(input);
  return assessModelInput(
    { config: configReadOf(input), ...(model ? { modelPath: input.modelFile, model } : {}) },
    { today, configFile: input.configFile, ...(sbom ? { sbom } : {}) },
  );
}

/** What `readWorkingTree` read, as the pipeline's reader (the sync reads through it). */
export function workingTreeReader(cwd: string, input: WorkingTreeInput): InputReader {
  return {
    readConfig: async () => configReadOf(input),
    readFile: async (path) => {
      if (path === input.modelFile) return modelReadOf(input) ?? { ok: false, reason: 'missing' };
      const read = readTextFile(cwd, path, 'model');
      return read.ok ? read : read.reason === 'too-large' ? { ok: false, reason: 'too-large', finding: read.finding } : { ok: false, reason: 'missing' };
    },
  };
}

/**
 * For a command that needs a valid model (plan, report): the model, or the findings printed with what
 * was not done, and the exit status.
 */
export function requireValidModel(
  io: CliIo,
  command: string,
  input: ModelInput,
  notDone: string,
): { ok: true; input: Extract<ModelInput, { status: 'ok' }> } | { ok: false; exit: number } {
  if (input.status === 'ok') return { ok: true, input };
  const file = input.status === 'config-invalid' ? input.configFile : input.modelPath;
  if (input.status === 'no-model') {
    io.err(`threatloop ${command}: no model at ${input.modelPath}`);
    return { ok: false, exit: EXIT.usage };
  }
  if (input.findings.length > 0) io.err(formatFindingsText(input.findings));
  io.err(formatFindingsSummary(input.findings, file));
  io.err(`threatloop ${command}: fix the errors above; ${notDone}`);
  return { ok: false, exit: EXIT.failed };
}
