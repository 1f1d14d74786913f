/**
 * The evidence pack as files: the HTML report, the traceability matrix as CSV
 * (with the GitHub columns), the model exactly as it was at the commit, the
 * lint results as SARIF, and `manifest.json`, which names the repository, the
 * ref and commit, the time, the tool version, who was trusted as the app, and
 * the SHA-256 and size of every other file, so anyone can check later that
 * nothing in the folder was changed. Pure: contents in, file contents out.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';

export interface PackInput {
  repository: string;
  /** What the user asked for (tag, branch or SHA). */
  ref: string;
  commit: string;
  /** ISO timestamp. */
  generatedAt: string;
  toolVersion: string;
  modelPath: string;
  modelText: string;
  reportHtml: string;
  traceabilityCsv: string;
  sarif: string;
  issuesRepository: string;
  /** The login whose issues and comments were believed. */
  trustedAuthor: string;
  summary: { threats: number; withIssue: number; pullRequests: number; mergedPullRequests: number; statusChanges: number; lintErrors: number; lintWarnings: number };
  /** GitHub requests made to build the pack. */
  reads: number;
}

export interface PackFile {
  name: string;
  content: string;
}

export const MANIFEST = 'manifest.json';

export function buildEvidencePack(input: PackInput): PackFile[] {
  // The model keeps its own file name (a reader recognises it), inside model/ so it can never be mistaken for the pack's own files.
  const files: PackFile[] = [
    { name: 'report.html', content: input.reportHtml },
    { name: 'traceability.csv', content: input.traceabilityCsv },
    { name: `model/${basename(input.modelPath) || 'threat-model.yml'}`, content: input.modelText },
    { name: 'lint.sarif', content: input.sarif },
  ];
  const manifest = {
    tool: { name: 'threatloop', version: input.toolVersion },
    repository: input.repository,
    ref: input.ref,
    commit: input.commit,
    generatedAt: input.generatedAt,
    model: { path: input.modelPath, file: files[2]!.name },
    issues: { repository: input.issuesRepository, trustedAuthor: input.trustedAuthor },
    summary: input.summary,
    githubReads: input.reads,
    files: files.map((f) => {
      const bytes = Buffer.from(f.content, 'utf8');
      return { name: f.name, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  };
  return [...files, { name: MANIFEST, content: `${JSON.stringify(manifest, null, 2)}\n` }];
}
