/**
 * Small GitHub-flavoured Markdown building blocks shared by every renderer
 * (report, issue bodies, dashboard, PR comment). User strings from the model
 * go through `escapeText` / `escapeCell` so they show as written and can never
 * inject markup, HTML, table columns, @-mentions or issue references.
 */

/** Characters that start inline markup anywhere in a line. */
const INLINE_SPECIAL = /[\\`*[\]|~]/g;
/** Markers that mean something only at the start of a line (headings, quotes, lists, setext underlines, fences). */
const LINE_START_MARKER = /^(\s*)([#>+=-])/;
const LINE_START_ORDERED = /^(\s*\d+)([.)])/;

/**
 * Inline-safe text: Markdown punctuation backslash-escaped, `<`, `>` and
 * entity-like `&` turned into entities, `@mention`s and issue references
 * defused (`neutraliseReferences`: GitHub would notify the user or team, or
 * backlink the issue, on every edit), line-start markers escaped. Newlines
 * are kept (they are soft breaks in a paragraph).
 */
export function escapeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) =>
      neutraliseReferences(
        line
          .replace(INLINE_SPECIAL, '\\$&')
          // `_` is emphasis only at a word edge (`snake_case` stays readable).
          .replace(/_/g, (m, offset: number, s: string) =>
            /[\p{L}\p{N}]/u.test(s[offset - 1] ?? '') && /[\p{L}\p{N}]/u.test(s[offset + 1] ?? '') ? m : '\\_',
          )
          .replace(/&(?=#?\w+;)/g, '&amp;')
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;'),
        'markdown',
      )
        .replace(LINE_START_MARKER, '$1\\$2')
        .replace(LINE_START_ORDERED, '$1\\$2'),
    )
    .join('\n');
}

const ZERO_WIDTH_SPACE = { markdown: '&#8203;', plain: '\u200B' } as const;

/**
 * Model text can never ping or backlink anyone: a zero-width space goes after the `@` of a mention
 * (`@someone`, `@org/team`) and after the `#` or `GH-` of an issue reference (`#1`, `org/repo#5`,
 * `GH-12`), so GitHub sees no handle and no number while readers see the text as written. Chosen
 * over code spans because it works the same in issue titles (plain text, where a code span shows
 * its backticks in notifications and e-mails), in table cells and inside link text, and leaves the
 * text's look alone; after the sigil rather than before it, because the autolinkers key on
 * `@`/`#` followed by a name or digit, whatever precedes them. Full issue URLs are left as links.
 * `markdown` writes the space as an entity (visible in the source, and what earlier versions wrote
 * for mentions, so those bodies are not rewritten); `plain` (titles, Jira) as the character itself.
 * Every renderer reaches this through `escapeText`/`escapeLine`/`escapeCell` or `plainTitle`.
 */
