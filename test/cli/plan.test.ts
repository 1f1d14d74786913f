import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { formatPlan } from '../../src/sync/github/format-plan.ts';
import { SMALL_MODEL } from '../sync/github/plan-simulator.ts';
import { captureIo, workdir } from '../helpers/cli.ts';


describe('threatloop plan (offline)', () => {
  test('shows what a first sync of the default model would create, one line per operation, then counts', async () => {
    const c = captureIo(workdir({ 'threat-model.yml': SMALL_MODEL }));
    expect(await main(['plan', '--today', '2026-03-01'], c.io)).toBe(0);
    const text = c.stdout();
    expect(text).toContain('+ label      severity:critical  #b60205');
    expect(text).toContain('+ milestone  Threats due 2026-03-31  due 2026-03-31');
    expect(text).toContain(
      '+ issue      [TM-22] S3 bucket misconfig leaks FASTQ/VCF  labels: threat, severity:critical, stride:information-disclosure  milestone: Threats due 2026-03-31  assignees: alice, bob',
    );
    expect(text).toContain('+ dashboard  Threat model dashboard  labels: threat-dashboard');
    expect(text.trimEnd().split('\n').at(-1)).toBe('14 writes: 9 labels to create, 1 milestone to create, 3 issues to create, dashboard to create.');
  });

  test('the model path and labels come from the config', async () => {
    const dir = workdir({
      'model/tm.yml': SMALL_MODEL,
      '.github/threatloop.yml': 'model: model/tm.yml\nissues:\n  labels:\n    prefix: "tm/"\n',
    });
    const c = captureIo(dir);
    expect(await main(['plan', '--today', '2026-03-01'], c.io)).toBe(0);
    expect(c.stdout()).toContain('First sync of model/tm.yml');
    expect(c.stdout()).toContain('+ label      tm/threat ');
  });

  test('--format json prints the operations', async () => {
    const c = captureIo(workdir({ 'threat-model.yml': SMALL_MODEL }));
    expect(await main(['plan', '--format', 'json', '--today', '2026-03-01'], c.io)).toBe(0);
    const json = JSON.parse(c.stdout()) as { operations: { op: string }[]; summary: { writes: number } };
    expect(json.operations.at(-1)).toMatchObject({ op: 'create-dashboard' });
    expect(json.summary.writes).toBe(14);
  });

  test('a model with lint errors is refused with the findings and exit 1', async () => {
    const broken = SMALL_MODEL.replace('targets: bucket', 'targets: buckett');
    const c = captureIo(workdir({ 'threat-model.yml': broken }));
    expect(await main(['plan'], c.io)).toBe(1);
    expect(c.stdout()).toBe('');
    expect(c.stderr()).toContain('buckett');
    expect(c.stderr()).toContain('nothing was planned');
  });

  test('usage errors exit 2', async () => {
    const dir = workdir({ 'threat-model.yml': SMALL_MODEL });
    for (const args of [['--format', 'yaml'], ['--today', '1 March'], ['--bogus'], ['a.yml', 'b.yml'], ['missing.yml']]) {
      const c = captureIo(dir);
      expect(await main(['plan', ...args], c.io), args.join(' ')).toBe(2);
      expect(c.stderr()).toContain('usage: threatloop plan');
    }
  });
});

describe('formatPlan', () => {
  test('edits, closes, reopens, comments and notes each read as one line', () => {
    const text = formatPlan({
      operations: [
        { op: 'update-issue', number: 12, threatId: 'TM-22', changes: { body: 'b', labels: [] }, changed: ['status: planned → in-progress'] },
        { op: 'comment', number: 12, threatId: 'TM-22', body: '**Threat changed** in abc\n\n- status' },
        { op: 'update-issue', number: 14, threatId: 'TM-9', changes: { state: 'closed', stateReason: 'not_planned' }, changed: ['closed as not planned'] },
        { op: 'update-issue', number: 15, threatId: 'TM-8', changes: { state: 'open', stateReason: 'reopened' }, changed: ['reopened'] },
        { op: 'update-dashboard', number: 3, changes: { body: 'x' } },
      ],
      notes: ['bob cannot be assigned'],
    });
    expect(text.split('\n')).toEqual([
      '~ edit     #12 TM-22  status: planned → in-progress  (body, labels)',
      '+ comment    #12 TM-22  **Threat changed** in abc',
      'x close    #14 TM-9  closed as not planned',
      '↺ reopen   #15 TM-8  reopened',
      '~ dashboard  #3  (body)',
      '',
      'Notes:',
      '- bob cannot be assigned',
      '',
      '5 writes: 1 issue to edit, 1 issue to close, 1 issue to reopen, 1 comment, dashboard to update.',
    ]);
    expect(formatPlan({ operations: [], notes: [] })).toBe('Nothing to write: GitHub already matches the model.');
  });
});

describe('threatloop plan with an acceptance that has expired', () => {
  const expired = SMALL_MODEL.replace(
    '    owner: platform\n    status: planned\n',
    '    owner: platform\n    status: accepted\n    rationale: Tokens live five minutes.\n    acceptance: { by: platform, on: 2025-06-01, expires: 2026-02-28 }\n',
  );

  test('plans the threat open with the acceptance:expired label (the error does not stop a plan, as it does not stop a sync); lint still fails', async () => {
    expect(expired).not.toBe(SMALL_MODEL);
    const c = captureIo(workdir({ 'threat-model.yml': expired }));
    expect(await main(['plan', '--today', '2026-03-01'], c.io)).toBe(0);
    expect(c.stdout()).toContain('+ label      acceptance:expired');
    expect(c.stdout()).toMatch(/\+ issue {6}\[TM-31\] Session token replay {2}labels: threat, severity:high, stride:spoofing, stride:elevation-of-privilege, acceptance:expired/);
    expect(c.stdout()).not.toMatch(/\[TM-31\].*then closed/);

    const lint = captureIo(workdir({ 'threat-model.yml': expired }));
    expect(await main(['lint', '--today', '2026-03-01'], lint.io)).not.toBe(0);
    expect(lint.stdout() + lint.stderr()).toContain('acceptance-expired');
  });
});
