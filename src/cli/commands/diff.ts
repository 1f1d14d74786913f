/**
 * `threatloop diff BASE HEAD`: the threat-level model diff a PR comment
 * shows, for two model files or two git revisions of the model (`main HEAD`),
 * and, when the config asks for it (`pull_requests.require_owner_approval`),
 * whose approval the changes need. Read-only: reviews are not read, so every
 * such change is listed (the app's check run counts the approvals).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigText } from '../../config/load.ts';
import { CONFIG_PATH } from '../../config/schema.ts';
import { loadModel } from '../../model/load.ts';
import type { ThreatModel } from '../../model/schema.ts';
import { diffModels } from '../../pull-request/diff.ts';
import type { OwnerApprovalChange } from '../../config/schema.ts';
import { approvalNeedLine, missingOwnerApprovals, PLAIN_APPROVAL_STYLE } from '../../lifecycle/approval.ts';
import { formatFindingsText } from '../../render/findings.ts';
import { renderModelDiffText } from '../../pull-request/model-diff.ts';
import { gitShowFile } from '../git-show.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { readTextFile, usageError } from '../model-input.ts';

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = 'threatloop diff BASE HEAD [--format text|json] [--config PATH]';

const HELP = [
  'BASE and HEAD are each a model file, a git revision (the model at that commit: `model` in the config,',
  `else threat-model.yml), or REV:path. A name that is an existing file is read as the file.`,
  '  --format   text (default): the changes as the PR comment lists them; json: { base, head, added, removed, changed, ownerApprovals }',
  `  --config   the repository config that names the model (default ${CONFIG_PATH} when it exists)`,
  `Owner approval: when the config's pull_requests.require_owner_approval names a change this diff makes, the`,
  `threats and the owners (at BASE) who must approve are listed. The config is BASE's when BASE is a git revision`,
  `(${CONFIG_PATH} at that revision; as in the app, a change cannot switch the gate off), else --config or the working tree's.`,
  'Exit status: 0 the diff was printed (with or without changes), 1 a model could not be read or does not load',
  '(findings on stderr), 2 usage error (bad option, missing file, unknown revision).',
].join('\n');

export const diffCommand: CommandModule = {
  usage: `${USAGE}\n\n${HELP}`,
  run: runDiff,
};

type Side = { ok: true; label: string; model: ThreatModel } | { ok: false; exit: number };

function runDiff(args: string[], io: CliIo): number {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { format: { type: 'string', short: 'f' }, config: { type: 'string' } } });
  } catch (error) {
    return usageError(io, 'diff', USAGE, error instanceof Error ? error.message : String(error));
  }
  const { positionals, values } = parsed;
  if (positionals.length !== 2) return usageError(io, 'diff', USAGE, `expected BASE and HEAD, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) return usageError(io, 'diff', USAGE, `unknown format "${values.format}" (use ${FORMATS.join(', ')})`);

  let modelPath: string | undefined;
  const modelPathForRevisions = (): { ok: true; path: string } | { ok: false; exit: number } => {
    if (modelPath !== undefined) return { ok: true, path: modelPath };
    const configFile = values.config ?? CONFIG_PATH;
    const read = readTextFile(io.cwd, configFile, 'config');
    if (!read.ok && (values.config !== undefined || read.reason !== 'missing')) return { ok: false, exit: usageError(io, 'diff', USAGE, `config ${read.message}`) };
    const loaded = loadConfigText(read.ok ? read.text : undefined, configFile);
    if (!loaded.ok) {
      io.err(formatFindingsText(loaded.findings));
      return { ok: false, exit: EXIT.failed };
    }
    modelPath = loaded.config.model;
    return { ok: true, path: modelPath };
  };

  const readSide = (arg: string): Side => {
    let text: string;
    let label: string;
    if (isFile(io.cwd, arg)) {
      const read = readTextFile(io.cwd, arg, 'model');
      if (!read.ok) {
        if (read.reason === 'too-large') {
          io.err(formatFindingsText([read.finding]));
          return { ok: false, exit: EXIT.failed };
        }
        return { ok: false, exit: usageError(io, 'diff', USAGE, read.message) };
      }
      text = read.text;
      label = arg;
    } else {
      let spec = arg;
      if (!arg.includes(':')) {
        const path = modelPathForRevisions();
        if (!path.ok) return path;
        spec = `${arg}:${path.path}`;
      }
      const shown = gitShowFile(io.cwd, spec);
      if (!shown.ok) {
        const hint = shown.reason === 'git' && !arg.includes(':') ? ` (not a file either)` : '';
        if (shown.reason === 'too-large') {
          io.err(`${spec}: ${shown.message}`);
          return { ok: false, exit: EXIT.failed };
        }
        return { ok: false, exit: usageError(io, 'diff', USAGE, `${shown.message}${hint}`) };
      }
      text = shown.text;
      label = spec;
    }
    const loaded = loadModel(text, label);
    if (!loaded.ok) {
      io.err(formatFindingsText(loaded.findings));
      io.err(`threatloop diff: ${label} does not load; fix it first (threatloop lint)`);
      return { ok: false, exit: EXIT.failed };
    }
    return { ok: true, label, model: loaded.model };
  };

  const base = readSide(positionals[0]!);
  if (!base.ok) return base.exit;
  const head = readSide(positionals[1]!);
  if (!head.ok) return head.exit;
  const diff = diffModels(base.model, head.model);
  const required = approvalsRequired(io, values.config, isFile(io.cwd, positionals[0]!) ? undefined : revisionOf(positionals[0]!));
  const needs = missingOwnerApprovals({ diff, base: base.model, head: head.model, require: required.require, approvedBy: [] });
  if (format === 'json') {
    const ownerApprovals = {
      required: required.require,
      config: required.source,
      needs: needs.map(({ threatId, title, changes, owners, logins, teams }) => ({ threatId, title, changes, owners, logins, teams })),
    };
    io.out(JSON.stringify({ base: base.label, head: head.label, ...diff, ownerApprovals }, null, 2));
  } else {
    const approvals = needs.length > 0 ? [`Needs an owner's approval (pull_requests.require_owner_approval in ${required.source}):`, ...needs.map((n) => `  ${approvalNeedLine(n, PLAIN_APPROVAL_STYLE)}`)] : [];
    io.out([`--- ${base.label}\n+++ ${head.label}\n${renderModelDiffText(diff)}`, ...approvals].join('\n'));
  }
  return EXIT.ok;
}

/** The git revision of a BASE argument (`main`, `main:path/tm.yml`). */
function revisionOf(arg: string): string {
  const colon = arg.indexOf(':');
  return colon === -1 ? arg : arg.slice(0, colon);
}

