/**
 * `threatloop report [FILE]`: lint the model and write the Markdown report
 * (to stdout or --output). A model with lint errors gets no report: the
 * findings are printed instead and the exit status is 1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigText } from '../../config/load.ts';
import { CONFIG_PATH, DEFAULT_CONFIG, type Config } from '../../config/schema.ts';
import { hasErrors, type Finding } from '../../model/findings.ts';
import { lintModelText } from '../../model/lint/index.ts';
import { isoDate } from '../../model/schema.ts';
import { formatFindingsSummary, formatFindingsText } from '../../render/findings.ts';
import { renderReport } from '../../render/report.ts';
import { EXIT, type CliIo, type Command } from '../io.ts';

const USAGE = 'threatloop report [FILE] [--output PATH] [--config PATH] [--today YYYY-MM-DD]';

const HELP = [
  `FILE defaults to \`model\` in ${CONFIG_PATH}, else ${DEFAULT_CONFIG.model}.`,
  '  --output   write the report to PATH instead of stdout',
  `  --config   the repository config (default ${CONFIG_PATH} when it exists): lint rule levels and model path`,
  '  --today    the report date, and the date "overdue" is measured against (default: today, UTC)',
  'Exit status: 0 report written, 1 the model has lint errors (printed instead) or cannot be read/written, 2 usage error.',
].join('\n');

export const reportCommand: Command = {
  summary: 'write the threat model report (Markdown with a Mermaid data-flow diagram)',
  usage: `${USAGE}\n\n${HELP}`,
  run: runReport,
};

function runReport(args: string[], io: CliIo): number {
  const usageError = (message: string) => {
    io.err(`threatloop report: ${message}\nusage: ${USAGE}`);
    return EXIT.usage;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { output: { type: 'string', short: 'o' }, config: { type: 'string' }, today: { type: 'string' } },
    });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) return usageError(`expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values.output === '') return usageError('--output needs a path');
  const today = values.today ?? new Date().toISOString().slice(0, 10);
  if (!isoDate.safeParse(today).success) return usageError(`--today must be a date written YYYY-MM-DD, not "${today}"`);

  let config: Config = DEFAULT_CONFIG;
  const configFile = values.config ?? CONFIG_PATH;
  const configText = readText(io.cwd, configFile);
  if (configText.ok) {
    const loaded = loadConfigText(configText.text, configFile);
    if (!loaded.ok) return refuse(io, loaded.findings, configFile);
    config = loaded.config;
  } else if (values.config !== undefined) {
    return usageError(`config ${configText.message}`);
  }

  const file = positionals[0] ?? config.model;
  const modelText = readText(io.cwd, file);
  if (!modelText.ok) return usageError(`model ${modelText.message}`);
  const { findings, model } = lintModelText(modelText.text, file, { today, rules: config.lint.rules, config: { file: configFile } });
  if (!model || hasErrors(findings)) return refuse(io, findings, file);

  const report = renderReport({ model, findings, file, generatedAt: today });
  if (values.output === undefined) {
    io.out(report.trimEnd());
    return EXIT.ok;
  }
  const target = resolve(io.cwd, values.output);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, report);
  } catch (error) {
    io.err(`threatloop report: cannot write ${values.output} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return EXIT.failed;
  }
  io.err(`wrote ${values.output}: ${model.threats.length} threats, ${formatFindingsSummary(findings, file)}`);
  return EXIT.ok;
}

function refuse(io: CliIo, findings: readonly Finding[], file: string): number {
  if (findings.length > 0) io.err(formatFindingsText(findings));
  io.err(formatFindingsSummary(findings, file));
  io.err('threatloop report: fix the errors above; no report was written');
  return EXIT.failed;
}

type ReadResult = { ok: true; text: string } | { ok: false; message: string };

function readText(cwd: string, file: string): ReadResult {
  try {
    return { ok: true, text: new TextDecoder('utf-8').decode(readFileSync(resolve(cwd, file))) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, message: `file not found: ${file}` };
    return { ok: false, message: `${file} cannot be read (${code ?? String(error)})` };
  }
}
