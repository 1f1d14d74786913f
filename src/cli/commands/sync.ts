/**
 * `threatloop sync --repo owner/name [FILE]`: the app's sync, run with a token
 * (CI, a GitHub Action, a laptop). Same orchestrator as the app: lint, read
 * the issues repository, plan, apply within the write budget, report.
 *
 * Inputs: by default the model and config from the working tree (the CI use
 * case: the checkout is the commit being synced); with `--ref REF`, both are
 * read from the repository at that ref instead (resolved to a commit SHA).
 * `threatloop plan --repo owner/name` is `sync --dry-run`: `runRemotePlan`.
 */
import { CONFIG_PATH } from '../../config/schema.ts';
import { formatFindingsText } from '../../render/findings.ts';
import { formatPlan } from '../../sync/github/format-plan.ts';
import { createTokenClient, realDelay, webUrlFor, WritePacer, type Delay, type GitHubClient } from '../../github/client.ts';
import { createExtensions } from '../../sync/trackers.ts';
import { runSync, type SyncOutcome, type SyncRequest } from '../../sync/run.ts';
import { describeSync } from '../../sync/summary.ts';
import { redactSecrets } from '../../security/redact-secrets.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { terminalProgress } from '../progress.ts';
import { parseCommandArgs, readWorkingTree, usageError, workingTreeReader } from '../model-input.ts';
import { httpStatus } from '../../github/errors.ts';

const USAGE = 'threatloop sync --repo owner/name [FILE] [--ref REF] [--config PATH] [--propose] [--dry-run] [--format text|json]';

const HELP = [
  'Reconciles the threat issues of owner/name with the model, like the app does on a push.',
  '  --repo     the repository that holds the model (issues go there, or to `issues.repo` from the config)',
  `  FILE       the model (default: \`model\` from ${CONFIG_PATH}, else threat-model.yml), read from the working tree`,
  '  --ref      read the model and config from the repository at REF (branch, tag or SHA) instead of the working tree',
  `  --config   the config file in the working tree (default ${CONFIG_PATH})`,
  '  --propose  threat issues closed by hand become one pull request on the model (branch threatloop/status)',
  '             instead of being reopened (`issues.on_manual_close`); the token must write contents and PRs',
  '  --dry-run  print the plan, write nothing (same as `threatloop plan --repo`)',
  '  --format   text (default) or json',
  'Environment: GITHUB_TOKEN (issues: write; checks are not written from the CLI), GITHUB_API_URL for',
  'GitHub Enterprise Server (e.g. https://ghe.example.com/api/v3), GITHUB_SHA/GITHUB_REF_NAME in Actions.',
  'Exit status: 0 synced (or nothing to do), 1 errors in the model/config, no access, changes left over',
  '(run again to continue) or a Jira failure (the GitHub side still completed), 2 usage error.',
].join('\n');

export interface RemoteOptions {
  dryRun: boolean;
  /** Injected in tests (no waiting); real time otherwise. */
  delay?: Delay;
  /** Injected in tests: a client against a stand-in. */
  client?: GitHubClient;
  /** Gap between writes (default 1000 ms; tests: 0, which also turns off Octokit's own write queue). */
  writeIntervalMs?: number;
  now?: Date;
}

export const syncCommand: CommandModule = {
  usage: `${USAGE}\n\n${HELP}`,
  run: (args, io) => runRemoteSync('sync', args, io, { dryRun: false }),
};

/** `threatloop plan --repo owner/name ...`: the remote dry run, for plan.ts to delegate to. */
export function runRemotePlan(args: string[], io: CliIo, options: Partial<RemoteOptions> = {}): Promise<number> {
  return runRemoteSync('plan', args.filter((a) => a !== '--dry-run'), io, { ...options, dryRun: true });
}

