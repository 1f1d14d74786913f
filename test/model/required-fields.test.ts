/** A field left out says "is required", wherever the schema has a union (stride, targets) or a plain type. */
import { describe, expect, it } from 'vitest';
import { lintModelText } from '../../src/model/lint/index.ts';

const model = (threat: string) => `version: 1
system: { name: X }
owners: {}
boundaries: []
components:
  - { id: a, name: A, type: process, paths: [x] }
flows: []
threats:
  - id: T-1
${threat}`;

describe('missing required fields', () => {
  it('name each field as required, never "undefined"', () => {
    const { findings } = lintModelText(model('    severity: low\n    status: open\n'), 'threat-model.yml', { today: '2026-01-01' });
    const messages = findings.filter((f) => f.rule === 'schema').map((f) => f.message);
    expect(messages).toEqual(expect.arrayContaining(['threats[0].stride: is required', 'threats[0].targets: is required', expect.stringMatching(/^threats\[0\]\.title: is required/)]));
    for (const message of messages) expect(message).not.toContain('undefined');
  });

  it('still says "wrong type" for a value of the wrong type', () => {
    const { findings } = lintModelText(model('    title: T\n    stride: 5\n    targets: a\n    severity: low\n    status: open\n'), 'threat-model.yml', { today: '2026-01-01' });
    expect(findings.find((f) => f.path?.join('.') === 'threats.0.stride')?.message).toBe('threats[0].stride: has the wrong type (number 5)');
  });
});
