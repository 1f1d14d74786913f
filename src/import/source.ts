/**
 * What every tool's export is read into before it becomes a threat model: elements,
 * boundaries, flows and threats keyed by the tool's own ids, each with where it sits in
 * the file, and the notes a person should read. Each format folder only maps its file
 * onto this; `build.ts` turns it into ids, YAML and a report once for all of them.
 */
import type { Severity, StrideCategory, ThreatStatus } from '../model/schema.ts';

export const FORMAT_NAMES = ['threat-dragon', 'tm7', 'threat-composer', 'threagile', 'pytm'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/** The display name of each tool, for messages. */
export const FORMAT_TITLES: Record<FormatName, string> = {
  'threat-dragon': 'OWASP Threat Dragon v2 JSON',
  tm7: 'Microsoft Threat Modeling Tool (.tm7)',
  'threat-composer': 'AWS threat-composer (.tc.json)',
  threagile: 'Threagile',
  pytm: 'OWASP pytm --json output',
};

/** Statuses a source can map to: the model's, and `not-applicable` (every tool has that state). */
export type SourceStatus = ThreatStatus | 'not-applicable';
export type ElementKind = 'external-entity' | 'process' | 'data-store';
export type TrustLevel = 'untrusted' | 'partner' | 'restricted' | 'trusted';

export interface SourceNote {
  /** `review`: a guess to confirm; `problem`: the source has something to fix. */
  kind: 'review' | 'problem';
  /** Where in the source: a JSON path (`detail.diagrams[0].cells[3]`), an XML path or a YAML key. */
  where?: string;
  message: string;
}

interface Located {
  /** The tool's own id of the thing (uuid, guid, name): unique within its kind. */
  key: string;
  /** `td:<uuid>`, `tm7:<guid>`, `threagile:<id>`: the id kept for the next `--merge`. */
  ref: string;
  name: string;
  where: string;
  /** An id the tool already gives it that reads well (Threagile's ids); else the name is slugged. */
  idHint?: string;
  description?: string;
}

export interface SourceBoundary extends Located {
  trust?: TrustLevel;
  /** The enclosing boundary's key (nested boundaries). */
  parent?: string;
}

export interface SourceElement extends Located {
  kind: ElementKind;
  /** Why the kind is what it is, when it is a guess. */
  kindGuess?: string;
  boundary?: string;
  /** Why the boundary is what it is, when it is a guess (geometry). */
  boundaryGuess?: string;
  outOfScope?: string;
  /** Owner name as the tool writes it. */
  owner?: string;
  paths?: string[];
  tech?: string[];
}

export interface SourceFlow extends Located {
  from: string;
  to: string;
  bidirectional?: boolean;
  protocol?: string;
  data?: string[];
  outOfScope?: string;
}

export interface SourceThreat {
  /** The threat id to write: the tool's number or a stable id built from it. */
  id: string;
  /** The tool's ids of this threat, written as `refs` and compared on `--merge`. */
  refs: string[];
  title: string;
  stride: StrideCategory[];
  /** What the tool wrote where no STRIDE category could be read (kept for lint to point at). */
  strideAsWritten?: string;
  /** Element or flow keys. */
  targets: string[];
  description?: string;
  cvss?: string;
  severity?: Severity;
  status: SourceStatus;
  strategy?: ('eliminate' | 'mitigate' | 'accept' | 'transfer')[];
  rationale?: string;
  mitigation?: string;
  owner?: string[];
  where: string;
  /** Lines written as a comment before the threat: what was guessed or could not be kept. */
  comments: string[];
}

export interface SourceModel {
  format: FormatName;
  systemName?: string;
  systemDescription?: string;
  boundaries: SourceBoundary[];
  elements: SourceElement[];
  flows: SourceFlow[];
  threats: SourceThreat[];
  notes: SourceNote[];
}

export type SourceRead = { ok: true; source: SourceModel } | { ok: false; message: string; where?: string };

/** Names may carry newlines (Threat Dragon, TMT): one line, single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A string value or undefined; never a number or an object read as text by accident. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The severity tables for tools that rate without CVSS. Every use is a guess listed for
 * review; the README shows the same tables.
 */
export const SEVERITY_TABLES: Record<string, Record<string, Severity>> = {
  'threat-dragon': { critical: 'critical', high: 'high', medium: 'medium', low: 'low' },
  tm7: { high: 'high', medium: 'medium', low: 'low' },
  'threat-composer': { high: 'high', medium: 'medium', low: 'low' },
  // Threagile's five steps: `elevated` sits between medium and high and is rated high so it is not under-rated.
  threagile: { critical: 'critical', high: 'high', elevated: 'high', medium: 'medium', low: 'low' },
  // pytm's rule library: Very High, High, Medium, Low, Very Low.
  pytm: { 'very high': 'critical', high: 'high', medium: 'medium', low: 'low', 'very low': 'low' },
};

/** Words a tool uses for "not rated yet": no severity, no guess. */
const UNRATED = new Set(['', 'tbd', 'tba', 'n/a', 'na', 'none', 'unknown', 'not set', 'notset']);

export type SeverityReading = { severity?: Severity; unreadable?: string };

export function mapSeverity(table: Record<string, Severity>, written: string | undefined): SeverityReading {
  const key = (written ?? '').trim().toLowerCase();
  if (UNRATED.has(key)) return {};
  const severity = table[key];
  return severity ? { severity } : { unreadable: written!.trim() };
}

/**
 * Collects the severity guesses of one import into one review note per scale value
 * (`High → high on 8 threats: 1, 2, 5 …`), so the list stays readable on 5,000 threats.
 */
export class SeverityGuesses {
  private readonly byValue = new Map<string, { severity: Severity; ids: string[] }>();
  private readonly scale: string;

  constructor(scale: string) {
    this.scale = scale;
  }

  add(written: string, severity: Severity, threatId: string): void {
    const entry = this.byValue.get(written) ?? { severity, ids: [] };
    entry.ids.push(threatId);
    this.byValue.set(written, entry);
  }

  notes(): SourceNote[] {
    return [...this.byValue].map(([written, { severity, ids }]) => ({
      kind: 'review' as const,
      message: `severity from ${this.scale} "${written}" → ${severity} on ${ids.length} threat${ids.length === 1 ? '' : 's'} (${shortList(ids)}): a mapping, not a CVSS score; add vectors where you can`,
    }));
  }
}

/** `1, 2, 3 and 12 more`. */
export function shortList(items: readonly string[], max = 8): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Trust level from a boundary's name, as a guess: every tool here draws boundaries without one. */
export function guessTrust(name: string): { trust: TrustLevel; because?: string } {
  const words = name.toLowerCase().split(/[^a-z0-9]+/);
  for (const [word, trust] of [
    ['internet', 'untrusted'],
    ['public', 'untrusted'],
    ['external', 'untrusted'],
    ['untrusted', 'untrusted'],
    ['user', 'untrusted'],
    ['client', 'untrusted'],
    ['partner', 'partner'],
    ['vendor', 'partner'],
    ['third', 'partner'],
    ['dmz', 'restricted'],
    ['restricted', 'restricted'],
  ] as const) {
    if (words.includes(word)) return { trust, because: word };
  }
  return { trust: 'trusted' };
}
