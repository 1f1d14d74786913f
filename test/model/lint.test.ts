import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.ts';
import { evaluateChecklist, LINT_RULES, lintModelText, type LintOptions } from '../../src/model/lint/index.ts';
import { parseYamlSource } from '../../src/model/source.ts';

const TODAY = '2025-06-01';

/** A small model with no findings; tests append to its sections. Line numbers below are relative to it. */
const CLEAN = `version: 1
system:
  name: Test system
  out_of_scope: []
owners:
  sec: { name: Security }
boundaries:
  - { id: cloud, name: Cloud, trust: trusted }
components:
  - { id: user, name: User, type: external-entity }
  - { id: api, name: API, type: process, boundary: cloud, owner: sec, paths: ["src/api/**"] }
flows:
  - { id: user-api, from: user, to: api }
threats:
  - id: T1
    title: Stolen session
    stride: S
    targets: [user, api, user-api]
    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N
    owner: sec
    due: 2030-01-01
    strategy: mitigate
    mitigation: Short-lived tokens bound to the device
`;

/**
 * The per-element STRIDE rules are off here: every small model below would otherwise
 * carry their warnings. They have their own tests ("lint: STRIDE per element").
 */
const PER_ELEMENT_OFF = { 'stride-coverage': 'off', 'boundary-crossing-flow': 'off' } as const;

function lint(text: string, options: Partial<LintOptions> = {}) {
  return lintModelText(text, 'model.yml', { today: TODAY, ...options, rules: { ...PER_ELEMENT_OFF, ...options.rules } });
}

/** `rule@line` for compact assertions. */
const brief = (findings: readonly Finding[]) => findings.map((f) => `${f.rule}@${f.start.line}`);

/** CLEAN with extra text inserted at the end of a section (sections are in file order). */
function withExtra(section: 'components' | 'flows' | 'threats' | 'boundaries', extra: string): string {
  const next: Record<string, string> = { boundaries: 'components:', components: 'flows:', flows: 'threats:' };
  if (section === 'threats') return CLEAN + extra;
  return CLEAN.replace(`\n${next[section]}`, `\n${extra.replace(/\n$/, '')}\n${next[section]}`);
}

const threat = (fields: string) => `  - id: T9
    title: Another threat
    stride: T
    targets: api
${fields
  .split('\n')
  .filter(Boolean)
  .map((l) => `    ${l}`)
  .join('\n')}
`;

describe('lint: the clean model', () => {
  it('has no findings', () => {
    const result = lint(CLEAN);
    expect(result.findings).toEqual([]);
    expect(result.model?.threats).toHaveLength(1);
  });
});

