import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../src/model/graph.ts';
import { rateThreat } from '../../../src/model/rating.ts';
import { adfPlainText, renderJiraDescription, type AdfDocument } from '../../../src/sync/jira/description.ts';
import { model } from './fixtures.ts';

function render(change?: Parameters<typeof model>[0]) {
  const graph = buildGraph(model(change));
  const threat = graph.threats.get('22')!;
  return renderJiraDescription({
    threat,
    rating: rateThreat(threat),
    graph,
    due: threat.due ?? null,
    model: { url: 'https://github.com/acme/genomics/blob/abc/threat-model.yml#L40', label: 'threat-model.yml line 40 at abc' },
  });
}

/** Every node Jira's ADF validator would refuse: empty text, unknown node types, marks without attrs. */
function invalidNodes(doc: AdfDocument): string[] {
  const problems: string[] = [];
  const visit = (node: unknown, path: string) => {
    const n = node as { type?: string; text?: string; content?: unknown[]; marks?: { type: string; attrs?: { href?: string } }[] };
    if (!['doc', 'paragraph', 'text', 'heading', 'bulletList', 'listItem', 'rule', 'hardBreak'].includes(n.type ?? '')) problems.push(`${path}: ${n.type}`);
    if (n.type === 'text' && !n.text) problems.push(`${path}: empty text`);
    for (const mark of n.marks ?? []) if (mark.type === 'link' && !mark.attrs?.href) problems.push(`${path}: link without href`);
    n.content?.forEach((child, i) => visit(child, `${path}.${i}`));
  };
  visit(doc, 'doc');
  return problems;
}

describe('renderJiraDescription', () => {
  it('is a valid ADF v1 document with the same facts as the GitHub issue', () => {
    const doc = render();
    expect(doc).toMatchObject({ type: 'doc', version: 1 });
    expect(invalidNodes(doc)).toEqual([]);
    const text = adfPlainText(doc);
    expect(text).toContain('An attacker replays a stolen token.');
    expect(text).toContain('Severity: Critical');
    expect(text).toContain('CVSS: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N — 9.1 (Critical)');
    expect(text).toContain('STRIDE: Spoofing, Information disclosure');
    expect(text).toContain('Targets: Public API (api) in Cloud tenant (restricted); Upload (upload): Patient -> Public API');
    expect(text).toContain('Status: Open');
    expect(text).toContain('Strategy: Mitigate');
    expect(text).toContain('Owner: Security team (@acme/security)');
    expect(text).toContain('Due: 2026-03-01');
    expect(text).toContain('Mitigation\nBind tokens to the device.');
    expect(text).toContain('CWE-294');
    expect(text).toContain('Defined in threat-model.yml line 40 at abc.');
  });

  it('links URLs in references and the model line, and marks the vector as code', () => {
    const json = JSON.stringify(render());
    expect(json).toContain('{"type":"link","attrs":{"href":"https://cwe.mitre.org/data/definitions/294.html"}}');
    expect(json).toContain('{"type":"link","attrs":{"href":"https://github.com/acme/genomics/blob/abc/threat-model.yml#L40"}}');
    expect(json).toContain('"text":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N","marks":[{"type":"code"}]');
  });

  it('keeps paragraphs and line breaks of multi-line text, never emitting empty text nodes', () => {
    const doc = render((m) => {
      m.threats![0]!.description = 'first line\nsecond line\n\n\nnext paragraph\n';
      m.threats![0]!.residual_risk = 'low\n\nbut not zero';
    });
    expect(invalidNodes(doc)).toEqual([]);
    const first = doc.content[0]!;
    expect(first).toEqual({
      type: 'paragraph',
      content: [{ type: 'text', text: 'first line' }, { type: 'hardBreak' }, { type: 'text', text: 'second line' }],
    });
    expect(doc.content[1]).toEqual({ type: 'paragraph', content: [{ type: 'text', text: 'next paragraph' }] });
    expect(adfPlainText(doc)).toContain('Residual risk\nlow\nbut not zero');
  });

  it('never emits an empty text node for blank model strings (Jira rejects the whole request)', () => {
    const doc = render((m) => {
      m.owners!.sec!.name = '';
      delete m.owners!.sec!.team;
      m.threats![0]!.refs = ['', '  ', 'CWE-294'];
    });
    expect(invalidNodes(doc)).toEqual([]);
    const text = adfPlainText(doc);
    expect(text).toContain('Owner: sec');
    expect(text).toContain('References\n- CWE-294');
  });

  it('says when a threat is unowned, has no due date or an invalid vector', () => {
    const doc = render((m) => {
      const t = m.threats![0]!;
      delete t.owner;
      delete t.due;
      t.cvss = 'CVSS:3.1/AV:X';
    });
    const text = adfPlainText(doc);
    expect(text).toContain('Owner: unowned');
    expect(text).toContain('Due: no due date');
    expect(text).toMatch(/CVSS: CVSS:3\.1\/AV:X — invalid vector: /);
  });
});
