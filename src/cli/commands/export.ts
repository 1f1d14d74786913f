/**
 * `threatloop export [FILE] --format otm|tmbom|csv [--output PATH]`: the model in another
 * tool's format, to stdout or a file. A model with lint errors is not exported (the findings
 * are printed instead): an export is read by tools that trust it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_PATH, DEFAULT_CONFIG } from '../../config/schema.ts';
import { EXPORT_FORMATS, exportCsv, exportOtm, exportTmBom, TMBOM_DRAFT, type ExportFormat } from '../../export/index.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { assessWorkingTree, readModelCommandInput, requireValidModel, usageError } from '../model-input.ts';

const USAGE = `threatloop export [FILE] --format ${EXPORT_FORMATS.join('|')} [--output PATH] [--config PATH]`;

const HELP = [
  `FILE defaults to \`model\` in ${CONFIG_PATH}, else ${DEFAULT_CONFIG.model}.`,
  '  --format   otm: Open Threat Model 0.2 (JSON); tmbom: CycloneDX TM-BOM (JSON,',
  `             ${TMBOM_DRAFT}); csv: one row per threat and target, the columns \`threatloop import\` reads`,
  '  --output   write to PATH instead of stdout',
  'Exit status: 0 exported, 1 the model has lint errors (printed instead) or cannot be read or written, 2 usage error.',
].join('\n');

export const exportCommand: CommandModule = {
  usage: `${USAGE}\n\n${HELP}`,
  run: runExport,
};

function runExport(args: string[], io: CliIo): number {
  const read = readModelCommandInput('export', USAGE, args, io, { format: { type: 'string' }, output: { type: 'string', short: 'o' } });
  if (!read.ok) return read.exit;
  const { values, modelFile: file } = read.input;
  const format = values.format;
  if (format === undefined) return usageError(io, 'export', USAGE, `--format is required (${EXPORT_FORMATS.join(', ')})`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) return usageError(io, 'export', USAGE, `--format must be one of ${EXPORT_FORMATS.join(', ')}, not "${format}"`);
  if (values.output === '') return usageError(io, 'export', USAGE, '--output needs a path');
  const valid = requireValidModel(io, 'export', assessWorkingTree(read.input, read.input.today), 'nothing was exported');
  if (!valid.ok) return valid.exit;
  const { model } = valid.input;

  let text: string;
  switch (format as ExportFormat) {
    case 'otm': {
      const exported = exportOtm(model);
      for (const note of exported.notes) io.err(`threatloop export: ${note}`);
      text = `${JSON.stringify(exported.document, null, 2)}\n`;
      break;
    }
    case 'tmbom': {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
      text = `${JSON.stringify(exportTmBom(model, { serialNumber: randomUUID(), timestamp: new Date().toISOString(), toolVersion: pkg.version }), null, 2)}\n`;
      break;
    }
    case 'csv':
      text = exportCsv(model);
      break;
  }
  if (values.output === undefined) {
    io.out(text.trimEnd());
    return EXIT.ok;
  }
  const target = resolve(io.cwd, values.output);
  if (target === resolve(io.cwd, file)) return usageError(io, 'export', USAGE, `--output ${values.output} is the model itself; name another file`);
  try {
    writeFileSync(target, text);
  } catch (error) {
    io.err(`threatloop export: cannot write ${values.output} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return EXIT.failed;
  }
  io.err(`wrote ${values.output}: ${model.threats.length} threats as ${format}`);
  return EXIT.ok;
}
