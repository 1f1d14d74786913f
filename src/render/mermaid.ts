/**
 * The model's data-flow diagram as Mermaid flowchart source (GitHub renders
 * ```mermaid blocks). DFD conventions: trust boundaries are subgraphs,
 * external entities rectangles, processes rounded (stadium), data stores
 * cylinders, flows labelled edges. Out-of-scope elements are dashed and grey.
 *
 * Model ids and names never reach Mermaid syntax directly: nodes are `n<i>`
 * and boundaries `b<i>` (by position in the model), and every label is a
 * quoted string with Mermaid entity escapes, so no name can break the diagram.
 */
import { buildGraph } from '../model/graph.ts';
import type { Component, Flow, ThreatModel } from '../model/schema.ts';

export interface DiagramOptions {
  /** Component ids to draw (plus the flows among them); default: all. */
  include?: ReadonlySet<string>;
  /** Component ids to emphasise (e.g. the ones a pull request touches). */
  highlight?: ReadonlySet<string>;
  /** Add each element's threat ids to its label (the report does; a PR comment lists them itself). */
  threatIds?: boolean;
}

/** Longest edge label before the data list is cut (keeps LR diagrams readable). */
const MAX_EDGE_LABEL = 48;

const TRUST_STROKE: Record<string, string> = {
  untrusted: '#cf222e',
  partner: '#bf8700',
  restricted: '#8250df',
  trusted: '#1a7f37',
};

export function dataFlowDiagram(model: ThreatModel, options: DiagramOptions = {}): string {
  const graph = buildGraph(model);
  const drawn = (c: Component) => !options.include || options.include.has(c.id);

  // First component with each id wins (duplicates are a lint error, not a crash).
  const nodeId = new Map<string, string>();
  const components: Component[] = [];
  model.components.forEach((component, index) => {
    if (nodeId.has(component.id) || !drawn(component)) return;
    nodeId.set(component.id, `n${index}`);
    components.push(component);
  });

  const lines = ['flowchart LR'];
  const threatSuffix = (id: string) => {
    if (!options.threatIds) return '';
    const ids = (graph.threatsByTarget.get(id) ?? []).map((t) => t.id);
    return ids.length > 0 ? `<br>threats: ${mermaidText(ids.join(', '))}` : '';
  };
  const node = (c: Component) => {
    const label = `"${mermaidText(c.name)}${threatSuffix(c.id)}"`;
    const [open, close] = SHAPE[c.type];
    return `${nodeId.get(c.id)}${open}${label}${close}`;
  };

  const placed = new Set<Component>();
  model.boundaries.forEach((boundary, index) => {
    if (graph.boundaries.get(boundary.id) !== boundary) return;
    const inside = components.filter((c) => c.boundary === boundary.id);
    if (inside.length === 0) return;
    lines.push(`  subgraph b${index} ["${mermaidText(`${boundary.name} (${boundary.trust})`)}"]`);
    for (const c of inside) {
      lines.push(`    ${node(c)}`);
      placed.add(c);
    }
    lines.push('  end');
  });
  for (const c of components) if (!placed.has(c)) lines.push(`  ${node(c)}`);

  const edges: Flow[] = model.flows.filter(
    (f) => graph.flows.get(f.id) === f && nodeId.has(f.from) && nodeId.has(f.to),
  );
  for (const flow of edges) {
    const dashed = flow.out_of_scope !== undefined;
    const arrow = `${flow.bidirectional ? '<' : ''}${dashed ? '-.->' : '-->'}`;
    const text = `${mermaidText(edgeLabel(flow))}${threatSuffix(flow.id)}`;
    const label = text ? `|"${text}"|` : '';
    lines.push(`  ${nodeId.get(flow.from)} ${arrow}${label} ${nodeId.get(flow.to)}`);
  }

  model.boundaries.forEach((boundary, index) => {
    if (!lines.some((l) => l.startsWith(`  subgraph b${index} `))) return;
    const stroke = TRUST_STROKE[boundary.trust] ?? '#57606a';
    lines.push(`  style b${index} fill:none,stroke:${stroke},stroke-width:2px,stroke-dasharray:6 3`);
  });
  const outOfScope = components.filter((c) => c.out_of_scope).map((c) => nodeId.get(c.id));
  const highlighted = components.filter((c) => options.highlight?.has(c.id)).map((c) => nodeId.get(c.id));
  if (outOfScope.length > 0) {
    lines.push('  classDef outOfScope stroke-dasharray:4 4,stroke:#8c959f,color:#6e7781');
    lines.push(`  class ${outOfScope.join(',')} outOfScope`);
  }
  if (highlighted.length > 0) {
    lines.push('  classDef highlight stroke:#cf222e,stroke-width:3px');
    lines.push(`  class ${highlighted.join(',')} highlight`);
  }
  return lines.join('\n');
}

/**
 * Mermaid's defaults (which GitHub renders with): more edges than `maxEdges` is
 * a parse error (GitHub's red error box); longer source than `maxTextSize` is
 * drawn as a "Maximum text size in diagram exceeded" box instead of the diagram.
 */
export const MERMAID_LIMITS = { maxEdges: 500, maxTextSize: 50_000 } as const;

/**
 * Why Mermaid would not draw `source` (a `dataFlowDiagram` result), or
 * undefined when it fits Mermaid's limits. Callers show this instead of a
 * diagram that would render as an error.
 */
export function diagramLimitProblem(source: string): string | undefined {
  const edges = source.split('\n').filter((line) => EDGE_LINE.test(line)).length;
  if (edges > MERMAID_LIMITS.maxEdges) {
    return `${edges} flows to draw, more than the ${MERMAID_LIMITS.maxEdges} Mermaid accepts`;
  }
  if (source.length > MERMAID_LIMITS.maxTextSize) {
    return `the diagram source is ${source.length} characters, more than the ${MERMAID_LIMITS.maxTextSize} Mermaid accepts`;
  }
  return undefined;
}

const EDGE_LINE = /^ {2}n\d+ <?-/;

const SHAPE: Record<Component['type'], readonly [string, string]> = {
  'external-entity': ['[', ']'],
  process: ['([', '])'],
  'data-store': ['[(', ')]'],
};

/** What crosses the flow (its data, cut at a whole item), else its name, else its protocol. */
function edgeLabel(flow: Flow): string {
  const data = flow.data?.map((d) => d.trim()).filter(Boolean) ?? [];
  if (data.length > 0) {
    let label = data[0]!;
    for (const item of data.slice(1)) {
      if (label.length + item.length + 2 > MAX_EDGE_LABEL) return `${label}, …`;
      label += `, ${item}`;
    }
    return label;
  }
  return flow.name?.trim() || flow.protocol?.trim() || '';
}

/**
 * Text for inside a quoted Mermaid label: characters Mermaid or its HTML
 * labels would interpret become Mermaid entity codes (`#34;` for `"`,
 * `#35;` for `#`...), newlines become spaces. `:` and `;` are encoded too:
 * Mermaid's pre-parser trims a `;` from any line that looks like
 * `style...:...#...;`, which would break an entity in a label.
 */
export function mermaidText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[#"<>&`|[\](){};:]/g, (c) => `#${c.charCodeAt(0)};`);
}
