import { describe, expect, it } from 'vitest';
import { ConfigSchema, DEFAULT_CONFIG } from '../../src/config/schema.ts';
import { closedAsFromGithub, decideManualClose, rationaleFrom, type ManualClose } from '../../src/lifecycle/manual-close.ts';
import { editThreats } from '../../src/model/edit.ts';
import { lintModelText } from '../../src/model/lint/index.ts';

/** STRIDE-per-element coverage has its own tests: these edits are about statuses. */
const PER_ELEMENT_OFF = { 'stride-coverage': 'off', 'boundary-crossing-flow': 'off' } as const;
import { RATIONALE_PLACEHOLDER } from '../../src/model/lint/lifecycle.ts';
import { loadModel } from '../../src/model/load.ts';
import type { ProposedChange } from '../../src/model/proposal.ts';
import { renderProposalBody, renderProposalTitle } from '../../src/render/proposal.ts';

const TEXT = `version: 1
system: { name: Test, out_of_scope: [] }
owners:
  sec: { name: Security, github: sec-lead }
components:
  - { id: api, name: API, type: process, paths: ["src/**"] }
threats:
  # Token theft: the big one.
  - id: TM-1
    title: Stolen token
    stride: S
    targets: api
    severity: low
    owner: sec

    # Tracked in the auth epic
    status: in-progress   # since the March review
    due: 2030-01-01
  - id: TM-2
    title: Done already
    stride: T
    targets: api
    severity: low
    status: mitigated
`;
const loaded = loadModel(TEXT, 'threat-model.yml');
if (!loaded.ok) throw new Error('fixture does not load');
const threat = (id: string) => loaded.model.threats.find((t) => t.id === id);

const CLOSE: ManualClose = {
  threatId: 'TM-1',
  tracker: 'github',
  ticket: '#12',
  ticketUrl: 'https://github.com/acme/app/issues/12',
  closedAs: 'completed',
  closedBy: 'lena-vogt',
  closedByApp: false,
  closedAt: '2026-12-02T10:11:12Z',
  evidenceUrl: 'https://github.com/acme/app/pull/40',
};
const can = { config: DEFAULT_CONFIG, threat: threat('TM-1'), canWriteContents: true };

