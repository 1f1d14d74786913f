/**
 * The case study's closure checklist (section 4.1, from the MITRE playbook),
 * evaluated against a model: an item fails when a lint rule that checks it
 * has a finding. Rules switched off in config do not count against an item.
 */
import type { Finding } from '../findings.ts';
import type { ThreatModel } from '../schema.ts';
import { MODEL_RULES } from './rules.ts';

export type ChecklistItemId =
  | 'completeness'
  | 'clarity'
  | 'specificity'
  | 'traceability'
  | 'consistency'
  | 'ownership'
  | 'assumptions'
  | 'rationales';

export interface ChecklistItem {
  id: ChecklistItemId;
  title: string;
  question: string;
  passed: boolean;
  /** The findings behind a fail (empty when passed). */
  findings: Finding[];
}

const ITEMS: readonly { id: ChecklistItemId; title: string; question: string }[] = [
  { id: 'completeness', title: 'Completeness', question: 'Every component, data flow and trust boundary has at least one STRIDE threat.' },
  { id: 'clarity', title: 'Clarity', question: 'Any team member can read and understand threats, CVSS scores and mitigations.' },
  { id: 'specificity', title: 'Specificity', question: 'Mitigations include concrete actions.' },
  { id: 'traceability', title: 'Traceability', question: 'Every threat connects to a diagram element, a mitigation and the code that implements it.' },
  { id: 'consistency', title: 'Consistency', question: 'Threat ids are unique and scores match their vectors.' },
  { id: 'ownership', title: 'Roles & Ownership', question: 'Every critical and high threat has an assigned owner.' },
  { id: 'assumptions', title: 'Assumptions', question: 'Scope exclusions are clearly documented.' },
  { id: 'rationales', title: 'Rationales', question: 'Accepted or transferred risks include a justification.' },
];

/** Rule id -> the checklist item it checks. */
const ITEM_OF_RULE: ReadonlyMap<string, ChecklistItemId> = new Map(
  MODEL_RULES.flatMap((rule) => (rule.checklist ? [[rule.id, rule.checklist] as const] : [])),
);

/**
 * `findings` are the lint findings for `model` (after config levels). The
 * model is not re-linted here; it decides only what cannot be told from the
 * findings: a model that did not load fails every item.
 */
export function evaluateChecklist(model: ThreatModel | undefined, findings: readonly Finding[]): ChecklistItem[] {
  const loadErrors = model ? [] : findings.filter((f) => f.level === 'error');
  return ITEMS.map((item) => {
    const behind = model ? findings.filter((f) => ITEM_OF_RULE.get(f.rule) === item.id) : loadErrors;
    return { ...item, passed: model !== undefined && behind.length === 0, findings: behind };
  });
}
