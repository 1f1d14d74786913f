/** Reading a repository at a commit: a file's text, the repository config (with org defaults and `_extends`), a branch head. */
import { readConfigText, validateConfigValue, type ConfigRead } from '../config/load.ts';
import { CONFIG_PATH } from '../config/schema.ts';
import { FILE_START, type Finding } from '../model/findings.ts';
import { parseYamlSource } from '../model/source.ts';
import type { InputReader } from '../input/pipeline.ts';
import type { GitHubClient } from './client.ts';
import { readRepoFile } from './repo-files.ts';
import { isNotFound } from './errors.ts';


/**
 * Where a config's `_extends` may point. The repository's own owner's `.github` repository always; any
 * other repository only when the operator lists it (`THREATLOOP_EXTENDS_ALLOW=org/shared,org2/*`, see
 * `parseExtendsAllow`). `followExtends: false` (a fork's head) reads only the file itself.
 */
export interface ExtendsPolicy {
  allow: readonly string[];
  followExtends: boolean;
}

export const DEFAULT_EXTENDS_POLICY: ExtendsPolicy = { allow: [], followExtends: true };

/** `THREATLOOP_EXTENDS_ALLOW`: comma-separated `owner/name` or `owner/*`. */
export function parseExtendsAllow(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => /^[A-Za-z0-9_.-]+\/(?:[A-Za-z0-9_.-]+|\*)$/.test(item));
}

/** Whether `owner/name` may be extended from a config of a repository owned by `owner`. */
export function extendsAllowed(target: { owner: string; repo: string }, from: { owner: string }, allow: readonly string[]): boolean {
  const owner = target.owner.toLowerCase();
  const name = target.repo.toLowerCase();
  if (owner === from.owner.toLowerCase() && name === '.github') return true;
  return allow.some((entry) => {
    const [allowedOwner, allowedName] = entry.toLowerCase().split('/') as [string, string];
    return allowedOwner === owner && (allowedName === '*' || allowedName === name);
  });
}

/** Probot's `_extends` syntax: `repo`, `owner/repo`, optionally `:path.yml` (@probot/octokit-plugin-config). */
const EXTENDS_PATTERN = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;
/** Files in one `_extends` chain, the repository's own included. */
const MAX_CONFIG_FILES = 5;

interface ConfigFile {
  owner: string;
  repo: string;
  path: string;
  /** Parsed YAML, or undefined when the file does not exist. */
  value?: unknown;
}

/**
 * `.github/threatloop.yml` at the commit, as Probot's config loader reads it: the repository's own file,
 * else its owner's `.github` repository's (default branch), then the `_extends` chain, later files
 * overridden by earlier ones. Written here rather than through @probot/octokit-plugin-config because the
 * plugin follows `_extends` to any repository the installation can read, with no hook to refuse one: here
 * only `policy` decides, a refused `_extends` is an error that names only the file, and nothing read
 * from another repository (its keys, its values, its validation errors) is echoed into findings, since
 * the check run of this repository may be read by people who cannot read that one.
 */
export async function readRepoConfig(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  sha: string,
  policy: ExtendsPolicy = DEFAULT_EXTENDS_POLICY,
): Promise<ConfigRead> {
  try {
    return await readConfigChain(octokit, owner, repo, sha, policy);
  } catch (error) {
    if (error instanceof ConfigTooLarge) return { ok: false, found: true, file: CONFIG_PATH, findings: [error.finding] };
    throw error;
  }
}