describe('lint: errors', () => {
  it('duplicate-id names both places in every section', () => {
    const text = withExtra('components', '  - { id: api, name: API again, type: process, paths: [x] }\n');
    const findings = lint(text).findings;
    expect(brief(findings)).toEqual(['duplicate-id@12']);
    expect(findings[0]!.message).toBe('component id "api" is used twice: line 11 and line 12; give each component its own id');
    expect(findings[0]!.start.column).toBe(11);

    const threats = lint(CLEAN + threat('severity: low').replace('id: T9', 'id: T1')).findings;
    expect(brief(threats)).toEqual(['duplicate-id@24']);
    expect(threats[0]!.message).toContain('line 15 and line 24');

    const boundaries = lint(withExtra('boundaries', '  - { id: cloud, name: Cloud 2, trust: partner }\n')).findings;
    expect(brief(boundaries)).toEqual(['duplicate-id@9']);
    const flows = lint(withExtra('flows', '  - { id: user-api, from: api, to: user }\n')).findings;
    expect(brief(flows)).toEqual(['duplicate-id@14']);
  });

  it('compares threat ids as strings: 22 and "22" collide', () => {
    const text = CLEAN + threat('severity: low').replace('id: T9', 'id: 22') + threat('severity: low').replace('id: T9', 'id: "22"');
    expect(brief(lint(text).findings)).toEqual(['duplicate-id@29']);
  });

  it('duplicate-id flags an id shared by a component and a flow (targets would be ambiguous)', () => {
    const findings = lint(withExtra('flows', '  - { id: api, from: user, to: api }\n')).findings;
    expect(brief(findings)).toEqual(['duplicate-id@14']);
    expect(findings[0]!.message).toContain('names both a component (line 11) and a flow (line 14)');
  });

  it('unknown-reference covers boundaries, owners, flow ends, targets and threat owners, with did-you-mean', () => {
    const text = withExtra(
      'components',
      '  - { id: db, name: DB, type: data-store, boundary: clod, owner: secc, paths: [db/**] }\n',
    )
      .replace('- { id: user-api, from: user, to: api }', '- { id: user-api, from: usr, to: api }')
      .replace('targets: [user, api, user-api]', 'targets: [user, api, user-api, dbb, cloud]')
      .replace('owner: sec\n    due', 'owner: [sec, nobody]\n    due');
    const findings = lint(text).findings.filter((f) => f.rule === 'unknown-reference');
    expect(findings.map((f) => f.message)).toEqual([
      'component "db": unknown trust boundary "clod"; did you mean "cloud"?',
      'component "db": unknown owner "secc"; did you mean "sec"? (owners are keys in `owners`)',
      'flow "user-api" from: unknown component "usr"; did you mean "user"?',
      'threat T1: unknown component or flow "dbb"; did you mean "db"?',
      'threat T1: unknown component or flow "cloud" (that is a trust boundary; target the components or flows inside it)',
      'threat T1: unknown owner "nobody" (owners are keys in `owners`)',
    ]);
    expect(brief(findings)).toEqual([
      'unknown-reference@12',
      'unknown-reference@12',
      'unknown-reference@14',
      'unknown-reference@19',
      'unknown-reference@19',
      'unknown-reference@21',
    ]);
    // Each points at the value itself.
    const target = findings[3]!;
    expect(text.split('\n')[target.start.line - 1]!.slice(target.start.column - 1)).toMatch(/^dbb/);
  });

  it('did-you-mean names a key that differs only in case (owner "Sec" for key "sec", status "Open")', () => {
    const owner = lint(CLEAN.replace('owner: sec\n    due', 'owner: Sec\n    due')).findings;
    expect(owner.map((f) => f.message)).toEqual(['threat T1: unknown owner "Sec"; did you mean "sec"? (owners are keys in `owners`)']);
    const status = lint(CLEAN + threat('severity: low\nstatus: Open')).findings;
    expect(status.map((f) => f.message)).toEqual([
      'threats[1].status: "Open" is not allowed; expected one of "open", "planned", "in-progress", "mitigated", "verified", "accepted", "transferred" (did you mean "open"?)',
    ]);
  });

  it('a target that is a trust boundary says so, without also guessing a component', () => {
    const text = CLEAN.replace("{ id: cloud, name: Cloud, trust: trusted }", "{ id: apis, name: Cloud, trust: trusted }")
      .replace('boundary: cloud', 'boundary: apis')
      .replace('targets: [user, api, user-api]', 'targets: [user, api, user-api, apis]');
    expect(lint(text).findings.map((f) => f.message)).toEqual([
      'threat T1: unknown component or flow "apis" (that is a trust boundary; target the components or flows inside it)',
    ]);
  });

  it('unknown-reference points at a single-value target written without a list', () => {
    const findings = lint(CLEAN + threat('severity: low').replace('targets: api', 'targets: apii')).findings;
    expect(brief(findings)).toEqual(['unknown-reference@27']);
    expect(findings[0]!.start.column).toBe(14);
  });

  it('cvss-invalid carries the scorer’s message naming the metric', () => {
    const findings = lint(CLEAN + threat('cvss: CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N')).findings;
    expect(brief(findings)).toEqual(['cvss-invalid@28']);
    expect(findings[0]!.level).toBe('error');
    expect(findings[0]!.message).toMatch(/^threat T9: invalid CVSS vector "CVSS:3\.1\/AV:X.*": .*AV/);
  });

  it('cvss-score-mismatch shows both numbers and points at the score', () => {
    const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H';
    const ok = lint(CLEAN + threat(`cvss: { vector: "${vector}", score: 7.50 }\nowner: sec\ndue: 2030-01-01`));
    expect(ok.findings).toEqual([]);
    const text = CLEAN + threat(`cvss: { vector: "${vector}", score: 7.4 }\nowner: sec\ndue: 2030-01-01`);
    const bad = lint(text).findings;
    expect(brief(bad)).toEqual(['cvss-score-mismatch@28']);
    expect(bad[0]!.message).toBe(
      'threat T9: stated score 7.4 does not match the vector, which scores 7.5 (CVSS 3.1, high); fix the vector or the score',
    );
    expect(bad[0]!.start.column).toBe(text.split('\n')[27]!.indexOf('7.4') + 1);
  });

  it('rationales: accepted or transferred risk, by status or strategy, needs a rationale', () => {
    const accepted = lint(CLEAN + threat('severity: low\nstatus: accepted')).findings;
    expect(brief(accepted)).toEqual(['rationales@29']);
    expect(accepted[0]!.message).toBe('threat T9 is accepted but has no rationale: say why the risk is acceptable or who carries it');
    const transfer = lint(CLEAN + threat('severity: low\nstrategy: [mitigate, transfer]\nmitigation: WAF')).findings;
    expect(brief(transfer)).toEqual(['rationales@29']);
    expect(transfer[0]!.message).toContain('has strategy "transfer"');
    const justified = lint(CLEAN + threat('severity: low\nstatus: transferred\nrationale: The CDN contract covers it'));
    expect(justified.findings).toEqual([]);
    const blank = lint(CLEAN + threat('severity: low\nstatus: accepted\nrationale: "  "')).findings;
    expect(brief(blank)).toEqual(['rationales@29']);
  });

  it('invalid dates are schema errors that quote the value', () => {
    const findings = lint(CLEAN + threat('severity: low\ndue: 2025-02-30')).findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'schema', level: 'error', start: { line: 29, column: 10 } });
    expect(findings[0]!.message).toBe('threats[1].due: "2025-02-30" is not a real calendar date');
    expect(lint(CLEAN + threat('severity: low\ndue: 1/3/2025')).findings[0]!.message).toBe(
      'threats[1].due: "1/3/2025" is not a date written YYYY-MM-DD',
    );
  });
});

