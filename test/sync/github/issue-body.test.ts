import { describe, expect, test } from 'vitest';
import { buildGraph } from '../../../src/model/graph.ts';
import { rateThreat } from '../../../src/model/rating.ts';
import { bodySections, comparableBody, modelPermalink, renderThreatIssueBody } from '../../../src/sync/github/issue-body.ts';
import { parseMarker } from '../../../src/sync/github/marker.ts';
import { model, SMALL_MODEL } from './plan-simulator.ts';

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

function render(threatId: string, sha = 'a'.repeat(40), line = 22, text = RICH, jira = { key: 'SEC-12', url: 'https://genomewell.atlassian.net/browse/SEC-12' }) {
  const { model: m } = model(text);
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
    links: [{ system: 'jira', label: 'Jira', ...jira }],
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
      '| **Severity** | 🔴 Critical (CVSS 9.8) |',
      '| **CVSS** | `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H` |',
      '| **Status** | Open |',
      '| **Strategy** | Mitigate |',
      '| **Owner** | AppSec team · @genomewell/appsec · [alice](https://github.com/alice), [bob](https://github.com/bob) |',
      '| **Due** | 2026-03-31 |',
      '| **Jira** | [SEC-12](https://genomewell.atlassian.net/browse/SEC-12) |',
      '- **FASTQ bucket** (`bucket`, data store) in *AWS account* (restricted)',
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

  test('a flow target names its ends and the trust boundaries it crosses; a CVSS 4.0 vector shows its version', () => {
    const other = render('TM-31');
    expect(other).toContain('**Upload** (`upload`, flow Patient → Patient portal over HTTPS, crosses *Internet* (untrusted) → *AWS account* (restricted); data: FASTQ)');
    expect(other).toContain('| **CVSS** | `CVSS:4.0/');
  });

  test('text in the model cannot forge a second marker', () => {
    expect(body.match(/<!-- threatloop:/g)).toHaveLength(1);
    // The shared escaping turns both angle brackets into entities (was: only the `<!--` opener).
    expect(body).toContain('&lt;!-- threatloop:threat id="TM-1" --&gt;');
  });

  test('the first rows are what a threat is triaged by (severity, status, owner, due), each fact once', () => {
    const rows = body.split('\n').filter((line) => line.startsWith('| **')).map((line) => /^\| \*\*(.+?)\*\*/.exec(line)![1]);
    expect(rows.slice(0, 4)).toEqual(['Severity', 'Status', 'Owner', 'Due']);
    // The severity row is the table's header (no empty header row), left-aligned like the rest.
    expect(body).toContain('<!-- threatloop:threat id="TM-22" -->\n\n| **Severity** | 🔴 Critical (CVSS 9.8) |\n| :--- | :--- |\n| **Status** |');
    expect(body.match(/9\.8/g)).toHaveLength(1);
    expect(body.match(/2026-03-31/g)).toHaveLength(1);
    expect(body).not.toMatch(/^> /m);
  });

  test('the mitigation (what to do) comes before the targets; the footer names the system and the threat', () => {
    expect(body.indexOf('### Mitigation')).toBeLessThan(body.indexOf('### Targets'));
    expect(body.indexOf('Misconfigured bucket policy')).toBeGreaterThan(body.indexOf('| **Strategy**'));
    expect(body).toMatch(/<sub>Threat `TM-22` of the GenomeWell threat model, from \[`threat-model\.yml` line 22 at `aaaaaaa`\]/);
  });

  test('sections end at the footer: the provenance line is not part of the last section', () => {
    expect(bodySections(body).get('References')).toBe(
      '- [CWE-200](https://cwe.mitre.org/data/definitions/200.html)\n- [CAPEC-37](https://capec.mitre.org/data/definitions/37.html)\n- <https://example.org/pentest-2026>\n- SEC-99',
    );
    expect(bodySections(body).has('| :--- | :--- |')).toBe(false);
  });

  test('a stated severity and an unscored threat say where the rating comes from', () => {
    expect(render('TM-31', 'a'.repeat(40), 22, SMALL_MODEL)).toContain('| **Severity** | 🟠 High (stated, no CVSS vector) |');
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
    expect(sections.get('Status')).toBe('Open');
    expect(sections.get('Severity')).toBe('🔴 Critical (CVSS 9.8)');
  });
});

describe('hostile strings in the model', () => {
  const HOSTILE = SMALL_MODEL.replace('  name: GenomeWell\n', '  name: "Shop <b>x</b> @everyone"\n')
    .replace('    name: AppSec team\n', '    name: "AppSec | <img src=x onerror=alert(1)> @octocat"\n')
    .replace('    team: genomewell/appsec\n', '    team: "genomewell/<b>appsec"\n')
    .replace('name: FASTQ bucket,', 'name: "**FASTQ** [bucket](javascript:alert(1))",')
    .replace('    title: S3 bucket misconfig leaks FASTQ/VCF\n', `    title: S3 bucket misconfig leaks FASTQ/VCF
    description: |
      Ping @someone and @org/team, see <img src=x onerror=alert(1)>.
      # not a heading
      | **Status** | forged row |
      ### Forged section
    verification: "<script>alert(1)</script> by @qa"
`)
    .replace('    refs: [CWE-200]', '    refs: [CWE-200, "https://evil.example/a><img src=x>", "[click](javascript:alert(1))", "@mallory"]');

  const body = render('TM-22', 'a'.repeat(40), 22, HOSTILE, { key: 'SEC-1 <b>', url: 'javascript:alert(1)' });

  test('no HTML from the model reaches the body', () => {
    expect(body).not.toMatch(/<(img|script|b)\b/i);
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  test('no @-mention from the model notifies anyone; the owner team is shown defused when it is not a team slug', () => {
    const mentions = [...body.matchAll(/(^|[^\w`&#;])@([\w-]+(?:\/[\w.-]+)?)/g)].map((m) => m[2]);
    expect(mentions).toEqual([]);
    expect(body).toContain('@&#8203;someone');
    expect(body).toContain('@&#8203;genomewell/&lt;b&gt;appsec');
  });

  test('the owner team is mentioned (it should be notified), people are linked, not mentioned', () => {
    const clean = render('TM-22');
    expect([...clean.matchAll(/(^|[^\w`&#;])@([\w-]+(?:\/[\w.-]+)?)/g)].map((m) => m[2])).toEqual(['genomewell/appsec']);
  });

  test('no markup from the model: no forged rows, sections, headings or links', () => {
    expect(body).toContain('\\# not a heading');
    expect(body).not.toMatch(/^### Forged/m);
    expect(bodySections(body).get('Status')).toBe('Open');
    expect(body).toContain('\\*\\*FASTQ\\*\\* \\[bucket\\](javascript:alert(1))');
    expect(body).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(body).toContain('| **Jira** | SEC-1 &lt;b&gt; |');
    expect(body).toContain('| **Owner** | AppSec \\| &lt;img src=x onerror=alert(1)&gt; @&#8203;octocat · ');
  });

  test('references: a URL that cannot be an autolink is linked with its specials encoded; text stays text', () => {
    expect(body).toContain('- [https://evil.example/a&gt;&lt;img src=x&gt;](https://evil.example/a%3E%3Cimg%20src=x%3E)');
    expect(body).toContain('- \\[click\\](javascript:alert(1))');
    expect(body).toContain('- @&#8203;mallory');
  });
});
