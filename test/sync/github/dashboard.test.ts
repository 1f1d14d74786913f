import { parseIssueIndex, sameIssueIndex, withoutIssueIndex } from '../../../src/sync/github/issue-index.ts';
import { describe, expect, test } from 'vitest';
import { buildGraph } from '../../../src/model/graph.ts';
import { rateThreat } from '../../../src/model/rating.ts';
import { issueRef, pendingIssueRefs, renderDashboard, resolveIssueRefs, type DashboardThreat } from '../../../src/sync/github/dashboard.ts';
import { parseMarker } from '../../../src/sync/github/marker.ts';
import { model, SMALL_MODEL } from './plan-simulator.ts';

function dashboard(overrides: { issues?: (number | 'pending')[]; today?: string; closed?: string[]; notices?: string[] } = {}) {
  const { model: m } = model(SMALL_MODEL);
  const graph = buildGraph(m);
  const threats: DashboardThreat[] = m.threats.map((threat, i) => ({
    threat,
    rating: rateThreat(threat),
    ...(threat.due ? { due: { date: threat.due, source: 'model' as const } } : {}),
    closed: overrides.closed?.includes(threat.id) ?? false,
    issue: overrides.issues?.[i] ?? 10 + i,
  }));
  return renderDashboard({
    graph,
    threats,
    today: overrides.today ?? '2026-03-01',
    modelPath: 'threat-model.yml',
    lintWarnings: [{ rule: 'unscored', level: 'warning', message: 'TM-40 is unscored', file: 'threat-model.yml', start: { line: 48, column: 5 } }],
    notices: overrides.notices ?? ['3 of 40 changes wait for the next sync'],
  });
}