export async function runRemoteSync(command: string, args: string[], io: CliIo, options: RemoteOptions): Promise<number> {
  const usage = (message: string) => usageError(io, command, USAGE, message);
  const parsed = parseCommandArgs(command, USAGE, args, io, {
    repo: { type: 'string' },
    ref: { type: 'string' },
    config: { type: 'string' },
    format: { type: 'string' },
    'dry-run': { type: 'boolean' },
    propose: { type: 'boolean' },
  });
  if (!parsed.ok) return parsed.exit;
  const { values, file } = parsed;
  const dryRun = options.dryRun || values['dry-run'] === true;
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') return usage(`unknown format "${format}" (use text, json)`);
  if (!values.repo || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(values.repo)) return usage('--repo owner/name is required');
  if (values.ref && (file !== undefined || values.config)) return usage('--ref reads the model and config from the repository: leave out FILE and --config');
  const [owner, repo] = values.repo.split('/') as [string, string];

  const token = io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
  if (!options.client && !token) {
    io.err(`threatloop ${command}: set GITHUB_TOKEN to a token that can read ${values.repo} and write its issues`);
    return EXIT.usage;
  }
  const delay = options.delay ?? realDelay;
  const baseUrl = io.env.GITHUB_API_URL;
  const octokit =
    options.client ??
    createTokenClient({
      token: token!,
      ...(baseUrl ? { baseUrl } : {}),
      delay,
      throttle: (options.writeIntervalMs ?? 1000) > 0,
      onRetry: ({ method, url, waitSeconds }) => io.err(`GitHub rate limit on ${method} ${url}: retrying in ${waitSeconds} s`),
    });

  let local: Pick<SyncRequest, 'input' | 'modelPath'> | undefined;
  if (!values.ref) {
    // An invalid config is reported by the sync itself (with no model read when its path is unknown).
    const read = readWorkingTree(io.cwd, { file, config: values.config });
    if (!read.ok) return usage(read.message);
    const { modelFile, modelFindings } = read.input;
    if (modelFindings.length > 0) {
      io.err(formatFindingsText(modelFindings));
      return EXIT.failed;
    }
    local = { input: workingTreeReader(io.cwd, read.input), modelPath: modelFile };
  }

  const progress = io.terminal && !dryRun ? terminalProgress(io.terminal) : undefined;
  let login: Promise<string | undefined> | undefined;
  const creator = () => (login ??= tokenLogin(octokit, io.env));
  let outcome: SyncOutcome;
  try {
    const { data: repository } = await octokit.request('GET /repos/{owner}/{repo}', { owner, repo });
    const branch = values.ref ?? io.env.GITHUB_REF_NAME ?? repository.default_branch;
    // Links point at a commit: the ref's, or in Actions the checked-out one.
    const commitOf = async (ref: string) => (await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo, ref, per_page: 1 })).data.sha;
    const sha = values.ref ? await commitOf(values.ref) : (io.env.GITHUB_SHA ?? (await commitOf(branch)));
    outcome = await runSync({
      octokit,
      owner,
      repo,
      sha,
      branch,
      actor: io.env.GITHUB_ACTOR ?? 'threatloop CLI',
      webUrl: webUrlFor(baseUrl),
      now: options.now ?? new Date(),
      ...local,
      dryRun,
      requireHead: false,
      pacer: new WritePacer({ minIntervalMs: options.writeIntervalMs ?? 1000, delay }),
      paceKey: 'token',
      extensions: await createExtensions({ env: io.env, delay }),
      issueCreator: creator,
      // --propose: the caller says the token may write contents (a refused write is reported as an error).
      ...(values.propose ? { proposals: { canWriteContents: async () => true, botLogin: creator, always: true } } : {}),
      ...(progress ? { onProgress: ({ done, total }: { done: number; total: number }) => progress.update(done, total) } : {}),
    });
    progress?.done();
  } catch (error) {
    progress?.done();
    const status = httpStatus(error);
    const message = redactSecrets(error instanceof Error ? error.message : String(error), [token, io.env.JIRA_API_TOKEN, io.env.JIRA_EMAIL]);
    io.err(`threatloop ${command}: ${status === 401 ? 'GITHUB_TOKEN was refused (401)' : status === 404 ? `${values.repo} not found, or the token cannot read it` : message}`);
    return EXIT.failed;
  }
  return report(outcome, format, io);
}

/**
 * Who files issues with this token: its user (GET /user). Actions' GITHUB_TOKEN (an installation token)
 * cannot read /user; the issues it files are github-actions[bot]'s. Another app's installation token
 * outside Actions has no login to find: undefined, and unlabelled issues are not looked for.
 */
export async function tokenLogin(octokit: GitHubClient, env: CliIo['env']): Promise<string | undefined> {
  try {
    return (await octokit.request('GET /user')).data.login;
  } catch {
    return env.GITHUB_ACTIONS === 'true' ? 'github-actions[bot]' : undefined;
  }
}

function report(outcome: SyncOutcome, format: string, io: CliIo): number {
  const summary = describeSync(outcome);
  if (format === 'json') {
    io.out(
      JSON.stringify(
        {
          status: outcome.status,
          title: summary.title,
          issuesRepo: outcome.issuesRepo,
          findings: outcome.findings,
          operations: outcome.plan?.operations ?? [],
          notes: outcome.notes,
          applied: outcome.apply?.applied ?? 0,
          remaining: outcome.apply?.remaining ?? 0,
          requests: outcome.requests,
          ...(outcome.proposal
            ? {
                proposal: {
                  status: outcome.proposal.status,
                  pullRequest: outcome.proposal.pr?.number ?? null,
                  proposed: outcome.proposal.proposed,
                  reopened: outcome.proposal.reopened,
                  findings: outcome.proposal.findings,
                },
              }
            : {}),
        },
        null,
        2,
      ),
    );
  } else {
    if (outcome.findings.length > 0) io.err(formatFindingsText(outcome.findings));
    if (outcome.status === 'planned' && outcome.plan) io.out(formatPlan(outcome.plan));
    io.out(`${summary.title}\n\n${summary.summary}`);
  }
  // A Jira failure fails the run too, so CI flags it (the GitHub side completed regardless).
  const ok = (outcome.status === 'applied' || outcome.status === 'planned' || outcome.status === 'disabled') && !outcome.extensionFailures?.length;
  return ok ? EXIT.ok : EXIT.failed;
}
