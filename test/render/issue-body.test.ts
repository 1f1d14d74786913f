import { describe, expect, test } from 'vitest';
import { buildGraph } from '../../src/model/graph.ts';
import { rateThreat } from '../../src/model/rating.ts';
import { bodySections, comparableBody, modelPermalink, renderThreatIssueBody } from '../../src/render/issue-body.ts';
import { parseMarker } from '../../src/sync/marker.ts';
import { model, SMALL_MODEL } from '../sync/plan-simulator.ts';

const RICH = SMALL_MODEL.replace(
  '    refs: [CWE-200]',
  `    refs: [CWE-200, CAPEC-37, "https://example.org/pentest-2026", SEC-99]
    description: |
      Misconfigured bucket policy exposes genomic files.
      <!-- threatloop:threat id="TM-1" -->
    verification: Quarterly AWS Config rule review
    residual_risk: Low once the SCP is in place
    rationale: Cheap to fix`,
).replace('    targets: [upload, portal]', '    targets: [upload, portal]\n    cvss: { vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N" }');

function render(threatId: string, sha = 'a'.repeat(40), line = 22) {
  const { model: m } = model(RICH);
  const graph = buildGraph(m);
  const threat = graph.threats.get(threatId)!;
  return renderThreatIssueBody({
    threat,
    graph,
    rating: rateThreat(threat),
    due: { date: '2026-03-31', source: 'model' },
    marker: { kind: 'threat', threatId },
    permalink: modelPermalink('https://github.com', 'genomewell/platform', sha, 'threat-model.yml', line),
    closing: false,
    webUrl: 'https://github.com',
    jira: { key: 'SEC-12', url: 'https://genomewell.atlassian.net/browse/SEC-12' },
  });
}

describe('threat issue body', () => {
  const body = render('TM-22');

  test('starts with the marker, which the fetcher can read', () => {
    expect(body.startsWith('<!-- threatloop:threat id="TM-22" -->\n')).toBe(true);
    expect(parseMarker(body)).toEqual({ kind: 'threat', threatId: 'TM-22' });
  });

  test('holds every fact a reviewer needs', () => {
    for (const expected of [
      'Misconfigured bucket policy exposes genomic files.',
      '| **STRIDE** | Information disclosure |',
      '| **CVSS** | 3.1 `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H` → 9.8 (Critical) |',
      '| **Status** | open |',
      '| **Strategy** | mitigate |',
      '| **Owner** | AppSec team · @genomewell/appsec · [alice](https://github.com/alice), [bob](https://github.com/bob) |',
      '| **Due** | 2026-03-31 |',
      '| **Jira** | [SEC-12](https://genomewell.atlassian.net/browse/SEC-12) |',
      '- **FASTQ bucket** (`bucket`, data-store) in *AWS account* (restricted)',
      '### Mitigation\n\nBlock public access; bucket policy denies non-TLS.',
      '### Verification\n\nQuarterly AWS Config rule review',
      '### Residual risk\n\nLow once the SCP is in place',
      '### Rationale\n\nCheap to fix',
      '- [CWE-200](https://cwe.mitre.org/data/definitions/200.html)',
      '- [CAPEC-37](https://capec.mitre.org/data/definitions/37.html)',
      '- <https://example.org/pentest-2026>',
      '- SEC-99',
      `[\`threat-model.yml\` line 22 at \`aaaaaaa\`](https://github.com/genomewell/platform/blob/${'a'.repeat(40)}/threat-model.yml#L22)`,
    ]) {
      expect(body).toContain(expected);
    }
  });

  test('a flow target names its ends and the trust boundaries it crosses; CVSS 4.0 shows its version', () => {
    const other = render('TM-31');
    expect(other).toContain('**Upload** (`upload`, flow Patient → Patient portal over HTTPS, crosses *Internet* (untrusted) → *AWS account* (restricted); data: FASTQ)');
    expect(other).toContain('| **CVSS** | 4.0 `CVSS:4.0/');
  });

  test('text in the model cannot forge a second marker', () => {
    expect(body.match(/<!-- threatloop:/g)).toHaveLength(1);
    expect(body).toContain('&lt;!-- threatloop:threat id="TM-1" -->');
  });

  test('an unowned, unscored threat says so', () => {
    const text = render('TM-40');
    expect(text).toContain('**unowned**');
    expect(text).toContain('Unscored: add a CVSS vector or a severity');
  });

  test('compared without the permalink: another commit and line compare equal, another text does not', () => {
    expect(comparableBody(render('TM-22', 'b'.repeat(40), 30))).toBe(comparableBody(body));
    expect(comparableBody(body.replace(/\n/g, '\r\n'))).toBe(comparableBody(body));
    expect(comparableBody(render('TM-31'))).not.toBe(comparableBody(body));
  });

  test('sections can be compared by name', () => {
    const sections = bodySections(body);
    expect(sections.get('Mitigation')).toBe('Block public access; bucket policy denies non-TLS.');
    expect(sections.get('Status')).toBe('open');
  });
});
