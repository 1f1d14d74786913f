/**
 * `threatloop report [FILE]`: lint the model and write the Markdown report
 * (to stdout or --output). A model with lint errors gets no report: the
 * findings are printed instead and the exit status is 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CONFIG_PATH, DEFAULT_CONFIG } from '../../config/schema.ts';
import { formatFindingsSummary } from '../../render/findings.ts';
import { renderReport } from '../../render/report.ts';
import { EXIT, type CliIo, type Command } from '../io.ts';
import { assessWorkingTree, readModelCommandInput, requireValidModel, usageError } from '../model-input.ts';

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
  const read = readModelCommandInput('report', USAGE, args, io, { output: { type: 'string', short: 'o' } });
  if (!read.ok) return read.exit;
  const { values, modelFile: file, today } = read.input;
  if (values.output === '') return usageError(io, 'report', USAGE, '--output needs a path');
  const valid = requireValidModel(io, 'report', assessWorkingTree(read.input, today), 'no report was written');
  if (!valid.ok) return valid.exit;
  const { findings, model } = valid.input;

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
