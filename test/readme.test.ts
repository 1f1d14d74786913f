/** The README's generated figures are what the program computes now (`npm run readme` rewrites them). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyBlocks, README, readmeBlocks } from '../scripts/readme.ts';

describe('README.md', () => {
  it('holds the figures the program computes (demo plan, CVSS reference vectors, requests per sync, Jira writes, evidence reads)', async () => {
    const readme = readFileSync(README, 'utf8');
    const current = applyBlocks(readme, await readmeBlocks());
    // On failure: run `npm run readme` and commit README.md.
    expect(readme).toBe(current);
  }, 120_000);

  it('refuses a block with no generator and a generator with no block', () => {
    expect(() => applyBlocks('<!-- generated:nope -->x<!-- /generated:nope -->', {})).toThrow('no generator for block "nope"');
    expect(() => applyBlocks('text', { demo: 'x' })).toThrow('no marker for demo');
    expect(applyBlocks('a <!-- generated:demo -->old<!-- /generated:demo --> b', { demo: 'new' })).toBe('a <!-- generated:demo -->new<!-- /generated:demo --> b');
  });
});
