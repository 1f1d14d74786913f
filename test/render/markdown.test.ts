import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { code, details, escapeCell, escapeLine, escapeText, link, mention, table } from '../../src/render/markdown.ts';

describe('escapeText', () => {
  it('backslash-escapes inline Markdown', () => {
    expect(escapeText('a *b* [c](d) `e` ~~f~~ g|h \\i')).toBe('a \\*b\\* \\[c\\](d) \\`e\\` \\~\\~f\\~\\~ g\\|h \\\\i');
  });

  it('turns HTML into entities and leaves ordinary ampersands readable', () => {
    expect(escapeText('<img src=x onerror=alert(1)> & &amp; &#60;')).toBe('&lt;img src=x onerror=alert(1)&gt; & &amp;amp; &amp;#60;');
  });

  it('escapes underscores only where they could start emphasis', () => {
    expect(escapeText('rds.force_ssl and _private_')).toBe('rds.force_ssl and \\_private\\_');
  });

  it('escapes line-start markers on every line', () => {
    expect(escapeText('# heading\n- item\n1. first\n  + nested\nplain')).toBe('\\# heading\n\\- item\n1\\. first\n  \\+ nested\nplain');
  });

  it('defuses @mentions but not e-mail addresses', () => {
    expect(escapeText('ping @octocat and @org/team, mail a@b.example')).toBe(
      'ping @&#8203;octocat and @&#8203;org/team, mail a@b.example',
    );
  });
});

describe('escapeCell', () => {
  it('keeps a cell on one line and escapes pipes', () => {
    expect(escapeCell('  a | b\r\nc\n\nd  ')).toBe('a \\| b<br>c<br><br>d');
  });

  it('never lets user text open a new column, row, tag or mention (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const cell = escapeCell(s).replaceAll('<br>', ' ');
        expect(cell).not.toMatch(/[\r\n<>]|(^|[^\\])(\\\\)*\|/);
        expect(cell).not.toMatch(/(^|[^\w`])@[\w-]/);
      }),
    );
  });
});

describe('code', () => {
  it('wraps text in a code span that survives backticks', () => {
    expect(code('s3')).toBe('`s3`');
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('two\nlines')).toBe('`two lines`');
  });
});

describe('link', () => {
  it('links http(s), mailto and relative URLs, encoding what would break Markdown', () => {
    expect(link('report [v1]', 'https://example.com/a b(c)|d')).toBe('[report \\[v1\\]](https://example.com/a%20b%28c%29%7Cd)');
    expect(link('model', 'threat-model.yml#L10')).toBe('[model](threat-model.yml#L10)');
    expect(link('mail', 'mailto:sec@example.com')).toBe('[mail](mailto:sec@example.com)');
  });

  it('does not link other schemes', () => {
    expect(link('click', 'javascript:alert(1)')).toBe('click');
    expect(link('x', 'data:text/html,<b>')).toBe('x');
  });
});

describe('details', () => {
  it('makes a collapsible block GitHub renders Markdown inside', () => {
    expect(details('3 findings', '- a\n- b\n')).toBe('<details><summary>3 findings</summary>\n\n- a\n- b\n\n</details>');
    expect(details('s', 'b', { open: true })).toMatch(/^<details open><summary>s<\/summary>/);
  });
});

describe('table', () => {
  it('renders a pipe table with alignment, padding short rows', () => {
    expect(table(['ID', 'Score'], [['22', '10.0'], ['9']], ['left', 'right'])).toBe(
      ['| ID | Score |', '| :--- | ---: |', '| 22 | 10.0 |', '| 9 |   |'].join('\n'),
    );
  });

  it('escapes stray pipes (also inside code spans) and keeps rows on one line', () => {
    const rendered = table(['A', 'B'], [[code('a|b'), 'one\ntwo'], [escapeCell('x|y'), 'z']]);
    expect(rendered.split('\n')).toEqual(['| A | B |', '| --- | --- |', '| `a\\|b` | one<br>two |', '| x\\|y | z |']);
  });
});

describe('escapeLine', () => {
  it('escapes like escapeText and folds line breaks into spaces', () => {
    expect(escapeLine('  # Title\r\n<b>two</b>\n  @three ')).toBe('\\# Title &lt;b&gt;two&lt;/b&gt; @&#8203;three');
  });
});

describe('mention', () => {
  it('mentions well-formed logins and org/team slugs', () => {
    expect(mention('octocat')).toBe('@octocat');
    expect(mention('@genomewell/app-sec')).toBe('@genomewell/app-sec');
    expect(mention('dependabot[bot]')).toBe('@dependabot[bot]');
  });

  it('shows anything else as defused text', () => {
    expect(mention('org/<b>team')).toBe('@&#8203;org/&lt;b&gt;team');
    expect(mention('-bad')).toBe('@&#8203;-bad');
  });
});
