/**
 * Lint: model text -> every finding about it, sorted, with the levels the
 * repository's config asks for. Pure: `today` is injected, files are read by
 * the caller.
 */
import { FILE_START, sortFindings, type Finding } from '../findings.ts';
import { buildGraph } from '../graph.ts';
import { loadModel } from '../load.ts';
import { rateThreat, type ThreatRating } from '../rating.ts';
import type { Threat, ThreatModel, ThreatStatus } from '../schema.ts';
import type { DocPath, YamlSource } from '../source.ts';
import { didYouMean } from '../validate.ts';
import type { ChecklistItemId } from './checklist.ts';
import { CLOSED_STATUSES, MODEL_RULES, type RuleContext, type RuleLevel, type SbomLookup } from './rules.ts';

export { evaluateChecklist, type ChecklistItem, type ChecklistItemId } from './checklist.ts';
export { CLOSED_STATUSES, type SbomLookup } from './rules.ts';

export type RuleSetting = 'off' | RuleLevel;

/** `lint.acceptance_warning_days` when no config says otherwise. */
export const DEFAULT_ACCEPTANCE_WARNING_DAYS = 30;

export interface LintOptions {
  /** Rule id -> off | warning | error (config `lint.rules`). */
  rules?: Record<string, RuleSetting>;
  /** YYYY-MM-DD: the day "overdue" is measured against. */
  today: string;
  /**
   * Statuses that end a threat's work (config `issues.close_statuses`, which close its issue):
   * such a threat is never overdue and needs no due date. Default: CLOSED_STATUSES.
   */
  closeStatuses?: readonly ThreatStatus[];
  /** Days before an acceptance ends that `acceptance-expiring` warns (config `lint.acceptance_warning_days`, default 30). */
  acceptanceWarningDays?: number;
  /** Where `rules` was read, so a bad rule name points at its line (the config layer always says; line 1 when there is no source). */
  config?: { file: string; source?: YamlSource };
  /** The SBOM that components' `sbom` entries must name (rule `sbom-unknown-ref`). */
  sbom?: SbomLookup;
}

export interface LintResult {
  /** Sorted by file and position. */
  findings: Finding[];
  /** Present when the model loaded (it may still have lint errors). */
  model?: ThreatModel;
  source: YamlSource;
}

export interface LintRuleInfo {
  level: RuleLevel;
  description: string;
  checklist?: ChecklistItemId;
  /** The loader's rules: the model cannot be checked past them, so config cannot change them. */
  fixed?: boolean;
}

const LOADER_RULES: Record<string, LintRuleInfo> = {
  'yaml-syntax': { level: 'error', fixed: true, description: 'The file is not well-formed YAML (syntax, duplicate keys, binary data, alias bombs, empty file)' },
  'file-too-large': { level: 'error', fixed: true, description: 'The file is larger than the loader accepts' },
  schema: { level: 'error', fixed: true, description: 'The model does not match the threat model schema (unknown keys, wrong types, invalid dates)' },
  config: { level: 'error', fixed: true, description: 'The repository config (.github/threatloop.yml) is invalid' },
  sbom: { level: 'error', fixed: true, description: 'The SBOM given with `--sbom` or config `sbom` is not a readable CycloneDX JSON file' },
};

/** Every rule id with its default level. */
export const LINT_RULES: Record<string, LintRuleInfo> = {
  ...LOADER_RULES,
  ...Object.fromEntries(
    MODEL_RULES.map((rule) => [
      rule.id,
      { level: rule.level, description: rule.description, ...(rule.checklist ? { checklist: rule.checklist } : {}) },
    ]),
  ),
  'lint-config': { level: 'warning', description: '`lint.rules` in the config names an unknown rule or one that cannot be changed' },
};

export function lintModelText(text: string, file: string, options: LintOptions): LintResult {
  const loaded = loadModel(text, file);
  if (!loaded.ok) {
    return { findings: sortFindings([...loaded.findings, ...ruleConfigFindings(options)]), source: loaded.source };
  }
  return { findings: lintModel(loaded.model, loaded.source, options), model: loaded.model, source: loaded.source };
}

/** All model rules over a loaded model, levels from `options.rules`, sorted. */
export function lintModel(model: ThreatModel, source: YamlSource, options: LintOptions): Finding[] {
  const ratings = new Map<Threat, ThreatRating>(model.threats.map((t) => [t, rateThreat(t)]));
  const context: RuleContext = {
    model,
    graph: buildGraph(model),
    ratings,
    today: options.today,
    closeStatuses: options.closeStatuses ? new Set(options.closeStatuses) : CLOSED_STATUSES,
    acceptanceWarningDays: options.acceptanceWarningDays ?? DEFAULT_ACCEPTANCE_WARNING_DAYS,
    lineOf: (path) => source.locate(path).start.line,
    ...(options.sbom ? { sbom: options.sbom } : {}),
  };
  const findings: Finding[] = [];
  for (const rule of MODEL_RULES) {
    const level = effectiveLevel(rule.id, rule.level, options.rules);
    if (level === 'off') continue;
    const configured = options.rules?.[rule.id] !== undefined && level === options.rules[rule.id];
    rule.check(context, (path: DocPath, message: string, reportOptions?: { key?: boolean; level?: RuleLevel }) => {
      const span = source.locate(path, reportOptions?.key ? { key: true } : undefined);
      const findingLevel = configured ? level : (reportOptions?.level ?? level);
      findings.push({ rule: rule.id, level: findingLevel, message, file: source.file, start: span.start, end: span.end, path: [...path] });
    });
  }
  return sortFindings([...findings, ...ruleConfigFindings(options)]);
}

function effectiveLevel(id: string, level: RuleLevel, rules: LintOptions['rules']): RuleSetting {
  const configured = rules?.[id];
  return configured === 'off' || configured === 'warning' || configured === 'error' ? configured : level;
}

/** Problems with `lint.rules` itself: unknown rule names (with a did-you-mean) and loader rules, which cannot change. */
function ruleConfigFindings(options: LintOptions): Finding[] {
  const rules = options.rules ?? {};
  const file = options.config?.file ?? 'lint.rules';
  const known = Object.keys(LINT_RULES);
  const level = effectiveLevel('lint-config', 'warning', rules);
  if (level === 'off') return [];
  return Object.keys(rules).flatMap((name): Finding[] => {
    const info = LINT_RULES[name];
    if (info && !info.fixed) return [];
    const span = options.config?.source?.locate(['lint', 'rules', name], { key: true }) ?? { start: FILE_START, end: FILE_START };
    const hint = info ? undefined : didYouMean(name, known);
    const message = info
      ? `lint.rules: rule "${name}" cannot be changed: the model cannot be checked until it passes`
      : `lint.rules: unknown rule "${name}"${hint ? `; did you mean "${hint}"?` : ` (rules: ${known.join(', ')})`}`;
    return [{ rule: 'lint-config', level, message, file, start: span.start, end: span.end, path: ['lint', 'rules', name] }];
  });
}
