/**
 * The data-flow diagram as inline SVG, laid out offline by Graphviz compiled
 * to WebAssembly (@viz-js/viz). DFD conventions: trust boundaries are nested
 * clusters (dashed, coloured by trust), external entities boxes, processes
 * ellipses, data stores open rectangles (Graphviz's `cylinder` would read as a
 * database; the DFD convention is two horizontal lines, drawn here as an HTML-
 * like label with only top and bottom borders); flows are labelled arrows;
 * out-of-scope elements grey and dashed.
 *
 * Model ids and names never reach DOT syntax directly: nodes are `n<i>`, and
 * every string is a quoted DOT string with `"` and `\` escaped, so no name can
 * break the graph. Each node links to its component's row in the report
 * (`#component-<id>`) and carries `id="diagram-<id>"`.
 *
 * Size: Graphviz's `dot` lays out 150 components with clusters in well under
 * a second, but past a few hundred the picture is unreadable and the layout
 * slow. Above `DIAGRAM_LIMITS` the diagram is split: an overview with one
 * node per trust boundary (flows between boundaries merged into one counted
 * arrow), then one diagram per boundary with its own components and the flows
 * among them. Pure apart from the WebAssembly instance the caller passes in.
 */
import type { Viz } from '@viz-js/viz';
import { buildGraph, type ModelGraph } from '../model/graph.ts';
import type { Boundary, Component, Flow, ThreatModel } from '../model/schema.ts';

export type LayoutEngine = Viz;

/** Load Graphviz (WebAssembly, bundled in the package: no network). About 100 ms, once per process. */
export async function loadLayoutEngine(): Promise<LayoutEngine> {
  const { instance } = await import('@viz-js/viz');
  return instance();
}

/** Largest model drawn as one diagram; above either number the diagram is split by trust boundary. */
export const DIAGRAM_LIMITS = { components: 200, flows: 400 } as const;

/** Longest flow label (one data item) before it is cut. */
const MAX_EDGE_LABEL = 26;

export const TRUST_COLOUR: Record<Boundary['trust'], string> = {
  untrusted: '#cf222e',
  partner: '#9a6700',
  restricted: '#8250df',
  trusted: '#1a7f37',
};

export interface DiagramSvg {
  /** Heading for this diagram (undefined for a single whole-model diagram). */
  title?: string;
  /** Inline SVG markup (no XML prolog, no DOCTYPE). */
  svg: string;
}

export interface DiagramResult {
  diagrams: DiagramSvg[];
  /** Set when the model was too large for one diagram: says what was drawn instead. */
  splitNote?: string;
}

/** Anchor of a component or flow in the HTML report. */
export function elementAnchor(kind: 'component' | 'flow' | 'boundary' | 'threat', id: string): string {
  // Model ids are letters, digits and . _ : - (the schema's rule), all valid in an HTML id and a URL fragment.
  return `${kind}-${id}`;
}

export function renderDataFlowSvg(model: ThreatModel, viz: LayoutEngine, graph: ModelGraph = buildGraph(model)): DiagramResult {
  const components = uniqueComponents(model, graph);
  const flows = model.flows.filter((f) => graph.flows.get(f.id) === f && graph.components.has(f.from) && graph.components.has(f.to));
  if (components.length <= DIAGRAM_LIMITS.components && flows.length <= DIAGRAM_LIMITS.flows) {
    return { diagrams: [{ svg: layout(viz, wholeDot(model, graph, components, flows)) }] };
  }
  const diagrams: DiagramSvg[] = [{ title: 'Overview: trust boundaries', svg: layout(viz, overviewDot(model, graph, components, flows)) }];
  const groups = new Map<string | undefined, Component[]>();
  for (const c of components) {
    const key = c.boundary && graph.boundaries.has(c.boundary) ? c.boundary : undefined;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const [boundaryId, inside] of groups) {
    const ids = new Set(inside.map((c) => c.id));
    const within = flows.filter((f) => ids.has(f.from) && ids.has(f.to));
    const boundary = boundaryId ? graph.boundaries.get(boundaryId) : undefined;
    const title = boundary ? `${boundary.name} (${boundary.trust}): ${inside.length} components` : `Outside any trust boundary: ${inside.length} components`;
    diagrams.push({ title, svg: layout(viz, wholeDot(model, graph, inside, within, { flat: true })) });
  }
  return {
    diagrams,
    splitNote:
      `The model has ${components.length} components and ${flows.length} flows, more than one readable diagram holds ` +
      `(${DIAGRAM_LIMITS.components} components or ${DIAGRAM_LIMITS.flows} flows): an overview of the trust boundaries comes first, ` +
      'then one diagram per boundary with the flows inside it; flows between boundaries are counted in the overview and listed in the flow table.',
  };
}

