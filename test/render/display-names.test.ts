import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/model/graph.ts';
import { rateThreat } from '../../src/model/rating.ts';
import { RATINGS, STRIDE_CATEGORIES, STRIDE_LETTER, STRIDE_NAME } from '../../src/model/schema.ts';
import { renderDashboard } from '../../src/sync/github/dashboard.ts';
import { RATING_LABEL, RATING_NAME } from '../../src/render/display-names.ts';
import { modelPermalink, renderThreatIssueBody } from '../../src/sync/github/issue-body.ts';
import { renderReport } from '../../src/render/report.ts';
import { model } from '../sync/github/plan-simulator.ts';

const EVERY_CATEGORY = `version: 1
system: { name: Shop }
components:
  - { id: api, name: API, type: process }
threats:
  - id: T-1
    title: Everything at once
    stride: [S, T, R, I, D, E]
    targets: api
    severity: high
`;

describe('display names: one table per value set, the same words in every renderer', () => {
  const { model: m } = model(EVERY_CATEGORY);
  const graph = buildGraph(m);
  const threat = m.threats[0]!;
  const rating = rateThreat(threat);

  it('the issue body, the report legend and the report threat table name STRIDE categories from STRIDE_NAME', () => {
    const body = renderThreatIssueBody({
      threat,
      graph,
      rating,
      marker: { kind: 'threat', threatId: 'T-1' },
      permalink: modelPermalink('https://github.com', 'acme/shop', 'a'.repeat(40), 'threat-model.yml'),
      closing: false,
      webUrl: 'https://github.com',
    });
    const names = STRIDE_CATEGORIES.map((c) => STRIDE_NAME[c]);
    expect(body).toContain(`| **STRIDE** | ${names.join(', ')} |`);
    const report = renderReport({ model: m, findings: [], file: 'threat-model.yml' });
    expect(report).toContain(STRIDE_CATEGORIES.map((c) => `**${STRIDE_LETTER[c]}** ${STRIDE_NAME[c]}`).join(' · '));
    expect(report).toContain(`| ${names.join(', ')} |`);
  });

  it('ratings read the same in the issue body, the dashboard and the report', () => {
    expect(RATINGS.every((r) => RATING_LABEL[r].endsWith(` ${RATING_NAME[r]}`))).toBe(true);
    const dashboard = renderDashboard({ graph, threats: [{ threat, rating, closed: false, issue: 1 }], today: '2026-03-01', modelPath: 'threat-model.yml' });
    expect(dashboard).toContain(`| ${RATING_NAME.high} | 1 | 0 | 1 |`);
    expect(renderReport({ model: m, findings: [], file: 'threat-model.yml' })).toContain(RATING_LABEL.high);
  });
});
