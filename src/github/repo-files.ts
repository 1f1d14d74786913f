/**
 * Files read from a repository at a commit, within INPUT_LIMITS: the size
 * GitHub reports is checked BEFORE the content is fetched or parsed, so an
 * oversized model or config costs one small request and becomes one
 * `file-too-large` finding.
 *
 * The config chain (`readRepoConfig` in ./contents.ts) reads each file here and parses it with
 * threatloop's own linear YAML reader: Probot's loader's `yaml.parse` compares every key with every
 * earlier one, so a config of a few thousand keys cost seconds on every push and pull request.
 */
import type { Finding } from '../model/findings.ts';
import { inputSizeFinding, type InputKind } from '../model/limits.ts';
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
