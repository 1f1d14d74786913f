import { describe, expect, it } from 'vitest';
import { parseThreatReferences, resolveThreatReferences } from '../../src/pull-request/references.ts';

describe('parseThreatReferences', () => {
  it('reads the three verbs in any case and tense, with lists', () => {
    expect(parseThreatReferences('Mitigates TM-22, TM-23 and TM-24.\nfixes: tm-5\nREFS threat TM-7 & TM-8\nmitigated TM-9')).toEqual([
      { verb: 'mitigates', id: 'TM-22' },
      { verb: 'mitigates', id: 'TM-23' },
      { verb: 'mitigates', id: 'TM-24' },
      { verb: 'fixes', id: 'tm-5' },
      { verb: 'refs', id: 'TM-7' },
      { verb: 'refs', id: 'TM-8' },
      { verb: 'mitigates', id: 'TM-9' },
    ]);
  });

  it('keeps #n as an issue reference and ignores HTML comments and code', () => {
    const body = '<!-- Mitigates TM-xx: fill in -->\nFixes #22\n```\nRefs TM-1\n```\nRef `TM-3`';
    expect(parseThreatReferences(body)).toEqual([
      { verb: 'fixes', id: '#22' },
      { verb: 'refs', id: 'TM-3' },
    ]);
  });

  it('does not read verbs inside words', () => {
    expect(parseThreatReferences('prefix TM-1, suffixes TM-2, prefs TM-3')).toEqual([]);
  });
});

describe('resolveThreatReferences', () => {
  const ids = ['TM-22', 'TM-5', '22', 'auth-bypass'];

  it('splits known from unknown ids; prose is not an unknown id', () => {
    const refs = parseThreatReferences('Mitigates tm-22, TM-99. Fix typo. Refs auth-bypass, 23');
    expect(resolveThreatReferences(refs, ids)).toEqual({
      known: [
        { verb: 'mitigates', threatId: 'TM-22' },
        { verb: 'refs', threatId: 'auth-bypass' },
      ],
      unknown: ['TM-99', '23'],
    });
  });

  it('reads #n as the threat whose issue is #n, never as threat id n', () => {
    const refs = parseThreatReferences('Fixes #22, Refs #7');
    expect(resolveThreatReferences(refs, ids, new Map([[7, 'TM-5']]))).toEqual({
      known: [{ verb: 'refs', threatId: 'TM-5' }],
      unknown: [],
    });
  });
});
