/**
 * The model rules: each looks at a loaded model and reports findings at the
 * YAML position a user can act on. Rule ids are public (config `lint.rules`,
 * SARIF, check-run annotations): kebab-case and stable. Rules that come from
 * the case study's closure checklist (section 4.1) carry its item's id.
 */
import { APPLICABLE_STRIDE, boundaryCrossingFlows, strideCoverage } from '../coverage.ts';
import type { ModelGraph } from '../graph.ts';
import type { ThreatRating } from '../rating.ts';
import { STRIDE_LETTER, type Component, type StrideCategory, type Threat, type ThreatModel, type ThreatStatus } from '../schema.ts';
import type { DocPath } from '../source.ts';
import { didYouMean } from '../validate.ts';
import type { ChecklistItemId } from './checklist.ts';

export type RuleLevel = 'error' | 'warning';

/** Statuses that end a threat's work by default (config `issues.close_statuses`): no due date needed, never overdue. */
export const CLOSED_STATUSES: ReadonlySet<ThreatStatus> = new Set(['mitigated', 'verified', 'accepted', 'transferred']);

export interface RuleContext {
  model: ThreatModel;
  graph: ModelGraph;
  /** Each threat's rating, computed once (CVSS scoring is shared by several rules). */
  ratings: ReadonlyMap<Threat, ThreatRating>;
  /** YYYY-MM-DD */
  today: string;
  /** Statuses that end a threat's work (the config's `issues.close_statuses`). */
  closeStatuses: ReadonlySet<ThreatStatus>;
  /** Line of the value at `path` (for messages that name a second place). */
  lineOf(path: DocPath): number;
}

/** `key: true` points at the mapping key rather than its value (for a whole section). */
export type Report = (path: DocPath, message: string, options?: { key?: boolean }) => void;

export interface ModelRule {
  id: string;
  level: RuleLevel;
  description: string;
  checklist?: ChecklistItemId;
  check(context: RuleContext, report: Report): void;
}

const SECTIONS = ['boundaries', 'components', 'flows', 'threats'] as const;
const SECTION_NOUN: Record<(typeof SECTIONS)[number], string> = {
  boundaries: 'trust boundary',
  components: 'component',
  flows: 'flow',
  threats: 'threat',
};

const duplicateId: ModelRule = {
  id: 'duplicate-id',
  level: 'error',
  checklist: 'consistency',
  description: 'An id is used twice in a section, or by both a component and a flow (threat targets could not tell them apart)',
  check({ model, lineOf }, report) {
    for (const section of SECTIONS) {
      const first = new Map<string, number>();
      model[section].forEach((item, index) => {
        const earlier = first.get(item.id);
        if (earlier === undefined) {
          first.set(item.id, index);
          return;
        }
        const here = [section, index, 'id'];
        report(
          here,
          `${SECTION_NOUN[section]} id "${item.id}" is used twice: line ${lineOf([section, earlier, 'id'])} and line ${lineOf(here)}; give each ${SECTION_NOUN[section]} its own id`,
        );
      });
    }
    const componentIndex = new Map(model.components.map((c, i) => [c.id, i]));
    model.flows.forEach((flow, index) => {
      const component = componentIndex.get(flow.id);
      if (component === undefined) return;
      const here = ['flows', index, 'id'];
      report(
        here,
        `id "${flow.id}" names both a component (line ${lineOf(['components', component, 'id'])}) and a flow (line ${lineOf(here)}); threat targets cannot tell them apart`,
      );
    });
  },
};