describe('lint: warnings', () => {
  it('completeness: components and flows without threats, unless out of scope', () => {
    const text = withExtra(
      'components',
      [
        '  - { id: db, name: DB, type: data-store, boundary: cloud, paths: [db/**] }',
        '  - { id: lab, name: Lab, type: external-entity, out_of_scope: { rationale: Wet lab not modelled } }',
      ].join('\n'),
    ).replace('flows:\n', 'flows:\n  - { id: api-db, from: api, to: db }\n  - { id: lab-db, from: lab, to: db, out_of_scope: { rationale: Lab } }\n');
    const findings = lint(text).findings;
    expect(brief(findings)).toEqual(['completeness@12', 'completeness@15']);
    expect(findings.map((f) => f.message)).toEqual([
      'component "db" has no threat; add one, or mark it `out_of_scope` with a rationale',
      'flow "api-db" has no threat; add one, or mark it `out_of_scope` with a rationale',
    ]);
    expect(findings.every((f) => f.level === 'warning')).toBe(true);
  });

  it('completeness: a boundary is covered by a threat on a component inside it or a flow touching it', () => {
    const zone = '  - { id: edge, name: Edge, trust: untrusted }\n';
    const inside = withExtra('boundaries', zone).replace('{ id: user, name: User, type: external-entity }', '{ id: user, name: User, type: external-entity, boundary: edge }');
    expect(lint(inside).findings).toEqual([]);

    // Only the flow from the edge component has a threat.
    const viaFlow = inside.replace('targets: [user, api, user-api]', 'targets: [api, user-api]');
    expect(brief(lint(viaFlow).findings)).toEqual(['completeness@11']);

    const empty = lint(withExtra('boundaries', zone)).findings;
    expect(brief(empty)).toEqual(['completeness@9']);
    expect(empty[0]!.message).toContain('trust boundary "edge" has no components');

    const uncovered = inside.replace('targets: [user, api, user-api]', 'targets: [api]');
    expect(brief(lint(uncovered).findings)).toEqual(['completeness@9', 'completeness@11', 'completeness@14']);
  });

  it('ownership and due-date-missing: critical and high threats need an owner and a date', () => {
    const findings = lint(CLEAN + threat('severity: high')).findings;
    expect(brief(findings)).toEqual(['due-date-missing@24', 'ownership@24']);
    expect(findings.find((f) => f.rule === 'ownership')!.message).toBe(
      'threat T9 is high and has no owner; set `owner` to a key in `owners`',
    );
    // A closed threat needs no date; medium needs neither.
    expect(brief(lint(CLEAN + threat('severity: critical\nowner: sec\nstatus: mitigated')).findings)).toEqual([]);
    expect(lint(CLEAN + threat('severity: medium')).findings).toEqual([]);
    // The rating from the vector counts, not a stated severity.
    const byVector = lint(CLEAN + threat('cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\nowner: sec')).findings;
    expect(brief(byVector)).toEqual(['due-date-missing@24']);
  });

  it('overdue: open threats past their due date, measured against the injected today', () => {
    const text = CLEAN + threat('severity: low\ndue: 2025-05-31\nstatus: in-progress');
    const findings = lint(text).findings;
    expect(brief(findings)).toEqual(['overdue@29']);
    expect(findings[0]!.message).toBe('threat T9 is in-progress and was due 2025-05-31 (1 days ago)');
    expect(lint(text, { today: '2025-05-31' }).findings).toEqual([]);
    expect(lint(text.replace('in-progress', 'verified')).findings).toEqual([]);
  });

  it('overdue and due-date-missing follow the config\'s issues.close_statuses, as the sync does', () => {
    // With `close_statuses: [verified, accepted, transferred]` a mitigated threat keeps its issue open: still due.
    const closeStatuses = ['verified', 'accepted', 'transferred'] as const;
    const overdue = CLEAN + threat('severity: low\ndue: 2025-05-31\nstatus: mitigated');
    expect(lint(overdue).findings).toEqual([]);
    expect(brief(lint(overdue, { closeStatuses }).findings)).toEqual(['overdue@29']);
    const undated = CLEAN + threat('severity: high\nowner: sec\nstatus: mitigated');
    expect(lint(undated).findings).toEqual([]);
    expect(brief(lint(undated, { closeStatuses }).findings)).toEqual(['due-date-missing@24']);
    // A status the config closes is done, whatever the default list says.
    const planned = CLEAN + threat('severity: low\ndue: 2025-05-31\nstatus: planned');
    expect(brief(lint(planned).findings)).toEqual(['overdue@29']);
    expect(lint(planned, { closeStatuses: ['planned', 'mitigated'] }).findings).toEqual([]);
  });

  it('unscored: neither vector nor severity (an invalid vector is reported once, as cvss-invalid)', () => {
    expect(brief(lint(CLEAN + threat('')).findings)).toEqual(['unscored@24']);
    expect(brief(lint(CLEAN + threat('cvss: AV:N')).findings)).toEqual(['cvss-invalid@28']);
  });

  it('paths-missing: processes and data stores without paths; external entities are exempt', () => {
    const text = withExtra(
      'components',
      [
        '  - { id: db, name: DB, type: data-store }',
        '  - { id: partner, name: Partner, type: external-entity }',
        '  - { id: old, name: Old, type: process, out_of_scope: { rationale: Retired } }',
      ].join('\n'),
    ).replace('targets: [user, api, user-api]', 'targets: [user, api, user-api, db, partner]');
    const findings = lint(text).findings;
    expect(brief(findings)).toEqual(['paths-missing@12']);
    expect(findings[0]!.message).toContain('component "db" has no `paths`');
  });

  it('specificity: mitigate or eliminate needs mitigation text', () => {
    expect(brief(lint(CLEAN + threat('severity: low\nstrategy: eliminate')).findings)).toEqual(['specificity@29']);
    expect(lint(CLEAN + threat('severity: low\nstrategy: eliminate\nmitigation: Remove the endpoint')).findings).toEqual([]);
  });

  it('severity-mismatch: a stated severity that disagrees with the vector', () => {
    const vector = 'cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H';
    const findings = lint(CLEAN + threat(`${vector}\nseverity: low\nowner: sec\ndue: 2030-01-01`)).findings;
    expect(brief(findings)).toEqual(['severity-mismatch@29']);
    expect(findings[0]!.message).toContain('severity "low" disagrees with the vector, which scores 7.5 (high)');
    expect(lint(CLEAN + threat(`${vector}\nseverity: high\nowner: sec\ndue: 2030-01-01`)).findings).toEqual([]);
  });

  it('assumptions: the model must say what it leaves out (an empty list is an answer)', () => {
    const findings = lint(CLEAN.replace('  out_of_scope: []\n', '')).findings;
    expect(brief(findings)).toEqual(['assumptions@2']);
  });
});

