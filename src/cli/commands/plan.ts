/**
 * `threatloop plan [FILE]`: what a sync would write to GitHub, without
 * writing. With no repository named it plans against an empty private
 * repository: what a first sync of the model would create.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigText } from '../../config/load.ts';
import { CONFIG_PATH, DEFAULT_CONFIG, type Config } from '../../config/schema.ts';
import { hasErrors, type Finding } from '../../model/findings.ts';
import { lintModelText } from '../../model/lint/index.ts';
import { isoDate } from '../../model/schema.ts';
import { formatFindingsSummary, formatFindingsText } from '../../render/findings.ts';
import { formatPlan, summarisePlan } from '../../sync/format-plan.ts';
import type { RepoState, SyncContext } from '../../sync/github-state.ts';
import { planGithubSync } from '../../sync/plan.ts';
import { EXIT, type CliIo, type Command } from '../io.ts';

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = 'threatloop plan [FILE] [--format text|json] [--config PATH] [--today YYYY-MM-DD]';

const HELP = [
  `FILE defaults to \`model\` in ${CONFIG_PATH}, else ${DEFAULT_CONFIG.model}.`,
  'Without a repository, plans a first sync into an empty private repository: the labels,',
  'milestones, issues (titles, labels, assignees, milestone) and the dashboard it would create.',
  '  --format   text (default): one line per operation and a summary; json: { operations, notes, summary }',
  `  --config   the repository config (default ${CONFIG_PATH} when it exists): labels, milestones, SLA days...`,
  '  --today    the day new issues are created on, for SLA due dates (default: today, UTC)',
  'Exit status: 0 planned, 1 the model or config has errors (nothing planned), 2 usage error.',
].join('\n');

export const planCommand: Command = {
  summary: 'show what a GitHub sync would write (a dry run)',
  usage: `${USAGE}\n\n${HELP}`,
  run: runPlan,
};

/** The repository an offline plan targets: empty and private, so everything a first sync files shows. */
export const OFFLINE_REPO = { owner: 'your-org', repo: 'your-repo' };

function runPlan(args: string[], io: CliIo): number {
  const usageError = (message: string) => {
    io.err(`threatloop plan: ${message}\nusage: ${USAGE}`);
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

  let config: Config = DEFAULT_CONFIG;
  const configFile = values.config ?? CONFIG_PATH;
  const configText = readText(io.cwd, configFile);
  if (configText.ok) {
    const loaded = loadConfigText(configText.text, configFile);
    if (!loaded.ok) return refuse(io, loaded.findings, configFile);
    config = loaded.config;
  } else if (values.config !== undefined || configText.reason !== 'missing') {
    return usageError(`config ${configText.message}`);
  }

  const file = positionals[0] ?? config.model;
  const modelText = readText(io.cwd, file);
  if (!modelText.ok) return usageError(`model ${modelText.message}`);
  const { findings, model, source } = lintModelText(modelText.text, file, { today, rules: config.lint.rules, config: { file: configFile } });
  if (!model || hasErrors(findings)) return refuse(io, findings, file);

  const state: RepoState = { ...OFFLINE_REPO, issues: [], labels: [], milestones: [], private: true };
  const context: SyncContext = {
    modelRepo: `${OFFLINE_REPO.owner}/${OFFLINE_REPO.repo}`,
    sha: '0'.repeat(40),
    ref: 'HEAD',
    modelPath: file,
    webUrl: 'https://github.com',
    today,
  };
  const plan = planGithubSync({ model, config, state, context, source, lintWarnings: findings.filter((f) => f.level === 'warning') });
  if (format === 'json') {
    io.out(JSON.stringify({ operations: plan.operations, notes: plan.notes, summary: summarisePlan(plan) }, null, 2));
  } else {
    io.out(`First sync of ${file} into an empty private repository (dry run, nothing is written):\n`);
    io.out(formatPlan(plan));
  }
  return EXIT.ok;
}

function refuse(io: CliIo, findings: readonly Finding[], file: string): number {
  if (findings.length > 0) io.err(formatFindingsText(findings));
  io.err(formatFindingsSummary(findings, file));
  io.err('threatloop plan: fix the errors above; nothing was planned (a sync would write nothing either)');
  return EXIT.failed;
}

type ReadResult = { ok: true; text: string } | { ok: false; reason: 'missing' | 'unreadable'; message: string };

function readText(cwd: string, file: string): ReadResult {
  try {
    return { ok: true, text: new TextDecoder('utf-8').decode(readFileSync(resolve(cwd, file))) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', message: `file not found: ${file}` };
    return { ok: false, reason: 'unreadable', message: `${file} cannot be read (${code ?? String(error)})` };
  }
}
