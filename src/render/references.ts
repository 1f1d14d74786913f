/**
 * A threat's `refs` entries as Markdown, the same in every renderer (issue
 * body, report): CWE and CAPEC ids link to MITRE, URLs are links, anything
 * else (an internal ticket, a pentest finding id) is plain escaped text.
 */
import { escapeLine, link } from './markdown.ts';

/** The page a `CWE-123` or `CAPEC-45` id names, or undefined for anything else. */
export function weaknessUrl(ref: string): string | undefined {
  const id = /^(CWE|CAPEC)-(\d+)$/i.exec(ref.trim());
  if (!id) return undefined;
  return `https://${id[1]!.toLowerCase()}.mitre.org/data/definitions/${id[2]}.html`;
}

export function referenceLink(ref: string): string {
  const trimmed = ref.trim();
  // An autolink cannot hold `<`, `>`, spaces or (in a table) `|`; any other URL goes through `link`, which encodes them.
  if (/^https?:\/\/[^\s<>|]+$/i.test(trimmed)) return `<${trimmed}>`;
  if (/^https?:\/\//i.test(trimmed)) return link(trimmed, trimmed);
  const weakness = weaknessUrl(trimmed);
  return weakness ? link(trimmed, weakness) : escapeLine(trimmed);
}
