/**
 * `threatloop report [FILE]`: lint the model and write the Markdown report
 * (to stdout or --output). A model with lint errors gets no report: the
 * findings are printed instead and the exit status is 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CONFIG_PATH, DEFAULT_CONFIG } from '../../config/schema.ts';
import { hasErrors, type Finding } from '../../model/findings.ts';
import { lintModelText } from '../../model/lint/index.ts';
import { formatFindingsSummary, formatFindingsText } from '../../render/findings.ts';
import { renderReport } from '../../render/report.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { lintOptions, readModelCommandInput, requireModelText, usageError } from '../model-input.ts';

const USAGE = 'threatloop report [FILE] [--output PATH] [--config PATH] [--today YYYY-MM-DD]';

const HELP = [
  `FILE defaults to \`model\` in ${CONFIG_PATH}, else ${DEFAULT_CONFIG.model}.`,
  '  --output   write the report to PATH instead of stdout',
  `  --config   the repository config (default ${CONFIG_PATH} when it exists): lint rule levels and model path`,
  '  --today    the report date, and the date "overdue" is measured against (default: today, UTC)',
  'Exit status: 0 report written, 1 the model has lint errors (printed instead) or cannot be read/written, 2 usage error.',
].join('\n');

export const reportCommand: CommandModule = {
  usage: `${USAGE}\n\n${HELP}`,
  run: runReport,
};

function runReport(args: string[], io: CliIo): number {
  const read = readModelCommandInput('report', USAGE, args, io, { output: { type: 'string', short: 'o' } });
  if (!read.ok) return read.exit;
  const { values, modelFile: file, today } = read.input;
  if (values.output === '') return usageError(io, 'report', USAGE, '--output needs a path');
  const usable = requireModelText(read.input);
  if (!usable.ok) return refuse(io, usable.findings, usable.file);
  const { findings, model } = lintModelText(usable.text, file, lintOptions(read.input));
  if (!model || hasErrors(findings)) return refuse(io, findings, file);

  const report = renderReport({ model, findings, file, generatedAt: today, closeStatuses: read.input.config.issues.close_statuses });
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
