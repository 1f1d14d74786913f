import { describe, expect, it } from 'vitest';
import { runCvss } from '../../src/cli/commands/cvss.ts';

function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCvss(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('runCvss', () => {
  it('prints one aligned line per vector', () => {
    const r = run([
      'AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:N',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N',
    ]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    const v31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:N';
    const v40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H';
    const zero = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N';
    const w = v40.length;
    expect(r.out).toEqual([
      `${v31.padEnd(w)}  3.1  10.0  Critical`,
      `${v40}  4.0   8.6  High`,
      `${zero.padEnd(w)}  3.1   0.0  None`,
    ]);
  });

  it('reports malformed vectors on err and exits 1', () => {
    const r = run(['AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 'AV:Q/AC:L']);
    expect(r.code).toBe(1);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/3\.1\s+7\.5\s+High$/);
    expect(r.err).toEqual(['AV:Q/AC:L: AV:Q is not a valid value (expected N, A, L, P)']);
  });

  it('exits 2 with usage when no vector is given', () => {
    const r = run([]);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err.join('\n')).toMatch(/usage: threatloop cvss VECTOR/);
  });

  it('prints help on --help', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^usage:/);
  });
});
