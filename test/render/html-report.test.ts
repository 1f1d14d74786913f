import { readFileSync } from 'node:fs';
// @ts-expect-error jsdom ships no types and @types/jsdom is not installed; the test uses a few DOM calls.
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateModelText } from '../../bench/generate-model.ts';
import { withQuietGraphviz } from '../../src/cli/quiet-graphviz.ts';
import { lintModelText } from '../../src/model/lint/index.ts';
import { loadModel } from '../../src/model/load.ts';
import type { ThreatModel } from '../../src/model/schema.ts';
import { traceabilityRows, type ThreatEvidence } from '../../src/model/traceability.ts';
import { DIAGRAM_LIMITS, loadLayoutEngine, renderDataFlowSvg, type LayoutEngine } from '../../src/render/diagram-svg.ts';
import { renderHtmlReport } from '../../src/render/html-report.ts';
import { renderTraceabilityCsv } from '../../src/render/traceability-csv.ts';

let viz: LayoutEngine;
beforeAll(async () => {
  viz = await loadLayoutEngine();
});

function model(text: string): ThreatModel {
  const loaded = loadModel(text, 'threat-model.yml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.findings));
  return loaded.model;
}

const GENOMEWELL = 'examples/genomewell/threat-model.yml';

function genomewellHtml(evidence?: ReadonlyMap<string, ThreatEvidence>): { html: string; model: ThreatModel } {
  const { model, findings } = lintModelText(readFileSync(GENOMEWELL, 'utf8'), GENOMEWELL, { today: '2026-12-01' });
  if (!model) throw new Error('GenomeWell does not load');
  return { model, html: renderHtmlReport({ model, findings, file: GENOMEWELL, viz, generatedAt: '2026-12-01', ...(evidence ? { evidence } : {}) }) };
}

const HOSTILE = `version: 1
system: { name: "<script>alert(1)</script> & co" }
boundaries:
  - { id: zone, name: "Zone \\" ] } <b>", trust: untrusted }
components:
  - { id: evil, name: "\\"] ; n0 -> n0 [label=<x>] \\\\N <img src=x onerror=alert(1)>", type: process, boundary: zone }
  - { id: ok, name: Fine, type: data-store }
flows:
  - { id: f1, from: evil, to: ok, data: ["</svg><script>alert(2)</script>"] }
threats:
  - id: T-1
    title: "<iframe src=javascript:alert(3)>"
    stride: S
    targets: [evil, f1]
    mitigation: "=HYPERLINK(\\"http://evil\\")"
    refs: ["javascript:alert(4)", "https://example.com/a?b=<c>"]
    tests: ["https://ci.example.com/run/1", "TC-9"]
    controls: [SR-1]
`;

describe('renderHtmlReport', () => {
  it('is one self-contained document: no script, no external stylesheet, image or font, a CSP that forbids them', () => {
    const { html } = genomewellHtml();
    const dom = new JSDOM(html);
    const doc = dom.window.document;
    expect(doc.querySelectorAll('script, link, img, iframe, object, embed').length).toBe(0);
    expect(html).not.toMatch(/\b(src|srcset)\s*=|@import|url\(/i);
    expect(doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content')).toContain("default-src 'none'");
    expect(doc.title).toBe('Threat model: GenomeWell');
    // Every section the issue lists.
    for (const id of ['summary', 'scope', 'diagram', 'boundaries', 'components', 'flows', 'stride', 'coverage', 'threats', 'mitigation', 'traceability', 'checklist', 'findings']) {
      expect(doc.getElementById(id), id).not.toBeNull();
    }
    expect(doc.querySelector('style')?.textContent).toContain('@media print');
  });

  it('links threat ids, components, flows and boundaries to anchors that exist, each id once', () => {
    const { html, model } = genomewellHtml();
    const doc = new JSDOM(html).window.document;
    const ids = [...doc.querySelectorAll('[id]')].map((e) => e.id);
    expect(ids.length).toBe(new Set(ids).size);
    const internal = [...doc.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? a.getAttribute('xlink:href') ?? '').filter((h) => h.startsWith('#'));
    for (const href of internal) expect(doc.getElementById(href.slice(1)), href).not.toBeNull();
    for (const t of model.threats) expect(doc.getElementById(`threat-${t.id}`)).not.toBeNull();
    for (const c of model.components) expect(doc.querySelector(`svg [id="diagram-component-${c.id}"]`), c.id).not.toBeNull();
    // The traceability matrix: one row per threat and target.
    const rows = doc.querySelectorAll('#traceability tbody tr').length;
    expect(rows).toBe(model.threats.reduce((n, t) => n + new Set(t.targets).size, 0));
  });

  it('escapes everything a model says, in HTML and in the diagram', () => {
    const m = model(HOSTILE);
    const html = renderHtmlReport({ model: m, findings: [], file: 'threat-model.yml', viz });
    const doc = new JSDOM(html).window.document;
    expect(doc.querySelectorAll('script, img, iframe').length).toBe(0);
    expect(doc.querySelector('h1')?.textContent).toBe('Threat model: <script>alert(1)</script> & co');
    expect(doc.querySelectorAll('#diagram svg g.node').length).toBe(2);
    expect(doc.querySelectorAll('#diagram svg g.edge').length).toBe(1);
    expect(doc.querySelector('#diagram svg g.node title')).not.toBeNull();
    expect(doc.querySelector('#diagram svg')?.textContent).toContain('<img src=x onerror=alert(1)>');
    // A javascript: reference stays text; http(s) links are kept, encoded.
    const hrefs = [...doc.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? '');
    expect(hrefs.filter((h) => /^javascript:/i.test(h))).toEqual([]);
    expect(hrefs).toContain('https://example.com/a?b=<c>');
    expect(hrefs).toContain('https://ci.example.com/run/1');
    expect(doc.getElementById('threat-T-1')?.textContent).toContain('SR-1');
  });

  it('writes every character past Latin-1 as a reference, and the page reads the same', () => {
    // Names in other scripts and emoji, in the page and in the diagram; the arrows the report draws itself too.
    const text = [
      'version: 1',
      'system: { name: "Gène 基因 🧬 → report" }',
      'components:',
      '  - { id: a, name: "Lab 实验室 🧪", type: process }',
      '  - { id: b, name: "Store — ✓", type: data-store }',
      'flows:',
      '  - { id: f1, from: a, to: b, data: ["séquence 序列…"] }',
      'threats:',
      '  - { id: T-1, title: "Fuite → 泄露 🔓", stride: [I], targets: [f1], status: open }',
    ].join('\n');
    const html = renderHtmlReport({ model: model(text), findings: [], file: 'threat-model.yml', viz });
    expect(html).not.toMatch(/[^\u0000-\u00ff]/);
    const doc = new JSDOM(html).window.document;
    expect(doc.querySelector('h1')?.textContent).toBe('Threat model: Gène 基因 🧬 → report');
    expect(doc.getElementById('threat-T-1')?.textContent).toContain('Fuite → 泄露 🔓');
    expect(doc.querySelector('#flows tbody tr')?.textContent).toContain('Lab 实验室 🧪 → Store — ✓');
    expect(doc.querySelector('#diagram svg')?.textContent).toContain('Lab 实验室 🧪');
    expect(doc.querySelector('#diagram svg')?.textContent).toContain('séquence 序列…');
  });

  it('shows the evidence pack columns when evidence is given', () => {
    const evidence = new Map<string, ThreatEvidence>([
      [
        '22',
        {
          issue: { number: 7, url: 'https://github.com/acme/gw/issues/7', state: 'open', createdAt: '2026-01-02T00:00:00Z' },
          jiraKey: 'SEC-12',
          pullRequests: [{ reference: 'acme/gw#31', url: 'https://github.com/acme/gw/pull/31', verbs: ['mitigates'], linkedAt: '2026-02-01T00:00:00Z', mergedAt: '2026-02-03T10:00:00Z', mergeCommit: 'a'.repeat(40) }],
          statusHistory: [{ at: '2026-02-04T00:00:00Z', from: 'Planned', to: 'Mitigated', actor: 'ana-gw', commit: 'b'.repeat(40) }],
        },
      ],
    ]);
    const { html } = genomewellHtml(evidence);
    const doc = new JSDOM(html).window.document;
    const headers = [...doc.querySelectorAll('#traceability thead th')].map((th) => th.textContent);
    expect(headers).toContain('Pull requests · merge commits');
    const row = [...doc.querySelectorAll('#traceability tbody tr')].find((tr) => tr.querySelector('td')?.textContent === '22');
    expect(row?.textContent).toContain('acme/gw#31');
    expect(row?.textContent).toContain('aaaaaaa');
    expect(row?.textContent).toContain('Planned → Mitigated by ana-gw');
    expect(row?.textContent).toContain('SEC-12');
  });
});

describe('renderDataFlowSvg', () => {
  it('draws a 150-component model as one diagram, one node per component', () => {
    const m = model(generateModelText({ threats: 300, components: 150, flows: 220, boundaries: 6 }));
    // Graphviz's spline router complains on stderr where it gives up (the layout is redone with lines).
    const result = withQuietGraphviz(() => renderDataFlowSvg(m, viz));
    expect(result.splitNote).toBeUndefined();
    expect(result.diagrams).toHaveLength(1);
    const svg = new JSDOM(result.diagrams[0]!.svg).window.document;
    expect(svg.querySelectorAll('g.node').length).toBe(150);
    // Every flow is drawn, also where Graphviz's spline router gives up inside a cluster.
    expect(svg.querySelectorAll('g.edge').length).toBe(m.flows.length);
    expect(svg.querySelectorAll('g.edge path').length).toBe(m.flows.length);
    expect(svg.querySelectorAll('g.cluster').length).toBeGreaterThan(1);
  });

  it('splits a model above the limits into a boundary overview and one diagram per boundary', () => {
    const components = DIAGRAM_LIMITS.components + 50;
    const m = model(generateModelText({ threats: 300, components, flows: 300, boundaries: 4 }));
    const result = renderDataFlowSvg(m, viz);
    expect(result.splitNote).toContain(`${components} components`);
    const [overview, ...parts] = result.diagrams;
    expect(overview!.title).toMatch(/Overview/);
    const boundaries = new Set(m.components.map((c) => c.boundary ?? ''));
    expect(parts).toHaveLength(boundaries.size);
    const nodes = parts.reduce((n, d) => n + new JSDOM(d.svg).window.document.querySelectorAll('g.node').length, 0);
    expect(nodes).toBe(components);
  });
});

describe('traceability CSV', () => {
  it('has one row per threat and target, quotes RFC 4180 style and neutralises formulas', () => {
    const m = model(HOSTILE);
    const csv = renderTraceabilityCsv(m, traceabilityRows(m));
    expect(csv.startsWith('\uFEFFThreat ID,Threat,Element ID,Element,Element type,Trust boundary,STRIDE,CVSS vector,CVSS score,Severity,Strategy,Mitigation,Controls,Tests')).toBe(true);
    const lines = csv.slice(1).split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('T-1,<iframe src=javascript:alert(3)>,evil,');
    expect(lines[2]).toContain(',f1,');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[1]).toContain('https://ci.example.com/run/1; TC-9');
    expect(lines[1]).toContain(',SR-1,');
  });

  it('gives the GenomeWell matrix the boundary of each element, and a flow the boundaries it crosses', () => {
    const m = model(readFileSync(GENOMEWELL, 'utf8'));
    const rows = traceabilityRows(m);
    const s3 = rows.find((r) => r.threatId === '22' && r.elementId === 's3');
    expect(s3).toMatchObject({ elementKind: 'component', boundary: 'GenomeWell Cloud Core', severity: 'critical' });
    const crossing = rows.find((r) => r.elementKind === 'flow' && r.boundary.includes('→'));
    expect(crossing?.boundary).toMatch(/^.+ → .+$/);
  });
});
