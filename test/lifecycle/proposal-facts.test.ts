import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeFromTimeline, declinedMarker, MAX_CLOSER_NAME, neutraliseCloserName, neutraliseClosingComment, wasDeclined, type ClosedIssue } from '../../src/lifecycle/proposal-facts.ts';
import { MAX_PROPOSED_THREATS, parseProposalBasis, renderProposalBasis, type ProposalBasis } from '../../src/model/proposal.ts';

const ISSUE: ClosedIssue = { threatId: 'TM-1', number: 7, htmlUrl: 'https://github.com/acme/app/issues/7', stateReason: 'completed', closedAt: '2030-01-01T10:00:00Z' };
const CONTEXT = { botLogin: 'threatloop[bot]', commitUrl: (sha: string) => `https://github.com/acme/app/commit/${sha}` };

describe('closeFromTimeline', () => {
  it('takes who and which commit from the last closed event, and the closer’s comment just before it', () => {
    const close = closeFromTimeline(
      { ...ISSUE, stateReason: 'not_planned' },
      [
        { event: 'closed', login: 'old', createdAt: '2029-01-01T00:00:00Z' },
        { event: 'reopened', login: 'old', createdAt: '2029-02-01T00:00:00Z' },
        { event: 'commented', login: 'mallory', body: 'not the closer', createdAt: '2030-01-01T09:59:00Z' },
        { event: 'commented', login: 'lena', body: 'Not exposed here', createdAt: '2030-01-01T09:59:30Z' },
        { event: 'closed', login: 'lena', createdAt: '2030-01-01T10:00:00Z', commitId: 'b'.repeat(40), stateReason: 'not_planned' },
      ],
      CONTEXT,
    );
    expect(close).toMatchObject({ closedBy: 'lena', closedAs: 'not_planned', closedByApp: false, closingComment: 'Not exposed here', evidenceUrl: `https://github.com/acme/app/commit/${'b'.repeat(40)}` });
  });

  it('a comment long before the close is not its reason; the bot’s close is the app’s', () => {
    const close = closeFromTimeline(
      ISSUE,
      [
        { event: 'commented', login: 'threatloop[bot]', body: 'audit', createdAt: '2030-01-01T08:00:00Z' },
        { event: 'closed', login: 'threatloop[bot]', createdAt: '2030-01-01T10:00:00Z' },
      ],
      CONTEXT,
    );
    expect(close.closingComment).toBeUndefined();
    expect(close.closedByApp).toBe(true);
    // A person's token (the CLI) cannot tell its own closes apart: every close counts as by hand.
    expect(closeFromTimeline(ISSUE, [{ event: 'closed', login: 'ci-bot', createdAt: ISSUE.closedAt }], { ...CONTEXT, botLogin: 'ci-bot' }).closedByApp).toBe(false);
  });
});

describe('neutraliseClosingComment', () => {
  it('drops HTML and the @ of mentions, folds and bounds the text, also for a megabyte of hostile input', () => {
    expect(neutraliseClosingComment('Done by @alice and @org/team <img src=x onerror=alert(1)> see `@code`\n\n<!-- x -->ok')).toBe('Done by alice and org/team see `@code` ok');
    const huge = neutraliseClosingComment(`${'<b>@x '.repeat(200_000)}`);
    expect(huge.length).toBeLessThanOrEqual(1000);
    expect(huge).not.toMatch(/[<>@]/);
  });
});

describe('neutraliseCloserName', () => {
  it('one line without HTML, mentions or invisible characters, at most 100 characters, also for a megabyte of hostile input', () => {
    expect(neutraliseCloserName('Dana Reyes (Contractor)')).toBe('Dana Reyes (Contractor)');
    expect(neutraliseCloserName('@org/team <img src=x>\n[x](http://evil)')).toBe('org/team [x](http://evil)');
    // A zero-width character between `@` and the name, or inside a tag, hides nothing.
    expect(neutraliseCloserName('@\u200Balice <im\u200Bg src=x> \u202Eevil')).toBe('alice evil');
    expect(neutraliseCloserName('alice@example.com')).toBe('alice@example.com');
    expect(neutraliseCloserName(' <b></b>\t ')).toBeUndefined();
    const huge = neutraliseCloserName(`@x <img>${'é\n'.repeat(500_000)}`)!;
    expect(Array.from(huge)).toHaveLength(MAX_CLOSER_NAME);
    expect(huge).toMatch(/^x é é .*…$/);
    expect(huge).not.toMatch(/[<>@\n]/);
  });
});

describe('the declined record', () => {
  it('is believed only in the app’s own comment, for that very closure', () => {
    const body = `Reopened.\n\n${declinedMarker('TM-1', ISSUE.closedAt, 12)}`;
    expect(wasDeclined([{ event: 'commented', login: 'threatloop[bot]', body }], ISSUE, 'threatloop[bot]')).toBe(true);
    expect(wasDeclined([{ event: 'commented', login: 'mallory', body }], ISSUE, 'threatloop[bot]')).toBe(false);
    expect(wasDeclined([{ event: 'commented', login: 'threatloop[bot]', body }], { ...ISSUE, closedAt: '2030-02-01T00:00:00Z' }, 'threatloop[bot]')).toBe(false);
  });
});

describe('the proposal basis marker', () => {
  const entry = fc.record({
    threatId: fc.string({ minLength: 1, maxLength: 40 }),
    to: fc.constantFrom('mitigated' as const, 'not-applicable' as const),
    tracker: fc.constantFrom('github' as const, 'jira' as const),
    ticket: fc.string({ maxLength: 20 }),
    ticketUrl: fc.webUrl(),
    closedAt: fc.string({ maxLength: 30 }),
    closedBy: fc.string({ maxLength: 40 }),
    evidenceUrl: fc.option(fc.webUrl(), { nil: undefined }),
  });

  it('reads back what it wrote, and nothing in it can end the HTML comment', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), (entries) => {
        const clean = entries.map(({ evidenceUrl, ...rest }) => ({ ...rest, ...(evidenceUrl ? { evidenceUrl } : {}) })) as ProposalBasis[];
        const marker = renderProposalBasis(clean);
        expect(marker.indexOf('-->')).toBe(marker.length - 3);
        expect(parseProposalBasis(`text\n${marker}\n`)).toEqual(clean);
      }),
    );
  });

  it('drops malformed or oversized entries and holds at most the bound', () => {
    const data = (rows: unknown) => `<!-- threatloop:proposal-basis v="1" data="${Buffer.from(JSON.stringify(rows)).toString('base64url')}" -->`;
    expect(parseProposalBasis(data([['TM-1', 'accepted', 'github', '#1', 'u', 'a', 'b', '']]))).toEqual([]);
    expect(parseProposalBasis(data([['TM-1', 'mitigated', 'github', '#1', 'u', 'x'.repeat(600), 'b', '']]))).toEqual([]);
    expect(parseProposalBasis(data('not a list'))).toEqual([]);
    expect(parseProposalBasis('<!-- threatloop:proposal-basis v="1" data="%%%" -->')).toEqual([]);
    const many = Array.from({ length: 500 }, (_, i) => [`TM-${i}`, 'mitigated', 'github', `#${i}`, 'u', 'a', 'b', '']);
    expect(parseProposalBasis(data(many))).toHaveLength(MAX_PROPOSED_THREATS);
  });
});
