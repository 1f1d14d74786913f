import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ThreatModelSchema, type ThreatModelInput } from '../../src/model/schema.ts';
import { dataFlowDiagram, mermaidText } from '../../src/render/mermaid.ts';

function model(input: Partial<ThreatModelInput> = {}) {
  return ThreatModelSchema.parse({
    version: 1,
    system: { name: 'Shop' },
    boundaries: [
      { id: 'internet', name: 'Internet', trust: 'untrusted' },
      { id: 'core', name: 'Core', trust: 'trusted' },
    ],
    components: [
      { id: 'user', name: 'User', type: 'external-entity', boundary: 'internet' },
      { id: 'api', name: 'API', type: 'process', boundary: 'core' },
      { id: 'db', name: 'Orders DB', type: 'data-store', boundary: 'core' },
      { id: 'bank', name: 'Bank', type: 'external-entity', out_of_scope: { rationale: 'vendor' } },
    ],
    flows: [
      { id: 'f1', from: 'user', to: 'api', bidirectional: true, data: ['credentials', 'orders'] },
      { id: 'f2', name: 'Write orders', from: 'api', to: 'db' },
      { id: 'f3', from: 'api', to: 'bank', protocol: 'HTTPS', out_of_scope: { rationale: 'vendor' } },
    ],
    threats: [
      { id: 'T1', title: 'Spoofed user', stride: 'S', targets: ['user', 'f1'] },
      { id: 'T2', title: 'SQLi', stride: 'T', targets: 'f2' },
    ],
    ...input,
  });
}

