/**
 * One spreadsheet cell -> one model value: STRIDE categories, strategies, statuses,
 * severities, scores, dates, owners, refs. Each reader says what it could not read
 * instead of guessing; the caller decides what to keep and reports it.
 */
import { STATUSES, STRATEGIES, STRIDE_CATEGORIES, ThreatSchema, type Severity, type StrideCategory, type ThreatStatus } from '../model/schema.ts';
import { didYouMean } from '../model/validate.ts';

type Strategy = (typeof STRATEGIES)[number];

/** Lowercase letters and digits only: `Info Disclosure` -> `infodisclosure`. */
function letters(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]/g, '');
}

/** Spellings the schema does not take (it takes letters, names and `info-disclosure`, `dos`, `eop`). */
const MORE_STRIDE_WORDS: Record<string, StrideCategory> = {
  info: 'information-disclosure',
  disclosure: 'information-disclosure',
  ddos: 'denial-of-service',
  elevation: 'elevation-of-privilege',
  elevationofprivileges: 'elevation-of-privilege',
  privilegeescalation: 'elevation-of-privilege',
};

function strideCategory(text: string): StrideCategory | undefined {
  const more = MORE_STRIDE_WORDS[letters(text)];
  if (more) return more;
  const parsed = ThreatSchema.shape.stride.safeParse(text.trim());
  return parsed.success && parsed.data.length === 1 ? parsed.data[0] : undefined;
}

/** Separators between several values in one cell: `S, T`, `Legal / Security`, `Mitigate + Transfer`. */
const LIST_SEPARATOR = /\s*(?:[,;/+&|\n]|\band\b)\s*/i;

export type CellReading<T> = { ok: true; value: T } | { ok: false; message: string };

/** `Info Disclosure`, `EoP`, `DoS`, `S`, `S, T` -> STRIDE categories. */
export function readStride(cell: string): CellReading<StrideCategory[]> {
  const parts = cell.split(LIST_SEPARATOR).filter((p) => p.trim() !== '');
  const found: StrideCategory[] = [];
  for (const part of parts) {
    const category = strideCategory(part);
    if (!category) {
      return { ok: false, message: `"${part.trim()}" is not a STRIDE category (use S, T, R, I, D, E or ${STRIDE_CATEGORIES.join(', ')})` };
    }
    if (!found.includes(category)) found.push(category);
  }
  return found.length > 0 ? { ok: true, value: found } : { ok: false, message: 'no STRIDE category' };
}

const STRATEGY_WORDS: Record<string, Strategy> = {
  eliminate: 'eliminate',
  avoid: 'eliminate',
  mitigate: 'mitigate',
  reduce: 'mitigate',
  accept: 'accept',
  retain: 'accept',
  transfer: 'transfer',
  share: 'transfer',
};

/**
 * `Eliminate + Contain` -> [eliminate] and the rest, `Contain`; `Accept (w/ controls)` ->
 * [accept] and `(w/ controls)`. The rest is what the model has no field for.
 */
export function readStrategy(cell: string): { strategies: Strategy[]; rest: string } {
  const strategies: Strategy[] = [];
  const rest = cell.replace(/[A-Za-z]+/g, (word) => {
    const strategy = STRATEGY_WORDS[word.toLowerCase()];
    if (!strategy) return word;
    if (!strategies.includes(strategy)) strategies.push(strategy);
    return '';
  });
  return { strategies, rest: rest.replace(/^[\s+,;/&|-]+|[\s+,;/&|-]+$/g, '').replace(/\s+/g, ' ') };
}

const STATUS_WORDS: Record<string, ThreatStatus> = {
  open: 'open',
  new: 'open',
  todo: 'open',
  notstarted: 'open',
  identified: 'open',
  planned: 'planned',
  scheduled: 'planned',
  inprogress: 'in-progress',
  ongoing: 'in-progress',
  wip: 'in-progress',
  started: 'in-progress',
  mitigated: 'mitigated',
  done: 'mitigated',
  fixed: 'mitigated',
  implemented: 'mitigated',
  resolved: 'mitigated',
  verified: 'verified',
  accepted: 'accepted',
  riskaccepted: 'accepted',
  transferred: 'transferred',
  notapplicable: 'not-applicable',
  na: 'not-applicable',
  nonapplicable: 'not-applicable',
  notrelevant: 'not-applicable',
};

