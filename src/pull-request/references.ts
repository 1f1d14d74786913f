/**
 * `Mitigates <id>`, `Fixes <id>` and `Refs <id>` in a PR's title or body.
 *
 * Decisions (documented in the README):
 * - verbs are case-insensitive, in any tense (`Mitigate`, `mitigated`, `FIX`,
 *   `Ref`), optionally followed by a colon and the word `threat(s)`; a list
 *   may follow: `Mitigates TM-22, TM-23 and TM-24`;
 * - a bare id is a threat id, compared with the model's ids as strings
 *   (case-insensitively, reported with the model's spelling);
 * - `#22` is GitHub's issue syntax (and `Fixes #22` closes issue 22 on merge),
 *   so it never means threat id `22`: it refers to the threat whose managed
 *   issue is #22, and is ignored when #22 is not a threat issue;
 * - text inside HTML comments (PR templates) and code blocks is ignored;
 * - an id that is not in the model is "unknown" only when it is shaped like the
 *   model's ids (`TM-99` when ids look like `TM-<n>`), so prose such as
 *   "Fix typo" is not reported as a broken reference.
 */

export type ReferenceVerb = 'mitigates' | 'fixes' | 'refs';

export interface ThreatReference {
  verb: ReferenceVerb;
  /** A threat id as written, or `#<n>` for an issue number. */
  id: string;
}

export interface ResolvedReferences {
  /** References to threats in the model, one per (verb, threat id), model spelling. */
  known: { verb: ReferenceVerb; threatId: string }[];
  /** Ids as written that look like threat ids but are not in the model. */
  unknown: string[];
}

const VERB_WORD = String.raw`\b(?:mitigat(?:es|ed|e)|fix(?:es|ed)?|refs?)\b`;
const ID = String.raw`\x60?#?[A-Za-z0-9][A-Za-z0-9._:-]*\x60?`;
const SEPARATOR = String.raw`\s*(?:,\s*(?:and\s+)?|&\s*|\band\s+)`;
// A list goes on until something that is not an id, or the next verb ("Fixes #2, Refs #7").
const REFERENCE = new RegExp(
  String.raw`(${VERB_WORD})\s*:?\s*(?:threats?\s+)?(${ID}(?:${SEPARATOR}(?!${VERB_WORD})${ID})*)`,
  'gi',
);

export function parseThreatReferences(text: string): ThreatReference[] {
  const cleaned = text
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/```[\s\S]*?(?:```|$)/g, ' ')
    .replace(/`[^`\n]*\s[^`\n]*`/g, ' ');
  const references: ThreatReference[] = [];
  const seen = new Set<string>();
  for (const match of cleaned.matchAll(REFERENCE)) {
    const verb = verbOf(match[1] ?? '');
    for (const token of (match[2] ?? '').split(new RegExp(SEPARATOR, 'i'))) {
      const id = token.replace(/`/g, '').replace(/[.:]+$/, '');
      if (id === '' || id === '#') continue;
      const key = `${verb} ${id.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      references.push({ verb, id });
    }
  }
  return references;
}

function verbOf(word: string): ReferenceVerb {
  const lower = word.toLowerCase();
  if (lower.startsWith('mitigat')) return 'mitigates';
  if (lower.startsWith('fix')) return 'fixes';
  return 'refs';
}

/**
 * Splits references into threats of the model and unknown ids.
 * `threatIssueNumbers` maps a managed threat issue's number to its threat id.
 */
export function resolveThreatReferences(
  references: readonly ThreatReference[],
  threatIds: Iterable<string>,
  threatIssueNumbers: ReadonlyMap<number, string> = new Map(),
): ResolvedReferences {
  const byLowerId = new Map<string, string>();
  const shapes = new Set<string>();
  for (const id of threatIds) {
    if (!byLowerId.has(id.toLowerCase())) byLowerId.set(id.toLowerCase(), id);
    shapes.add(shapeOf(id));
  }
  const known: ResolvedReferences['known'] = [];
  const knownKeys = new Set<string>();
  const unknown: string[] = [];
  for (const reference of references) {
    let threatId: string | undefined;
    if (reference.id.startsWith('#')) {
      const number = Number(reference.id.slice(1));
      threatId = Number.isInteger(number) ? threatIssueNumbers.get(number) : undefined;
      if (!threatId) continue; // an ordinary issue or PR reference: not ours
    } else {
      threatId = byLowerId.get(reference.id.toLowerCase());
    }
    if (threatId) {
      const key = `${reference.verb} ${threatId}`;
      if (!knownKeys.has(key)) {
        knownKeys.add(key);
        known.push({ verb: reference.verb, threatId });
      }
    } else if (shapes.has(shapeOf(reference.id)) && !unknown.includes(reference.id)) {
      unknown.push(reference.id);
    }
  }
  return { known, unknown };
}

/** `TM-22` -> `tm-0`, `22` -> `0`: the form of an id, to tell ids from prose. */
function shapeOf(id: string): string {
  return id.toLowerCase().replace(/\d+/g, '0');
}