describe('lint: rule levels from config', () => {
  const text = CLEAN + threat('severity: high');

  it('switches rules off and re-levels them', () => {
    expect(brief(lint(text, { rules: { ownership: 'off', 'due-date-missing': 'off' } }).findings)).toEqual([]);
    const levels = lint(text, { rules: { ownership: 'error' } }).findings.map((f) => `${f.rule}:${f.level}`);
    expect(levels).toEqual(['due-date-missing:warning', 'ownership:error']);
    const dup = withExtra('flows', '  - { id: user-api, from: api, to: user }\n');
    expect(lint(dup, { rules: { 'duplicate-id': 'warning' } }).findings.map((f) => f.level)).toEqual(['warning']);
  });

  it('reports unknown rule names with a did-you-mean, at their line in the config', () => {
    const configText = 'lint:\n  rules:\n    ownership: off\n    owenrship: off\n    schema: warning\n';
    const parsed = parseYamlSource(configText, '.github/threatloop.yml');
    if (!parsed.ok) throw new Error('config fixture must parse');
    const rules = { ownership: 'off', owenrship: 'off', schema: 'warning' } as const;
    const findings = lint(text, { rules, config: { file: '.github/threatloop.yml', source: parsed.source } }).findings;
    const config = findings.filter((f) => f.rule === 'lint-config');
    expect(config.map((f) => [f.file, f.start.line, f.level])).toEqual([
      ['.github/threatloop.yml', 4, 'warning'],
      ['.github/threatloop.yml', 5, 'warning'],
    ]);
    expect(config[0]!.message).toMatch(/^lint\.rules: unknown rule "owenrship"; did you mean "ownership"\?/);
    expect(config[1]!.message).toContain('rule "schema" cannot be changed');
    // Reported even when the model does not load.
    expect(lint('version: [', { rules }).findings.map((f) => f.rule)).toContain('lint-config');
  });

  it('LINT_RULES names every rule a finding can carry, kebab-case, with a default level', () => {
    const produced = new Set<string>();
    const samples = [
      CLEAN + threat('severity: high\nstrategy: [eliminate, accept]\ndue: 2020-01-01'),
      CLEAN.replace('  out_of_scope: []\n', '') + threat('cvss: { vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", score: 1 }\nseverity: low'),
      withExtra('components', '  - { id: api, name: Dup, type: process, boundary: nowhere }\n') + threat('cvss: AV:Q'),
      'version: [',
      'version: 2\nsystem: { name: x }\n',
    ];
    for (const sample of samples) for (const f of lint(sample, { rules: { nope: 'off' } }).findings) produced.add(f.rule);
    for (const rule of produced) expect(LINT_RULES[rule], rule).toBeDefined();
    expect(produced.size).toBeGreaterThanOrEqual(14);
    for (const [id, info] of Object.entries(LINT_RULES)) {
      expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(['error', 'warning']).toContain(info.level);
      expect(info.description.length).toBeGreaterThan(10);
    }
  });
});

