import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { IssueMarker } from '../../../src/sync/github/state.ts';
import { parseMarker, renderMarker } from '../../../src/sync/github/marker.ts';

describe('marker', () => {
  test('renders a readable HTML comment and reads it back', () => {
    const marker: IssueMarker = {
      kind: 'threat',
      threatId: 'TM-22',
      links: { jira: { key: 'SEC-12' } },
      synced: { status: 'open', rating: 'critical', score: 9.8, due: '2026-03-31', owners: ['appsec'], assigned: ['alice', 'bob'], digest: 'abc' },
    };
    const text = renderMarker(marker);
    expect(text).toBe(
      '<!-- threatloop:threat id="TM-22" jira="SEC-12" status="open" rating="critical" score="9.8" due="2026-03-31" owners="appsec" assigned="alice,bob" digest="abc" -->',
    );
    expect(parseMarker(`${text}\n\nbody`)).toEqual(marker);
  });

  test('the dashboard marker', () => {
    expect(renderMarker({ kind: 'dashboard' })).toBe('<!-- threatloop:dashboard -->');
    expect(parseMarker('<!-- threatloop:dashboard -->\nhello')).toEqual({ kind: 'dashboard' });
  });

  test('no id can close the comment or forge an attribute', () => {
    const id = 'x" jira="EVIL-1" --> <b>owned</b> <!-- ';
    const text = renderMarker({ kind: 'threat', threatId: id, synced: { owners: ['a,b', '--'] } });
    expect(text.indexOf('-->')).toBe(text.length - 3);
    expect(text.slice(4, -3)).not.toContain('--');
    expect(parseMarker(text)).toEqual({ kind: 'threat', threatId: id, synced: { owners: ['a,b', '--'] } });
  });

  test('bodies without a marker, or with a broken one, have none', () => {
    expect(parseMarker(undefined)).toBeUndefined();
    expect(parseMarker('')).toBeUndefined();
    expect(parseMarker('just an issue')).toBeUndefined();
    expect(parseMarker('<!-- threatloop:threat -->')).toBeUndefined();
    expect(parseMarker('<!-- threatloop:threat id="%E0%A4%A" -->')).toBeUndefined();
    expect(parseMarker('<!-- threatloop:other id="1" -->')).toBeUndefined();
  });

  test('the first marker wins (the app writes it at the top)', () => {
    const body = `${renderMarker({ kind: 'threat', threatId: 'TM-1' })}\n${renderMarker({ kind: 'threat', threatId: 'TM-2' })}`;
    expect(parseMarker(body)?.threatId).toBe('TM-1');
  });

  test('any marker survives a round trip (property)', () => {
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(
        text,
        fc.option(text, { nil: undefined }),
        fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
        (threatId, jiraKey, owners) => {
          const marker: IssueMarker = { kind: 'threat', threatId, ...(jiraKey ? { links: { jira: { key: jiraKey } } } : {}), ...(owners ? { synced: { owners } } : {}) };
          const rendered = renderMarker(marker);
          expect(rendered.slice(4, -3)).not.toContain('--');
          expect(parseMarker(`intro\n${rendered}\noutro`)).toEqual(marker);
        },
      ),
    );
  });
});

describe('the expired attribute', () => {
  test('round-trips after reminded, is never read as a tracker link, and a damaged value reads as none', () => {
    const marker = { kind: 'threat' as const, threatId: 'TM-1', synced: { status: 'accepted' }, reminded: 'overdue:2027-01-31', expired: '2027-01-31' };
    const text = renderMarker(marker);
    expect(text).toBe('<!-- threatloop:threat id="TM-1" status="accepted" reminded="overdue%3A2027-01-31" expired="2027-01-31" -->');
    expect(parseMarker(text)).toEqual(marker);
    expect(parseMarker(text.replace('expired="2027-01-31"', 'expired="soon"'))).toEqual({ kind: 'threat', threatId: 'TM-1', synced: { status: 'accepted' }, reminded: 'overdue:2027-01-31' });
    // Without the attribute the marker renders exactly as before it existed.
    expect(renderMarker({ kind: 'threat', threatId: 'TM-1', synced: { status: 'accepted' } })).toBe('<!-- threatloop:threat id="TM-1" status="accepted" -->');
  });
});
