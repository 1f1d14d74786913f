/** Reading a repository at a commit: a file's text, the repository config (with org defaults and `_extends`), a branch head. */
import { readConfigText, validateConfigValue, type ConfigRead } from '../config/load.ts';
import { CONFIG_PATH } from '../config/schema.ts';
import { FILE_START } from '../model/findings.ts';
import type { InputReader } from '../input/pipeline.ts';
import type { GitHubClient } from './client.ts';
import { httpStatus, isNotFound } from './errors.ts';


/**
 * `.github/threatloop.yml` at the commit, through Probot's config plugin so an
 * org default (`<org>/.github`) and `_extends` keep working. `branch` is the
 * plugin's ref parameter: we pass the commit SHA (Probot's `context.config`
 * would read the default branch instead).
 */
export async function readRepoConfig(octokit: GitHubClient, owner: string, repo: string, sha: string): Promise<ConfigRead> {
  try {
    const { config, files } = await octokit.config.get({
      owner,
      repo,
      path: CONFIG_PATH,
      branch: sha,
      defaults: (configs: object[]) => mergeConfigs(configs),
    });
    const found = files.some((file) => file.config !== null);
    return { ...validateConfigValue(found ? config : undefined), found, file: CONFIG_PATH };
  } catch (error) {
    const status = httpStatus(error);
    if (status !== undefined) throw error;
    const message = error instanceof Error ? error.message.replace(/^\[@probot\/octokit-plugin-config\] /, '') : String(error);
    return {
      ok: false,
      found: true,
      file: CONFIG_PATH,
      findings: [{ rule: 'config', level: 'error', message: `the config could not be read: ${message}`, file: CONFIG_PATH, start: FILE_START }],
    };
  }
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

/** A file's text at a commit, or undefined when it does not exist there. */
export async function readFileAt(octokit: GitHubClient, owner: string, repo: string, path: string, ref: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner,
      repo,
      path,
      ref,
      mediaType: { format: 'raw' },
    });
    if (typeof data === 'string') return data;
    // Octokit hands back an ArrayBuffer when the raw answer is not labelled as text.
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data as ArrayBuffer);
    // A directory listing or a JSON body (a stand-in that ignores the raw media type).
    if (!Array.isArray(data) && 'content' in data && typeof data.content === 'string') {
      return Buffer.from(data.content, 'base64').toString('utf8');
    }
    return undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
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
export function commitReader(octokit: GitHubClient, where: { owner: string; repo: string; sha: string }, config?: ConfigRead): InputReader {
  return {
    readConfig: async () => config ?? (await readRepoConfig(octokit, where.owner, where.repo, where.sha)),
    readFile: async (path) => {
      const text = await readFileAt(octokit, where.owner, where.repo, path, where.sha);
      return text === undefined ? { ok: false, reason: 'missing' } : { ok: true, text };
    },
  };
}
