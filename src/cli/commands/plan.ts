/**
 * `threatloop plan [FILE]`: what a sync would write to GitHub, without
 * writing. With no repository named it plans against an empty private
 * repository: what a first sync of the model would create.
 */
import { CONFIG_PATH, DEFAULT_CONFIG } from '../../config/schema.ts';
import { hasErrors, type Finding } from '../../model/findings.ts';
import { lintModelText } from '../../model/lint/index.ts';
import { formatFindingsSummary, formatFindingsText } from '../../render/findings.ts';
import { formatPlan, summarisePlan } from '../../sync/format-plan.ts';
import type { RepoState, SyncContext } from '../../sync/github-state.ts';
import { planJiraDryRun } from '../../sync/jira-dry-run.ts';
import { planGithubSync } from '../../sync/plan.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { lintOptions, readModelCommandInput, requireModelText, usageError } from '../model-input.ts';
import { runRemotePlan } from './sync.ts';

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = 'threatloop plan [FILE] [--format text|json] [--config PATH] [--today YYYY-MM-DD] [--jira]';

const HELP = [
  `FILE defaults to \`model\` in ${CONFIG_PATH}, else ${DEFAULT_CONFIG.model}.`,
  'Without a repository, plans a first sync into an empty private repository: the labels,',
  'milestones, issues (titles, labels, assignees, milestone) and the dashboard it would create.',
  '  --format   text (default): one line per operation and a summary; json: { operations, notes, summary }',
  `  --config   the repository config (default ${CONFIG_PATH} when it exists): labels, milestones, SLA days...`,
  '  --today    the day new issues are created on, for SLA due dates (default: today, UTC)',
  '  --jira     also the Jira operations (config `jira:`), against an empty Jira project; with JIRA_HOST,',
  '             JIRA_EMAIL and JIRA_API_TOKEN set and a repository named, against the real project',
  'Exit status: 0 planned, 1 the model or config has errors (nothing planned), 2 usage error.',
].join('\n');

export const planCommand: CommandModule = {
  usage: `${USAGE}\n\n${HELP}`,
  run: runPlan,
};

/** The repository an offline plan targets: empty and private, so everything a first sync files shows. */
export const OFFLINE_REPO = { owner: 'your-org', repo: 'your-repo' };

async function runPlan(allArgs: string[], io: CliIo): Promise<number> {
  // `--repo owner/name`: plan against the real repository with GITHUB_TOKEN (sync.ts, the remote dry run).
  if (allArgs.some((arg) => arg === '--repo' || arg.startsWith('--repo='))) return runRemotePlan(allArgs, io);
  const withJira = allArgs.includes('--jira');
  const args = allArgs.filter((arg) => arg !== '--jira');
  const read = readModelCommandInput('plan', USAGE, args, io, { format: { type: 'string', short: 'f' } });
  if (!read.ok) return read.exit;
  const { values, config, modelFile: file, today } = read.input;
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) return usageError(io, 'plan', USAGE, `unknown format "${values.format}" (use ${FORMATS.join(', ')})`);
  const usable = requireModelText(read.input);
  if (!usable.ok) return refuse(io, usable.findings, usable.file);
  const { findings, model, source } = lintModelText(usable.text, file, lintOptions(read.input));
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
  // Jira (`--jira`): its own module; the dry run of the Jira side.
  const jira = withJira ? await planJiraDryRun({ model, config, context, source, env: io.env }) : undefined;
  if (jira && !jira.ok) {
    io.err(`threatloop plan: ${jira.error}`);
    return EXIT.failed;
  }
  if (format === 'json') {
    const jiraPart = jira?.ok ? { jira: { operations: jira.plan.operations, notes: jira.plan.notes } } : {};
    io.out(JSON.stringify({ operations: plan.operations, notes: plan.notes, summary: summarisePlan(plan), ...jiraPart }, null, 2));
  } else {
    io.out(`First sync of ${file} into an empty private repository (dry run, nothing is written):\n`);
    io.out(formatPlan(plan));
    if (jira?.ok) io.out(jira.lines.join('\n'));
  }
  return EXIT.ok;
}

function refuse(io: CliIo, findings: readonly Finding[], file: string): number {
  if (findings.length > 0) io.err(formatFindingsText(findings));
  io.err(formatFindingsSummary(findings, file));
  io.err('threatloop plan: fix the errors above; nothing was planned (a sync would write nothing either)');
  return EXIT.failed;
}
