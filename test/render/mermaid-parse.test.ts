// @vitest-environment jsdom
/**
 * The diagrams we emit go through Mermaid's own parser (the one GitHub runs;
 * a parse error there is a red error box in the report or PR comment).
 * Mermaid needs a DOM for its sanitiser, hence jsdom; layout and drawing need
 * a browser and are checked by scripts/render-mermaid-cases.ts instead.
 */
import fc from 'fast-check';
import mermaid from 'mermaid';
import { beforeAll, describe, expect, it } from 'vitest';
import { ThreatModelSchema } from '../../src/model/schema.ts';
import { dataFlowDiagram, diagramLimitProblem, MERMAID_LIMITS } from '../../src/render/mermaid.ts';
import { diagramCases } from './mermaid-cases.ts';

beforeAll(() => {
  mermaid.initialize({ startOnLoad: false });
});

/** Mermaid's parse error message, or undefined when it accepts the source. */
async function parseError(source: string): Promise<string | undefined> {
  try {
    const result = await mermaid.parse(source);
    expect(result).toMatchObject({ diagramType: 'flowchart-v2' });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A chain of `flows` flows between 20 processes. */
function chain(flows: number) {
  const components = Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, name: `C${i}`, type: 'process' as const }));
  return ThreatModelSchema.parse({
    version: 1,
    system: { name: 'Chain' },
    components,
    flows: Array.from({ length: flows }, (_, i) => ({ id: `f${i}`, from: `c${i % 20}`, to: `c${(i + 1) % 20}` })),
  });
}

describe('Mermaid parses the diagrams we emit', () => {
  it('rejects a broken diagram (the parser really runs)', async () => {
    expect(await parseError('flowchart LR\n  n0["a"b"] --> n1')).toMatch(/Parse error/);
  });

  for (const { name, source } of diagramCases()) {
    it(name, async () => {
      expect(await parseError(source)).toBeUndefined();
      expect(diagramLimitProblem(source)).toBeUndefined();
    });
  }

  it('accepts any component, boundary and data names (property)', async () => {
    const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '');
    await fc.assert(
      fc.asyncProperty(fc.array(name, { minLength: 1, maxLength: 4 }), name, fc.array(fc.string({ unit: 'binary' })), async (names, zone, data) => {
        const m = ThreatModelSchema.parse({
          version: 1,
          system: { name: 'Fuzz' },
          boundaries: [{ id: 'z', name: zone, trust: 'partner' }],
          components: names.map((n, i) => ({ id: `c${i}`, name: n, type: (['process', 'data-store', 'external-entity'] as const)[i % 3], boundary: i % 2 ? 'z' : undefined })),
          flows: names.map((_, i) => ({ id: `f${i}`, from: `c${i}`, to: `c${(i + 1) % names.length}`, data, bidirectional: i % 2 === 0 })),
          threats: [{ id: 'T1', title: 't', stride: 'S', targets: ['c0', 'f0'] }],
        });
        const source = dataFlowDiagram(m, { threatIds: true, highlight: new Set(['c0']) });
        expect(await parseError(source), source).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });
});

describe('diagramLimitProblem', () => {
  it('uses the limits Mermaid is configured with by default', () => {
    const defaults = mermaid.mermaidAPI.defaultConfig;
    expect({ maxEdges: defaults.maxEdges, maxTextSize: defaults.maxTextSize }).toEqual(MERMAID_LIMITS);
  });

  it('agrees with Mermaid on the edge limit', async () => {
    const atLimit = dataFlowDiagram(chain(MERMAID_LIMITS.maxEdges));
    expect(await parseError(atLimit)).toBeUndefined();
    expect(diagramLimitProblem(atLimit)).toBeUndefined();

    const over = dataFlowDiagram(chain(MERMAID_LIMITS.maxEdges + 1));
    expect(await parseError(over)).toMatch(/Edge limit exceeded/);
    expect(diagramLimitProblem(over)).toBe('501 flows to draw, more than the 500 Mermaid accepts');
  });

  it('names a source longer than Mermaid draws', () => {
    const m = ThreatModelSchema.parse({
      version: 1,
      system: { name: 'Long' },
      components: [{ id: 'a', name: 'x'.repeat(MERMAID_LIMITS.maxTextSize), type: 'process' }],
    });
    expect(diagramLimitProblem(dataFlowDiagram(m))).toMatch(/^the diagram source is 500\d\d characters, more than the 50000 Mermaid accepts$/);
  });
});
