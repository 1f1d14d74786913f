/**
 * The shared reading of `[FILE] [--config PATH] [--today]` and of the config
 * and model in the working tree, as lint, plan, report and sync use it.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { assessWorkingTree, readModelCommandInput, readWorkingTree } from '../../src/cli/model-input.ts';
import { SMALL_MODEL } from '../sync/github/plan-simulator.ts';
import { captureIo, workdir } from '../helpers/cli.ts';


const HUGE = Buffer.alloc(9 * 1024 * 1024, 0x23);

describe('readWorkingTree', () => {
  it('reads the config and the model it names; the default config is optional', () => {
    const configured = readWorkingTree(workdir({ '.github/threatloop.yml': 'model: tm/model.yml\n', 'tm/model.yml': SMALL_MODEL }), {});
    expect(configured).toMatchObject({ ok: true, input: { modelFile: 'tm/model.yml', modelText: SMALL_MODEL, configFindings: [], configText: 'model: tm/model.yml\n' } });
    const bare = readWorkingTree(workdir({ 'threat-model.yml': SMALL_MODEL }), {});
    expect(bare).toMatchObject({ ok: true, input: { modelFile: 'threat-model.yml', modelText: SMALL_MODEL } });
    expect(bare.ok && bare.input.configText).toBeUndefined();
  });

  it('missing files are usage errors naming the file and where its name came from', () => {
    expect(readWorkingTree(workdir({}), {})).toEqual({
      ok: false,
      message: 'model file not found: threat-model.yml; pass FILE or set `model` in .github/threatloop.yml',
    });
    expect(readWorkingTree(workdir({ '.github/threatloop.yml': 'model: gone.yml\n' }), {})).toEqual({
      ok: false,
      message: 'model file not found: gone.yml (the `model` in .github/threatloop.yml)',
    });
    expect(readWorkingTree(workdir({ 'm.yml': SMALL_MODEL }), { file: 'm.yml', config: 'cfg.yml' })).toEqual({ ok: false, message: 'config file not found: cfg.yml' });
  });

  it('an invalid config: its findings, the default config, and the model only when FILE names it', () => {
    const dir = workdir({ '.github/threatloop.yml': 'issues: [\n', 'threat-model.yml': SMALL_MODEL });
    const alone = readWorkingTree(dir, {});
    expect(alone.ok && alone.input.configFindings[0]).toMatchObject({ rule: 'config', file: '.github/threatloop.yml' });
    expect(alone.ok && alone.input.modelText).toBeUndefined();
    const named = readWorkingTree(dir, { file: 'threat-model.yml' });
    expect(named.ok && named.input.modelText).toBe(SMALL_MODEL);
    // The input pipeline refuses it: nothing may be planned or written with an invalid config.
    expect(named.ok && assessWorkingTree(named.input, '2026-01-01')).toMatchObject({ status: 'config-invalid', configFile: '.github/threatloop.yml' });
  });

  it('a model over the size limit is refused before it is read, as a finding', () => {
    const read = readWorkingTree(workdir({ 'big.yml': HUGE }), { file: 'big.yml' });
    expect(read.ok && read.input.modelText).toBeUndefined();
    expect(read.ok && read.input.modelFindings).toEqual([expect.objectContaining({ rule: 'file-too-large', file: 'big.yml' })]);
    expect(read.ok && assessWorkingTree(read.input, '2026-01-01')).toMatchObject({ status: 'invalid', modelPath: 'big.yml', findings: [{ rule: 'file-too-large' }] });
  });
});

describe('a config over its size limit (64 KB)', () => {
  const bigConfig = `issues:\n  enabled: true\n${'# padding\n'.repeat(7000)}`;

  it('is refused before it is read, as a finding; the model is read only when FILE names it', () => {
    const dir = workdir({ '.github/threatloop.yml': bigConfig, 'threat-model.yml': SMALL_MODEL });
    const read = readWorkingTree(dir, {});
    expect(read.ok && read.input.configFindings).toEqual([expect.objectContaining({ rule: 'file-too-large', file: '.github/threatloop.yml' })]);
    expect(read.ok && read.input.modelText).toBeUndefined();
  });

  it('lint exits 1 with the finding', async () => {
    const c = captureIo(workdir({ '.github/threatloop.yml': bigConfig, 'threat-model.yml': SMALL_MODEL }));
    expect(await main(['lint'], c.io)).toBe(1);
    expect(c.stderr() + c.stdout()).toMatch(/\.github\/threatloop\.yml:1:1 error file-too-large file is 68\.4 KB; the limit is 64\.0 KB for a config file/);
  });
});

describe('readModelCommandInput', () => {
  it('parses FILE, --config, --today and the command options', () => {
    const c = captureIo(workdir({ 'm.yml': SMALL_MODEL, 'cfg.yml': 'issues:\n  labels:\n    prefix: "tm/"\n' }));
    const read = readModelCommandInput('x', 'threatloop x', ['m.yml', '--config', 'cfg.yml', '--today', '2026-01-02', '-o', 'out.md'], c.io, {
      output: { type: 'string', short: 'o' },
    });
    expect(read).toMatchObject({ ok: true, input: { values: { output: 'out.md' }, today: '2026-01-02', modelFile: 'm.yml', configFile: 'cfg.yml' } });
    expect(read.ok && read.input.config.issues.labels.prefix).toBe('tm/');
    expect(read.ok && read.input.configSource?.file).toBe('cfg.yml');
  });

  it('usage errors are printed with the usage line', () => {
    const c = captureIo(workdir({ 'm.yml': SMALL_MODEL }));
    expect(readModelCommandInput('x', 'threatloop x [FILE]', ['m.yml', '--today', 'soon'], c.io, {})).toEqual({ ok: false, exit: 2 });
    expect(c.stderr()).toBe('threatloop x: --today must be a date written YYYY-MM-DD, not "soon"\nusage: threatloop x [FILE]');
  });
});

describe('plan and report read their input like lint', () => {
  it('a model over the size limit: exit 1 with the finding, nothing planned or written', async () => {
    const dir = workdir({ 'big.yml': HUGE });
    for (const command of ['plan', 'report']) {
      const c = captureIo(dir);
      expect(await main([command, 'big.yml'], c.io), command).toBe(1);
      expect(c.stderr()).toMatch(/^big\.yml:1:1 error file-too-large file is 9\.0 MB/);
    }
  });

  it('a missing default model names the file and how to set it', async () => {
    for (const command of ['plan', 'report']) {
      const c = captureIo(workdir({}));
      expect(await main([command], c.io), command).toBe(2);
      expect(c.stderr()).toContain(`threatloop ${command}: model file not found: threat-model.yml; pass FILE or set \`model\` in .github/threatloop.yml`);
    }
  });

  it('an unknown rule name in the config points at its line', async () => {
    const c = captureIo(workdir({ '.github/threatloop.yml': 'lint:\n  rules:\n    unscord: off\n', 'threat-model.yml': SMALL_MODEL }));
    expect(await main(['report', '--today', '2026-03-01'], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/\| 3:5 \| warning \| `lint-config` \| lint\.rules: unknown rule "unscord"/);
  });
});
