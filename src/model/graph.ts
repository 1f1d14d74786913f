/**
 * Lookups over a validated model that every consumer needs: elements by id,
 * the threats against each element, the flows at each component.
 * Built once per model; pure.
 */
import type { Boundary, Component, Flow, Owner, Threat, ThreatModel } from './schema.ts';

export interface ModelGraph {
  model: ThreatModel;
  components: ReadonlyMap<string, Component>;
  flows: ReadonlyMap<string, Flow>;
  boundaries: ReadonlyMap<string, Boundary>;
  owners: ReadonlyMap<string, Owner>;
  /** First threat with each id (duplicates are a lint error, not a crash). */
  threats: ReadonlyMap<string, Threat>;
  /** Component or flow id -> threats that target it, in model order. */
  threatsByTarget: ReadonlyMap<string, readonly Threat[]>;
  /** Component id -> flows that start or end there. */
  flowsByComponent: ReadonlyMap<string, readonly Flow[]>;
  /** Index of each threat in `model.threats` (for source positions). */
  threatIndex: ReadonlyMap<Threat, number>;
}

export function buildGraph(model: ThreatModel): ModelGraph {
  const byId = <T extends { id: string }>(items: readonly T[]) => {
    const map = new Map<string, T>();
    for (const item of items) if (!map.has(item.id)) map.set(item.id, item);
    return map;
  };
  const threatsByTarget = new Map<string, Threat[]>();
  const threatIndex = new Map<Threat, number>();
  model.threats.forEach((threat, index) => {
    threatIndex.set(threat, index);
    for (const target of new Set(threat.targets)) push(threatsByTarget, target, threat);
  });
  const flowsByComponent = new Map<string, Flow[]>();
  for (const flow of model.flows) {
    push(flowsByComponent, flow.from, flow);
    if (flow.to !== flow.from) push(flowsByComponent, flow.to, flow);
  }
  return {
    model,
    components: byId(model.components),
    flows: byId(model.flows),
    boundaries: byId(model.boundaries),
    owners: new Map(Object.entries(model.owners)),
    threats: byId(model.threats),
    threatsByTarget,
    flowsByComponent,
    threatIndex,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
