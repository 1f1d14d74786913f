/** What a CLI command may touch: its output streams, working directory and environment. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Raw text to stderr when it is a terminal (progress bars); absent for a pipe, a file or a CI log. */
  terminal?: (text: string) => void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes: 0 clean (or warnings only), 1 findings with errors / operation failed, 2 usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface Command {
  summary: string;
  usage: string;
  run: (args: string[], io: CliIo) => number | Promise<number>;
}

/** A command module's export: the summary lives in the command table (src/cli/main.ts). */
export type CommandModule = Omit<Command, 'summary'>;

/** A command loaded only when it runs, so each command pays only for what it imports. */
export interface LazyCommand {
  summary: string;
  load: () => Promise<CommandModule>;
}

export type CommandEntry = Command | LazyCommand;
