/**
 * `threatloop <command>`: the CLI front door. It only routes to commands;
 * each command parses its own arguments and returns an exit code. Commands
 * are loaded when they run (dynamic imports), so `cvss` does not pay for
 * Octokit, jira.js or the report renderer.
 */
import { didYouMean } from '../model/validate.ts';
import { redactSecrets } from '../security/redact-secrets.ts';
import { EXIT, type CliIo, type Command, type CommandEntry } from './io.ts';

/** The command table: a summary for `--help`, and the module that runs it, loaded on use. */
export const COMMANDS: Record<string, CommandEntry> = {
  cvss: { summary: 'score CVSS v3.0/v3.1/v4.0 vectors', load: async () => (await import('./commands/cvss.ts')).cvssCommand },
  diff: { summary: 'the threats added, removed and changed between two models or two git revisions', load: async () => (await import('./commands/diff.ts')).diffCommand },
  evidence: { summary: "build the auditor's evidence pack from GitHub (report, traceability, model, SARIF, manifest)", load: async () => (await import('./commands/evidence.ts')).evidenceCommand },
  export: { summary: 'write the model as Open Threat Model, CycloneDX TM-BOM or CSV', load: async () => (await import('./commands/export.ts')).exportCommand },
  import: { summary: 'turn a threat model from another tool, or a spreadsheet (CSV), into threat-model.yml', load: async () => (await import('./commands/import.ts')).importCommand },
  lint: { summary: 'check the threat model (schema, references, CVSS, closure checklist)', load: async () => (await import('./commands/lint.ts')).lintCommand },
  plan: { summary: 'show what a GitHub sync would write (a dry run)', load: async () => (await import('./commands/plan.ts')).planCommand },
  report: { summary: 'write the threat model report: Markdown, self-contained HTML, or the traceability matrix as CSV', load: async () => (await import('./commands/report.ts')).reportCommand },
  schema: { summary: 'print the JSON Schema of threat-model.yml (for editors)', load: async () => (await import('./commands/schema.ts')).schemaCommand },
  sync: { summary: 'apply the GitHub issue sync with a token (GITHUB_TOKEN)', load: async () => (await import('./commands/sync.ts')).syncCommand },
  vex: { summary: 'write a CycloneDX VEX document for the CVEs that mitigated threats answer', load: async () => (await import('./commands/vex.ts')).vexCommand },
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

/** A table entry as a runnable command: a lazy one is loaded, a plain Command is itself. */
async function resolveCommand(entry: CommandEntry): Promise<Command> {
  return 'load' in entry ? { summary: entry.summary, ...(await entry.load()) } : entry;
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
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    const hint = didYouMean(name, Object.keys(COMMANDS));
    io.err(`threatloop: unknown command "${name}"${hint ? `; did you mean "${hint}"?` : ''}\n\n${help()}`);
    return EXIT.usage;
  }
  try {
    const command = await resolveCommand(entry);
    if (args.includes('--help') || args.includes('-h')) {
      io.out(`${command.summary}\n\nusage: ${command.usage}`);
      return EXIT.ok;
    }
    return await command.run(args, io);
  } catch (error) {
    // Last resort: a bug, not bad input (bad input is reported as findings). No stack for users.
    const message = error instanceof Error ? error.message : String(error);
    io.err(`threatloop ${name}: ${redactSecrets(message, [io.env.GITHUB_TOKEN, io.env.JIRA_API_TOKEN, io.env.JIRA_EMAIL])}`);
    return EXIT.failed;
  }
}
