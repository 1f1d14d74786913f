/**
 * `threatloop evidence --repo owner/name [--ref TAG] [--output DIR]`: the
 * auditor's evidence pack for one commit, read from GitHub with a token
 * (reads only): the model and config at the ref, the threat issues and the
 * comments threatloop left on them. Writes report.html, traceability.csv,
 * model/<file>, lint.sarif and manifest.json into a new folder; never over
 * an existing pack.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { assembleEvidence, issuesToRead } from '../../evidence/assemble.ts';
import { buildEvidencePack } from '../../evidence/pack.ts';
import { listLabelledIssues, listThreatIssueComments, resolveCommit } from '../../github/evidence-reads.ts';
import { hasErrors } from '../../model/findings.ts';
import { commitReader } from '../../github/contents.ts';
import { loadedModel, readModelInput } from '../../input/pipeline.ts';
import { traceabilityRows } from '../../model/traceability.ts';
import { loadLayoutEngine } from '../../render/diagram-svg.ts';
import { formatFindingsSarif, formatFindingsSummary, formatFindingsText } from '../../render/findings.ts';
import { renderHtmlReport } from '../../render/html-report.ts';
import { renderTraceabilityCsv } from '../../render/traceability-csv.ts';
import { countRequests, createTokenClient, realDelay, type GitHubClient } from '../../github/client.ts';
import { threatLabel } from '../../sync/github/labels.ts';
import { redactSecrets } from '../../security/redact-secrets.ts';
import { EXIT, type CliIo, type CommandModule } from '../io.ts';
import { parseCommandArgs, usageError } from '../model-input.ts';
import { withQuietGraphviz } from '../quiet-graphviz.ts';
import { toolVersion } from './lint.ts';
import { tokenLogin } from './sync.ts';

const USAGE = 'threatloop evidence --repo owner/name [--ref REF] [--output DIR] [--app-login LOGIN] [--today YYYY-MM-DD]';

const HELP = [
  'Builds the evidence pack for one commit: the HTML report, the traceability matrix enriched from GitHub',
  '(issue, Jira key, pull requests and merge commits, status history), the model at the ref, lint results',
  'as SARIF, and manifest.json (commit, time, tool version, SHA-256 of every file). Reads only.',
  '  --repo       the repository that holds the model',
  '  --ref        branch, tag or SHA (default: the default branch)',
  '  --output     the folder to create (default: evidence-<short sha>); an existing pack is never overwritten',
  '  --app-login  the login threatloop writes issues as, e.g. threatloop[bot]; only its issues and comments are',
  '               believed (default: github-actions[bot] in GitHub Actions, else the token\'s own login)',
  '  --today      the date "overdue" is measured against (default: today, UTC)',
  'Environment: GITHUB_TOKEN (contents and issues: read), GITHUB_API_URL for GitHub Enterprise Server.',
  'Exit status: 0 pack written, 1 the model cannot be read, no access, the folder holds a pack, or lint errors',
  '(the pack is still written: it records them), 2 usage error.',
].join('\n');

export interface EvidenceOptions {
  /** Injected in tests: a client against the stand-in. */
  client?: GitHubClient;
  now?: Date;
}

export const evidenceCommand: CommandModule = {
  usage: `${USAGE}\n\n${HELP}`,
  run: (args, io) => runEvidence(args, io),
};

const PACK_FILES = ['report.html', 'traceability.csv', 'lint.sarif', 'manifest.json', 'model'];

