import { describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../../src/cli/main.ts';
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

  it('a command that fails unexpectedly prints one line with no credential and exits 1', async () => {
    const token = 'ghs_0123456789abcdefghijklmnopqrstuvwx';
    const jiraToken = 'ATATT3xFfGF0-not-a-pattern';
    COMMANDS.boom = {
      summary: 'test only',
      usage: 'threatloop boom',
      run: () => {
        throw new Error(`request failed with token ${token} and ${jiraToken} for ops@acme.example`);
      },
    };
    try {
      const c = captureIo(process.cwd(), { GITHUB_TOKEN: token, JIRA_API_TOKEN: jiraToken, JIRA_EMAIL: 'ops@acme.example' });
      expect(await main(['boom'], c.io)).toBe(1);
      expect(c.stderr()).toMatch(/^threatloop boom: request failed/);
      for (const secret of [token, jiraToken, 'ops@acme.example']) expect(c.all()).not.toContain(secret);
    } finally {
      delete COMMANDS.boom;
    }
  });
});