export function neutraliseReferences(text: string, form: 'markdown' | 'plain'): string {
  const zws = ZERO_WIDTH_SPACE[form];
  // `@` last: the markdown form of the space is `&#8203;`, whose `#8` must not be taken for a reference.
  return text
    .replace(/#(?=\d)(?!\d+;)/g, `#${zws}`)
    .replace(/\b(GH-)(?=\d)/gi, `$1${zws}`)
    .replace(/(^|[^\w`])@(?=[\w-])/g, `$1@${zws}`);
}

/** GitHub refuses an issue title over 256 characters (422, on every sync). */
export const GITHUB_TITLE_LIMIT = 256;

/**
 * A title for GitHub (an issue) or Jira (a summary): one line, references neutralised, at most
 * `max` characters (GitHub: 256, Jira: 255), cut with `…`. `cut` says whether it was.
 */
export function plainTitle(text: string, max: number): { title: string; cut: boolean } {
  const line = neutraliseReferences(text.replace(/\s*[\r\n]+\s*/g, ' ').trim(), 'plain');
  const chars = Array.from(line);
  if (chars.length <= max) return { title: line, cut: false };
  return { title: `${chars.slice(0, max - 1).join('').trimEnd()}…`, cut: true };
}

/**
 * Markdown cut to at most `limit` UTF-8 bytes (GitHub's limits count characters; bytes are never
 * fewer): whole lines kept, an open code fence or `<details>` closed, then `tail` (a note saying
 * where the rest is). Text within the limit is returned as it is.
 */
export function fitMarkdown(text: string, limit: number, tail: string): string {
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  if (bytes(text) <= limit) return text;
  const room = limit - bytes(tail) - 64;
  const lines = text.split('\n');
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const size = bytes(line) + 1;
    if (used + size > room) break;
    kept.push(line);
    used += size;
  }
  const fences = kept.filter((line) => /^\s*(```|~~~)/.test(line)).length;
  if (fences % 2 === 1) kept.push('```');
  const open = kept.join('\n').split('<details').length - kept.join('\n').split('</details>').length;
  for (let i = 0; i < open; i++) kept.push('', '</details>');
  return `${kept.join('\n').trimEnd()}\n\n${tail}`;
}

/** One line of text (a name, a title, a message in a list item): `escapeText` with line breaks folded to spaces. */
export function escapeLine(text: string): string {
  return escapeText(text.trim().replace(/\s*[\r\n]+\s*/g, ' '));
}

const GITHUB_LOGIN = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const MENTIONABLE = new RegExp(`^${GITHUB_LOGIN}(?:\\[bot\\]|/[A-Za-z0-9][\\w.-]*)?$`);

/**
 * An intended @-mention of a GitHub login or `org/team` (it notifies them).
 * Anything that is not a well-formed handle is shown as defused text, so a
 * model value can never smuggle markup or a different mention in.
 */
export function mention(handle: string): string {
  const bare = handle.trim().replace(/^@/, '');
  return MENTIONABLE.test(bare) ? `@${bare}` : escapeText(`@${bare}`);
}

/** Text for one table cell: `escapeText` on one line (newlines become `<br>`). */
export function escapeCell(text: string): string {
  return escapeText(text.trim())
    .split('\n')
    .map((line) => line.trim())
    .join('<br>');
}

/** An inline code span that survives backticks in `text`; newlines become spaces. */
export function code(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

const SAFE_URL = /^(https?:\/\/|mailto:|#|\.{0,2}\/|[\w.-]+([/?#]|$))/i;

/**
 * `[text](url)` with the text escaped and the URL percent-encoded where
 * Markdown or a table would break it. URLs with another scheme (javascript:,
 * data:) are not linked: the text is returned alone.
 */
export function link(text: string, url: string): string {
  const label = escapeText(text).replace(/\n/g, ' ');
  const trimmed = url.trim();
  if (!SAFE_URL.test(trimmed)) return label;
  const encoded = trimmed.replace(/[\s()<>|[\]`"]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${label}](${encoded})`;
}

/**
 * A collapsible block. `summary` is Markdown-safe text (escape it first);
 * `body` is Markdown. Blank lines around the body let GitHub render it.
 */
export function details(summary: string, body: string, options: { open?: boolean } = {}): string {
  return `<details${options.open ? ' open' : ''}><summary>${summary.replace(/\n/g, ' ')}</summary>\n\n${body.trim()}\n\n</details>`;
}

export type Alignment = 'left' | 'center' | 'right';

/**
 * A pipe table. Cells are Markdown (escape user strings with `escapeCell` or
 * build them with `code`/`link`); any pipe left unescaped (e.g. inside a code
 * span) is escaped here and newlines become `<br>`, so a cell can never split
 * the row. Rows shorter than the header are padded with empty cells.
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Alignment[] = []): string {
  const line = (cells: readonly string[]) => `| ${headers.map((_, i) => tableCell(cells[i] ?? '')).join(' | ')} |`;
  const rule = headers.map((_, i) => {
    const a = align[i];
    return a === 'center' ? ':---:' : a === 'right' ? '---:' : a === 'left' ? ':---' : '---';
  });
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

function tableCell(cell: string): string {
  const oneLine = cell.trim().replace(/\s*\r?\n\s*/g, '<br>');
  // A pipe preceded by an even number of backslashes is unescaped.
  return oneLine.replace(/(\\*)\|/g, (m, slashes: string) => (slashes.length % 2 === 0 ? `${slashes}\\|` : m)) || ' ';
}