/**
 * The changes that need an owner's approval, from `--config`, else the config at the BASE revision, else
 * the working tree's. A config that is missing asks for none; one that does not load is reported on
 * stderr and asks for none (the diff itself is still printed).
 */
function approvalsRequired(io: CliIo, configOption: string | undefined, baseRevision: string | undefined): { require: OwnerApprovalChange[]; source: string } {
  let text: string | undefined;
  let source: string;
  if (configOption === undefined && baseRevision !== undefined) {
    source = `${baseRevision}:${CONFIG_PATH}`;
    const shown = gitShowFile(io.cwd, source);
    text = shown.ok ? shown.text : undefined;
  } else {
    source = configOption ?? CONFIG_PATH;
    const read = readTextFile(io.cwd, source, 'config');
    text = read.ok ? read.text : undefined;
  }
  if (text === undefined) return { require: [], source };
  const loaded = loadConfigText(text, source);
  if (!loaded.ok) {
    io.err(`threatloop diff: ${source} does not load, so no owner approvals are listed`);
    return { require: [], source };
  }
  return { require: loaded.config.pull_requests.require_owner_approval, source };
}

function isFile(cwd: string, name: string): boolean {
  try {
    return statSync(resolve(cwd, name)).isFile();
  } catch {
    return false;
  }
}