describe('decideManualClose', () => {
  it('completed (or no reason) proposes mitigated with a verification line naming who, when and the evidence', () => {
    const decision = decideManualClose(CLOSE, can);
    expect(decision).toEqual({
      action: 'propose',
      change: {
        threatId: 'TM-1',
        title: 'Stolen token',
        from: 'in-progress',
        to: 'mitigated',
        tracker: 'github',
        ticket: '#12',
        ticketUrl: 'https://github.com/acme/app/issues/12',
        closedBy: 'lena-vogt',
        closedOn: '2026-12-02',
        evidenceUrl: 'https://github.com/acme/app/pull/40',
        needsRationale: false,
        edit: { id: 'TM-1', status: 'mitigated', verification: 'Issue #12 closed as completed by lena-vogt on 2026-12-02: https://github.com/acme/app/pull/40' },
      },
    });
    const noReason = decideManualClose({ ...CLOSE, closedAs: closedAsFromGithub(null), evidenceUrl: undefined }, can);
    expect(noReason.action === 'propose' && noReason.change.edit.verification).toBe(
      'Issue #12 closed as completed by lena-vogt on 2026-12-02: https://github.com/acme/app/issues/12',
    );
  });

  it('not planned proposes not-applicable, the rationale from the closing comment, else the placeholder lint flags', () => {
    const withComment = decideManualClose({ ...CLOSE, closedAs: closedAsFromGithub('not_planned'), closingComment: '  The API\nno longer issues tokens. <!-- x -->' }, can);
    expect(withComment).toMatchObject({
      action: 'propose',
      change: { to: 'not-applicable', needsRationale: false, edit: { status: 'not-applicable', rationale: 'The API no longer issues tokens.' } },
    });
    const without = decideManualClose({ ...CLOSE, closedAs: 'not_planned', tracker: 'jira', ticket: 'SEC-4', ticketUrl: 'https://acme.atlassian.net/browse/SEC-4', evidenceUrl: undefined }, can);
    expect(without).toMatchObject({
      action: 'propose',
      change: {
        needsRationale: true,
        edit: { rationale: RATIONALE_PLACEHOLDER, verification: 'Jira issue SEC-4 closed as not planned by lena-vogt on 2026-12-02: https://acme.atlassian.net/browse/SEC-4' },
      },
    });
  });

  it('ignores closures by the app, of removed threats, and of threats the model already closes', () => {
    expect(decideManualClose({ ...CLOSE, closedByApp: true }, can).action).toBe('ignore');
    expect(decideManualClose(CLOSE, { ...can, threat: undefined })).toEqual({ action: 'ignore', why: 'threat TM-1 is no longer in the model' });
    expect(decideManualClose({ ...CLOSE, threatId: 'TM-2' }, { ...can, threat: threat('TM-2') }).action).toBe('ignore');
  });

  it('default: propose with contents permission, else reopen saying why; reopen and keep when configured', () => {
    const without = decideManualClose(CLOSE, { ...can, canWriteContents: false });
    expect(without.action).toBe('reopen');
    expect(without.action === 'reopen' && without.why).toContain('may not write this repository');
    const reopen = decideManualClose(CLOSE, { ...can, config: ConfigSchema.parse({ issues: { on_manual_close: 'reopen' } }) });
    expect(reopen.action === 'reopen' && reopen.why).toContain('`issues.on_manual_close: reopen`');
    expect(decideManualClose(CLOSE, { ...can, config: ConfigSchema.parse({ issues: { on_manual_close: 'keep' } }) }).action).toBe('keep');
    const proposeWithout = decideManualClose(CLOSE, { ...can, canWriteContents: false, config: ConfigSchema.parse({ issues: { on_manual_close: 'propose' } }) });
    expect(proposeWithout.action === 'reopen' && proposeWithout.why).toContain('grant the app `contents: write`');
  });

  it('a declined proposal and a duplicate reopen instead of proposing', () => {
    expect(decideManualClose(CLOSE, { ...can, declinedBefore: true }).action).toBe('reopen');
    const duplicate = decideManualClose({ ...CLOSE, closedAs: closedAsFromGithub('duplicate') }, can);
    expect(duplicate.action === 'reopen' && duplicate.why).toContain('`retired`');
  });

  it('the config rejects an unknown on_manual_close', () => {
    expect(ConfigSchema.safeParse({ issues: { on_manual_close: 'close' } }).success).toBe(false);
  });

  it('the proposal commit: only the status line changes and the verification line is added, comments and all', () => {
    const decision = decideManualClose(CLOSE, can);
    if (decision.action !== 'propose') throw new Error('expected a proposal');
    const edited = editThreats(TEXT, 'threat-model.yml', [decision.change.edit]);
    expect(edited.ok && edited.text).toBe(
      TEXT.replace(
        '    status: in-progress   # since the March review\n',
        '    status: mitigated   # since the March review\n    verification: "Issue #12 closed as completed by lena-vogt on 2026-12-02: https://github.com/acme/app/pull/40"\n',
      ),
    );
    if (edited.ok) expect(lintModelText(edited.text, 'threat-model.yml', { today: '2026-12-02', rules: PER_ELEMENT_OFF }).findings).toEqual([]);
  });
});

describe('a proposal from an issue closed as not planned', () => {
  it('with a closing comment: status, rationale and verification change, and the model lints clean', () => {
    const decision = decideManualClose({ ...CLOSE, closedAs: 'not_planned', closingComment: 'We removed token auth in v3.' }, can);
    if (decision.action !== 'propose') throw new Error('expected a proposal');
    const edited = editThreats(TEXT, 'threat-model.yml', [decision.change.edit]);
    if (!edited.ok) throw new Error(edited.findings[0]!.message);
    expect(edited.text).toBe(
      TEXT.replace(
        '    status: in-progress   # since the March review\n',
        '    status: not-applicable   # since the March review\n    verification: "Issue #12 closed as not planned by lena-vogt on 2026-12-02: https://github.com/acme/app/pull/40"\n    rationale: We removed token auth in v3.\n',
      ),
    );
    expect(lintModelText(edited.text, 'threat-model.yml', { today: '2026-12-02', rules: PER_ELEMENT_OFF }).findings).toEqual([]);
  });

  it('without one: the placeholder goes in and lint fails on it until a person writes the reason', () => {
    const decision = decideManualClose({ ...CLOSE, closedAs: 'not_planned' }, can);
    if (decision.action !== 'propose') throw new Error('expected a proposal');
    const edited = editThreats(TEXT, 'threat-model.yml', [decision.change.edit]);
    if (!edited.ok) throw new Error(edited.findings[0]!.message);
    const findings = lintModelText(edited.text, 'threat-model.yml', { today: '2026-12-02', rules: PER_ELEMENT_OFF }).findings;
    expect(findings.map((f) => `${f.rule}:${f.level}@${f.start.line}`)).toEqual(['rationale-placeholder:error@19']);
  });
});

