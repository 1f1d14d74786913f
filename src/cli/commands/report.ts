/**
 * `threatloop report [FILE] [--format markdown|html|csv]`: lint the model and
 * write the report (to stdout or --output): Markdown with a Mermaid diagram
 * (the default, what GitHub renders), one self-contained HTML file with a
 * Graphviz diagram (for auditors, opens offline), or the traceability matrix
 * as CSV. A model with lint errors gets no report: the findings are printed
 * instead and the exit status is 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CONFIG_PATH, DEFAULT_CONFIG } from '../../config/schema.ts';
import { traceabilityRows } from '../../model/traceability.ts';
import { loadLayoutEngine } from '../../render/diagram-svg.ts';
import { formatFindingsSummary } from '../../render/findings.ts';
import { renderHtmlReport } from '../../render/html-report.ts';
import { renderReport } from '../../render/report.ts';
import { renderTraceabilityCsv } from '../../render/traceability-csv.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { assessWorkingTree, readModelCommandInput, requireValidModel, usageError } from '../model-input.ts';
import { withQuietGraphviz } from '../quiet-graphviz.ts';
import { toolVersion } from './lint.ts';

const FORMATS = ['markdown', 'html', 'csv'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = 'threatloop report [FILE] [--format markdown|html|csv] [--output PATH] [--config PATH] [--today YYYY-MM-DD]';

const HELP = [
  `FILE defaults to \`model\` in ${CONFIG_PATH}, else ${DEFAULT_CONFIG.model}.`,
  '  --format   markdown (default): one document with a Mermaid diagram, for GitHub',
  '             html: one self-contained file (inline SVG diagram, no network), prints to PDF',
  '             csv: the traceability matrix, one row per threat and target',
  '  --output   write the report to PATH instead of stdout',
  `  --config   the repository config (default ${CONFIG_PATH} when it exists): lint rule levels and model path`,
  '  --today    the report date, and the date "overdue" is measured against (default: today, UTC)',
  'Exit status: 0 report written, 1 the model has lint errors (printed instead) or cannot be read/written, 2 usage error.',
].join('\n');

export const reportCommand: CommandModule = {
  usage: `${USAGE}\n\n${HELP}`,
  run: runReport,
};

async function runReport(args: string[], io: CliIo): Promise<number> {
  const read = readModelCommandInput('report', USAGE, args, io, { output: { type: 'string', short: 'o' }, format: { type: 'string', short: 'f' } });
  if (!read.ok) return read.exit;
  const { values, modelFile: file, today } = read.input;
  const format = (values.format ?? 'markdown') as Format;
  if (!FORMATS.includes(format)) return usageError(io, 'report', USAGE, `unknown format "${values.format}" (use ${FORMATS.join(', ')})`);
  if (values.output === '') return usageError(io, 'report', USAGE, '--output needs a path');
  const valid = requireValidModel(io, 'report', assessWorkingTree(read.input, today), 'no report was written');
  if (!valid.ok) return valid.exit;
  const { findings, model } = valid.input;

  const closeStatuses = read.input.config.issues.close_statuses;
  let report: string;
  if (format === 'html') {
    const viz = await loadLayoutEngine();
    report = withQuietGraphviz(() => renderHtmlReport({ model, findings, file, viz, generatedAt: today, closeStatuses, toolVersion: toolVersion() }));
  } else if (format === 'csv') {
    report = renderTraceabilityCsv(model, traceabilityRows(model));
  } else {
    report = renderReport({ model, findings, file, generatedAt: today, closeStatuses });
  }
  if (values.output === undefined) {
    io.out(format === 'markdown' ? report.trimEnd() : report.replace(/\r?\n$/, ''));
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
