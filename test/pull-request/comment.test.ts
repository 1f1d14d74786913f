import { describe, expect, it } from 'vitest';
import { ConfigSchema, type Config } from '../../src/config/schema.ts';
import { buildGraph } from '../../src/model/graph.ts';
import { ThreatModelSchema, type ThreatModel } from '../../src/model/schema.ts';
import { analysePullRequest, planContextComment, type PullRequestInputs } from '../../src/pull-request/context.ts';
import { diffModels } from '../../src/pull-request/diff.ts';
import { matchFiles, type ChangedFile } from '../../src/pull-request/match.ts';
import { PR_COMMENT_MARKER } from '../../src/pull-request/plan.ts';
import { touchedPart } from '../../src/pull-request/touched.ts';
import {
  GITHUB_COMMENT_LIMIT,
  renderCrossLinkComment,
  renderMergedComment,
  renderPrComment,
  utf8Length,
  type PrCommentInput,
} from '../../src/pull-request/comment.ts';
import { paymentsModel } from './fixtures.ts';

const modified = (filename: string): ChangedFile => ({ filename, status: 'modified' });

function commentInput(overrides: Partial<PrCommentInput> & { model?: ThreatModel; files?: ChangedFile[]; config?: Config } = {}): PrCommentInput {
  const model = overrides.model ?? paymentsModel();
  const files = overrides.files ?? [modified('services/api/src/auth.ts'), modified('services/api/src/search.ts'), modified('README.md')];
  const graph = buildGraph(model);
  const match = matchFiles(files, model.components);
  return {
    graph,
    config: overrides.config ?? ConfigSchema.parse({}),
    detail: 'full',
    match,
    touched: touchedPart(graph, match.byComponent.keys()),
    fileCount: files.length,
    filesCapped: false,
    threatIssues: new Map([['TM-1', { number: 11, url: 'https://github.com/acme/pay/issues/11' }]]),
    references: { known: [], unknown: [] },
    modelPath: 'threat-model.yml',
    baseRef: 'main',
    ...overrides,
  };
}

