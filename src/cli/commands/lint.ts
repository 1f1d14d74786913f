/**
 * `threatloop lint [FILE]`: check the threat model and print findings as
 * text, JSON or SARIF. Exit 0 clean or warnings only, 1 on errors, 2 on
 * usage errors (bad flag, missing file).
 */
import { readFileSync } from 'node:fs';
import { CONFIG_PATH, DEFAULT_CONFIG } from '../../config/schema.ts';
import { hasErrors, sortFindings, type Finding } from '../../model/findings.ts';
import { loadedModel } from '../../input/pipeline.ts';
import type { ThreatModel } from '../../model/schema.ts';
import {
  formatFindingsJson,
  formatFindingsSarif,
  formatFindingsSummary,
  formatFindingsText,
} from '../../render/findings.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { assessWorkingTree, readModelCommandInput, readSbomInput, usageError } from '../model-input.ts';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = 'threatloop lint [FILE] [--format text|json|sarif] [--sbom PATH] [--config PATH] [--today YYYY-MM-DD]';

const HELP = [
  `FILE defaults to \`model\` in ${CONFIG_PATH}, else ${DEFAULT_CONFIG.model}.`,
  `  --format   text (default): file:line:col severity rule message, then a summary line`,
  '             json: { findings, summary }; sarif: SARIF 2.1.0 for GitHub code scanning',
  `  --config   the repository config (default ${CONFIG_PATH} when it exists); its lint.rules`,
  '             switch rules off or change their level',
  '  --sbom     a CycloneDX JSON SBOM (default: `sbom` in the config): components\' `sbom`',
  '             entries must name its components (rule sbom-unknown-ref)',
  '  --today    the date "overdue" is measured against (default: today, UTC)',
  'Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.',
].join('\n');

export const lintCommand: CommandModule = {
  usage: `${USAGE}\n\n${HELP}`,
  run: runLint,
};

function runLint(args: string[], io: CliIo): number {
  const read = readModelCommandInput('lint', USAGE, args, io, { format: { type: 'string', short: 'f' }, sbom: { type: 'string' } });
  if (!read.ok) return read.exit;
  const { values } = read.input;
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) return usageError(io, 'lint', USAGE, `unknown format "${values.format}" (use ${FORMATS.join(', ')})`);
  if (values.sbom === '') return usageError(io, 'lint', USAGE, '--sbom needs a path');
  const sbom = readSbomInput(io.cwd, values.sbom, read.input.config);
  if (!sbom.ok) return usageError(io, 'lint', USAGE, sbom.message);
  const input = assessWorkingTree(read.input, read.input.today, sbom.sbom);
  // An invalid config and no FILE: the model's path is unknown, so the config's findings alone.
  const file = input.status === 'config-invalid' ? (input.modelFound ? read.input.modelFile : input.configFile) : input.modelPath;
  return report(io, format, sortFindings([...sbom.findings, ...input.findings]), file, loadedModel(input));
}

function report(io: CliIo, format: Format, findings: Finding[], file: string, model?: ThreatModel): number {
  if (format === 'json') io.out(formatFindingsJson(findings).trimEnd());
  else if (format === 'sarif') io.out(formatFindingsSarif(findings, toolVersion(), model).trimEnd());
  else {
    if (findings.length > 0) io.out(formatFindingsText(findings));
    io.out(formatFindingsSummary(findings, file));
  }
  return hasErrors(findings) ? EXIT.failed : EXIT.ok;
}

/** threatloop's version from package.json (SARIF, the HTML report, the evidence manifest). */
export function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
