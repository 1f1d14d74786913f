/**
 * Files read from a repository at a commit, within INPUT_LIMITS: the size
 * GitHub reports is checked BEFORE the content is fetched or parsed, so an
 * oversized model or config costs one small request and becomes one
 * `file-too-large` finding.
 *
 * The config is read as Probot's config loader reads it (the repository's
 * `.github/threatloop.yml`, else the organisation default in `<owner>/.github`,
 * then `_extends` chains, the same `_extends` syntax and recursion check), but
 * each file goes through this size check and threatloop's own YAML reader:
 * the loader's `yaml.parse` compares every key with every earlier one, so a
 * config of a few thousand keys cost seconds on every push and pull request.
 */
import { CONFIG_PATH } from '../config/schema.ts';
import { FILE_START, type Finding } from '../model/findings.ts';
import { inputSizeFinding, type InputKind } from '../model/limits.ts';
import { parseYamlSource } from '../model/source.ts';
import type { GitHubClient } from './client.ts';
import { isNotFound } from './errors.ts';

export type RepoFileRead =
  | { status: 'found'; text: string }
  /** No such file (or a directory, a submodule, a symlink out of the repository) at that commit. */
  | { status: 'missing' }
  | { status: 'too-large'; finding: Finding };

export interface RepoFileLocation {
  owner: string;
  repo: string;
  path: string;
  /** A commit SHA (or a branch name for the CLI's --ref); omitted: the default branch. */
  ref?: string;
}

/**
 * A file's text, or why not. The JSON answer of the contents API carries the size and, up to 1 MB,
 * the content itself (one request, as before); a larger file within the limit is fetched raw.
 * `file` names it in a finding (default: its path).
 */
export async function readRepoFile(octokit: GitHubClient, at: RepoFileLocation, kind: InputKind, file = at.path): Promise<RepoFileRead> {
  let data: unknown;
  try {
    ({ data } = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner: at.owner,
      repo: at.repo,
      path: at.path,
      ...(at.ref ? { ref: at.ref } : {}),
    }));
  } catch (error) {
    if (isNotFound(error)) return { status: 'missing' };
    throw error;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { status: 'missing' };
  const entry = data as { type?: string; size?: number; content?: string; encoding?: string };
  if (entry.type !== 'file') return { status: 'missing' };
  const tooLarge = typeof entry.size === 'number' ? inputSizeFinding(kind, entry.size, file) : undefined;
  if (tooLarge) return { status: 'too-large', finding: tooLarge };

  let bytes: Buffer;
  if (entry.encoding === 'base64' && typeof entry.content === 'string') {
    bytes = Buffer.from(entry.content, 'base64');
  } else {
    // Over 1 MB GitHub leaves `content` empty (`encoding: none`): fetch the raw bytes.
    const raw = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner: at.owner,
      repo: at.repo,
      path: at.path,
      ...(at.ref ? { ref: at.ref } : {}),
      mediaType: { format: 'raw' },
    });
    const body: unknown = raw.data;
    bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body as ArrayBuffer);
  }
  // A branch name may have moved between the two requests, and a size may be absent: check what arrived.
  const arrived = inputSizeFinding(kind, bytes.length, file);
  if (arrived) return { status: 'too-large', finding: arrived };
  return { status: 'found', text: new TextDecoder('utf-8').decode(bytes) };
}

export type ConfigFilesRead =
  /** The parsed files, the repository's own first, then what it extends; empty when there is no config anywhere. */
  | { ok: true; configs: Record<string, unknown>[] }
  | { ok: false; findings: Finding[] };

/** `_extends: repo`, `owner/repo` or `owner/repo:path.yml`, as Probot's loader accepts it. */
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;

/** The config files for a repository at `sha`, in the order and with the rules of Probot's config loader. */
export async function readConfigFiles(octokit: GitHubClient, owner: string, repo: string, sha: string): Promise<ConfigFilesRead> {
  const configs: Record<string, unknown>[] = [];
  const loaded = new Set<string>();
  const read = async (at: RepoFileLocation): Promise<Record<string, unknown> | undefined | Finding[]> => {
    loaded.add(`${at.owner}/${at.repo}:${at.path}`.toLowerCase());
    const name = `${at.owner}/${at.repo}:${at.path}`;
    // Findings are annotated on the repository's own config file: one about another repository's
    // file (the org default, an `_extends`) names that file and its line in the message instead.
    const own = at.owner === owner && at.repo === repo && at.path === CONFIG_PATH;
    const relocate = (findings: Finding[]): Finding[] =>
      findings.map((f) =>
        own
          ? { ...f, rule: 'config' }
          : { ...f, rule: 'config', file: CONFIG_PATH, start: FILE_START, message: `${name}, line ${f.start.line}: ${f.message}` },
      );
    const got = await readRepoFile(octokit, at, 'config', CONFIG_PATH);
    if (got.status === 'missing') return undefined;
    if (got.status === 'too-large') return relocate([got.finding]);
    if (got.text.split(/\r?\n/).every((line) => /^\s*(#.*)?$/.test(line))) return {};
    const parsed = parseYamlSource(got.text, CONFIG_PATH, { kind: 'config' });
    if (!parsed.ok) return relocate(parsed.findings);
    if (parsed.value === null) return {};
    if (typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
      return relocate([{ rule: 'config', level: 'error', message: 'the config must be a YAML mapping', file: CONFIG_PATH, start: parsed.source.locate([]).start }]);
    }
    return parsed.value as Record<string, unknown>;
  };

  let next: RepoFileLocation | undefined = { owner, repo, path: CONFIG_PATH, ref: sha };
  let current = await read(next);
  if (current === undefined && repo !== '.github') {
    // The organisation default, from the default branch of `<owner>/.github`.
    next = { owner, repo: '.github', path: CONFIG_PATH };
    current = await read(next);
  }
  while (current !== undefined) {
    if (Array.isArray(current)) return { ok: false, findings: current };
    const { _extends: extendsValue, ...config } = current;
    configs.push(config);
    if (extendsValue === undefined) break;
    const from = `${next.owner}/${next.repo}:${next.path}`;
    const match = typeof extendsValue === 'string' ? EXTENDS.exec(extendsValue) : null;
    if (!match) return { ok: false, findings: [configError(`invalid value ${JSON.stringify(extendsValue)} for _extends in ${from}`)] };
    next = { owner: match[1] ?? owner, repo: match[2]!, path: match[3] ?? CONFIG_PATH };
    if (loaded.has(`${next.owner}/${next.repo}:${next.path}`.toLowerCase())) {
      return { ok: false, findings: [configError(`_extends in ${from} loops back to ${next.owner}/${next.repo}:${next.path}, which was already read`)] };
    }
    current = await read(next);
  }
  return { ok: true, configs };
}

function configError(message: string): Finding {
  return { rule: 'config', level: 'error', message, file: CONFIG_PATH, start: FILE_START };
}