describe('rationaleFrom', () => {
  it('folds whitespace, drops control characters and HTML comments, cuts long text at a word', () => {
    expect(rationaleFrom(undefined)).toBeUndefined();
    expect(rationaleFrom(' \n <!-- only a marker --> ')).toBeUndefined();
    expect(rationaleFrom('a\u0000b\tc')).toBe('a b c');
    const long = rationaleFrom('word '.repeat(400))!;
    expect(long.length).toBeLessThanOrEqual(1000);
    expect(long.endsWith('word…')).toBe(true);
  });
});

describe('the proposal pull request text', () => {
  const change = (id: string, over: Partial<ProposedChange> = {}): ProposedChange => ({
    threatId: id,
    title: `Threat ${id} | with *markup* @someone`,
    from: 'open',
    to: 'mitigated',
    tracker: 'github',
    ticket: '#7',
    ticketUrl: 'https://github.com/acme/app/issues/7',
    closedBy: 'lena-vogt',
    closedOn: '2026-12-02',
    needsRationale: false,
    edit: { id, status: 'mitigated' },
    ...over,
  });

  it('one threat: the title names it and both statuses', () => {
    expect(renderProposalTitle([change('TM-1')])).toBe('Threat model: TM-1 Open → Mitigated (#7 closed)');
    expect(renderProposalTitle([change('TM-1', { to: 'not-applicable' })])).toBe('Threat model: TM-1 Open → Not applicable (#7 closed)');
  });

  it('many threats: a count and the first ids, within 256 characters', () => {
    const many = Array.from({ length: 40 }, (_, i) => change(`TM-${i + 1}`));
    const title = renderProposalTitle(many);
    expect(title).toBe('Threat model: status of 40 threats whose tickets were closed (TM-1, TM-2, TM-3, TM-4, TM-5, TM-6, TM-7, TM-8, +32)');
    expect(renderProposalTitle(Array.from({ length: 3 }, (_, i) => change(`${'X'.repeat(100)}${i}`))).length).toBeLessThanOrEqual(256);
  });

  it('the body: marker, one escaped row per threat with links, the placeholder warning, what merge and close do', () => {
    const body = renderProposalBody(
      [change('TM-1', { evidenceUrl: 'https://github.com/acme/app/pull/40' }), change('TM-2', { to: 'not-applicable', needsRationale: true, evidenceUrl: 'https://github.com/acme/app/commit/0123456789abcdef' })],
      { modelPath: 'threat-model.yml' },
    );
    const lines = body.split('\n');
    expect(lines[0]).toBe('<!-- threatloop:proposal threats="TM-1,TM-2" -->');
    expect(body).toContain(
      '| `TM-1` Threat TM-1 \\| with \\*markup\\* @&#8203;someone | Open → **Mitigated** | lena-vogt, 2026-12-02 | [\\#&#8203;7](https://github.com/acme/app/issues/7) · [PR #&#8203;40](https://github.com/acme/app/pull/40) |',
    );
    expect(body).toContain('Open → **Not applicable** | lena-vogt, 2026-12-02 | [\\#&#8203;7](https://github.com/acme/app/issues/7) · [commit 0123456](https://github.com/acme/app/commit/0123456789abcdef) |');
    expect(body).toContain('**Needs a reason before merging:** `TM-2` was closed as not planned without a comment.');
    expect(body).toContain('- **Close without merging** to keep the model as it is');
    expect(body).not.toMatch(/(^|[^&#\w])@someone/);
  });
});
