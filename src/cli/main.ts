#!/usr/bin/env node
/**
 * `threatloop <command>`: the CLI front door. It only routes to commands;
 * each command parses its own arguments and returns an exit code.
 */
import { pathToFileURL } from 'node:url';
import { cvssCommand } from './commands/cvss.ts';
import { diffCommand } from './commands/diff.ts';
import { evidenceCommand } from './commands/evidence.ts';
import { exportCommand } from './commands/export.ts';
import { importCommand } from './commands/import.ts';
import { lintCommand } from './commands/lint.ts';
import { planCommand } from './commands/plan.ts';
import { reportCommand } from './commands/report.ts';
import { schemaCommand } from './commands/schema.ts';
import { syncCommand } from './commands/sync.ts';
import { vexCommand } from './commands/vex.ts';
import { redactSecrets } from '../security/redact-secrets.ts';
import { EXIT, type CliIo, type Command } from './io.ts';

export const COMMANDS: Record<string, Command> = {
  cvss: cvssCommand,
  diff: diffCommand,
  evidence: evidenceCommand,
  export: exportCommand,
  import: importCommand,
  lint: lintCommand,
  plan: planCommand,
  report: reportCommand,
  schema: schemaCommand,
  sync: syncCommand,
  vex: vexCommand,
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'threatloop: threat model as code',
    '',
    'usage: threatloop <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `threatloop <command> --help` for a command’s options.',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.out(pkg.version);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`threatloop: unknown command "${name}"\n\n${help()}`);
    return EXIT.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`${command.summary}\n\nusage: ${command.usage}`);
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    // Last resort: a bug, not bad input (bad input is reported as findings). No stack for users.
    const message = error instanceof Error ? error.message : String(error);
    io.err(`threatloop ${name}: ${redactSecrets(message, [io.env.GITHUB_TOKEN, io.env.JIRA_API_TOKEN, io.env.JIRA_EMAIL])}`);
    return EXIT.failed;
  }
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  ...(process.stderr.isTTY ? { terminal: (text: string) => void process.stderr.write(text) } : {}),
  cwd: process.cwd(),
  env: process.env,
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2), processIo);
}