describe('dashboard', () => {
  const body = dashboard();

  test('carries the dashboard marker', () => {
    expect(parseMarker(body)).toEqual({ kind: 'dashboard' });
  });

  test('counts by severity and by status', () => {
    expect(body).toContain('| Critical | 1 | 0 | 1 |');
    expect(body).toContain('| High | 1 | 0 | 1 |');
    expect(body).toContain('| Unscored | 1 | 0 | 1 |');
    expect(body).toContain('| Open | 2 |');
    expect(body).toContain('| Planned | 1 |');
  });

  test('the STRIDE matrix links issues, closed ones struck through', () => {
    expect(body).toContain('| Target | S | T | R | I | D | E |');
    expect(body).toContain('| Patient portal (`portal`) | #11 |  | #12 |  |  | #11 |');
    expect(body).toContain('| FASTQ bucket (`bucket`) |  |  |  | #10 |  |  |');
    expect(dashboard({ closed: ['TM-22'] })).toContain('| FASTQ bucket (`bucket`) |  |  |  | ~~#10~~ |  |  |');
  });

  test('overdue: due before today and not closed', () => {
    expect(body).not.toContain('Overdue (');
    expect(body).toMatch(/nothing is overdue/i);
    expect(dashboard({ today: '2026-04-01' })).toContain('#### Overdue (1)\n\n- #10 **TM-22** (Critical, Open, due 2026-03-31, AppSec team)');
    expect(dashboard({ today: '2026-04-01', closed: ['TM-22'] })).not.toContain('Overdue (');
  });

  test('what needs attention comes before the matrix: open critical and high first, most severe first, with owner and due', () => {
    expect(body.indexOf('### Needs attention')).toBeLessThan(body.indexOf('### STRIDE matrix'));
    expect(body).toContain(
      '#### Open critical and high (2)\n\n- #10 **TM-22** (Critical, Open, due 2026-03-31, AppSec team)\n- #11 **TM-31** (High, Planned, Platform)',
    );
    expect(dashboard({ closed: ['TM-22', 'TM-31'] })).not.toContain('Open critical and high');
  });

  test('empty lists are one sentence, not a heading each', () => {
    const clear = dashboard({ closed: ['TM-22', 'TM-31', 'TM-40'] });
    // TM-40 stays unscored when closed: the one list left, then the sentence for the empty ones.
    expect(clear.match(/^#### .*/gm)).toEqual(['#### Unscored (1)']);
    expect(clear).toContain('No critical or high threat is open, nothing is overdue and every open threat has an owner.');
    expect(body).toContain('Nothing is overdue.');
  });

  test('unowned, unscored, lint warnings and notices', () => {
    expect(body).toContain('#### Unowned (1)\n\n- #12 **TM-40** (');
    expect(body).toContain('#### Unscored (1)\n\n- #12 **TM-40**');
    expect(body).toContain('- `threat-model.yml:48` unscored: TM-40 is unscored');
    expect(body).toContain('### Notices\n\n- ⚠️ 3 of 40 changes wait for the next sync');
  });

  test('issues created in the same sync are placeholders the applier resolves', () => {
    const pending = dashboard({ issues: ['pending', 11, 'pending'] });
    expect(pendingIssueRefs(pending).sort()).toEqual(['TM-22', 'TM-40']);
    const resolved = resolveIssueRefs(pending, new Map([['TM-22', 30]]));
    expect(resolved).toContain('| FASTQ bucket (`bucket`) |  |  |  | #30 |  |  |');
    // An issue that was not created (budget, failure) shows its id until the next sync.
    expect(resolved).toContain('`TM-40`');
    expect(pendingIssueRefs(resolved)).toEqual([]);
    expect(issueRef('TM-1', undefined)).toBe('`TM-1`');
  });

  test('the same inputs render the same text', () => {
    expect(dashboard()).toBe(body);
  });
});

describe('dashboard size limit', () => {
  const numbers = new Map([
    ['TM-22', 10],
    ['TM-31', 11],
    ['TM-40', 12],
  ]);

  test('placeholders resolve to the body the next sync renders, on either side of the size limit', () => {
    const fitting = dashboard().length;
    // A notice long enough to bring the body to the limit, give or take the width of the references.
    for (const extra of [-400, -60, -20, -1, 0, 1, 20, 60, 400]) {
      const notices = ['x'.repeat(60_000 - fitting + extra)];
      const pending = dashboard({ issues: ['pending', 'pending', 'pending'], notices });
      const numbered = dashboard({ notices });
      // The same text but the hidden index, which records the same issues (written more compactly once the numbers are known).
      const resolved = resolveIssueRefs(pending, numbers);
      expect(withoutIssueIndex(resolved), `extra ${extra}`).toBe(withoutIssueIndex(numbered));
      expect(sameIssueIndex(parseIssueIndex(resolved)!, numbered), `extra ${extra}`).toBe(true);
      expect(numbered.length).toBeLessThanOrEqual(65_536);
    }
  });

  test('over the limit the matrix gives way to the lists, cut at a whole line', () => {
    const full = dashboard({ notices: ['x'.repeat(59_000)] });
    // The hidden issue index comes last, within GitHub's body limit.
    expect(full.trimEnd().split('\n').at(-1)).toMatch(/^<!-- threatloop:index( partial)?( [^ ]+)* -->$/);
    expect(full.length).toBeLessThanOrEqual(65_536);
    const body = withoutIssueIndex(full);
    expect(body).toContain('Too large to show here');
    expect(body).not.toContain('| Target |');
    expect(body.length).toBeLessThanOrEqual(60_001);
    expect(body.endsWith('\n')).toBe(true);
    expect(body.trimEnd().split('\n').at(-1)).toMatch(/^(### |- |Nothing|Every|No lint)/);
  });
});

describe('dashboard with hostile strings', () => {
  const hostile = SMALL_MODEL.replace('  name: GenomeWell\n', '  name: "Shop <img src=x onerror=alert(1)> @everyone"\n')
    .replace('    title: S3 bucket misconfig leaks FASTQ/VCF\n', '    title: "Leak <script>alert(1)</script> cc @someone | [x](javascript:alert(1))"\n')
    .replace('name: FASTQ bucket,', 'name: "FASTQ | <b>bucket</b> @org/team",');
  const { model: m } = model(hostile);
  const graph = buildGraph(m);
  const body = renderDashboard({
    graph,
    threats: m.threats.map((threat, i) => ({ threat, rating: rateThreat(threat), closed: false, issue: 10 + i })),
    today: '2026-04-01',
    modelPath: 'threat-model.yml',
    lintWarnings: [{ rule: 'unscored', level: 'warning', message: '<b>bold</b> @mallory', file: 'threat-model.yml', start: { line: 1, column: 1 } }],
    notices: ['Jira sync incomplete: 502 <html><body>Bad gateway</body></html> @ops'],
  });

  test('no HTML, mention, link or table cell from the model or a notice reaches the body', () => {
    expect(body).not.toMatch(/<(img|script|b|html|body)\b/i);
    expect(body).not.toMatch(/(^|[^\w`&#;])@[\w-]/m);
    expect(body).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(body).toContain('| FASTQ \\| &lt;b&gt;bucket&lt;/b&gt; @&#8203;org/team (`bucket`) |  |  |  | #10 |  |  |');
    expect(body).toContain('- ⚠️ Jira sync incomplete: 502 &lt;html&gt;&lt;body&gt;Bad gateway&lt;/body&gt;&lt;/html&gt; @&#8203;ops');
    expect(body).toContain('- `threat-model.yml:1` unscored: &lt;b&gt;bold&lt;/b&gt; @&#8203;mallory');
  });
});