describe('lint: STRIDE per element', () => {
  const all = (text: string, rules: LintOptions['rules'] = {}) => lintModelText(text, 'model.yml', { today: TODAY, rules });
  const MODEL = `version: 1
system: { name: Shop, out_of_scope: [] }
owners:
  sec: { name: Security }
boundaries:
  - { id: internet, name: Internet, trust: untrusted }
  - { id: cloud, name: Cloud, trust: trusted }
components:
  - id: user
    name: User
    type: external-entity
    boundary: internet
    waive: { R: Signs nothing, E: not a process }
  - { id: api, name: API, type: process, boundary: cloud, owner: sec, paths: ["src/**"] }
flows:
  - { id: user-api, from: user, to: api, protocol: HTTP }
threats:
  - { id: T1, title: Stolen session, stride: S, targets: [user, api], severity: low }
  - { id: T2, title: Everything else, stride: [T, R, I, D, E], targets: api, severity: low }
  - { id: T3, title: Flood, stride: D, targets: user-api, severity: low }
`;

  it('stride-coverage names the missing categories on the element line; a waiver that does not apply is reported at waive', () => {
    const findings = all(MODEL).findings.filter((f) => f.rule === 'stride-coverage');
    expect(findings.map((f) => [f.start.line, f.start.column, f.level, f.message])).toEqual([
      [13, 5, 'warning', 'external-entity "user" waives E (elevation-of-privilege), which STRIDE per element does not ask of type external-entity (it needs S (spoofing), R (repudiation)); remove the waiver'],
      [16, 11, 'warning', 'flow "user-api" has no threat or waiver for T (tampering), I (information-disclosure); add a threat per category, or `waive: { T: "why it cannot happen here" }`'],
    ]);
  });

  it('boundary-crossing-flow: into a more trusted zone with no T or I threat, and over plaintext', () => {
    const findings = all(MODEL).findings.filter((f) => f.rule === 'boundary-crossing-flow');
    expect(findings.map((f) => [f.start.line, f.start.column, f.message])).toEqual([
      [16, 11, 'flow "user-api" crosses from internet into the more trusted cloud with no tampering or information-disclosure threat; add one (what stops data on it being altered or read?)'],
      [16, 52, 'flow "user-api" crosses from internet into the more trusted cloud over a plaintext protocol (HTTP without TLS); protect it with TLS or say why it is safe in a threat'],
    ]);
    const fixed = MODEL.replace('protocol: HTTP', 'protocol: HTTPS').replace('stride: D, targets: user-api', 'stride: [T, I, D], targets: user-api');
    expect(all(fixed).findings.filter((f) => f.rule === 'boundary-crossing-flow')).toEqual([]);
    // Outbound only: the API calling out to the internet is not an entry.
    expect(all(MODEL.replace('from: user, to: api', 'from: api, to: user')).findings.filter((f) => f.rule === 'boundary-crossing-flow')).toEqual([]);
  });

  it('both rules are warnings by default and follow lint.rules like any other', () => {
    expect(LINT_RULES['stride-coverage']).toMatchObject({ level: 'warning' });
    expect(LINT_RULES['boundary-crossing-flow']).toMatchObject({ level: 'warning' });
    const levels = all(MODEL, { 'stride-coverage': 'error', 'boundary-crossing-flow': 'off' }).findings.map((f) => `${f.rule}:${f.level}`);
    expect(levels).toEqual(['stride-coverage:error', 'stride-coverage:error']);
  });

  it('a fully covered model has no findings from either rule', () => {
    const covered = MODEL.replace(', E: not a process', '')
      .replace('protocol: HTTP }', 'protocol: HTTPS, waive: { D: Retries are idempotent } }')
      .replace('stride: D, targets: user-api', 'stride: [T, I], targets: user-api');
    expect(all(covered).findings).toEqual([]);
  });
});