/** Every line the renderer may emit, as a pattern: a structural check of the Mermaid source. */
const LABEL = String.raw`"(?:[^"<>#]|#\d+;|<br>)*"`;
const LINE_PATTERNS = [
  /^flowchart LR$/,
  new RegExp(String.raw`^  subgraph b\d+ \[${LABEL}\]$`),
  new RegExp(String.raw`^ {2,4}n\d+(?:\[${LABEL}\]|\(\[${LABEL}\]\)|\[\(${LABEL}\)\])$`),
  /^  end$/,
  new RegExp(String.raw`^  n\d+ <?(?:-->|-\.->)(?:\|${LABEL}\|)? n\d+$`),
  /^  style b\d+ [\w:#,. -]+$/,
  /^  classDef (outOfScope|highlight) [\w:#,. -]+$/,
  /^  class n\d+(,n\d+)* (outOfScope|highlight)$/,
];

function expectWellFormed(source: string) {
  for (const line of source.split('\n')) {
    expect(LINE_PATTERNS.some((p) => p.test(line)), `unexpected line: ${line}`).toBe(true);
  }
}

describe('dataFlowDiagram', () => {
  it('draws boundaries as subgraphs and element types as shapes', () => {
    const source = dataFlowDiagram(model());
    expect(source.split('\n')).toEqual([
      'flowchart LR',
      '  subgraph b0 ["Internet #40;untrusted#41;"]',
      '    n0["User"]',
      '  end',
      '  subgraph b1 ["Core #40;trusted#41;"]',
      '    n1(["API"])',
      '    n2[("Orders DB")]',
      '  end',
      '  n3["Bank"]',
      '  n0 <-->|"credentials, orders"| n1',
      '  n1 -->|"Write orders"| n2',
      '  n1 -.->|"HTTPS"| n3',
      '  style b0 fill:none,stroke:#cf222e,stroke-width:2px,stroke-dasharray:6 3',
      '  style b1 fill:none,stroke:#1a7f37,stroke-width:2px,stroke-dasharray:6 3',
      '  classDef outOfScope stroke-dasharray:4 4,stroke:#8c959f,color:#6e7781',
      '  class n3 outOfScope',
    ]);
    expectWellFormed(source);
  });

  it('adds threat ids to labels on request', () => {
    const source = dataFlowDiagram(model(), { threatIds: true });
    expect(source).toContain('n0["User<br>threats: T1"]');
    expect(source).toContain('n0 <-->|"credentials, orders<br>threats: T1"| n1');
    expect(source).toContain('n2[("Orders DB")]');
    expectWellFormed(source);
  });

  it('cuts long data lists at a whole item', () => {
    const m = model({
      components: [
        { id: 'a', name: 'A', type: 'process' },
        { id: 'b', name: 'B', type: 'process' },
      ],
      flows: [{ id: 'f', from: 'a', to: 'b', data: ['first item of data', 'second item of data', 'third item of data'] }],
      boundaries: [],
      threats: [],
    });
    expect(dataFlowDiagram(m)).toContain('n0 -->|"first item of data, second item of data, …"| n1');
  });

  it('draws only included components and the flows among them, and highlights', () => {
    const source = dataFlowDiagram(model(), { include: new Set(['api', 'db']), highlight: new Set(['db', 'user']) });
    expect(source.split('\n')).toEqual([
      'flowchart LR',
      '  subgraph b1 ["Core #40;trusted#41;"]',
      '    n1(["API"])',
      '    n2[("Orders DB")]',
      '  end',
      '  n1 -->|"Write orders"| n2',
      '  style b1 fill:none,stroke:#1a7f37,stroke-width:2px,stroke-dasharray:6 3',
      '  classDef highlight stroke:#cf222e,stroke-width:3px',
      '  class n2 highlight',
    ]);
  });

  it('keeps hostile names inside their labels', () => {
    const hostile = 'Evil"] --> n1["pwn <script>alert(1)</script> #1; `md` |x| end\nline';
    const source = dataFlowDiagram(
      model({
        boundaries: [{ id: 'b', name: 'Zone"]\nend', trust: 'partner' }],
        components: [
          { id: 'x', name: hostile, type: 'process', boundary: 'b' },
          { id: 'end', name: 'end', type: 'data-store' },
        ],
        flows: [{ id: 'f', name: 'n0 --> n1', from: 'x', to: 'end', data: ['a"|b', '-->'] }],
        threats: [],
      }),
    );
    expectWellFormed(source);
    expect(source).toContain('n0(["Evil#34;#93; --#62; n1#91;#34;pwn #60;script#62;alert#40;1#41;#60;/script#62; #35;1#59; #96;md#96; #124;x#124; end line"])');
    expect(source).toContain('subgraph b0 ["Zone#34;#93; end #40;partner#41;"]');
    expect(source).toContain('n0 -->|"a#34;#124;b, --#62;"| n1');
  });

  it('skips flows to unknown components and duplicate ids', () => {
    const m = model({
      components: [
        { id: 'a', name: 'A', type: 'process' },
        { id: 'a', name: 'A again', type: 'process' },
      ],
      flows: [{ id: 'f', from: 'a', to: 'ghost' }],
      boundaries: [],
      threats: [],
    });
    expect(dataFlowDiagram(m).split('\n')).toEqual(['flowchart LR', '  n0(["A"])']);
  });

  it('is deterministic and well-formed for any names (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), fc.string(), (names, data) => {
        const m = model({
          boundaries: [{ id: 'z', name: data.trim() || 'z', trust: 'restricted' }],
          components: names.map((name, i) => ({ id: `c${i}`, name: name.trim() || 'x', type: 'process' as const, boundary: i % 2 ? 'z' : undefined })),
          flows: names.map((_, i) => ({ id: `f${i}`, from: `c${i}`, to: `c${(i + 1) % names.length}`, data: [data] })),
          threats: [],
        });
        const source = dataFlowDiagram(m, { threatIds: true, highlight: new Set(['c0']) });
        expectWellFormed(source);
        expect(dataFlowDiagram(m, { threatIds: true, highlight: new Set(['c0']) })).toBe(source);
      }),
      { numRuns: 500 },
    );
  });
});

describe('mermaidText', () => {
  it('encodes characters Mermaid would interpret and flattens whitespace', () => {
    expect(mermaidText('  a "b"\n<c> & d#;: e  ')).toBe('a #34;b#34; #60;c#62; #38; d#35;#59;#58; e');
  });
});
