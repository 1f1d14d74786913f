/**
 * The GitHub Action's entry. action.yml runs the bundle of this file
 * (`dist-action/index.js`, built by scripts/build-action.ts) on the runner's
 * Node 24: no install at run time. The runner hands the inputs over as
 * INPUT_<NAME> variables (the input's name upper-cased, hyphens kept:
 * `sarif-file` is INPUT_SARIF-FILE) and they become one CLI run.
 * `actionArgs` is the whole mapping, pure; `runAction` runs it and reports
 * the way a workflow shows things:
 * - findings as workflow annotations (`::error file=…,line=…,col=…::…`),
 *   errors first, at most MAX_ANNOTATIONS of them;
 * - a job summary ($GITHUB_STEP_SUMMARY) with the counts and the planned writes;
 * - outputs ($GITHUB_OUTPUT): errors, warnings, sarif-file, planned-writes.
 * The model is untrusted text (a fork's pull request can change it), so the
 * CLI's own output is printed between `::stop-commands::` markers: nothing
 * in it can be read as a workflow command.
 *
 * On a pull request, lint also lists in the job summary the model changes that
 * need an owner's approval (`threatloop diff <base sha> HEAD`, config and
 * owners at the base). Read-only: the step cannot see reviews (it runs on the
 * `pull_request` event, not on each review), so it never fails on approvals;
 * the app's check run enforces them.
 *
 * The token goes to the CLI as GITHUB_TOKEN for sync and plan only, never on
 * the command line; lint sees no token at all.
 *
 * The config (`--config`, default .github/threatloop.yml) is read by the
 * CLI's working-tree reader (src/cli/model-input.ts `readWorkingTree`); that
 * reader is where `_extends` lands once the one config loader does it for the
 * CLI, the Action and the app alike.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { Finding } from '../model/findings.ts';
import { approvalNeedLine, type ApprovalNeed } from '../lifecycle/approval.ts';
import { CONFIG_PATH, type OwnerApprovalChange } from '../config/schema.ts';
import { loadConfigText } from '../config/load.ts';
import { readTextFile } from './model-input.ts';
import { summarisePlan } from '../sync/github/format-plan.ts';
import type { GithubOperation } from '../sync/github/state.ts';
import { EXIT, type CliIo } from './io.ts';
import { main } from './main.ts';

export const ACTION_COMMANDS = ['lint', 'sync', 'plan', 'evidence'] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

/** The variables the runner sets from action.yml's inputs (see the comment at the top). */
export const ACTION_INPUTS = {
  command: 'INPUT_COMMAND',
  model: 'INPUT_MODEL',
  config: 'INPUT_CONFIG',
  format: 'INPUT_FORMAT',
  sarifFile: 'INPUT_SARIF-FILE',
  token: 'INPUT_TOKEN',
  jiraHost: 'INPUT_JIRA-HOST',
  jiraEmail: 'INPUT_JIRA-EMAIL',
  jiraApiToken: 'INPUT_JIRA-API-TOKEN',
  output: 'INPUT_OUTPUT',
  appLogin: 'INPUT_APP-LOGIN',
  propose: 'INPUT_PROPOSE',
} as const;

/** GitHub shows 10 error and 10 warning annotations per step and 50 per job; more only hide each other. */
export const MAX_ANNOTATIONS = 50;
/** Findings listed in the job summary (all of them are in the log). */
const MAX_SUMMARY_FINDINGS = 30;

type Env = Readonly<Record<string, string | undefined>>;

export interface ActionRun {
  command: ActionCommand;
  /** The CLI's arguments for the log, in the chosen format, e.g. `['sync', '--repo', 'acme/app']`. */
  argv: string[];
  /** The same run as JSON, which the action reads for annotations, the summary and the outputs (evidence: none). */
  jsonArgv?: string[];
  /** The CLI's environment: the runner's, without INPUT_*; credentials only where the command uses them. */
  env: Record<string, string | undefined>;
  /** Lint with `sarif-file`: SARIF (from `sarifArgv`) is written here, relative to the workspace. */
  sarifFile?: string;
  sarifArgv?: string[];
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
  const propose = input('propose');
  if (propose !== undefined && propose !== 'true' && propose !== 'false') return { ok: false, message: `propose is true or false, not "${propose}"` };
  if (propose === 'true') {
    if (command !== 'sync') return { ok: false, message: `propose is for the sync command, not ${command}` };
    options.push('--propose');
  }
  const config = input('config');
  if (config) options.push('--config', config);
  const model = input('model');
  // A path that starts with "-" would be read as an option.
  const file = model === undefined ? [] : model.startsWith('-') ? ['--', model] : [model];
  const withFormat = (f: string | undefined) => [command, ...options, ...(f ? ['--format', f] : []), ...file];