function layout(viz: LayoutEngine, dot: string): string {
  let svg = viz.renderString(dot, { format: 'svg', engine: 'dot' });
  // Graphviz's spline router sometimes fails inside clusters ("triangulation failed") and then
  // leaves the edge out. A diagram must show every flow: lay it out again with straight lines.
  if (edgeWithoutPath(svg)) svg = viz.renderString(dot.replace('{', '{\n  splines=line'), { format: 'svg', engine: 'dot' });
  // Keep the <svg> element only: the XML prolog and DOCTYPE are not allowed inside HTML.
  const start = svg.indexOf('<svg');
  return start >= 0 ? svg.slice(start).trim() : svg;
}

/** An edge group (`<g class="edge">`, then its link) with no `<path>` before the link closes. */
function edgeWithoutPath(svg: string): boolean {
  for (const [, drawn] of svg.matchAll(/class="edge[^"]*">([\s\S]*?)<\/a>/g)) if (!drawn!.includes('<path')) return true;
  return false;
}

function uniqueComponents(model: ThreatModel, graph: ModelGraph): Component[] {
  return model.components.filter((c) => graph.components.get(c.id) === c);
}

const GRAPH_HEADER = [
  'rankdir=TB',
  'compound=true',
  'fontname="Helvetica,Arial,sans-serif"',
  'fontsize=13',
  'nodesep=0.4',
  'ranksep=0.7',
  'pad=0.2',
  'bgcolor="transparent"',
  'node [fontname="Helvetica,Arial,sans-serif" fontsize=13 color="#424a53" fontcolor="#1f2328" style=filled fillcolor="#ffffff" penwidth=1.2 margin="0.22,0.08"]',
  'edge [fontname="Helvetica,Arial,sans-serif" fontsize=10 color="#57606a" fontcolor="#424a53" arrowsize=0.7]',
];

function wholeDot(model: ThreatModel, graph: ModelGraph, components: readonly Component[], flows: readonly Flow[], options: { flat?: boolean } = {}): string {
  const index = new Map(model.components.map((c, i) => [c, i] as const));
  const nodeId = new Map(components.map((c) => [c.id, `n${index.get(c)}`] as const));
  const lines = ['digraph dfd {', ...GRAPH_HEADER.map((l) => `  ${l}`)];
  const placed = new Set<Component>();
  if (!options.flat) {
    model.boundaries.forEach((boundary, i) => {
      if (graph.boundaries.get(boundary.id) !== boundary) return;
      const inside = components.filter((c) => c.boundary === boundary.id);
      if (inside.length === 0) return;
      const colour = TRUST_COLOUR[boundary.trust];
      lines.push(
        `  subgraph cluster_b${i} {`,
        // Graphviz measures text with its own font metrics, a little narrower than a browser's: pad the label.
        `    label=<<b>${htmlLabelText(boundary.name)}</b>&#160;&#160;<br/><font point-size="10">${htmlLabelText(boundary.trust)} zone</font>> labeljust=l fontcolor="${colour}" fontsize=12`,
        `    style="dashed,rounded" color="${colour}" penwidth=1.6`,
        `    id=${dotString(elementAnchor('boundary', boundary.id) + '-cluster')}`,
        `    URL=${dotString(`#${elementAnchor('boundary', boundary.id)}`)} tooltip=${dotString(`${boundary.name} (${boundary.trust})`)}`,
      );
      for (const c of inside) {
        lines.push(`    ${nodeDot(graph, c, nodeId)}`);
        placed.add(c);
      }
      lines.push(...staggerEdges(inside, nodeId).map((edge) => `    ${edge}`), '  }');
    });
  }
  const unplaced = components.filter((c) => !placed.has(c));
  for (const c of unplaced) lines.push(`  ${nodeDot(graph, c, nodeId)}`);
  lines.push(...staggerEdges(unplaced, nodeId).map((edge) => `  ${edge}`));
  for (const f of flows) lines.push(`  ${edgeDot(graph, f, nodeId)}`);
  lines.push('}');
  return lines.join('\n');
}

/**
 * Graphviz's \`dot\` puts every node without an incoming flow on the first rank, so a group of
 * loosely connected components becomes one row thousands of points wide. Above a dozen nodes,
 * invisible edges from the i-th to the (i+k)-th node of a group (k about the square root of its
 * size) spread it over about as many ranks as columns, as Graphviz's \`unflatten\` tool does; the
 * weight of 0 leaves the real flows in charge of the order.
 */
function staggerEdges(group: readonly Component[], nodeId: ReadonlyMap<string, string>): string[] {
  if (group.length <= STAGGER_FROM) return [];
  const k = Math.ceil(Math.sqrt(group.length));
  const edges: string[] = [];
  for (let i = 0; i + k < group.length; i++) {
    edges.push(`${nodeId.get(group[i]!.id)} -> ${nodeId.get(group[i + k]!.id)} [style=invis weight=0]`);
  }
  return edges;
}

/** Nodes in a group before it is spread over several ranks. */
const STAGGER_FROM = 12;

function nodeDot(graph: ModelGraph, c: Component, nodeId: ReadonlyMap<string, string>): string {
  const threats = graph.threatsByTarget.get(c.id) ?? [];
  const grey = c.out_of_scope !== undefined;
  const attrs: string[] = [
    `id=${dotString(`diagram-${elementAnchor('component', c.id)}`)}`,
    `class=${dotString(`dfd-node dfd-${c.type}${grey ? ' dfd-out-of-scope' : ''}`)}`,
    `URL=${dotString(`#${elementAnchor('component', c.id)}`)}`,
    `tooltip=${dotString(`${c.name} (${c.type}${grey ? ', out of scope' : ''}): ${threats.length} threat${threats.length === 1 ? '' : 's'}`)}`,
  ];
  const sub = threats.length > 0 ? `${threats.length} threat${threats.length === 1 ? '' : 's'}` : grey ? 'out of scope' : 'no threats';
  const colour = grey ? '#8c959f' : '#424a53';
  const fill = grey ? '#f6f8fa' : c.type === 'external-entity' ? '#fff8c5' : c.type === 'data-store' ? '#ddf4ff' : '#ffffff';
  if (c.type === 'data-store') {
    // Open rectangle: an HTML-like table with only its top and bottom rules. Graphviz measures text a
    // little narrower than browsers draw it; a space either side keeps the name inside the rules.
    attrs.push(
      'shape=plain',
      `label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="8" bgcolor="${fill}">` +
        `<tr><td sides="TB" border="1" color="${colour}">&#160;${htmlLabelText(c.name)}&#160;<br/><font point-size="10" color="#57606a">${htmlLabelText(sub)}</font></td></tr></table>>`,
      `fontcolor="${grey ? '#6e7781' : '#1f2328'}"`,
    );
  } else {
    attrs.push(
      `shape=${c.type === 'process' ? 'ellipse' : 'box'}`,
      `label=<${htmlLabelText(c.name)}<br/><font point-size="10" color="#57606a">${htmlLabelText(sub)}</font>>`,
      `color="${colour}" fillcolor="${fill}"`,
    );
    if (grey) attrs.push('style="filled,dashed"', 'fontcolor="#6e7781"');
  }
  return `${nodeId.get(c.id)} [${attrs.join(' ')}]`;
}

function edgeDot(graph: ModelGraph, f: Flow, nodeId: ReadonlyMap<string, string>): string {
  const grey = f.out_of_scope !== undefined;
  const threats = graph.threatsByTarget.get(f.id)?.length ?? 0;
  const label = edgeLabel(f);
  const attrs = [
    `id=${dotString(`diagram-${elementAnchor('flow', f.id)}`)}`,
    `class=${dotString(`dfd-flow${grey ? ' dfd-out-of-scope' : ''}`)}`,
    `URL=${dotString(`#${elementAnchor('flow', f.id)}`)}`,
    `tooltip=${dotString(`${f.name?.trim() || f.id}${f.data?.length ? ` (${f.data.join(', ')})` : ''}: ${threats} threat${threats === 1 ? '' : 's'}`)}`,
    ...(label ? [`label=${dotString(label)}`] : []),
    ...(f.bidirectional ? ['dir=both'] : []),
    ...(grey ? ['style=dashed', 'color="#8c959f"', 'fontcolor="#8c959f"'] : []),
  ];
  return `${nodeId.get(f.from)} -> ${nodeId.get(f.to)} [${attrs.join(' ')}]`;
}

function overviewDot(model: ThreatModel, graph: ModelGraph, components: readonly Component[], flows: readonly Flow[]): string {
  const boundaryOf = (componentId: string) => {
    const b = graph.components.get(componentId)?.boundary;
    return b && graph.boundaries.has(b) ? b : '';
  };
  const counts = new Map<string, number>();
  for (const c of components) counts.set(boundaryOf(c.id), (counts.get(boundaryOf(c.id)) ?? 0) + 1);
  const nodeOf = new Map<string, string>();
  const lines = ['digraph overview {', ...GRAPH_HEADER.map((l) => `  ${l}`)];
  model.boundaries.forEach((b, i) => {
    if (graph.boundaries.get(b.id) !== b || !counts.has(b.id)) return;
    nodeOf.set(b.id, `b${i}`);
    const colour = TRUST_COLOUR[b.trust];
    lines.push(
      `  b${i} [shape=box style="dashed,rounded,filled" fillcolor="#ffffff" color="${colour}" penwidth=1.6 ` +
        `URL=${dotString(`#${elementAnchor('boundary', b.id)}`)} label=${dotString(`${b.name}\n${b.trust} · ${counts.get(b.id)} components`)}]`,
    );
  });
  if (counts.has('')) {
    nodeOf.set('', 'none');
    lines.push(`  none [shape=box style="rounded" label=${dotString(`Outside any boundary\n${counts.get('')} components`)}]`);
  }
  const crossing = new Map<string, number>();
  for (const f of flows) {
    const from = boundaryOf(f.from);
    const to = boundaryOf(f.to);
    if (from === to) continue;
    const key = `${nodeOf.get(from)} -> ${nodeOf.get(to)}`;
    crossing.set(key, (crossing.get(key) ?? 0) + 1);
  }
  for (const [edge, n] of crossing) lines.push(`  ${edge} [label=${dotString(`${n} flow${n === 1 ? '' : 's'}`)}]`);
  lines.push('}');
  return lines.join('\n');
}

/**
 * What crosses the flow, short enough not to collide with its neighbours: the
 * first data item and how many more ("credentials +2"), else its name, else
 * its protocol. The full list is in the tooltip and the flow table.
 */
function edgeLabel(flow: Flow): string {
  const data = flow.data?.map((d) => d.trim()).filter(Boolean) ?? [];
  const first = data[0] ?? (flow.name?.trim() || flow.protocol?.trim() || '');
  const cut = first.length > MAX_EDGE_LABEL ? `${first.slice(0, MAX_EDGE_LABEL - 1).trimEnd()}…` : first;
  return data.length > 1 ? `${cut} +${data.length - 1}` : cut;
}

/** A DOT quoted string: only `"` and `\` are special; newlines become Graphviz's centred line break. */
function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** Text inside a Graphviz HTML-like label: XML escapes; whitespace collapsed. */
function htmlLabelText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}
