/**
 * The diagrams we check Mermaid itself accepts: the GenomeWell example (as the
 * report draws it), a pull-request diagram (touched components + neighbours,
 * highlighted) and models with hostile names and odd shapes. Shared by the
 * Node parse test and the browser render script (scripts/render-mermaid-cases.ts),
 * so both check the same sources.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGraph } from '../../src/model/graph.ts';
import { loadModel } from '../../src/model/load.ts';
import { ThreatModelSchema, type ThreatModel, type ThreatModelInput } from '../../src/model/schema.ts';
import { touchedPart } from '../../src/pull-request/touched.ts';
import { dataFlowDiagram } from '../../src/render/mermaid.ts';

export interface DiagramCase {
  name: string;
  source: string;
}

// A path, not a URL: under jsdom (the parse test) `URL` is jsdom's, which fs does not take.
const EXAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples/genomewell/threat-model.yml');

function genomeWell(): ThreatModel {
  const loaded = loadModel(readFileSync(EXAMPLE, 'utf8'), 'examples/genomewell/threat-model.yml');
  if (!loaded.ok) throw new Error(`GenomeWell example does not load: ${loaded.findings.map((f) => f.message).join('; ')}`);
  return loaded.model;
}

/** The diagram a PR comment draws when a pull request touches `touchedIds`. */
function prDiagram(model: ThreatModel, touchedIds: string[]): string {
  const touched = touchedPart(buildGraph(model), touchedIds);
  const include = new Set([...touched.components.map((c) => c.id), ...touched.neighbours]);
  return dataFlowDiagram(model, { include, highlight: new Set(touched.components.map((c) => c.id)) });
}

const parse = (input: Omit<ThreatModelInput, 'version' | 'system'>) =>
  ThreatModelSchema.parse({ version: 1, system: { name: 'Hostile' }, ...input });

const HOSTILE_NAMES = [
  'Say "hi" to \'them\'',
  'Brackets [a] (b) {c} ([d]) [(e)] ((f)) >g] {{h}}',
  'a --> b -.-> c ==> d --- e <--> f',
  '#35; # #quot; &amp; &#60; #1;',
  'semi; colon: both;:',
  '<script>alert(1)</script><img src=x onerror=alert(1)>',
  'Rocket 🚀 café Ωμέγα 東京 עברית',
  'end',
  'graph',
  'subgraph',
  'flowchart LR',
  'click n0 call alert()',
  '%%{init: {"theme": "dark"}}%%',
  '`**markdown**`',
  'pipe | back\\slash ~tilde~ ^caret',
  'style n0 fill:#f00;',
  'line\nbreak\ttab',
];

function hostile(): ThreatModel {
  const keywordIds = ['end', 'graph', 'subgraph', 'flowchart', 'style', 'classDef', 'class', 'click', 'default', 'direction'];
  return parse({
    boundaries: [
      { id: 'end', name: 'end', trust: 'untrusted' },
      { id: 'subgraph', name: 'Zone"] end subgraph x [', trust: 'partner' },
      { id: 'graph', name: 'Ω 🚀 <b>bold</b> #; (restricted)', trust: 'restricted' },
      { id: 'empty', name: 'Nobody lives here', trust: 'trusted' },
    ],
    components: [
      ...HOSTILE_NAMES.map((name, i) => ({
        id: keywordIds[i] ?? `c${i}`,
        name,
        type: (['process', 'data-store', 'external-entity'] as const)[i % 3]!,
        boundary: ['end', 'subgraph', 'graph', undefined][i % 4],
      })),
      { id: 'lost', name: 'In a boundary nobody defined', type: 'process', boundary: 'nowhere' },
      { id: 'gone', name: 'Out of scope', type: 'external-entity', out_of_scope: { rationale: 'vendor' } },
    ],
    flows: [
      { id: 'self', name: 'calls itself', from: 'end', to: 'end' },
      { id: 'both', from: 'graph', to: 'subgraph', bidirectional: true, data: ['a"|b', '-->', '#', ';'] },
      { id: 'both-dashed', from: 'lost', to: 'gone', bidirectional: true, out_of_scope: { rationale: 'vendor' } },
      { id: 'back', from: 'subgraph', to: 'graph', name: 'end' },
      { id: 'bare', from: 'flowchart', to: 'style' },
      { id: 'proto', from: 'style', to: 'lost', protocol: 'HTTPS; <TLS 1.3> "mTLS"' },
      { id: 'cross', from: 'c11', to: 'c16', data: HOSTILE_NAMES },
    ],
    threats: [
      { id: 'end', title: 'Keyword id', stride: 'S', targets: ['end', 'self'] },
      { id: 'T:1.x', title: 'Odd id', stride: 'T', targets: ['both', 'graph'] },
    ],
  });
}

/** `count` components in five boundaries, each process talking to the next and to a store. */
function large(count: number): ThreatModel {
  const boundaries = (['untrusted', 'partner', 'restricted', 'trusted', 'trusted'] as const).map((trust, i) => ({
    id: `zone-${i}`,
    name: `Zone ${i}`,
    trust,
  }));
  const components = Array.from({ length: count }, (_, i) => ({
    id: `c${i}`,
    name: `Component ${i}`,
    type: (['process', 'data-store', 'external-entity'] as const)[i % 3]!,
    boundary: i % 7 === 6 ? undefined : `zone-${i % 5}`,
  }));
  const flows = components.slice(1).map((c, i) => ({ id: `f${i}`, from: `c${i}`, to: c.id, data: [`record ${i}`] }));
  return parse({ boundaries, components, flows, threats: [{ id: 'T1', title: 'Everything', stride: 'I', targets: ['c0', 'f0'] }] });
}

export function diagramCases(): DiagramCase[] {
  const example = genomeWell();
  const hostileModel = hostile();
  const big = large(200);
  return [
    { name: 'genomewell-report', source: dataFlowDiagram(example, { threatIds: true }) },
    { name: 'genomewell-plain', source: dataFlowDiagram(example) },
    { name: 'genomewell-pr', source: prDiagram(example, ['api-gateway', 'rds']) },
    { name: 'genomewell-pr-partner', source: prDiagram(example, ['research-apps']) },
    { name: 'hostile-report', source: dataFlowDiagram(hostileModel, { threatIds: true }) },
    {
      name: 'hostile-pr',
      source: prDiagram(hostileModel, ['end', 'graph', 'subgraph']),
    },
    {
      name: 'hostile-highlight-all',
      source: dataFlowDiagram(hostileModel, { highlight: new Set(hostileModel.components.map((c) => c.id)) }),
    },
    { name: 'only-empty-boundaries', source: dataFlowDiagram(parse({ boundaries: hostileModel.boundaries, components: [] })) },
    { name: 'large-200', source: dataFlowDiagram(big, { threatIds: true }) },
  ];
}