describe('renderPrComment', () => {
  it('shows the touched component, its threats by severity with links, closed ones folded, files and a diagram', () => {
    const body = renderPrComment(commentInput());
    expect(body.startsWith(`${PR_COMMENT_MARKER}\n`)).toBe(true);
    expect(body).toContain('**1 component touched** (Payments API) · open threats: 1 critical, 1 high · 1 closed');
    expect(body).toContain('| [TM-1](https://github.com/acme/pay/issues/11) Forged session token | S | 9.8&nbsp;Critical | Planned | Verify signatures \\| rotate keys | Backend team (alice, bob) |');
    expect(body).toContain('| `TM-2` SQL injection in search <sub>(also `db`)</sub>'.replace(' <sub>(also `db`)</sub>', ''));
    // TM-1 (critical) comes before TM-2 (high)
    expect(body.indexOf('TM-1')).toBeLessThan(body.indexOf('TM-2'));
    expect(body).toMatch(/<details><summary>1 closed threat \(mitigated\)<\/summary>\n\n\| Threat[\s\S]*TM-3[\s\S]*<\/details>/);
    expect(body).toContain('```mermaid');
    expect(body).toContain('**Changed files by component: 2 of 3 mapped**\n- **Payments API** (2 files): `services/api/src/auth.ts`, `services/api/src/search.ts`');
    expect(body).not.toMatch(/@alice/);
    expect(body).toMatchSnapshot();
  });

  it('filters by min_severity and says how many are hidden', () => {
    const body = renderPrComment(commentInput({ config: ConfigSchema.parse({ pull_requests: { min_severity: 'critical' } }) }));
    expect(body).toContain('open threats: 1 critical');
    expect(body).not.toContain('TM-2');
    expect(body).toContain('2 threats below the minimum severity (`pull_requests.min_severity: critical`) are not shown.');
  });

  it('shows ids and severities only in summary mode', () => {
    const body = renderPrComment(commentInput({ detail: 'summary' }));
    expect(body).toContain('| [TM-1](https://github.com/acme/pay/issues/11) | Critical |');
    expect(body).not.toContain('Forged session token');
    expect(body).not.toContain('Verify signatures');
    expect(body).not.toContain('mermaid');
    expect(body).not.toContain('alice');
  });

  it('notes the 3,000-file cap and the out-of-scope rationale', () => {
    const body = renderPrComment(commentInput({ files: [modified('third_party/x.js')], filesCapped: true }));
    expect(body).toContain('GitHub lists only the first 3,000 changed files');
    expect(body).toContain('Out of scope of the threat model: Upstream code, reviewed by the vendor');
  });

  it('lists the threat-level diff and unknown referenced ids', () => {
    const head = paymentsModel();
    head.threats[0]!.severity = undefined;
    head.threats[0]!.cvss = { vector: 'CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N' };
    head.threats[0]!.status = 'mitigated';
    const body = renderPrComment(
      commentInput({
        diff: diffModels(paymentsModel(), head),
        references: { known: [{ verb: 'mitigates', threatId: 'TM-1' }], unknown: ['TM-99'] },
      }),
    );
    expect(body).toContain('#### Threat model changes in this PR (0 added, 0 removed, 1 changed)');
    expect(body).toContain('- **Changed** `TM-1` Forged session token: re-scored 9.8 Critical → 5.3 Medium; status Planned → Mitigated');
    expect(body).toContain('- Mitigates [TM-1](https://github.com/acme/pay/issues/11) Forged session token (Critical)');
    expect(body).toContain('- Not threats in the model, ignored: `TM-99`');
  });

  it('in summary mode the diff still names every changed threat, without its details', () => {
    const head = paymentsModel();
    head.threats[1]!.status = 'mitigated';
    const body = renderPrComment(commentInput({ detail: 'summary', diff: diffModels(paymentsModel(), head) }));
    expect(body).toContain(`#### Threat model changes in this PR (0 added, 0 removed, 1 changed)\n- **Changed** \`${head.threats[1]!.id}\``);
    expect(body).not.toContain('status Open → Mitigated');
  });

  it('lists the STRIDE categories each component or flow the PR adds still lacks; in summary mode only a count', () => {
    const head = paymentsModel();
    head.components.push(
      { id: 'cache', name: 'Session cache', type: 'data-store', boundary: 'vpc', waive: { repudiation: 'Holds no record of who did what' } },
      { id: 'auditor', name: 'Auditor', type: 'external-entity', waive: { spoofing: 'Reads signed exports only', repudiation: 'Takes no action in the system' } },
    );
    head.flows.push({ id: 'f-api-cache', from: 'api', to: 'cache', protocol: 'Redis over TLS' });
    head.threats.push({ ...head.threats[1]!, id: 'TM-10', title: 'Cache poisoning', stride: ['tampering'], targets: ['cache', 'f-api-cache'] });
    const diff = diffModels(paymentsModel(), head);
    const full = renderPrComment(commentInput({ diff }));
    expect(full).toContain('#### Threat model changes in this PR (1 added, 0 removed, 0 changed; 3 new elements)');
    expect(full).toContain(
      '- **New data store** `cache` Session cache: still lacks I (information disclosure), D (denial of service): add a threat or a `waive` rationale for each',
    );
    expect(full).toContain('- **New external entity** `auditor` Auditor: every STRIDE category its type needs has a threat or a waiver');
    expect(full).toContain('- **New flow** `f-api-cache` f-api-cache: still lacks I (information disclosure), D (denial of service)');
    const summary = renderPrComment(commentInput({ detail: 'summary', diff }));
    expect(summary).toContain('- **New** 3 components or flows, 2 still lacking STRIDE categories (see the **Threat model** check)');
    expect(summary).not.toContain('Session cache');
    expect(summary).not.toContain('information disclosure');
  });

  it('puts the component with the most severe open threat first, whatever the model order', () => {
    // `worker` (low) comes before `api` (critical) in the model; the reviewer sees the critical one first.
    const model = paymentsModel();
    model.components.sort((a, b) => (a.id === 'worker' ? -1 : b.id === 'worker' ? 1 : 0));
    const files = [modified('services/worker'), modified('services/api/src/auth.ts')];
    const body = renderPrComment(commentInput({ model, files }));
    expect(body.indexOf('#### Payments API')).toBeGreaterThan(0);
    expect(body.indexOf('#### Payments API')).toBeLessThan(body.indexOf('#### Settlement worker'));
  });

  it('keeps the score, severity and status cells on one line and names them as the issues do', () => {
    const model = paymentsModel();
    model.threats[0]!.status = 'in-progress';
    const body = renderPrComment(commentInput({ model }));
    expect(body).toContain('| S | 9.8&nbsp;Critical | In&nbsp;progress |');
    expect(body).toContain('<sub>Process · trust boundary Production VPC (trusted)</sub>');
  });

  it('cuts a long mitigation at a word boundary', () => {
    const model = paymentsModel();
    model.threats[0]!.mitigation = `${'Rotate the signing keys every month, '.repeat(5)}and enable versioning and Object Lock.`;
    const body = renderPrComment(commentInput({ model }));
    const cell = /\| 9\.8&nbsp;Critical \| Planned \| ([^|]*) \|/.exec(body)![1]!;
    expect(cell.length).toBeLessThanOrEqual(160);
    // Whole words only: what precedes the ellipsis ends where a word of the mitigation ends.
    const kept = cell.replace(/…$/, '');
    expect(cell.endsWith('…')).toBe(true);
    expect(model.threats[0]!.mitigation!.startsWith(kept)).toBe(true);
    expect(model.threats[0]!.mitigation![kept.length]).toBe(' ');
  });

  it('stays readable at 50 threats: one table, mitigation cut to a line', () => {
    const model = bigModel(1, 50, 'x'.repeat(400));
    const body = renderPrComment(commentInput({ model, files: [modified('svc/c0/a.ts')] }));
    expect(body).toContain('open threats: 50 high');
    expect(body.match(/^\| \[?`?T-/gm)).toHaveLength(50);
    expect(body).toContain(`${'x'.repeat(159)}…`);
    expect(body).not.toContain('Shortened');
    expect(utf8Length(body)).toBeLessThan(GITHUB_COMMENT_LIMIT);
  });

  it('never exceeds GitHub’s limit on a huge model, and says it was shortened', () => {
    const model = bigModel(300, 20, 'Rotate keys '.repeat(60));
    const files = model.components.flatMap((c, i) => Array.from({ length: 10 }, (_, j) => modified(`svc/${c.id}/file-${i}-${j}.ts`)));
    const body = renderPrComment(commentInput({ model, files, filesCapped: true }));
    expect(utf8Length(body)).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain('Shortened to fit GitHub');
    expect(body).toContain('**300 components touched**');
    expect(body).toContain('open threats: 6000 high');
  });

  it('cuts even a pathological headline to the limit', () => {
    const body = renderPrComment(commentInput(), 300);
    expect(utf8Length(body)).toBeLessThanOrEqual(300);
    expect(body).toContain('Cut short');
  });
});

describe('planContextComment', () => {
  const inputs = (overrides: Partial<PullRequestInputs> = {}): PullRequestInputs => ({
    baseModel: paymentsModel(),
    config: ConfigSchema.parse({}),
    files: [modified('services/api/src/auth.ts')],
    filesCapped: false,
    isPublic: false,
    text: '',
    threatIssues: new Map(),
    modelPath: 'threat-model.yml',
    baseRef: 'main',
    ...overrides,
  });
  const plan = (i: PullRequestInputs) => planContextComment(i, analysePullRequest(i));

  it('creates, then writes nothing when unchanged, then updates', () => {
    const first = plan(inputs());
    expect(first.action).toBe('create');
    const body = first.action === 'create' ? first.body : '';
    expect(plan(inputs({ existingComment: { id: 5, body } }))).toEqual({ action: 'none', reason: 'comment is up to date' });
    const changed = plan(inputs({ existingComment: { id: 5, body }, files: [modified('db/migrations/002.sql')] }));
    expect(changed).toMatchObject({ action: 'update', id: 5 });
  });

  it('never comments on a PR without threat context; edits an existing comment to say it no longer applies', () => {
    expect(plan(inputs({ files: [modified('docs/x.md')] }))).toEqual({ action: 'none', reason: 'no threat context' });
    const update = plan(inputs({ files: [modified('docs/x.md')], existingComment: { id: 5, body: 'old' } }));
    expect(update).toMatchObject({ action: 'update', id: 5 });
    expect(update.action === 'update' && update.body).toContain('no longer changes files mapped to components');
  });

  it('comments on an unmapped PR that refers to a threat or changes the model', () => {
    expect(plan(inputs({ files: [modified('docs/x.md')], text: 'Refs TM-2' })).action).toBe('create');
    const head = paymentsModel();
    head.threats.pop();
    expect(plan(inputs({ files: [modified('threat-model.yml')], headModel: { ok: true, model: head } })).action).toBe('create');
  });

  it('honours public_detail off and comment off', () => {
    const publicOff = ConfigSchema.parse({ pull_requests: { public_detail: 'off' } });
    expect(plan(inputs({ isPublic: true, config: publicOff })).action).toBe('none');
    const withdrawn = plan(inputs({ isPublic: true, config: publicOff, existingComment: { id: 1, body: 'details' } }));
    expect(withdrawn.action === 'update' && withdrawn.body).toContain('Threat context is not shown here');
    expect(plan(inputs({ config: ConfigSchema.parse({ pull_requests: { comment: false } }) })).action).toBe('none');
  });
});

describe('issue comments', () => {
  const pr = { repo: 'acme/pay', number: 7, title: 'Sign tokens', url: 'https://github.com/acme/pay/pull/7' };
  it('cross-link and merged comments carry markers with the PR', () => {
    expect(renderCrossLinkComment(pr, 'TM-1', ['mitigates'])).toContain('<!-- threatloop:pr-link acme/pay#7 -->\nPull request [acme/pay#&#8203;7](https://github.com/acme/pay/pull/7) (Sign tokens) says it mitigates `TM-1`.');
    expect(renderMergedComment(pr, 'TM-1', ['refs'])).toContain('<!-- threatloop:pr-merged acme/pay#7 -->');
    expect(renderMergedComment(pr, 'TM-1', ['refs'])).toContain('the status lives in the threat model');
    // The merge commit, for the evidence pack: short in the text, full in the link.
    const sha = '0123456789abcdef0123456789abcdef01234567';
    expect(renderMergedComment(pr, 'TM-1', ['mitigates'], sha)).toContain(`was merged in [\`0123456\`](https://github.com/acme/pay/commit/${sha}).`);
    expect(renderMergedComment(pr, 'TM-1', ['mitigates'], 'not-a-sha')).toContain('`TM-1` was merged.');
  });
});

/** `components` components under svc/<id>/**, each with `perComponent` high threats. */
function bigModel(components: number, perComponent: number, mitigation: string): ThreatModel {
  return ThreatModelSchema.parse({
    version: 1,
    system: { name: 'Big' },
    components: Array.from({ length: components }, (_, i) => ({ id: `c${i}`, name: `Component ${i}`, type: 'process', paths: [`svc/c${i}/**`] })),
    flows: Array.from({ length: components - 1 }, (_, i) => ({ id: `f${i}`, from: `c${i}`, to: `c${i + 1}` })),
    threats: Array.from({ length: components * perComponent }, (_, n) => ({
      id: `T-${n}`,
      title: `Threat number ${n} against component ${Math.floor(n / perComponent)}`,
      stride: ['S', 'T'],
      targets: `c${Math.floor(n / perComponent)}`,
      cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N',
      mitigation,
    })),
  });
}
