import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundup30, roundup31, roundV4, scoreCvss, severityOf } from '../../src/model/cvss/index.ts';
import { CVSS4_LOOKUP } from '../../src/model/cvss/v4-lookup.ts';
import { V3_METRICS } from '../../src/model/cvss/v3.ts';
import { V4_METRICS } from '../../src/model/cvss/v4.ts';
import {
  CASE_STUDY,
  V30_CASES,
  V31_CASES,
  V40_BASE_CASES,
  V40_BTE_CASES,
  V40_ROUNDING_ISSUE_CASES,
  type VectorCase,
} from './cvss-vectors.ts';

function scoreOf(vector: string): number {
  const r = scoreCvss(vector);
  if (!r.ok) throw new Error(`${vector}: ${r.error.message}`);
  return r.value.score;
}

function errorOf(vector: string) {
  const r = scoreCvss(vector);
  if (r.ok) throw new Error(`${vector} unexpectedly scored ${r.value.score}`);
  return r.error;
}

function table(name: string, cases: readonly VectorCase[], version: string) {
  describe(name, () => {
    it.each(cases.map((c) => [c.vector, c.score] as const))('%s = %s', (vector, score) => {
      const r = scoreCvss(vector);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.score).toBe(score);
      expect(r.value.version).toBe(version);
      expect(r.value.severity).toBe(severityOf(score));
    });
  });
}

describe('case study vectors (unprefixed, scored as 3.1)', () => {
  it.each(CASE_STUDY.map((c) => [c.vector, c.score, c.severity] as const))('%s = %s %s', (vector, score, severity) => {
    const r = scoreCvss(vector);
    expect(r).toEqual({ ok: true, value: { version: '3.1', vector: `CVSS:3.1/${vector}`, score, severity } });
  });
});

table('CVSS v3.1 official scores', V31_CASES, '3.1');
table('CVSS v3.0 official scores', V30_CASES, '3.0');
table('CVSS v4.0 base scores (CVSS-B)', V40_BASE_CASES, '4.0');
table('CVSS v4.0 threat + environmental scores (CVSS-BT/BTE)', V40_BTE_CASES, '4.0');
table('CVSS v4.0 vectors from the rounding issues', V40_ROUNDING_ISSUE_CASES, '4.0');

describe('rounding', () => {
  it('v3.1 Roundup uses integer arithmetic; v3.0 Roundup is a plain float ceiling', () => {
    // 4.000000000000001 is 4.0 plus float noise: 3.1 says 4.0, the original 3.0 formula 4.1.
    expect(roundup31(4.000000000000001)).toBe(4.0);
    expect(roundup30(4.000000000000001)).toBe(4.1);
    expect(roundup31(4.02)).toBe(4.1);
    expect(roundup30(4.02)).toBe(4.1);
    expect(roundup31(4.0)).toBe(4.0);
    expect(roundup30(4.0)).toBe(4.0);
  });

  it('v4.0 rounds half up after a 1e-6 lift (current FIRST / Red Hat behaviour)', () => {
    // 8.6 - 7.15 in floating point is 1.4499999999999993: the tie must still round up.
    expect(roundV4(8.6 - 7.15)).toBe(1.5);
    expect(Math.round((8.6 - 7.15) * 10) / 10).toBe(1.4); // the pre-fix behaviour
    expect(roundV4(8.549999999999999)).toBe(8.6);
    expect(roundV4(8.54)).toBe(8.5);
  });

  it('pins the v4.0 vector where the two roundings differ (8.55 computed as 8.5499999…)', () => {
    // RedHatProductSecurity/cvss-v4-calculator#66: FIRST's calculator before the fix said 8.5.
    // One of the 522 base vectors (of 104,976) that move up 0.1 with the fix.
    const r = scoreCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H');
    expect(r.ok && r.value.score).toBe(8.6);
    expect(r.ok && r.value.severity).toBe('high');
  });
});