const unknownReference: ModelRule = {
  id: 'unknown-reference',
  level: 'error',
  checklist: 'traceability',
  description: 'A reference to a component, flow, trust boundary or owner that the model does not define',
  check({ model, graph }, report) {
    const componentIds = [...graph.components.keys()];
    const boundaryIds = [...graph.boundaries.keys()];
    const ownerIds = [...graph.owners.keys()];
    const targetIds = [...componentIds, ...graph.flows.keys()];
    const unknown = (kind: string, id: string, candidates: readonly string[], extra = ''): string => {
      const hint = didYouMean(id, candidates);
      return `unknown ${kind} "${id}"${hint ? `; did you mean "${hint}"?` : ''}${extra}`;
    };

    model.components.forEach((component, i) => {
      if (component.boundary !== undefined && !graph.boundaries.has(component.boundary)) {
        report(['components', i, 'boundary'], `component "${component.id}": ${unknown('trust boundary', component.boundary, boundaryIds)}`);
      }
      if (component.owner !== undefined && !graph.owners.has(component.owner)) {
        report(['components', i, 'owner'], `component "${component.id}": ${unknown('owner', component.owner, ownerIds, ' (owners are keys in `owners`)')}`);
      }
    });
    model.flows.forEach((flow, i) => {
      for (const end of ['from', 'to'] as const) {
        if (!graph.components.has(flow[end])) {
          const isFlow = graph.flows.has(flow[end]) ? ' (that is a flow; a flow connects components)' : '';
          report(['flows', i, end], `flow "${flow.id}" ${end}: ${unknown('component', flow[end], componentIds, isFlow)}`);
        }
      }
    });
    model.threats.forEach((threat, i) => {
      threat.targets.forEach((target, j) => {
        if (graph.components.has(target) || graph.flows.has(target)) return;
        // A boundary named as a target needs that said, not a guess at a component with a similar id.
        const message = graph.boundaries.has(target)
          ? `unknown component or flow "${target}" (that is a trust boundary; target the components or flows inside it)`
          : unknown('component or flow', target, targetIds);
        report(['threats', i, 'targets', j], `threat ${threat.id}: ${message}`);
      });
      (threat.owner ?? []).forEach((owner, j) => {
        if (!graph.owners.has(owner)) {
          report(['threats', i, 'owner', j], `threat ${threat.id}: ${unknown('owner', owner, ownerIds, ' (owners are keys in `owners`)')}`);
        }
      });
    });
  },
};

const cvssInvalid: ModelRule = {
  id: 'cvss-invalid',
  level: 'error',
  checklist: 'clarity',
  description: 'A CVSS vector that does not parse (unknown, missing or repeated metric, bad value)',
  check({ model, ratings }, report) {
    model.threats.forEach((threat, i) => {
      const error = ratings.get(threat)?.cvssError;
      if (!error || !threat.cvss) return;
      report(['threats', i, 'cvss', 'vector'], `threat ${threat.id}: invalid CVSS vector "${threat.cvss.vector}": ${error.message}`);
    });
  },
};

const cvssScoreMismatch: ModelRule = {
  id: 'cvss-score-mismatch',
  level: 'error',
  checklist: 'consistency',
  description: 'The stated CVSS score differs from the score its vector computes',
  check({ model, ratings }, report) {
    model.threats.forEach((threat, i) => {
      const rating = ratings.get(threat);
      if (!rating?.cvss || rating.statedScore === undefined) return;
      // Scores have one decimal; compare in tenths so 9.10 and 9.1 agree.
      if (Math.round(rating.statedScore * 10) === Math.round(rating.cvss.score * 10)) return;
      report(
        ['threats', i, 'cvss', 'score'],
        `threat ${threat.id}: stated score ${rating.statedScore.toFixed(1)} does not match the vector, which scores ${rating.cvss.score.toFixed(1)} (CVSS ${rating.cvss.version}, ${rating.cvss.severity}); fix the vector or the score`,
      );
    });
  },
};

const rationales: ModelRule = {
  id: 'rationales',
  level: 'error',
  checklist: 'rationales',
  description: 'An accepted or transferred risk (status or strategy) without a `rationale`',
  check({ model }, report) {
    model.threats.forEach((threat, i) => {
      if (threat.rationale?.trim()) return;
      const byStatus = threat.status === 'accepted' || threat.status === 'transferred';
      const strategy = threat.strategy?.find((s) => s === 'accept' || s === 'transfer');
      if (!byStatus && !strategy) return;
      const what = byStatus ? `is ${threat.status}` : `has strategy "${strategy}"`;
      report(
        ['threats', i, byStatus ? 'status' : 'strategy'],
        `threat ${threat.id} ${what} but has no rationale: say why the risk is acceptable or who carries it`,
      );
    });
  },
};