/** `In Progress` -> in-progress, `Accepted` -> accepted, `N/A` -> not-applicable; `Closed` is not guessed (mitigated? accepted?). */
export function readStatus(cell: string): CellReading<ThreatStatus> {
  const status = STATUS_WORDS[letters(cell)];
  if (status) return { ok: true, value: status };
  const hint = didYouMean(cell.trim().toLowerCase().replace(/\s+/g, '-'), STATUSES);
  return { ok: false, message: `"${cell.trim()}" is not a status (${STATUSES.join(', ')})${hint ? `; did you mean "${hint}"?` : ''}` };
}

const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  moderate: 'medium',
  low: 'low',
  none: 'none',
};

export function readSeverity(cell: string): CellReading<Severity> {
  const severity = SEVERITY_WORDS[letters(cell)];
  if (severity) return { ok: true, value: severity };
  return { ok: false, message: `"${cell.trim()}" is not a severity (critical, high, medium, low, none)` };
}

/** `9.1`, `9,1`, `9.1 (Critical)` -> 9.1 and the severity in brackets, if any. */
export function readScore(cell: string): CellReading<{ score: number; severity?: Severity }> {
  const match = /^\s*(\d{1,2}(?:[.,]\d+)?)\s*(?:\(\s*([A-Za-z]+)\s*\)|-\s*([A-Za-z]+))?\s*$/.exec(cell);
  const score = match ? Number(match[1]!.replace(',', '.')) : Number.NaN;
  if (!match || !(score >= 0 && score <= 10)) {
    return { ok: false, message: `"${cell.trim()}" is not a CVSS base score (0.0 to 10.0, e.g. 9.1 or "9.1 (Critical)")` };
  }
  const label = match[2] ?? match[3];
  const severity = label === undefined ? undefined : SEVERITY_WORDS[label.toLowerCase()];
  return { ok: true, value: { score, ...(severity ? { severity } : {}) } };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export type DateReading = { ok: true; value: string } | { ok: false; ambiguous: boolean; message: string };

/**
 * A due date -> YYYY-MM-DD, from formats that can only mean one day: ISO (`2025-06-01`,
 * `2025/6/1`, with a time after it), day.month.year (`1.6.2025`), month names (`1 Jun 2025`,
 * `June 1, 2025`), and D/M/YYYY or M/D/YYYY when one part is over 12. `3/4/2025` is
 * ambiguous (3 April or March 4) and is reported, not guessed.
 */
export function readDate(cell: string): DateReading {
  const text = cell.trim();
  const invalid = (why = ''): DateReading => ({ ok: false, ambiguous: false, message: `"${text}" is not a date${why} (write YYYY-MM-DD)` });
  const build = (y: number, m: number, d: number): DateReading => {
    const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const date = new Date(`${iso}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || !date.toISOString().startsWith(iso)) return invalid(': no such day');
    return { ok: true, value: iso };
  };
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s].*)?$/.exec(text);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  if (m) return build(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{1,2})[-\s]([A-Za-z]{3,})\.?[-\s,]+(\d{4})$/.exec(text);
  if (m) {
    const month = MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase());
    return month < 0 ? invalid() : build(Number(m[3]), month + 1, Number(m[1]));
  }
  m = /^([A-Za-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(text);
  if (m) {
    const month = MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase());
    return month < 0 ? invalid() : build(Number(m[3]), month + 1, Number(m[2]));
  }
  m = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(text);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const year = Number(m[3]);
    if (a === b) return build(year, a, b);
    if (a > 12 && b <= 12) return build(year, b, a);
    if (b > 12 && a <= 12) return build(year, a, b);
    if (a > 12 && b > 12) return invalid(': no such day');
    return {
      ok: false,
      ambiguous: true,
      message: `"${text}" is ambiguous (${a} ${monthName(b)} or ${monthName(a)} ${b}); write it YYYY-MM-DD`,
    };
  }
  return invalid();
}

function monthName(month: number): string {
  return ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][month - 1] ?? String(month);
}

/** `Legal / Security`, `Ana, Ben`, `Legal & Privacy` -> each owner's text (`R&D` stays one). */
export function splitOwners(cell: string): string[] {
  return cell
    .split(/\s*(?:[,;/+\n]|\s&\s)\s*/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** Tickets and links: one per line, or separated by commas, semicolons or spaces. */
export function splitRefs(cell: string): string[] {
  return cell
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** Several targets in one cell: one per line, or separated by semicolons. */
export function splitTargets(cell: string): string[] {
  return cell
    .split(/\s*[;\n\r]+\s*/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}
