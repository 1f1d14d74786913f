/**
 * `threatloop vex [FILE] --sbom bom.cdx.json [--output vex.cdx.json]`: a
 * CycloneDX VEX document saying the product is not affected by each CVE a
 * mitigated or verified threat names, protected by the threat's mitigation.
 * A model with lint errors, or an SBOM that cannot be read, gets no VEX:
 * the findings are printed and the exit status is 1; nothing is written.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CONFIG_PATH, DEFAULT_CONFIG } from '../../config/schema.ts';
import type { Finding } from '../../model/findings.ts';
import { formatFindingsSummary, formatFindingsText } from '../../render/findings.ts';
import { planVex, vexBomJson } from '../../sbom/vex.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { assessWorkingTree, readModelCommandInput, readSbomInput, requireValidModel, usageError } from '../model-input.ts';
import { toolVersion } from './lint.ts';

const USAGE = 'threatloop vex [FILE] --sbom PATH [--output PATH] [--config PATH] [--today YYYY-MM-DD]';

const HELP = [
  `FILE defaults to \`model\` in ${CONFIG_PATH}, else ${DEFAULT_CONFIG.model}.`,
  `  --sbom     the CycloneDX JSON SBOM that components' \`sbom\` entries name (default: \`sbom\` in ${CONFIG_PATH})`,
  '  --output   write the VEX document to PATH instead of stdout',
  `  --config   the repository config (default ${CONFIG_PATH} when it exists)`,
  '  --today    the document date (default: today, UTC)',
  'A threat gives one statement per CVE id in its `refs` when its status is mitigated or verified:',
  'not_affected, protected_by_mitigating_control, affecting the SBOM components its target components link to.',
  'Exit status: 0 written, 1 the model has lint errors or the SBOM cannot be read (printed instead), 2 usage error.',
].join('\n');

export const vexCommand: CommandModule = {
  usage: `${USAGE}\n\n${HELP}`,
  run: runVex,
};

function runVex(args: string[], io: CliIo): number {
  const read = readModelCommandInput('vex', USAGE, args, io, { sbom: { type: 'string' }, output: { type: 'string', short: 'o' } });
  if (!read.ok) return read.exit;
  const { values, modelFile: file, today } = read.input;
  if (values.output === '') return usageError(io, 'vex', USAGE, '--output needs a path');
  if (values.sbom === '') return usageError(io, 'vex', USAGE, '--sbom needs a path');
  if (values.sbom === undefined && read.input.config.sbom === undefined) {
    return usageError(io, 'vex', USAGE, `--sbom is required (or set \`sbom\` in ${CONFIG_PATH})`);
  }
  const sbomInput = readSbomInput(io.cwd, values.sbom, read.input.config);
  if (!sbomInput.ok) return usageError(io, 'vex', USAGE, sbomInput.message);
  if (!sbomInput.sbom) return refuse(io, sbomInput.findings, sbomInput.file ?? file);
  const { sbom } = sbomInput;
  const valid = requireValidModel(io, 'vex', assessWorkingTree(read.input, today, sbom), 'no VEX was written');
  if (!valid.ok) return valid.exit;
  const { model, text } = valid.input;

  const plan = planVex(model, sbom);
  // Same model and SBOM, same serial number: a regenerated VEX is recognisably the same document.
  const serialNumber = uuidUrn(createHash('sha256').update(text).update('\0').update(JSON.stringify(sbom.components)).digest('hex'));
  const json = vexBomJson(plan, { timestamp: new Date(`${today}T00:00:00Z`), serialNumber, toolVersion: toolVersion() });
  for (const skip of plan.skipped) io.err(`note: threat ${skip.threatId} names ${skip.cve} but gives no VEX statement: ${skip.reason}`);
  const summary = `${plan.statements.length} ${plan.statements.length === 1 ? 'statement' : 'statements'} (not_affected) from ${file} and ${sbom.file}`;
  if (values.output === undefined) {
    io.out(json.trimEnd());
    io.err(summary);
    return EXIT.ok;
  }
  const target = resolve(io.cwd, values.output);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, json);
  } catch (error) {
    io.err(`threatloop vex: cannot write ${values.output} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return EXIT.failed;
  }
  io.err(`wrote ${values.output}: ${summary}`);
  return EXIT.ok;
}

/** A version-4-shaped urn:uuid from a hex digest (CycloneDX wants RFC 4122 form). */
function uuidUrn(hex: string): string {
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function refuse(io: CliIo, findings: readonly Finding[], file: string): number {
  if (findings.length > 0) io.err(formatFindingsText(findings));
  io.err(formatFindingsSummary(findings, file));
  io.err('threatloop vex: fix the errors above; no VEX was written');
  return EXIT.failed;
}
