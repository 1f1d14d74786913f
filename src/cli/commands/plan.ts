/**
 * `threatloop plan [FILE]`: what a sync would write to GitHub, without
 * writing. With no repository named it plans against an empty private
 * repository: what a first sync of the model would create.
 */
import { CONFIG_PATH, DEFAULT_CONFIG } from '../../config/schema.ts';
import { formatPlan, summarisePlan } from '../../sync/github/format-plan.ts';
import type { RepoState, SyncContext } from '../../sync/github/state.ts';
import { createExtensions } from '../../sync/trackers.ts';
import { planGithubSync } from '../../sync/github/plan.ts';
import { syncableInput } from '../../input/pipeline.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { assessWorkingTree, readModelCommandInput, requireValidModel, usageError } from '../model-input.ts';
import { runRemotePlan } from './sync.ts';

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = 'threatloop plan [FILE] [--format text|json] [--config PATH] [--today YYYY-MM-DD] [--trackers]';

const HELP = [
  `FILE defaults to \`model\` in ${CONFIG_PATH}, else ${DEFAULT_CONFIG.model}.`,
  'Without a repository, plans a first sync into an empty private repository: the labels,',
  'milestones, issues (titles, labels, assignees, milestone) and the dashboard it would create.',
  '  --format   text (default): one line per operation and a summary; json: { operations, notes, summary }',
  `  --config   the repository config (default ${CONFIG_PATH} when it exists): labels, milestones, SLA days...`,
  '  --today    the day new issues are created on, for SLA due dates (default: today, UTC)',
  '  --trackers also what a sync would write to the other trackers (Jira: config `jira:`), against an',
  '             empty project; with JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN set, against the real one',
  '             (`--jira` is the same)',
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
  const trackerFlags = ['--trackers', '--jira'];
  const withTrackers = allArgs.some((arg) => trackerFlags.includes(arg));
  const args = allArgs.filter((arg) => !trackerFlags.includes(arg));
  const read = readModelCommandInput('plan', USAGE, args, io, { format: { type: 'string', short: 'f' } });
  if (!read.ok) return read.exit;
  const { values, config, modelFile: file, today } = read.input;
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) return usageError(io, 'plan', USAGE, `unknown format "${values.format}" (use ${FORMATS.join(', ')})`);
  const valid = requireValidModel(io, 'plan', syncableInput(assessWorkingTree(read.input, today)), 'nothing was planned (a sync would write nothing either)');
  if (!valid.ok) return valid.exit;
  const { findings, model, source } = valid.input;

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
  // Each tracker's own dry run (`--trackers`), keyed by its system.
  const dryRuns: [string, { lines: string[]; json: unknown }][] = [];
  for (const extension of withTrackers ? await createExtensions({ env: io.env }) : []) {
    const dryRun = await extension.dryRun({ model, config, context, source });
    if (!dryRun.ok) {
      io.err(`threatloop plan: ${dryRun.error}`);
      return EXIT.failed;
    }
    dryRuns.push([extension.system, dryRun]);
  }
  if (format === 'json') {
    const trackers = Object.fromEntries(dryRuns.map(([system, dryRun]) => [system, dryRun.json]));
    io.out(JSON.stringify({ operations: plan.operations, notes: plan.notes, summary: summarisePlan(plan), ...trackers }, null, 2));
  } else {
    io.out(`First sync of ${file} into an empty private repository (dry run, nothing is written):\n`);
    io.out(formatPlan(plan));
    for (const [, dryRun] of dryRuns) io.out(dryRun.lines.join('\n'));
  }
  return EXIT.ok;
}