const completeness: ModelRule = {
  id: 'completeness',
  level: 'warning',
  checklist: 'completeness',
  description:
    'A component, flow or trust boundary with no threat, unless out of scope (a boundary is covered by threats against the components inside it or the flows that touch it)',
  check({ model, graph }, report) {
    const targeted = (id: string) => (graph.threatsByTarget.get(id)?.length ?? 0) > 0;
    model.components.forEach((component, i) => {
      if (!component.out_of_scope && !targeted(component.id)) {
        report(['components', i, 'id'], `component "${component.id}" has no threat; add one, or mark it \`out_of_scope\` with a rationale`);
      }
    });
    model.flows.forEach((flow, i) => {
      if (!flow.out_of_scope && !targeted(flow.id)) {
        report(['flows', i, 'id'], `flow "${flow.id}" has no threat; add one, or mark it \`out_of_scope\` with a rationale`);
      }
    });
    const covered = new Set<string>();
    const inScope = new Map<string, number>();
    for (const component of model.components) {
      if (component.boundary === undefined) continue;
      if (!component.out_of_scope) inScope.set(component.boundary, (inScope.get(component.boundary) ?? 0) + 1);
      if (targeted(component.id)) covered.add(component.boundary);
    }
    for (const flow of model.flows) {
      if (!targeted(flow.id)) continue;
      for (const end of [flow.from, flow.to]) {
        const boundary = graph.components.get(end)?.boundary;
        if (boundary !== undefined) covered.add(boundary);
      }
    }
    const placed = new Set(model.components.flatMap((c) => (c.boundary === undefined ? [] : [c.boundary])));
    model.boundaries.forEach((boundary, i) => {
      if (covered.has(boundary.id)) return;
      // A zone whose every component is out of scope is out of scope too.
      if (placed.has(boundary.id) && !inScope.has(boundary.id)) return;
      report(
        ['boundaries', i, 'id'],
        placed.has(boundary.id)
          ? `trust boundary "${boundary.id}" has no threat against a component inside it or a flow crossing it`
          : `trust boundary "${boundary.id}" has no components (set \`boundary: ${boundary.id}\` on the components inside it) and no threats`,
      );
    });
  },
};

/** Critical and high threats must have an owner and a date: the case study's bar for closing the model. */
const isUrgent = (rating: ThreatRating | undefined) => rating?.rating === 'critical' || rating?.rating === 'high';

const ownership: ModelRule = {
  id: 'ownership',
  level: 'warning',
  checklist: 'ownership',
  description: 'A critical or high threat with no owner',
  check({ model, ratings }, report) {
    model.threats.forEach((threat, i) => {
      const rating = ratings.get(threat);
      if (!isUrgent(rating) || (threat.owner?.length ?? 0) > 0) return;
      report(['threats', i, 'id'], `threat ${threat.id} is ${rating!.rating} and has no owner; set \`owner\` to a key in \`owners\``);
    });
  },
};

const dueDateMissing: ModelRule = {
  id: 'due-date-missing',
  level: 'warning',
  description: 'An open critical or high threat with no due date (open: its status is not in `issues.close_statuses`)',
  check({ model, ratings, closeStatuses }, report) {
    model.threats.forEach((threat, i) => {
      const rating = ratings.get(threat);
      if (!isUrgent(rating) || threat.due !== undefined || closeStatuses.has(threat.status)) return;
      report(['threats', i, 'id'], `threat ${threat.id} is ${rating!.rating} and has no due date; set \`due: YYYY-MM-DD\``);
    });
  },
};

const overdue: ModelRule = {
  id: 'overdue',
  level: 'warning',
  description:
    'A threat past its due date whose status does not close it (`issues.close_statuses`: by default mitigated, verified, accepted, transferred)',
  check({ model, today, closeStatuses }, report) {
    model.threats.forEach((threat, i) => {
      // ISO dates compare correctly as strings.
      if (threat.due === undefined || closeStatuses.has(threat.status) || threat.due >= today) return;
      report(['threats', i, 'due'], `threat ${threat.id} is ${threat.status} and was due ${threat.due} (${daysBetween(threat.due, today)} days ago)`);
    });
  },
};

const unscored: ModelRule = {
  id: 'unscored',
  level: 'warning',
  checklist: 'clarity',
  description: 'A threat with neither a CVSS vector nor a severity',
  check({ model, ratings }, report) {
    model.threats.forEach((threat, i) => {
      const rating = ratings.get(threat);
      if (rating?.rating !== 'unscored' || rating.cvssError) return;
      report(['threats', i, 'id'], `threat ${threat.id} is unscored; add a \`cvss\` vector (or a \`severity\`)`);
    });
  },
};

/** External entities (customers, partners) have no code of ours, so no paths are expected. */
const needsPaths = (component: Component) => component.type !== 'external-entity' && !component.out_of_scope;

const pathsMissing: ModelRule = {
  id: 'paths-missing',
  level: 'warning',
  checklist: 'traceability',
  description: 'A process or data store without `paths` (no pull request can be linked to it); external entities are exempt',
  check({ model }, report) {
    model.components.forEach((component, i) => {
      if (!needsPaths(component) || (component.paths?.length ?? 0) > 0) return;
      report(
        ['components', i, 'id'],
        `component "${component.id}" has no \`paths\`, so no pull request can be linked to it; list globs of the code that implements it`,
      );
    });
  },
};