  // The log shows findings as text when SARIF goes to a file (or was asked for: annotations carry the rest).
  const logFormat = format === 'sarif' && sarifFile ? 'text' : format;
  const run: ActionRun = { command, argv: withFormat(logFormat), jsonArgv: withFormat('json'), env: cliEnv };
  if (sarifFile) Object.assign(run, { sarifFile, sarifArgv: withFormat('sarif') });
  return { ok: true, run };
}

export type CliMain = (argv: string[], io: CliIo) => Promise<number>;

/** What the action learnt from the JSON run. */
export interface ActionResult {
  command: ActionCommand;
  findings: Finding[];
  /** sync and plan: the writes the plan holds (an issue created closed counts twice). */
  plannedWrites?: number;
  applied?: number;
  remaining?: number;
  /** sync and plan: the outcome's one-line title. */
  title?: string;
  sarifFile?: string;
  /** lint on a pull request: the changes that need an owner's approval (none asked for: absent). */
  ownerApprovals?: { config: string; needs: ApprovalNeed[] };
}

/** Runs the mapped CLI command; `cli` is the CLI's `main` (tests pass one with fast pacing). */
export async function runAction(env: Env, io: Omit<CliIo, 'env'>, cli: CliMain = main): Promise<number> {
  const mapped = actionArgs(env);
  if (!mapped.ok) {
    io.err(`threatloop action: ${mapped.message}`);
    return EXIT.usage;
  }
  const run = mapped.run;
  const cliIo = { ...io, env: run.env };
  if (!run.jsonArgv) {
    // evidence: one run that writes the pack; its log is the output.
    const log = await captured(cli, run.argv, cliIo);
    untrusted(io, () => {
      log.out.forEach((line) => io.out(line));
      log.err.forEach((line) => io.err(line));
    });
    return log.exit;
  }
  // A sync writes: it runs once, as JSON, and the log is written from that. Lint and plan only read,
  // so the log is the CLI's own output in the chosen format and the JSON is a second, silent run.
  const once = run.command === 'sync';
  const json = await captured(cli, run.jsonArgv, cliIo);
  const log = once ? json : await captured(cli, run.argv, cliIo);
  untrusted(io, () => {
    if (once && run.argv.includes('json')) log.out.forEach((line) => io.out(line));
    else if (once) io.out(syncLogLines(json.out.join('\n')).join('\n'));
    else log.out.forEach((line) => io.out(line));
    log.err.forEach((line) => io.err(line));
  });
  if (json.exit === EXIT.usage) return json.exit;

  const result = readResult(run.command, json.out.join('\n'));
  if (run.sarifFile && run.sarifArgv) {
    const sarif = await captured(cli, run.sarifArgv, cliIo);
    const path = resolve(io.cwd, run.sarifFile);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${sarif.out.join('\n')}\n`);
    result.sarifFile = run.sarifFile;
    io.out(`threatloop: SARIF written to ${run.sarifFile}`);
  }
  const base = run.command === 'lint' ? pullRequestBase(env) : undefined;
  if (base) {
    const approvals = await captured(cli, approvalArgv(base, env), cliIo);
    if (approvals.exit === EXIT.ok) {
      const read = readOwnerApprovals(approvals.out.join('\n'));
      if (read) result.ownerApprovals = read;
    } else if (asksForApproval(io.cwd, env)) {
      // Said only where the checked-out config uses the gate (a shallow checkout is the default). The message
      // can quote the model (a finding): printed with workflow commands off.
      untrusted(io, () => io.out(`threatloop: owner approvals not listed: ${approvals.err[0] ?? 'the diff did not run'} (the base commit must be in the checkout: actions/checkout with fetch-depth: 0)`));
    }
  }
  for (const line of annotationLines(result.findings)) io.out(line);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, jobSummary(result));
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, outputLines(actionOutputs(result)));
  return json.exit;
}

/**
 * The pull request's base commit, on a `pull_request` run (from the event file the runner writes). Not on
 * `pull_request_target`: its checkout is the base branch, not the change.
 */
export function pullRequestBase(env: Env): string | undefined {
  if (env.GITHUB_EVENT_NAME !== 'pull_request') return undefined;
  if (!env.GITHUB_EVENT_PATH) return undefined;
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as { pull_request?: { base?: { sha?: unknown } } };
    const sha = event.pull_request?.base?.sha;
    return typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

/** The checked-out config (the `config` input, else the default path) names changes that need an owner's approval. */
function asksForApproval(cwd: string, env: Env): boolean {
  const file = env[ACTION_INPUTS.config]?.trim() || CONFIG_PATH;
  const read = readTextFile(cwd, file, 'config');
  if (!read.ok) return false;
  const loaded = loadConfigText(read.text, file);
  return loaded.ok && loaded.config.pull_requests.require_owner_approval.length > 0;
}

/** `diff <base> HEAD --format json`, at the `model` input's path when given. */
function approvalArgv(base: string, env: Env): string[] {
  const model = env[ACTION_INPUTS.model]?.trim();
  const sides = model ? [`${base}:${model}`, `HEAD:${model}`] : [base, 'HEAD'];
  return ['diff', ...sides, '--format', 'json'];
}

/** The `ownerApprovals` of `threatloop diff --format json`; undefined when it is not there. */
export function readOwnerApprovals(text: string): ActionResult['ownerApprovals'] {
  let parsed: { ownerApprovals?: { required?: unknown; config?: unknown; needs?: unknown } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return undefined;
  }
  const approvals = parsed.ownerApprovals;
  if (!approvals || !Array.isArray(approvals.required) || approvals.required.length === 0 || !Array.isArray(approvals.needs)) return undefined;
  const needs = (approvals.needs as Partial<ApprovalNeed>[]).map((n) => ({
    threatId: String(n.threatId),
    title: String(n.title ?? ''),
    changes: (n.changes ?? []) as OwnerApprovalChange[],
    owners: n.owners ?? [],
    logins: n.logins ?? [],
    teams: n.teams ?? [],
    unreadableTeams: [],
    staleApprovers: [],
    approvedBy: [],
    authorIsOwner: false,
  }));
  return { config: String(approvals.config ?? ''), needs };
}

async function captured(cli: CliMain, argv: string[], io: CliIo): Promise<{ exit: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const exit = await cli(argv, { ...io, out: (text) => out.push(text), err: (text) => err.push(text) });
  return { exit, out, err };
}

/** Prints `print`'s output with workflow commands switched off (`::stop-commands::`), resumed after. */
function untrusted(io: Omit<CliIo, 'env'>, print: () => void): void {
  const token = randomUUID();
  io.out(`::stop-commands::${token}`);
  try {
    print();
  } finally {
    io.out(`::${token}::`);
  }
}

/** The JSON run's findings and, for sync and plan, the writes. Output that is not JSON reads as nothing. */
export function readResult(command: ActionCommand, text: string): ActionResult {
  let parsed: { findings?: Finding[]; operations?: GithubOperation[]; applied?: number; remaining?: number; title?: string } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // A run that failed before printing JSON (a refused token): its message is in the log.
  }
  const findings = Array.isArray(parsed.findings) ? parsed.findings : [];
  if (command === 'lint') return { command, findings };
  const operations = Array.isArray(parsed.operations) ? parsed.operations : [];
  return {
    command,
    findings,
    plannedWrites: summarisePlan({ operations, notes: [] }).writes,
    ...(typeof parsed.applied === 'number' ? { applied: parsed.applied } : {}),
    ...(typeof parsed.remaining === 'number' ? { remaining: parsed.remaining } : {}),
    ...(typeof parsed.title === 'string' ? { title: parsed.title } : {}),
  };
}

function syncLogLines(text: string): string[] {
  const result = readResult('sync', text);
  if (result.title === undefined) return [];
  return [result.title, `writes: ${result.plannedWrites} planned, ${result.applied ?? 0} applied, ${result.remaining ?? 0} remaining`];
}

/** `::error file=…,line=…::message` per finding, errors first, at most `limit`, then a notice for the rest. */
export function annotationLines(findings: readonly Finding[], limit = MAX_ANNOTATIONS): string[] {
  const ordered = [...findings.filter((f) => f.level === 'error'), ...findings.filter((f) => f.level !== 'error')];
  const lines = ordered.slice(0, limit).map((f) => {
    const properties: [string, string | number][] = [
      ['file', f.file],
      ['line', f.start.line],
      ['col', f.start.column],
    ];
    if (f.end) {
      properties.push(['endLine', f.end.line]);
      // GitHub takes an end column only on a one-line range.
      if (f.end.line === f.start.line) properties.push(['endColumn', f.end.column]);
    }
    properties.push(['title', `threatloop ${f.rule}`]);
    const list = properties.map(([name, value]) => `${name}=${escapeProperty(String(value))}`).join(',');
    return `::${f.level === 'error' ? 'error' : 'warning'} ${list}::${escapeData(f.message)}`;
  });
  if (ordered.length > limit) lines.push(`::notice::${ordered.length - limit} more findings are not annotated; all of them are in the log above`);
  return lines;
}

/** Workflow command escaping, as @actions/core does it. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function actionOutputs(result: ActionResult): Record<'errors' | 'warnings' | 'sarif-file' | 'planned-writes', string> {
  const errors = result.findings.filter((f) => f.level === 'error').length;
  return {
    errors: String(errors),
    warnings: String(result.findings.length - errors),
    'sarif-file': result.sarifFile ?? '',
    'planned-writes': result.plannedWrites === undefined ? '' : String(result.plannedWrites),
  };
}

/** `name=value` lines for $GITHUB_OUTPUT (values are one line each). */
export function outputLines(outputs: Record<string, string>): string {
  return Object.entries(outputs)
    .map(([name, value]) => `${name}=${value.replace(/[\r\n]/g, ' ')}\n`)
    .join('');
}

/** The job summary: counts, the planned writes, the first findings. Model text is escaped for Markdown. */
export function jobSummary(result: ActionResult): string {
  const outputs = actionOutputs(result);
  const lines = [`### Threat model: ${result.command}`, ''];
  if (result.title) lines.push(markdownText(result.title), '');
  lines.push('| errors | warnings |' + (result.plannedWrites === undefined ? '' : ' planned writes | applied | remaining |'));
  lines.push('| ---: | ---: |' + (result.plannedWrites === undefined ? '' : ' ---: | ---: | ---: |'));
  lines.push(
    `| ${outputs.errors} | ${outputs.warnings} |` +
      (result.plannedWrites === undefined ? '' : ` ${result.plannedWrites} | ${result.applied ?? 0} | ${result.remaining ?? 0} |`),
  );
  if (result.findings.length > 0) {
    lines.push('', '| where | level | rule | finding |', '| --- | --- | --- | --- |');
    for (const f of result.findings.slice(0, MAX_SUMMARY_FINDINGS)) {
      lines.push(`| ${markdownText(`${f.file}:${f.start.line}:${f.start.column}`)} | ${f.level} | ${f.rule} | ${markdownText(f.message)} |`);
    }
    if (result.findings.length > MAX_SUMMARY_FINDINGS) lines.push('', `…and ${result.findings.length - MAX_SUMMARY_FINDINGS} more in the log.`);
  }
  if (result.sarifFile) lines.push('', `SARIF: \`${result.sarifFile}\``);
  if (result.ownerApprovals && result.ownerApprovals.needs.length > 0) {
    const { needs } = result.ownerApprovals;
    lines.push(
      '',
      '#### Owner approval',
      '',
      `This pull request makes changes that \`pull_requests.require_owner_approval\` (${markdownText(result.ownerApprovals.config)}) asks an owner of the threat to approve. This step does not read reviews and does not fail on them; the threatloop app's \`Threat model\` check enforces the approvals.`,
      '',
      ...needs.slice(0, MAX_SUMMARY_FINDINGS).map((n) => `- ${approvalNeedLine(n)}`),
    );
    if (needs.length > MAX_SUMMARY_FINDINGS) lines.push(`- …and ${needs.length - MAX_SUMMARY_FINDINGS} more (\`threatloop diff\` lists them all)`);
  }
  return `${lines.join('\n')}\n\n`;
}

/** Text from the model inside a table cell: no cell breaks, no HTML, no mentions or issue links. */
function markdownText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b')
    .replace(/#/g, '#\u200b');
}

if (import.meta.main) {
  process.exitCode = await runAction(process.env, {
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    cwd: process.env.GITHUB_WORKSPACE || process.cwd(),
  });
}
