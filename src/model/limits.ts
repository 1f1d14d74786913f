/**
 * How large a file threatloop reads for a repository may be, in one place:
 * the CLI checks a file's size on disk and the app the size GitHub reports,
 * both BEFORE reading or parsing it, so a hostile file costs neither memory
 * nor CPU. Over the limit: one `file-too-large` finding naming the file.
 */
import { FILE_START, type Finding } from './findings.ts';

export const INPUT_LIMITS = {
  /** The model: 5,000 threats are about 2.5 MB; the loader reads 8 MB in well under a second. */
  model: 8 * 1024 * 1024,
  /**
   * `.github/threatloop.yml` (and every file it extends): real configs are 1 to 3 KB. Small on
   * purpose, since a config is read on every push and pull request, from forks too.
   */
  config: 64 * 1024,
} as const;

export type InputKind = keyof typeof INPUT_LIMITS;

/** The finding for a file over its limit, else undefined. */
export function inputSizeFinding(kind: InputKind, bytes: number, file: string): Finding | undefined {
  const limit = INPUT_LIMITS[kind];
  if (bytes <= limit) return undefined;
  const what = kind === 'model' ? 'a model of 5,000 threats is about 2.5 MB' : 'a config is usually a few KB';
  return {
    rule: 'file-too-large',
    level: 'error',
    message: `file is ${formatBytes(bytes)}; the limit is ${formatBytes(limit)} for a ${kind === 'model' ? 'threat model' : 'config file'} (${what})`,
    file,
    start: FILE_START,
  };
}

/** `8.0 MB`, `64.0 KB`: binary units, as file managers show them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