describe('evaluateChecklist', () => {
  it('passes every item for a clean model', () => {
    const { model, findings } = lint(CLEAN);
    const items = evaluateChecklist(model!, findings);
    expect(items.map((i) => i.id)).toEqual([
      'completeness',
      'clarity',
      'specificity',
      'traceability',
      'consistency',
      'ownership',
      'assumptions',
      'rationales',
    ]);
    expect(items.every((i) => i.passed && i.findings.length === 0)).toBe(true);
  });

  it('fails the items whose rules have findings, and names those findings', () => {
    const { model, findings } = lint(CLEAN + threat('severity: high\nstatus: accepted'));
    const items = evaluateChecklist(model!, findings);
    const failed = items.filter((i) => !i.passed).map((i) => [i.id, brief(i.findings)]);
    expect(failed).toEqual([
      ['ownership', ['ownership@24']],
      ['rationales', ['rationales@29']],
    ]);
  });

  it('fails every item when the model did not load', () => {
    const { model, findings } = lint('version: 1\n');
    expect(model).toBeUndefined();
    expect(evaluateChecklist(model, findings).every((i) => !i.passed && i.findings.length > 0)).toBe(true);
  });
});

describe('the benchmark model generator', () => {
  it('makes a deterministic model that loads and has no lint errors', async () => {
    const { generateModelText } = await import('../../bench/generate-model.ts');
    const size = { threats: 60, components: 12, flows: 20 };
    const text = generateModelText(size);
    expect(generateModelText(size)).toBe(text);
    const result = lint(text, { today: '2025-01-01' });
    expect(result.model?.threats).toHaveLength(60);
    expect(result.findings.filter((f) => f.level === 'error')).toEqual([]);
    expect(result.model?.threats.some((t) => t.cvss?.vector.startsWith('CVSS:4.0/'))).toBe(true);
    expect(result.model?.threats.some((t) => t.cvss?.vector.startsWith('CVSS:3.1/'))).toBe(true);
  });
});
