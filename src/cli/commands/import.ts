/**
 * `threatloop import FILE`: the model a team has today (a spreadsheet, or another tool's
 * export) -> threat-model.yml. Reads the file in the format named or detected, writes the
 * model (or appends what is new to an existing one with --merge), lints the result and
 * prints what to review. Exit 0 when written, even with lint errors (the data belongs in the
 * repository, where they are fixed); 1 when nothing could be imported, or when the import
 * would lose something the source holds (unless --allow-unmapped); 2 on usage errors.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lintModelText } from '../../model/lint/index.ts';
import { isoDate } from '../../model/schema.ts';
import {
  formatByExtension,
  formatById,
  formatImportedModel,
  FORMATS,
  importSource,
  largestMaxBytes,
  megabytes,
  mergeIntoModelText,
  readExistingModel,
  type ExistingModel,
  type ImportNote,
  type ImportResult,
} from '../../import/index.ts';
import { parseHeaderMap } from '../../import/csv/columns.ts';
import { formatFindingsSummary, formatFindingsText } from '../../render/findings.ts';
import { describeArgsError } from '../args.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { readTextFile } from '../model-input.ts';

const FROM = ['auto', ...FORMATS.map((f) => f.id)];
const USAGE = `threatloop import FILE [--from ${FROM.join('|')}] [--output threat-model.yml] [--system-name NAME] [--merge threat-model.yml] [--map 'Header=field,...'] [--allow-unmapped] [--force] [--today YYYY-MM-DD]`;

const HELP = [
  `Reads a threat model another tool exported (${FORMATS.map((f) => f.name).join(', ')}) or a CSV export of a threat table.`,
  '  --from         the format; auto (the default) tells it by the content, not by the name, and says which it chose',
  'CSV: a header row, then one threat per row ("," ";" or tab). Columns are matched by header: ID, Threat/Title,',
  'STRIDE, Component / Data-flow, CVSS Vector, Base Score, Severity, Strategy, Mitigation Action, Owner, Status,',
  'Due Date, Verification Method, Residual Risk, Linked Ticket, Rationale (and common variants).',
  '  --output       the model to write (default threat-model.yml); an existing file needs --force',
  '  --system-name  system.name of a new model (default: the CSV file’s name)',
  '  --merge        append threats whose ids are not in this model yet (in place, or to --output);',
  '                 the existing text and comments are kept as they are',
  '  --map          CSV headers it does not know: --map \'Risk Level=severity,Affected Component(s)=targets\'',
  '                 (fields: id, title, description, stride, targets, vector, score, severity, strategy, mitigation,',
  '                 owner, status, due, verification, residual_risk, refs, rationale)',
  '  --allow-unmapped  write the model even though it does not keep everything the source holds (listed)',
  '  --force        overwrite --output',
  '  --today        the import date written in the header, and what lint calls overdue',
  'Exit status: 0 written (lint errors in the imported data included), 1 nothing imported (or something would be',
  'lost without --allow-unmapped), 2 usage error.',
].join('\n');

export const importCommand: CommandModule = {
  usage: `${USAGE}\n\n${HELP}`,
  run: runImport,
};

function runImport(args: string[], io: CliIo): number {
  const usageError = (message: string) => {
    io.err(`threatloop import: ${message}\nusage: ${USAGE}`);
    return EXIT.usage;
  };
  const failed = (message: string) => {
    io.err(`threatloop import: ${message}`);
    return EXIT.failed;
  };
  const options = {
    output: { type: 'string', short: 'o' },
    from: { type: 'string' },
    'allow-unmapped': { type: 'boolean' },
    map: { type: 'string' },
    'system-name': { type: 'string' },
    merge: { type: 'string' },
    force: { type: 'boolean' },
    today: { type: 'string' },
  } as const;
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (error) {
    return usageError(describeArgsError(error, options));
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError(positionals.length === 0 ? 'name the CSV file to import, or another tool’s export' : `expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  const source = positionals[0]!;
  const from = values.from ?? 'auto';
  if (values.map !== undefined) {
    const map = parseHeaderMap(values.map);
    if (!map.ok) return usageError(`--map: ${map.message}`);
    if (from !== 'auto' && from !== 'csv') return usageError('--map names CSV columns; it does not apply to --from ' + from);
  }
  if (from !== 'auto' && !formatById(from)) return usageError(`--from must be one of ${FROM.join(', ')}, not "${from}"`);
  const today = values.today ?? new Date().toISOString().slice(0, 10);
  if (!isoDate.safeParse(today).success) return usageError(`--today must be a date written YYYY-MM-DD, not "${today}"`);
  if (values['system-name'] !== undefined && values['system-name'].trim() === '') return usageError('--system-name must not be empty');
  if (values.merge !== undefined && values['system-name'] !== undefined) return usageError('--system-name names a new model; with --merge the existing model keeps its name');
  const output = values.output ?? values.merge ?? 'threat-model.yml';
  const outputPath = resolve(io.cwd, output);
  const writesInPlace = values.merge !== undefined && resolve(io.cwd, values.merge) === outputPath;
  if (!writesInPlace && !values.force && existsSync(outputPath)) {
    return usageError(`${output} exists; pass --force to overwrite it, or --merge ${output} to add the new threats to it`);
  }

  // Size first, so a huge file is refused without reading it: the named format's limit, or
  // (auto) the limit of the format the name suggests, else the largest any format reads.
  const sourcePath = resolve(io.cwd, source);
  const limitFormat = from === 'auto' ? formatByExtension(source) : formatById(from);
  const limit = limitFormat?.maxBytes ?? largestMaxBytes();
  let bytes: Uint8Array;
  try {
    const stat = statSync(sourcePath);
    if (stat.isDirectory()) return usageError(`${source} is a directory, not a file to import`);
    if (stat.size > limit) {
      return failed(`${source} is ${megabytes(stat.size)}; the limit is ${megabytes(limit)} (${SIZE_HINT}): is it really ${limitFormat ? `a ${limitFormat.name} export` : 'a threat model export'}?`);
    }
    bytes = readFileSync(sourcePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return usageError(code === 'ENOENT' || code === 'ENOTDIR' ? `file not found: ${source}` : `${source} cannot be read (${code ?? String(error)})`);
  }

  // The model to merge into, read leniently (ids and names only).
  let existing: ExistingModel | undefined;
  let existingText: string | undefined;
  if (values.merge !== undefined) {
    const read = readTextFile(io.cwd, values.merge, 'model');
    if (!read.ok) return usageError(`--merge ${read.message}`);
    const model = readExistingModel(read.text, values.merge);
    if (!model.ok) return failed(`${model.message}${model.line ? ` (line ${model.line})` : ''}`);
    existing = model.existing;
    existingText = read.text;
  }

  const imported = importSource(bytes, from, {
    file: source,
    ...(values['system-name'] !== undefined ? { systemName: values['system-name'] } : {}),
    ...(existing ? { existing } : {}),
    ...(values.map !== undefined ? { columnMap: values.map } : {}),
  });
  if (!imported.ok) return failed(`nothing imported: ${imported.message}`);
  const { result } = imported;
  const context = { source, date: today };
  const lost = result.notes.filter((n) => n.kind === 'lost');
  if (lost.length > 0 && !values['allow-unmapped']) {
    return failed(
      [`nothing written: the import would lose what ${source} holds in ${plural(lost.length, 'place')}:`, ...lost.map(formatNote), `Map it (see --help), or pass --allow-unmapped to import without it.`].join('\n'),
    );
  }
  const chosen = `Read ${source} as ${imported.format.name}${imported.detected ? ' (told by its content; --from to choose another format)' : ''}.`;

  let text: string;
  if (existingText !== undefined) {
    if (result.model.threats.length === 0) {
      io.out(`Nothing to add: all ${result.skipped.length} threat ids in ${source} are already in ${values.merge}.`);
      return EXIT.ok;
    }
    const merged = mergeIntoModelText(existingText, values.merge!, result, context);
    if (!merged.ok) return failed(`${merged.message}${merged.line ? ` (line ${merged.line})` : ''}`);
    text = merged.text;
  } else {
    text = formatImportedModel(result, context);
  }
  try {
    writeFileSync(outputPath, text);
  } catch (error) {
    return failed(`cannot write ${output} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }

  const lint = lintModelText(text, output, { today });
  io.out(chosen);
  io.out(formatImportReport(result, { source, output, merged: existingText !== undefined }));
  const errors = lint.findings.filter((f) => f.level === 'error');
  if (errors.length > 0) io.out(`\n${formatFindingsText(errors)}`);
  io.out(`\nLint: ${formatFindingsSummary(lint.findings, output)}`);
  if (errors.length > 0) {
    io.out(`The import is written anyway: fix these in ${output} (\`threatloop lint ${output}\` lists warnings too).`);
  }
  return EXIT.ok;
}

function formatImportReport(result: ImportResult, where: { source: string; output: string; merged: boolean }): string {
  const { model } = result;
  const owners = Object.keys(model.owners);
  const lines = [
    where.merged
      ? `Added ${plural(model.threats.length, 'threat')} from ${where.source} to ${where.output}` +
        (result.skipped.length > 0 ? `; skipped ${plural(result.skipped.length, 'id')} already there: ${result.skipped.join(', ')}` : '')
      : `Imported ${plural(model.threats.length, 'threat')} from ${where.source}${result.headerRow !== undefined ? ` (header on row ${result.headerRow})` : ''} into ${where.output}`,
    `  ${model.boundaries.length > 0 ? `${plural(model.boundaries.length, where.merged ? 'new boundary' : 'boundary').replace(/ys$/, 'ies')}, ` : ''}` +
      `${plural(model.components.length, where.merged ? 'new component' : 'component')}, ${plural(model.flows.length, where.merged ? 'new flow' : 'flow')}, ` +
      `${plural(owners.length, where.merged ? 'new owner' : 'owner')}${owners.length > 0 ? ` (${owners.join(', ')})` : ''}`,
  ];
  const problems = result.notes.filter((n) => n.kind === 'problem');
  const reviews = result.notes.filter((n) => n.kind === 'review');
  const lost = result.notes.filter((n) => n.kind === 'lost');
  const sourceNoun = result.format === 'csv' ? 'the sheet' : where.source;
  if (lost.length > 0) lines.push('', `Not kept (${lost.length}, --allow-unmapped):`, ...lost.map(formatNote));
  if (problems.length > 0) lines.push('', `In ${sourceNoun} (${problems.length}):`, ...problems.map(formatNote));
  if (reviews.length > 0) lines.push('', `Guesses to review (${reviews.length}):`, ...reviews.map(formatNote));
  if (!where.merged && model.boundaries.length === 0) lines.push('', 'Also: add trust boundaries (the source has none) and component `paths`; see the comments at the top of the file.');
  return lines.join('\n');
}

function formatNote(note: ImportNote): string {
  const where = [note.row !== undefined ? `row ${note.row}` : '', note.column ? `column ${note.column}` : '', note.path ?? ''].filter(Boolean).join(', ');
  return `  ${where ? `${where}: ` : ''}${note.message}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** What sizes to expect, so a user whose file is refused can tell whether it is really theirs. */
const SIZE_HINT = 'a sheet of 5,000 threats is about 2 MB, an OTM file of 5,000 threats about 7 MB';