async function readConfigChain(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  sha: string,
  policy: ExtendsPolicy = DEFAULT_EXTENDS_POLICY,
): Promise<ConfigRead> {
  const ownText = await readFileAt(octokit, owner, repo, CONFIG_PATH, sha);
  if (ownText !== undefined) {
    const own = readConfigText(ownText);
    const parsed = parseYamlSource(ownText, CONFIG_PATH, { kind: 'config' });
    const value = parsed.ok ? parsed.value : undefined;
    const extendsValue = isPlainObject(value) ? value._extends : undefined;
    if (extendsValue === undefined || !policy.followExtends) return own;
    return resolveExtends(octokit, { owner, repo, path: CONFIG_PATH, value }, own, policy);
  }
  if (repo === '.github') return readConfigText(undefined);
  // The owner's default: read from the `.github` repository's default branch, as Probot does.
  const orgText = await readFileAt(octokit, owner, '.github', CONFIG_PATH, '');
  if (orgText === undefined) return readConfigText(undefined);
  const parsed = parseYamlSource(orgText, CONFIG_PATH, { kind: 'config' });
  if (!parsed.ok) return extendedFileError([{ owner, repo: '.github', path: CONFIG_PATH }], 'is not valid YAML');
  const value = parsed.value ?? {};
  if (!policy.followExtends || !isPlainObject(value) || value._extends === undefined) {
    return validateExtended([{ owner, repo: '.github', path: CONFIG_PATH, value }], undefined);
  }
  return resolveExtends(octokit, { owner, repo: '.github', path: CONFIG_PATH, value }, undefined, policy, owner);
}

async function resolveExtends(
  octokit: GitHubClient,
  first: ConfigFile,
  own: ConfigRead | undefined,
  policy: ExtendsPolicy,
  requester = first.owner,
): Promise<ConfigRead> {
  const chain: ConfigFile[] = [first];
  let current = first;
  while (isPlainObject(current.value) && current.value._extends !== undefined) {
    const at = describeFile(current);
    const raw = current.value._extends;
    const match = typeof raw === 'string' ? EXTENDS_PATTERN.exec(raw) : null;
    if (!match) return extendedFileError([current], 'has an `_extends` that is not `repo`, `owner/repo` or `owner/repo:path.yml`', own, at);
    const target = { owner: match[1] ?? current.owner, repo: match[2]!, path: match[3] ?? CONFIG_PATH };
    if (!extendsAllowed(target, { owner: requester }, policy.allow)) {
      return extendedFileError(
        [current],
        `has an \`_extends\` this server does not allow: only ${requester}/.github, or a repository the operator lists in THREATLOOP_EXTENDS_ALLOW`,
        own,
        at,
      );
    }
    if (chain.some((file) => sameFile(file, target))) return extendedFileError([current], 'has an `_extends` that loops back to a file already read', own, at);
    if (chain.length >= MAX_CONFIG_FILES) return extendedFileError([current], `extends a chain longer than ${MAX_CONFIG_FILES} files`, own, at);
    const text = await readFileAt(octokit, target.owner, target.repo, target.path, '');
    if (text === undefined) return extendedFileError([target], 'does not exist (named by `_extends`)', own, at);
    const parsed = parseYamlSource(text, target.path, { kind: 'config' });
    if (!parsed.ok) return extendedFileError([target], 'is not valid YAML', own, at);
    current = { ...target, value: parsed.value ?? {} };
    chain.push(current);
  }
  return validateExtended(chain, own);
}

/** The merged chain validated; errors that come from another repository's file name only that file. */
function validateExtended(chain: readonly ConfigFile[], own: ConfigRead | undefined): ConfigRead {
  const merged = validateConfigValue(mergeConfigs([...chain].reverse().map((file) => file.value)));
  if (merged.ok) return { ...merged, found: true, file: CONFIG_PATH, ...(own?.ok && own.source ? { source: own.source } : {}) };
  // The repository's own file has errors of its own: those, with their lines.
  if (own && !own.ok) return own;
  const others = own ? chain.slice(1) : chain;
  return extendedFileError(others, 'is merged into this repository’s config and the result is not a valid threatloop config (the details are not shown here: the file may not be readable from this repository; run `threatloop lint` where it lives)');
}