describe('v4.0 lookup table', () => {
  it('has the 270 MacroVectors with the reference values', () => {
    const keys = Object.keys(CVSS4_LOOKUP);
    expect(keys).toHaveLength(270);
    expect(CVSS4_LOOKUP['000000']).toBe(10);
    expect(CVSS4_LOOKUP['000001']).toBe(9.9);
    expect(CVSS4_LOOKUP['111111']).toBe(5.7);
    expect(CVSS4_LOOKUP['212221']).toBe(0.1);
    for (const k of keys) expect(k).toMatch(/^[0-2][01][0-2][0-2][0-2][01]$/);
  });

  it('scores no-impact vectors 0.0 whatever the exploitability', () => {
    expect(scoreOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N')).toBe(0);
    expect(scoreOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MVC:N/MVI:N/MVA:N')).toBe(0);
  });

  it('applies modified metrics and ignores supplemental ones', () => {
    const base = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
    expect(scoreOf(`${base}/S:P/AU:Y/R:I/V:C/RE:H/U:Red`)).toBe(scoreOf(base));
    expect(scoreOf(`${base}/MAV:P`)).toBe(scoreOf('CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'));
    expect(scoreOf(`${base}/E:X/CR:X/MAV:X`)).toBe(scoreOf(base));
  });
});

describe('malformed vectors name the metric', () => {
  const good31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N';
  const good40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

  it('missing base metric', () => {
    const e = errorOf('CVSS:3.1/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:N');
    expect(e.message).toBe('metric AC is missing');
    expect(e.metric).toBe('AC');
    expect(errorOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N').message).toBe('metric SA is missing');
  });

  it('invalid value', () => {
    const e = errorOf('CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N');
    expect(e).toEqual({ message: 'AV:Q is not a valid value (expected N, A, L, P)', metric: 'AV', offset: 12 });
    expect(errorOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N').message).toBe(
      'UI:R is not a valid value (expected N, P, A)',
    );
    expect(errorOf(`${good40}/MSC:S`).metric).toBe('MSC'); // S only for MSI/MSA
    expect(errorOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N').metric).toBe('SI');
    expect(errorOf(`${good31}/E:A`).metric).toBe('E'); // E:A is v4.0, not v3
    expect(errorOf('CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N').message).toMatch(/^AV: has an empty value/);
    expect(errorOf('CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N').metric).toBe('AV'); // case-sensitive
  });

  it('duplicated metric', () => {
    const e = errorOf('CVSS:3.1/AV:N/AC:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N');
    expect(e).toEqual({ message: 'metric AC appears twice', metric: 'AC', offset: 19 });
    expect(errorOf(`${good40}/E:A/E:A`).message).toBe('metric E appears twice');
  });

  it('unknown metric', () => {
    expect(errorOf(`${good31}/XX:1`)).toMatchObject({ message: 'unknown metric XX for CVSS 3.1', metric: 'XX' });
    expect(errorOf(`${good40}/RL:O`).message).toBe('unknown metric RL for CVSS 4.0');
    // v4.0 metrics without the prefix: read as 3.1, with a hint.
    expect(errorOf('AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N').message).toBe(
      'unknown metric AT for CVSS 3.1 (a CVSS v4.0 vector needs the CVSS:4.0/ prefix)',
    );
  });

  it('a vector written in lower case says so (not "unknown metric cvss" with a v4.0 hint)', () => {
    expect(errorOf('cvss:3.1/av:n/ac:l/pr:n/ui:n/s:u/c:h/i:h/a:n')).toMatchObject({
      message: 'CVSS vectors are case-sensitive: write "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"',
      offset: 0,
    });
    expect(errorOf('av:n/ac:l/pr:n/ui:n/s:u/c:h/i:h/a:n').message).toBe(
      'CVSS vectors are case-sensitive: write "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"',
    );
    // A mixed-case error that upper case does not fix keeps the precise message.
    expect(errorOf('CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q').metric).toBe('AV');
  });

  it('structural errors', () => {
    expect(errorOf('').message).toBe('vector is empty');
    expect(errorOf(`${good31}/`).message).toBe('vector ends with "/" (empty segment)');
    expect(errorOf('CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N')).toMatchObject({ offset: 14 });
    expect(errorOf('CVSS:3.1/AVN/AC:L').message).toBe('segment "AVN" is not of the form METRIC:VALUE');
    expect(errorOf('CVSS:3.1/AV:N:N/AC:L').metric).toBe('AV');
    expect(errorOf('CVSS:3.1/').message).toBe('vector has no metrics after the CVSS 3.1 prefix');
    expect(errorOf('CVSS:3.1').message).toBe('vector has no metrics after the CVSS 3.1 prefix');
    expect(errorOf('CVSS:2.0/AV:N').message).toMatch(/^unsupported CVSS version "2.0"/);
    expect(errorOf('CVSS:4.1/AV:N').message).toMatch(/^unsupported CVSS version "4.1"/);
    expect(errorOf(` ${good31}`).message).toBe('vector contains whitespace at offset 0');
    expect(errorOf(`${good31}\n`).offset).toBe(good31.length);
  });
});

describe('normalisation', () => {
  it('adds the prefix and puts metrics in canonical order', () => {
    const r = scoreCvss('A:N/I:H/C:H/S:U/UI:R/PR:N/AC:L/AV:N');
    expect(r.ok && r.value.vector).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N');
    expect(r.ok && r.value.score).toBe(8.1);
  });

  it('keeps a canonical vector unchanged', () => {
    const v = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/CR:M/MAV:L/S:P/U:Red';
    expect(scoreCvss(v)).toMatchObject({ ok: true, value: { vector: v } });
  });
});

describe('severityOf', () => {
  it('follows the qualitative rating scale', () => {
    expect(severityOf(0)).toBe('none');
    expect(severityOf(0.1)).toBe('low');
    expect(severityOf(3.9)).toBe('low');
    expect(severityOf(4.0)).toBe('medium');
    expect(severityOf(6.9)).toBe('medium');
    expect(severityOf(7.0)).toBe('high');
    expect(severityOf(8.9)).toBe('high');
    expect(severityOf(9.0)).toBe('critical');
    expect(severityOf(10)).toBe('critical');
    expect(severityOf(Number.NaN)).toBe('none');
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based tests

type Def = { readonly name: string; readonly values: readonly string[]; readonly required: boolean };

/** A random valid vector: every base metric once, a random subset of the optional ones, shuffled. */
function validVector(prefix: string, defs: readonly Def[]) {
  const parts = defs.map((d) =>
    fc.tuple(fc.constantFrom(...d.values), d.required ? fc.constant(true) : fc.boolean()).map(([v, keep]) =>
      keep ? `${d.name}:${v}` : null,
    ),
  );
  return fc
    .tuple(fc.tuple(...parts), fc.boolean())
    .chain(([segs, shuffle]) => {
      const present = segs.filter((s): s is string => s !== null);
      return (shuffle ? fc.shuffledSubarray(present, { minLength: present.length }) : fc.constant(present)).map(
        (s) => prefix + s.join('/'),
      );
    });
}

const anyValid = fc.oneof(
  validVector('CVSS:3.1/', V3_METRICS),
  validVector('CVSS:3.0/', V3_METRICS),
  validVector('', V3_METRICS),
  validVector('CVSS:4.0/', V4_METRICS),
);

describe('properties', () => {
  it('every valid vector scores in [0, 10] with one decimal and a matching severity', () => {
    fc.assert(
      fc.property(anyValid, (vector) => {
        const r = scoreCvss(vector);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const { score, severity } = r.value;
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(10);
        expect(Math.round(score * 10) / 10).toBe(score);
        expect(severity).toBe(severityOf(score));
      }),
      { numRuns: 3000 },
    );
  });

  it('normalisation round-trips: same score, and normalising twice changes nothing', () => {
    fc.assert(
      fc.property(anyValid, (vector) => {
        const a = scoreCvss(vector);
        if (!a.ok) throw new Error(a.error.message);
        const b = scoreCvss(a.value.vector);
        expect(b).toEqual(a);
      }),
      { numRuns: 2000 },
    );
  });

  it('random strings never throw: an error with a message, or a score', () => {
    const alphabet = fc.constantFrom(...'CVSS:3.140/AVNLPHUIRSCEXMTQ/:/: '.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 60 })), (s) => {
        const r = scoreCvss(s);
        if (r.ok) expect(r.value.score).toBeGreaterThanOrEqual(0);
        else expect(r.error.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated valid vectors never throw, and errors point inside the input', () => {
    const mutated = fc
      .tuple(anyValid, fc.nat(), fc.constantFrom('delete', 'insert', 'replace', 'duplicate'), fc.string({ maxLength: 3 }))
      .map(([v, n, op, s]) => {
        const i = v.length === 0 ? 0 : n % v.length;
        if (op === 'delete') return v.slice(0, i) + v.slice(i + 1);
        if (op === 'insert') return v.slice(0, i) + s + v.slice(i);
        if (op === 'replace') return v.slice(0, i) + s + v.slice(i + 1);
        const segs = v.split('/');
        return `${v}/${segs[n % segs.length] ?? ''}`;
      });
    fc.assert(
      fc.property(mutated, (s) => {
        const r = scoreCvss(s);
        if (r.ok) {
          expect(r.value.score).toBeLessThanOrEqual(10);
        } else {
          expect(r.error.message).not.toBe('');
          if (r.error.offset !== undefined) {
            expect(r.error.offset).toBeGreaterThanOrEqual(0);
            expect(r.error.offset).toBeLessThanOrEqual(s.length);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a duplicated metric is always reported as appearing twice', () => {
    fc.assert(
      fc.property(validVector('CVSS:4.0/', V4_METRICS), fc.nat(), (v, n) => {
        const segs = v.slice('CVSS:4.0/'.length).split('/');
        const dup = segs[n % segs.length]!;
        const e = scoreCvss(`${v}/${dup}`);
        expect(e.ok).toBe(false);
        if (!e.ok) expect(e.error.message).toBe(`metric ${dup.split(':')[0]} appears twice`);
      }),
      { numRuns: 500 },
    );
  });
});
