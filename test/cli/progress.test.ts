import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/progress.ts';

describe('progressBar', () => {
  it('fills in proportion, names the counts, never overflows', () => {
    expect(progressBar(0, 1159, 10)).toBe('[----------] 0 of 1,159 writes');
    expect(progressBar(312, 1159, 10)).toBe('[###-------] 312 of 1,159 writes');
    expect(progressBar(1159, 1159, 10)).toBe('[##########] 1,159 of 1,159 writes');
    expect(progressBar(5, 3, 10)).toBe('[##########] 5 of 3 writes');
    expect(progressBar(0, 0, 4)).toBe('[####] 0 of 0 writes');
  });
});
