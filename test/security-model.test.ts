/**
 * threatloop's own threat model (docs/threat-model.yml, explained in SECURITY.md) is linted with our own
 * linter on every CI run, against today's date: it must stay clean, and every mitigation must point at
 * code and tests that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintModelText } from '../src/model/lint/index.ts';

const FILE = 'docs/threat-model.yml';
const text = readFileSync(new URL(`../${FILE}`, import.meta.url), 'utf8');
const today = new Date().toISOString().slice(0, 10);

describe('docs/threat-model.yml: threatloop models itself', () => {
  // Every rule on, STRIDE per element and boundary-crossing flows included: each element's categories are
  // answered by a threat or a waiver that says why.
  const lint = lintModelText(text, FILE, { today });

  it('lints with no findings at all: no error, no warning, no coverage gap', () => {
    expect(lint.findings).toEqual([]);
  });

  it('covers every STRIDE category of every element, mostly with threats (a waiver is the exception)', () => {
    const model = lint.model!;
    const waivers = [...model.components, ...model.flows].reduce((n, element) => n + Object.keys(element.waive ?? {}).length, 0);
    expect(waivers).toBeGreaterThan(0);
    expect(waivers).toBeLessThan(model.threats.length / 2);
  });

  it('models the components SECURITY.md names, each threat with a CVSS v3.1 vector', () => {
    const model = lint.model!;
    expect(model.components.map((c) => c.id)).toEqual(
      expect.arrayContaining(['webhook-endpoint', 'job-queue', 'github-edge', 'jira-client', 'cli', 'action']),
    );
    for (const threat of model.threats) expect(JSON.stringify(threat.cvss)).toContain('CVSS:3.1/');
  });

  it('every file a mitigation or verification names exists', () => {
    const named = [...text.matchAll(/\b((?:src|test)\/[\w./-]+\.ts)\b/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((path) => !existsSync(new URL(`../${path}`, import.meta.url)))).toEqual([]);
  });
});