function extendedFileError(files: readonly Omit<ConfigFile, 'value'>[], problem: string, own?: ConfigRead, at?: string): ConfigRead {
  const names = files.map(describeFile).join(', ');
  const message = at && files.length === 1 && describeFile(files[0]!) === at ? `${at} ${problem}` : `${names} ${problem}${at ? ` (extended from ${at})` : ''}`;
  const finding: Finding = { rule: 'config', level: 'error', message, file: CONFIG_PATH, start: FILE_START };
  return { ok: false, found: true, file: CONFIG_PATH, findings: [...(own && !own.ok ? own.findings : []), finding] };
}

function describeFile(file: Omit<ConfigFile, 'value'>): string {
  return `${file.owner}/${file.repo}:${file.path}`;
}

function sameFile(a: Omit<ConfigFile, 'value'>, b: Omit<ConfigFile, 'value'>): boolean {
  return a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase() && a.path === b.path;
}

/** Later configs win; mappings merge key by key; lists are replaced, not concatenated. */
export function mergeConfigs(configs: readonly unknown[]): Record<string, unknown> {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isPlainObject(a) || !isPlainObject(b)) return b;
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = key in out ? merge(out[key], value) : value;
    return out;
  };
  const merged = configs.reduce<unknown>((acc, next) => merge(acc, next), {});
  const result = isPlainObject(merged) ? { ...merged } : {};
  delete result._extends;
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A config file over the size limit: the chain stops with its finding. */
class ConfigTooLarge extends Error {
  readonly finding: Finding;
  constructor(finding: Finding) {
    super(finding.message);
    this.finding = finding;
  }
}

/**
 * A config file's text at a commit ('' : the default branch), or undefined when it does not exist there.
 * Its size is checked before its content is fetched (src/github/repo-files.ts); over the limit: `ConfigTooLarge`.
 */
export async function readFileAt(octokit: GitHubClient, owner: string, repo: string, path: string, ref: string): Promise<string | undefined> {
  const read = await readRepoFile(octokit, { owner, repo, path, ...(ref ? { ref } : {}) }, 'config', CONFIG_PATH);
  if (read.status === 'too-large') {
    // Annotated on this repository's own config file: a file read from another repository (always from its
    // default branch, ref '') is named in the message, with nothing of its content.
    const message = ref ? read.finding.message : `${owner}/${repo}:${path}, line 1: ${read.finding.message}`;
    throw new ConfigTooLarge({ ...read.finding, file: CONFIG_PATH, message });
  }
  return read.status === 'found' ? read.text : undefined;
}

/**
 * A repository's own `.github/threatloop.yml` on its default branch, for decisions that repository makes
 * about itself (consent to receive another repository's issues, src/sync/consent.ts). Read as a plain file,
 * without org defaults or `_extends`: only the repository's own file speaks for it. Throws the API's error
 * when the repository cannot be read (the caller reports no access).
 */
export async function readOwnConfigOnDefaultBranch(
  octokit: GitHubClient,
  owner: string,
  repo: string,
): Promise<{ defaultBranch: string; private: boolean; config: ConfigRead }> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner, repo });
  const text = await readFileAt(octokit, owner, repo, CONFIG_PATH, data.default_branch);
  return { defaultBranch: data.default_branch, private: data.private, config: readConfigText(text) };
}

/** The commit a branch points at now, or undefined when the branch is gone. */
export async function branchHead(octokit: GitHubClient, owner: string, repo: string, branch: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `heads/${branch}` });
    return data.object.sha;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}


/** The repository at a commit as an input reader; `config` when the caller has read it already. */
export function commitReader(
  octokit: GitHubClient,
  where: { owner: string; repo: string; sha: string },
  config?: ConfigRead,
  policy?: ExtendsPolicy,
): InputReader {
  return {
    readConfig: async () => config ?? (await readRepoConfig(octokit, where.owner, where.repo, where.sha, policy)),
    readFile: async (path) => {
      const read = await readRepoFile(octokit, { owner: where.owner, repo: where.repo, path, ref: where.sha }, 'model');
      if (read.status === 'found') return { ok: true, text: read.text };
      return read.status === 'missing' ? { ok: false, reason: 'missing' } : { ok: false, reason: 'too-large', finding: read.finding };
    },
  };
}
