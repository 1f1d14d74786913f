/**
 * The import formats threatloop reads, and content-based detection for `--from auto`.
 * Adding a format: one folder under src/import/ exporting an ImportFormat, one line here.
 */
import { csvFormat } from './csv/index.ts';
import { otmFormat } from './otm/index.ts';
import { pytmFormat } from './pytm/index.ts';
import { threagileFormat } from './threagile/index.ts';
import { threatComposerFormat } from './threat-composer/index.ts';
import { threatDragonFormat } from './threat-dragon/index.ts';
import { tm7Format } from './tm7/index.ts';
import type { FormatId, ImportFormat } from './types.ts';

export const FORMATS: readonly ImportFormat[] = [
  csvFormat,
  otmFormat,
  threatDragonFormat,
  tm7Format,
  threatComposerFormat,
  threagileFormat,
  pytmFormat,
];

export function formatById(id: string): ImportFormat | undefined {
  return FORMATS.find((f) => f.id === id);
}

/** The format a file name suggests: only used to pick a size limit before reading. */
export function formatByExtension(file: string): ImportFormat | undefined {
  const name = file.toLowerCase();
  return FORMATS.find((f) => f.extensions.some((ext) => name.endsWith(ext)));
}

/** The largest file any format reads: the limit under `--from auto` for a name no format claims. */
export function largestMaxBytes(): number {
  return Math.max(...FORMATS.map((f) => f.maxBytes));
}

export type Detection =
  | { ok: true; format: ImportFormat; confidence: number; runnerUp?: { format: ImportFormat; confidence: number } }
  | { ok: false; message: string };

/**
 * The format whose detector is surest of the text. Detectors look at content only, so a
 * JSON file named `.csv` is read as JSON. A text no detector claims is refused with the
 * formats it was compared with.
 */
export function detectFormat(text: string): Detection {
  const scored = FORMATS.map((format) => ({ format, confidence: safeDetect(format, text) }))
    .filter((s) => s.confidence > 0)
    .sort((a, b) => b.confidence - a.confidence);
  const [best, second] = scored;
  if (!best) {
    return {
      ok: false,
      message: `its content is not a format threatloop imports (${FORMATS.map((f) => f.name).join(', ')}); name the format with --from if it is one of them`,
    };
  }
  return { ok: true, format: best.format, confidence: best.confidence, ...(second ? { runnerUp: second } : {}) };
}

function safeDetect(format: ImportFormat, text: string): number {
  try {
    const value = format.detect(text);
    return Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0;
  } catch {
    // A detector must not throw; if one does, it does not claim the text.
    return 0;
  }
}

export type { FormatId };
