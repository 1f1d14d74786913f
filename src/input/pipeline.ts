/**
 * The one input pipeline: config -> model -> lint, from a working tree (CLI, Action) or a repository at
 * a commit (the app). Every entry point (the sync, the pull-request check and context, the merge
 * notice, every CLI command) reads its model through here, so the safety rules live in one place:
 *
 * - an invalid config is `config-invalid`: its model path is unknown, so nothing may be written;
 * - no model file is `no-model`: nothing is checked, and a missing model must close nothing;
 * - a model with errors is `invalid`: nothing may be written (the model is kept when it loaded, for
 *   read-only uses such as a PR's base mapping);
 * - otherwise `ok`, with the warnings.
 *
 * `assessModelInput` is pure (texts in, verdict out); `readModelInput` reads through an `InputReader`.
 */
import { readConfigText, type ConfigRead } from '../config/load.ts';
import { lintOptionsFromConfig } from '../config/lint-options.ts';
import { CONFIG_PATH, DEFAULT_CONFIG, type Config } from '../config/schema.ts';
import { hasErrors, sortFindings, type Finding } from '../model/findings.ts';
import { lintModelText } from '../model/lint/index.ts';
import { CLOCK_RULES } from '../model/lint/lifecycle.ts';
import type { SbomLookup } from '../model/lint/rules.ts';
import type { ThreatModel } from '../model/schema.ts';
import type { YamlSource } from '../model/source.ts';

/** A file as a reader found it: its text, absent, or refused before reading (too large). */
export type FileRead = { ok: true; text: string } | { ok: false; reason: 'missing' } | { ok: false; reason: 'too-large'; finding: Finding };

/** Where a model and its config come from. */
export interface InputReader {
  /** The repository config (defaults when there is none: `found: false`). */
  readConfig(): Promise<ConfigRead>;
  readFile(path: string): Promise<FileRead>;
}

interface Common {
  config: Config;
  configFound: boolean;
  modelPath: string;
}

export type ModelInput =
  /** `findings`: the config's errors, and the model's findings when a model was named without the config. */
  | { status: 'config-invalid'; configFound: boolean; configFile: string; modelPath?: string; /** A model file was there (and was linted beside the config). */ modelFound: boolean; findings: Finding[] }
  | ({ status: 'no-model'; findings: Finding[] } & Common)
  | ({ status: 'invalid'; findings: Finding[]; model?: ThreatModel; source?: YamlSource; /** The model's text, when it was read. */ text?: string } & Common)
  | ({ status: 'ok'; /** Warnings only. */ findings: Finding[]; model: ThreatModel; source: YamlSource; text: string } & Common);

export interface AssessOptions {
  /** YYYY-MM-DD, for `overdue` and the acceptance rules. */
  today: string;
  /** Where the config was read, for positions of `lint.rules` findings. */
  configFile?: string;
  /** The SBOM components' `sbom` entries must name (rule `sbom-unknown-ref`). */
  sbom?: SbomLookup;
}

/**
 * The verdict on what was read. `modelPath`/`model` may be given without a valid config when the user
 * named the file (the CLI): the model is then linted with the default config, beside the config errors.
 */
export function assessModelInput(
  read: { config: ConfigRead; modelPath?: string; model?: FileRead },
  options: AssessOptions,
): ModelInput {
  const { config: configRead } = read;
  const config = configRead.ok ? configRead.config : DEFAULT_CONFIG;
  const modelPath = read.modelPath ?? (configRead.ok ? configRead.config.model : undefined);
  const where = { file: options.configFile ?? configRead.file, ...(configRead.ok && configRead.source ? { source: configRead.source } : {}) };
  const lintText = (text: string, path: string) =>
    lintModelText(text, path, { ...lintOptionsFromConfig(config, options.today, where), ...(options.sbom ? { sbom: options.sbom } : {}) });

  if (!configRead.ok) {
    const modelFound = modelPath !== undefined && read.model !== undefined && (read.model.ok || read.model.reason !== 'missing');
    const model = modelFound ? read.model : undefined;
    const modelFindings = !model || modelPath === undefined ? [] : model.ok ? lintText(model.text, modelPath).findings : model.reason === 'too-large' ? [model.finding] : [];
    return { status: 'config-invalid', configFound: configRead.found, configFile: options.configFile ?? configRead.file, modelFound, ...(modelPath ? { modelPath } : {}), findings: sortFindings([...configRead.findings, ...modelFindings]) };
  }
  const common: Common = { config, configFound: configRead.found, modelPath: modelPath! };
  if (read.model === undefined || (!read.model.ok && read.model.reason === 'missing')) return { status: 'no-model', findings: [], ...common };
  if (!read.model.ok) return { status: 'invalid', findings: [read.model.finding], ...common };
  const lint = lintText(read.model.text, common.modelPath);
  if (hasErrors(lint.findings) || !lint.model) {
    return { status: 'invalid', findings: lint.findings, ...(lint.model ? { model: lint.model } : {}), source: lint.source, text: read.model.text, ...common };
  }
  return { status: 'ok', findings: lint.findings, model: lint.model, source: lint.source, text: read.model.text, ...common };
}

/** Reads the config, then (when its path is known) the model, and assesses them. */
export async function readModelInput(reader: InputReader, options: AssessOptions & { modelPath?: string }): Promise<ModelInput> {
  const config = await reader.readConfig();
  const modelPath = options.modelPath ?? (config.ok ? config.config.model : undefined);
  const model = modelPath === undefined ? undefined : await reader.readFile(modelPath);
  return assessModelInput({ config, ...(modelPath ? { modelPath } : {}), ...(model ? { model } : {}) }, options);
}

/** The model a read-only use may still show (a PR's base mapping): loaded, even with lint errors. */
export function loadedModel(input: ModelInput): ThreatModel | undefined {
  return input.status === 'ok' || input.status === 'invalid' ? input.model : undefined;
}

/**
 * The input the sync (and its dry run) acts on: a model whose only errors come from the clock
 * (`CLOCK_RULES`: an acceptance that has since expired) is synced, errors kept in `findings`, because
 * reopening that threat's issue is the sync's answer to it. Anything else is returned unchanged.
 */
export function syncableInput(input: ModelInput): ModelInput {
  if (input.status !== 'invalid' || !input.model || !input.source || input.text === undefined) return input;
  if (!input.findings.every((f) => f.level !== 'error' || CLOCK_RULES.has(f.rule))) return input;
  return { ...input, status: 'ok', model: input.model, source: input.source, text: input.text };
}

/** Files held in memory as a reader (path -> text; no config file means defaults): for tests and benches. */
export function memoryReader(files: Readonly<Record<string, string>>, configFile = CONFIG_PATH): InputReader {
  return {
    readConfig: async () => readConfigText(files[configFile], configFile),
    readFile: async (path) => {
      const text = files[path];
      return text === undefined ? { ok: false, reason: 'missing' } : { ok: true, text };
    },
  };
}
