/**
 * The GitHub Action's entry (`action.yml` runs `node src/cli/action.ts` in the
 * caller's workspace): the action's inputs arrive as INPUT_* variables and
 * become one CLI run. `actionArgs` is the whole mapping, pure; `runAction`
 * only runs it.
 *
 * The token goes to the CLI as GITHUB_TOKEN for sync and plan only, never on
 * the command line; lint sees no token at all. With `sarif-file`, lint writes
 * SARIF there (for github/codeql-action/upload-sarif) and prints the findings
 * as text for the job log.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EXIT, type CliIo } from './io.ts';
import { main, processIo } from './main.ts';

export const ACTION_COMMANDS = ['lint', 'sync', 'plan', 'evidence'] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

/** The variables action.yml sets from its inputs (composite actions do not export inputs themselves). */
export const ACTION_INPUTS = {
  command: 'INPUT_COMMAND',
  model: 'INPUT_MODEL',
  config: 'INPUT_CONFIG',
  format: 'INPUT_FORMAT',
  sarifFile: 'INPUT_SARIF_FILE',
  token: 'INPUT_TOKEN',
  jiraHost: 'INPUT_JIRA_HOST',
  jiraEmail: 'INPUT_JIRA_EMAIL',
  jiraApiToken: 'INPUT_JIRA_API_TOKEN',
  output: 'INPUT_OUTPUT',
  appLogin: 'INPUT_APP_LOGIN',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

export interface ActionRun {
  command: ActionCommand;
  /** The CLI's arguments, e.g. `['sync', '--repo', 'acme/app']`. */
  argv: string[];
  /** The CLI's environment: the runner's, without INPUT_*; credentials only where the command uses them. */
  env: Record<string, string | undefined>;
  /** Lint with `sarif-file`: `argv` prints SARIF, written here (relative to the workspace)... */
  sarifFile?: string;
  /** ...then `logArgv` prints the same findings in the log's format. */
  logArgv?: string[];
}

export type ActionArgs = { ok: true; run: ActionRun } | { ok: false; message: string };

/** Credentials the CLI reads from its environment; each command gets only those it uses. */
const CREDENTIALS = ['GITHUB_TOKEN', 'GH_TOKEN', 'JIRA_HOST', 'JIRA_EMAIL', 'JIRA_API_TOKEN'];

export function actionArgs(env: Env): ActionArgs {
  const input = (name: keyof typeof ACTION_INPUTS) => env[ACTION_INPUTS[name]]?.trim() || undefined;
  const command = (input('command') ?? 'lint') as ActionCommand;
  if (!ACTION_COMMANDS.includes(command)) {
    return { ok: false, message: `command "${command}" is not one the action runs (use ${ACTION_COMMANDS.join(', ')})` };
  }
  const format = input('format');
  const sarifFile = input('sarifFile');
  if (sarifFile && command !== 'lint') return { ok: false, message: `sarif-file is for the lint command, not ${command}` };

  const cliEnv = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('INPUT_') && !CREDENTIALS.includes(name)));
  const options: string[] = [];
  if (command !== 'lint') {
    const repository = env.GITHUB_REPOSITORY;
    if (!repository) return { ok: false, message: `${command} needs GITHUB_REPOSITORY (set by GitHub Actions) to know which repository to sync` };
    const token = input('token');
    if (!token) return { ok: false, message: `${command} needs a token: the token input is empty (its default is github.token)` };
    options.push('--repo', repository);
    // Inherited from the job first, the action's inputs win.
    for (const name of CREDENTIALS) if (env[name] !== undefined) cliEnv[name] = env[name];
    cliEnv.GITHUB_TOKEN = token;
    delete cliEnv.GH_TOKEN;
    const jira = { JIRA_HOST: input('jiraHost'), JIRA_EMAIL: input('jiraEmail'), JIRA_API_TOKEN: input('jiraApiToken') };
    for (const [name, value] of Object.entries(jira)) if (value) cliEnv[name] = value;
  }
  if (command === 'evidence') {
    // The pack is built from the repository at the workflow's commit; on a release, named by its tag.
    if (input('model') || input('config') || format) return { ok: false, message: 'evidence reads the model and config from the repository at the ref: leave out model, config and format' };
    const ref = env.GITHUB_REF_TYPE === 'tag' && env.GITHUB_REF_NAME ? env.GITHUB_REF_NAME : env.GITHUB_SHA;
    if (ref) options.push('--ref', ref);
    const output = input('output');
    if (output) options.push('--output', output);
    const appLogin = input('appLogin');
    if (appLogin) options.push('--app-login', appLogin);
    return { ok: true, run: { command, argv: [command, ...options], env: cliEnv } };
  }
  if (input('output') || input('appLogin')) return { ok: false, message: `output and app-login are for the evidence command, not ${command}` };
  const config = input('config');
  if (config) options.push('--config', config);
  const model = input('model');
  // A path that starts with "-" would be read as an option.
  const file = model === undefined ? [] : model.startsWith('-') ? ['--', model] : [model];
  const withFormat = (f: string | undefined) => [command, ...options, ...(f ? ['--format', f] : []), ...file];

  if (!sarifFile) return { ok: true, run: { command, argv: withFormat(format), env: cliEnv } };
  const logFormat = format === undefined || format === 'sarif' ? 'text' : format;
  return { ok: true, run: { command, argv: withFormat('sarif'), env: cliEnv, sarifFile, logArgv: withFormat(logFormat) } };
}

export type CliMain = (argv: string[], io: CliIo) => Promise<number>;

/** Runs the mapped CLI command; `cli` is the CLI's `main` (tests pass one with fast pacing). */
export async function runAction(env: Env, io: Omit<CliIo, 'env'>, cli: CliMain = main): Promise<number> {
  const mapped = actionArgs(env);
  if (!mapped.ok) {
    io.err(`threatloop action: ${mapped.message}`);
    return EXIT.usage;
  }
  const { argv, env: cliEnv, sarifFile, logArgv } = mapped.run;
  if (!sarifFile || !logArgv) return cli(argv, { ...io, env: cliEnv });

  const sarif: string[] = [];
  const exit = await cli(argv, { ...io, out: (text) => sarif.push(text), env: cliEnv });
  // Usage errors print no SARIF; lint errors do, and the file is what code scanning annotates.
  if (exit === EXIT.usage) return exit;
  const path = resolve(io.cwd, sarifFile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${sarif.join('\n')}\n`);
  await cli(logArgv, { ...io, env: cliEnv });
  io.out(`threatloop: SARIF written to ${sarifFile}`);
  return exit;
}

if (import.meta.main) {
  process.exitCode = await runAction(process.env, processIo);
}