const specificity: ModelRule = {
  id: 'specificity',
  level: 'warning',
  checklist: 'specificity',
  description: 'A mitigate or eliminate strategy with no `mitigation` text',
  check({ model }, report) {
    model.threats.forEach((threat, i) => {
      const strategy = threat.strategy?.find((s) => s === 'mitigate' || s === 'eliminate');
      if (!strategy || threat.mitigation?.trim()) return;
      report(['threats', i, 'strategy'], `threat ${threat.id} has strategy "${strategy}" but no \`mitigation\`; describe the concrete action`);
    });
  },
};

const severityMismatch: ModelRule = {
  id: 'severity-mismatch',
  level: 'warning',
  checklist: 'consistency',
  description: 'A `severity` stated alongside a CVSS vector whose score gives a different severity (the vector wins)',
  check({ model, ratings }, report) {
    model.threats.forEach((threat, i) => {
      const cvss = ratings.get(threat)?.cvss;
      if (!cvss || threat.severity === undefined || threat.severity === cvss.severity) return;
      report(
        ['threats', i, 'severity'],
        `threat ${threat.id}: severity "${threat.severity}" disagrees with the vector, which scores ${cvss.score.toFixed(1)} (${cvss.severity}); the vector wins, so drop \`severity\` or fix it`,
      );
    });
  },
};

const assumptions: ModelRule = {
  id: 'assumptions',
  level: 'warning',
  checklist: 'assumptions',
  description: 'The model does not document its scope exclusions (`system.out_of_scope`; an empty list says nothing is excluded)',
  check({ model }, report) {
    if (model.system.out_of_scope !== undefined) return;
    report(
      ['system'],
      'the model does not say what it leaves out; list exclusions with a rationale in `system.out_of_scope` (or write `out_of_scope: []`)',
      { key: true },
    );
  },
};

const letters = (categories: readonly StrideCategory[]) => categories.map((c) => `${STRIDE_LETTER[c]} (${c})`).join(', ');

const strideCoverageRule: ModelRule = {
  id: 'stride-coverage',
  level: 'warning',
  // Not a closure-checklist item: the case study's checklist asks for a threat per element, not per category.
  description:
    'A component or flow in scope lacks a threat or a `waive` rationale for a STRIDE category its type needs (external entity S R; process S T R I D E; data store T R I D; flow T I D)',
  check({ model, graph }, report) {
    for (const element of strideCoverage(model, graph).elements) {
      const section = element.kind === 'component' ? 'components' : 'flows';
      const noun = element.kind === 'component' ? `${element.type} "${element.id}"` : `flow "${element.id}"`;
      if (element.missing.length > 0) {
        const example = STRIDE_LETTER[element.missing[0]!];
        report(
          [section, element.index, 'id'],
          `${noun} has no threat or waiver for ${letters(element.missing)}; add a threat per category, or \`waive: { ${example}: "why it cannot happen here" }\``,
        );
      }
      if (element.inapplicableWaivers.length > 0) {
        report(
          [section, element.index, 'waive'],
          `${noun} waives ${letters(element.inapplicableWaivers)}, which STRIDE per element does not ask of type ${element.type} (it needs ${letters(APPLICABLE_STRIDE[element.type])}); remove the waiver`,
          { key: true },
        );
      }
    }
  },
};

const boundaryCrossingFlow: ModelRule = {
  id: 'boundary-crossing-flow',
  level: 'warning',
  description:
    'A flow into a more trusted boundary with no tampering or information-disclosure threat, or over a plaintext protocol',
  check({ model, graph }, report) {
    for (const crossing of boundaryCrossingFlows(model, graph)) {
      const { flow, index } = crossing;
      const route = `flow "${flow.id}" crosses from ${crossing.fromBoundary} into the more trusted ${crossing.toBoundary}`;
      if (crossing.tamperingOrDisclosureThreats.length === 0) {
        report(['flows', index, 'id'], `${route} with no tampering or information-disclosure threat; add one (what stops data on it being altered or read?)`);
      }
      if (crossing.plaintext) {
        report(['flows', index, 'protocol'], `${route} over a plaintext protocol (${crossing.plaintext}); protect it with TLS or say why it is safe in a threat`);
      }
    }
  },
};

export const MODEL_RULES: readonly ModelRule[] = [
  duplicateId,
  unknownReference,
  cvssInvalid,
  cvssScoreMismatch,
  rationales,
  completeness,
  ownership,
  dueDateMissing,
  overdue,
  unscored,
  pathsMissing,
  specificity,
  severityMismatch,
  assumptions,
  strideCoverageRule,
  boundaryCrossingFlow,
];

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
