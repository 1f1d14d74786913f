/**
 * Small GitHub-flavoured Markdown building blocks shared by every renderer
 * (report, issue bodies, dashboard, PR comment). User strings from the model
 * go through `escapeText` / `escapeCell` so they show as written and can never
 * inject markup, HTML, table columns or @-mentions.
 */

/** Characters that start inline markup anywhere in a line. */
const INLINE_SPECIAL = /[\\`*[\]|~]/g;
/** Markers that mean something only at the start of a line (headings, quotes, lists, setext underlines, fences). */
const LINE_START_MARKER = /^(\s*)([#>+=-])/;
const LINE_START_ORDERED = /^(\s*\d+)([.)])/;

/**
 * Inline-safe text: Markdown punctuation backslash-escaped, `<`, `>` and
 * entity-like `&` turned into entities, `@mention`s defused with a zero-width
 * space (GitHub would notify the user or team on every edit), line-start
 * markers escaped. Newlines are kept (they are soft breaks in a paragraph).
 */
export function escapeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) =>
      line
        .replace(INLINE_SPECIAL, '\\$&')
        // `_` is emphasis only at a word edge (`snake_case` stays readable).
        .replace(/_/g, (m, offset: number, s: string) =>
          /[\p{L}\p{N}]/u.test(s[offset - 1] ?? '') && /[\p{L}\p{N}]/u.test(s[offset + 1] ?? '') ? m : '\\_',
        )
        .replace(/&(?=#?\w+;)/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/(^|[^\w`])@(?=[\w-])/g, '$1@&#8203;')
        .replace(LINE_START_MARKER, '$1\\$2')
        .replace(LINE_START_ORDERED, '$1\\$2'),
    )
    .join('\n');
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
