import { describe, expect, it } from 'vitest';
import { referenceLink, weaknessUrl } from '../../src/render/references.ts';

describe('threat references', () => {
  it('links CWE and CAPEC ids to MITRE, whatever their case', () => {
    expect(weaknessUrl('CWE-200')).toBe('https://cwe.mitre.org/data/definitions/200.html');
    expect(weaknessUrl(' capec-37 ')).toBe('https://capec.mitre.org/data/definitions/37.html');
    expect(weaknessUrl('CWE-20x')).toBeUndefined();
    expect(referenceLink('CWE-200')).toBe('[CWE-200](https://cwe.mitre.org/data/definitions/200.html)');
  });

  it('autolinks plain URLs; a URL with characters an autolink cannot hold is linked with them encoded', () => {
    expect(referenceLink('https://example.org/pentest-2026')).toBe('<https://example.org/pentest-2026>');
    expect(referenceLink('https://x.example/a|b')).toBe('[https://x.example/a\\|b](https://x.example/a%7Cb)');
    expect(referenceLink('https://x.example/"><img src=x>')).toBe('[https://x.example/"&gt;&lt;img src=x&gt;](https://x.example/%22%3E%3Cimg%20src=x%3E)');
  });

  it('anything else is escaped text: no links, markup or mentions', () => {
    expect(referenceLink('SEC-99')).toBe('SEC-99');
    expect(referenceLink('[x](javascript:alert(1)) @mallory\n# h')).toBe('\\[x\\](javascript:alert(1)) @&#8203;mallory # h');
    expect(referenceLink('javascript:alert(1)')).toBe('javascript:alert(1)');
  });
});
