/**
 * What a pull request touches in the model: the components its files map to,
 * the flows that start or end at one of them, and the components at the other
 * end of those flows (its neighbours, drawn for context but not highlighted).
 */
import type { ModelGraph } from '../model/graph.ts';
import type { Component, Flow, Threat } from '../model/schema.ts';

export interface TouchedPart {
  /** Touched components, in model order. */
  components: Component[];
  /** Flows with a touched component at either end, in model order. */
  flows: Flow[];
  /** Component ids at the other end of a touched flow that are not touched themselves. */
  neighbours: Set<string>;
  /**
   * Threats against a touched component or a touched flow, each once, with
   * the touched component(s) it is shown under.
   */
  threats: Map<Threat, string[]>;
}

export function touchedPart(graph: ModelGraph, touchedIds: Iterable<string>): TouchedPart {
  const touched = new Set<string>();
  for (const id of touchedIds) if (graph.components.has(id)) touched.add(id);
  const components = [...graph.components.values()].filter((c) => touched.has(c.id));
  const flowIds = new Set<string>();
  const neighbours = new Set<string>();
  for (const id of touched) {
    for (const flow of graph.flowsByComponent.get(id) ?? []) {
      flowIds.add(flow.id);
      for (const end of [flow.from, flow.to]) if (!touched.has(end)) neighbours.add(end);
    }
  }
  const flows = [...graph.flows.values()].filter((f) => flowIds.has(f.id));

  const threats = new Map<Threat, string[]>();
  const showUnder = (threat: Threat, componentId: string) => {
    const under = threats.get(threat);
    if (!under) threats.set(threat, [componentId]);
    else if (!under.includes(componentId)) under.push(componentId);
  };
  for (const component of components) {
    for (const threat of graph.threatsByTarget.get(component.id) ?? []) showUnder(threat, component.id);
    // A threat against a flow belongs to the touched end(s) of that flow.
    for (const flow of graph.flowsByComponent.get(component.id) ?? []) {
      for (const threat of graph.threatsByTarget.get(flow.id) ?? []) showUnder(threat, component.id);
    }
  }
  return { components, flows, neighbours, threats };
}
