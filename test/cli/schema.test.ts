import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../helpers/cli.ts';

describe('threatloop CLI router', () => {
  it('prints the JSON Schema', async () => {
    const c = captureIo();
    expect(await main(['schema'], c.io)).toBe(0);
    expect(JSON.parse(c.stdout())).toMatchObject({ title: 'threatloop threat model', type: 'object' });
  });

  it('rejects an unknown command with usage exit code 2', async () => {
    const c = captureIo();
    expect(await main(['lnit'], c.io)).toBe(2);
    expect(c.stderr()).toContain('unknown command "lnit"');
  });

  it('prints help for no command (usage error) and for --help (ok)', async () => {
    const none = captureIo();
    expect(await main([], none.io)).toBe(2);
    const help = captureIo();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('usage: threatloop <command>');
  });

  it('rejects arguments to schema', async () => {
    const c = captureIo();
    expect(await main(['schema', 'x'], c.io)).toBe(2);
  });
});