export async function runEvidence(args: string[], io: CliIo, options: EvidenceOptions = {}): Promise<number> {
  const usage = (message: string) => usageError(io, 'evidence', USAGE, message);
  const parsed = parseCommandArgs('evidence', USAGE, args, io, {
    repo: { type: 'string' },
    ref: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'app-login': { type: 'string' },
    today: { type: 'string' },
  });
  if (!parsed.ok) return parsed.exit;
  const { values } = parsed;
  if (parsed.file !== undefined) return usage('the model is read from the repository at --ref: leave out FILE');
  if (!values.repo || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(values.repo)) return usage('--repo owner/name is required');
  if (values.output === '') return usage('--output needs a folder');
  if (values['app-login'] !== undefined && !/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\[bot\])?$/.test(values['app-login'])) return usage(`--app-login "${values['app-login']}" is not a GitHub login`);
  const now = options.now ?? new Date();
  const today = values.today ?? now.toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) return usage(`--today must be a date written YYYY-MM-DD, not "${today}"`);
  const [owner, repo] = values.repo.split('/') as [string, string];
  const token = io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
  if (!options.client && !token) {
    io.err(`threatloop evidence: set GITHUB_TOKEN to a token that can read ${values.repo} (contents and issues)`);
    return EXIT.usage;
  }
  const octokit =
    options.client ??
    createTokenClient({
      token: token!,
      ...(io.env.GITHUB_API_URL ? { baseUrl: io.env.GITHUB_API_URL } : {}),
      delay: realDelay,
      onRetry: ({ method, url, waitSeconds }) => io.err(`GitHub rate limit on ${method} ${url}: retrying in ${waitSeconds} s`),
    });
  const counter = countRequests(octokit);
  const readsBefore = counter.reads;

  try {
    const ref = values.ref ?? (await octokit.request('GET /repos/{owner}/{repo}', { owner, repo })).data.default_branch;
    const commit = await resolveCommit(octokit, owner, repo, ref);
    const outputName = values.output ?? `evidence-${commit.slice(0, 7)}`;
    const outputDir = resolve(io.cwd, outputName);
    const clash = PACK_FILES.filter((name) => existsSync(join(outputDir, name)));
    if (clash.length > 0) {
      io.err(`threatloop evidence: ${outputName} already holds ${clash.join(', ')}; choose another --output (nothing was overwritten)`);
      return EXIT.failed;
    }

    // The one input pipeline, at the commit: the pack records lint errors (lint.sarif), it needs only a model that loads.
    const read = await readModelInput(commitReader(octokit, { owner, repo, sha: commit }), { today });
    if (read.status === 'config-invalid') {
      io.err(formatFindingsText(read.findings));
      io.err(`threatloop evidence: the config at ${commit.slice(0, 7)} is invalid; no pack was written`);
      return EXIT.failed;
    }
    const { config, modelPath, findings } = read;
    if (read.status === 'no-model') {
      io.err(`threatloop evidence: no model at ${modelPath} in ${values.repo}@${ref} (${commit.slice(0, 7)}); no pack was written`);
      return EXIT.failed;
    }
    const model = loadedModel(read);
    const modelText = read.text;
    if (!model || modelText === undefined) {
      io.err(formatFindingsText(findings));
      io.err(`threatloop evidence: the model at ${commit.slice(0, 7)} does not load; no pack was written`);
      return EXIT.failed;
    }

    // As `threatloop sync` with this token files issues: the token's user, or github-actions[bot] in Actions.
    const trustedAuthor = values['app-login'] ?? (await tokenLogin(octokit, io.env));
    if (!trustedAuthor) {
      io.err('threatloop evidence: cannot tell which login threatloop writes as; pass --app-login (e.g. threatloop[bot])');
      return EXIT.usage;
    }
    const [issuesOwner, issuesRepo] = (config.issues.repo ?? values.repo).split('/') as [string, string];
    const issues = config.issues.enabled ? await listLabelledIssues(octokit, issuesOwner, issuesRepo, threatLabel(config.issues.labels.prefix).name) : [];
    const { comments } = await listThreatIssueComments(octokit, issuesOwner, issuesRepo, issuesToRead(issues, trustedAuthor));
    const evidence = assembleEvidence({ model, issues, comments, trustedAuthor });

    const rows = traceabilityRows(model, evidence.byThreat);
    const viz = await loadLayoutEngine();
    const version = toolVersion();
    const source = `${values.repo}@${ref} (${commit.slice(0, 12)})`;
    const reportHtml = withQuietGraphviz(() =>
      renderHtmlReport({ model, findings, file: modelPath, viz, generatedAt: today, closeStatuses: config.issues.close_statuses, evidence: evidence.byThreat, source, toolVersion: version }),
    );
    const all = [...evidence.byThreat.values()];
    const pullRequests = all.flatMap((e) => e.pullRequests);
    const errors = findings.filter((f) => f.level === 'error').length;
    const pack = buildEvidencePack({
      repository: values.repo,
      ref,
      commit,
      generatedAt: now.toISOString(),
      toolVersion: version,
      modelPath,
      modelText,
      reportHtml,
      traceabilityCsv: renderTraceabilityCsv(model, rows, { withEvidence: true }),
      sarif: formatFindingsSarif(findings, version, model),
      issuesRepository: `${issuesOwner}/${issuesRepo}`,
      trustedAuthor,
      summary: {
        threats: model.threats.length,
        withIssue: evidence.byThreat.size,
        pullRequests: pullRequests.length,
        mergedPullRequests: pullRequests.filter((p) => p.mergedAt).length,
        statusChanges: all.reduce((n, e) => n + e.statusHistory.length, 0),
        lintErrors: errors,
        lintWarnings: findings.length - errors,
      },
      reads: counter.reads - readsBefore,
    });
    for (const file of pack) {
      const target = join(outputDir, file.name);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content, { flag: 'wx' });
    }

    io.err(
      `wrote ${outputName}: ${readdirSync(outputDir).length} entries for ${values.repo}@${ref} (${commit.slice(0, 7)}); ` +
        `${evidence.byThreat.size} of ${model.threats.length} threats have an issue, ${pullRequests.length} pull request links; ${counter.reads - readsBefore} GitHub reads`,
    );
    if (evidence.ignored.issues + evidence.ignored.comments > 0) {
      io.err(`ignored ${evidence.ignored.issues} issues and ${evidence.ignored.comments} comments that carry threatloop markers but were not written by ${trustedAuthor}`);
    }
    if (hasErrors(findings)) {
      io.err(`${formatFindingsSummary(findings, modelPath)}: the pack records them in lint.sarif`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } catch (error) {
    const status = (error as { status?: number }).status;
    const message = redactSecrets(error instanceof Error ? error.message : String(error), [token]);
    io.err(
      `threatloop evidence: ${status === 401 ? 'GITHUB_TOKEN was refused (401)' : status === 404 ? `${values.repo} not found, or the token cannot read it` : status === 422 ? `no commit ${values.ref ?? ''} in ${values.repo}` : message}`,
    );
    return EXIT.failed;
  }
}
