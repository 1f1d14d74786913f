/**
 * `threatloop lint [FILE]`: check the threat model and print findings as
 * text, JSON or SARIF. Exit 0 clean or warnings only, 1 on errors, 2 on
 * usage errors (bad flag, missing file).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigText } from '../../config/load.ts';
import { CONFIG_PATH, DEFAULT_CONFIG } from '../../config/schema.ts';
import { hasErrors, sortFindings, type Finding } from '../../model/findings.ts';
import { lintModelText } from '../../model/lint/index.ts';
import { isoDate } from '../../model/schema.ts';
import { parseYamlSource, sizeFinding } from '../../model/source.ts';
import {
  formatFindingsJson,
  formatFindingsSarif,
  formatFindingsSummary,
  formatFindingsText,
} from '../../render/findings.ts';
import { EXIT, type CliIo, type Command } from '../io.ts';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = 'threatloop lint [FILE] [--format text|json|sarif] [--config PATH] [--today YYYY-MM-DD]';

const HELP = [
  `FILE defaults to \`model\` in ${CONFIG_PATH}, else ${DEFAULT_CONFIG.model}.`,
  `  --format   text (default): file:line:col severity rule message, then a summary line`,
  '             json: { findings, summary }; sarif: SARIF 2.1.0 for GitHub code scanning',
  `  --config   the repository config (default ${CONFIG_PATH} when it exists); its lint.rules`,
  '             switch rules off or change their level',
  '  --today    the date "overdue" is measured against (default: today, UTC)',
  'Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.',
].join('\n');

export const lintCommand: Command = {
  summary: 'check the threat model (schema, references, CVSS, closure checklist)',
  usage: `${USAGE}\n\n${HELP}`,
  run: runLint,
};

function runLint(args: string[], io: CliIo): number {
  const usageError = (message: string) => {
    io.err(`threatloop lint: ${message}\nusage: ${USAGE}`);
    return EXIT.usage;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { format: { type: 'string', short: 'f' }, config: { type: 'string' }, today: { type: 'string' } },
    });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) return usageError(`expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) return usageError(`unknown format "${values.format}" (use ${FORMATS.join(', ')})`);
  const today = values.today ?? new Date().toISOString().slice(0, 10);
  if (!isoDate.safeParse(today).success) return usageError(`--today must be a date written YYYY-MM-DD, not "${today}"`);

  // The config: explicit --config must exist; the default one is optional.
  const configFile = values.config ?? CONFIG_PATH;
  const configText = readText(io.cwd, configFile);
  if (!configText.ok && (values.config !== undefined || configText.reason !== 'missing')) {
    return usageError(`config ${configText.message}`);
  }
  const configFindings: Finding[] = [];
  let config = DEFAULT_CONFIG;
  let configSource;
  if (configText.ok) {
    const loaded = loadConfigText(configText.text, configFile);
    if (loaded.ok) {
      config = loaded.config;
      const parsedConfig = parseYamlSource(configText.text, configFile);
      if (parsedConfig.ok) configSource = parsedConfig.source;
    } else {
      configFindings.push(...loaded.findings);
      // Without a valid config the model path is unknown: lint only a model named on the command line.
      if (positionals[0] === undefined) return report(io, format, configFindings, configFile);
    }
  }

  const modelFile = positionals[0] ?? config.model;
  const fromConfig = positionals[0] === undefined && configText.ok ? ` (the \`model\` in ${configFile})` : '';
  const modelText = readText(io.cwd, modelFile);
  if (!modelText.ok) {
    if (modelText.reason === 'too-large') return report(io, format, [...configFindings, sizeFinding(modelText.bytes, modelFile)!], modelFile);
    const hint = positionals[0] === undefined && !configText.ok ? `; pass FILE or set \`model\` in ${CONFIG_PATH}` : '';
    return usageError(`model ${modelText.message}${fromConfig}${hint}`);
  }
  const result = lintModelText(modelText.text, modelFile, {
    today,
    rules: config.lint.rules,
    config: { file: configFile, ...(configSource ? { source: configSource } : {}) },
  });
  return report(io, format, sortFindings([...configFindings, ...result.findings]), modelFile);
}

function report(io: CliIo, format: Format, findings: Finding[], file: string): number {
  if (format === 'json') io.out(formatFindingsJson(findings).trimEnd());
  else if (format === 'sarif') io.out(formatFindingsSarif(findings, toolVersion()).trimEnd());
  else {
    if (findings.length > 0) io.out(formatFindingsText(findings));
    io.out(formatFindingsSummary(findings, file));
  }
  return hasErrors(findings) ? EXIT.failed : EXIT.ok;
}

type ReadResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'missing' | 'unreadable'; message: string }
  | { ok: false; reason: 'too-large'; message: string; bytes: number };

/** Reads a text file relative to the working directory; invalid UTF-8 becomes U+FFFD, which the loader reports as binary. */
function readText(cwd: string, file: string): ReadResult {
  const path = resolve(cwd, file);
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return { ok: false, reason: 'unreadable', message: `${file} is a directory, not a file` };
    // Refuse before reading: a huge file is reported, not loaded into memory.
    if (sizeFinding(stat.size, file)) return { ok: false, reason: 'too-large', message: `${file} is too large`, bytes: stat.size };
    return { ok: true, text: new TextDecoder('utf-8').decode(readFileSync(path)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', message: `file not found: ${file}` };
    return { ok: false, reason: 'unreadable', message: `${file} cannot be read (${code ?? String(error)})` };
  }
}

function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
