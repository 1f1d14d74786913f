/** Reading a repository at a commit: a file's text, the repository config (with org defaults and `_extends`), a branch head. */
import { validateConfigValue, type ConfigRead } from '../config/load.ts';
import { CONFIG_PATH } from '../config/schema.ts';
import type { InputReader } from '../input/pipeline.ts';
import type { GitHubClient } from './client.ts';
import { readConfigFiles, readRepoFile } from './repo-files.ts';
import { isNotFound } from './errors.ts';


/**
 * `.github/threatloop.yml` at the commit, with an org default (`<org>/.github`) and `_extends` as Probot's
 * config loader reads them (`readConfigFiles`), each file within the config size limit.
 */
export async function readRepoConfig(octokit: GitHubClient, owner: string, repo: string, sha: string): Promise<ConfigRead> {
  const read = await readConfigFiles(octokit, owner, repo, sha);
  if (!read.ok) return { ok: false, found: true, file: CONFIG_PATH, findings: read.findings };
  const found = read.configs.length > 0;
  return { ...validateConfigValue(found ? mergeConfigs([...read.configs].reverse()) : undefined), found, file: CONFIG_PATH };
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
      const read = await readRepoFile(octokit, { owner: where.owner, repo: where.repo, path, ref: where.sha }, 'model');
      if (read.status === 'found') return { ok: true, text: read.text };
      return read.status === 'missing' ? { ok: false, reason: 'missing' } : { ok: false, reason: 'too-large', finding: read.finding };
    },
  };
}
