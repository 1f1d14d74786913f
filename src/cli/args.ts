/** Usage errors from `node:util` parseArgs, in the CLI's words: an unknown option gets a did-you-mean. */
import { didYouMean } from '../model/validate.ts';

/** The message for an error parseArgs threw, given the command's options (names without dashes). */
export function describeArgsError(error: unknown, options: Readonly<Record<string, object>>): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
  if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || unknown === undefined) return message;
  const known = Object.keys(options).map((name) => `--${name}`);
  const hint = didYouMean(unknown.replace(/=.*$/, ''), known);
  return `unknown option "${unknown}"${hint ? `; did you mean "${hint}"?` : ''} (options: ${known.join(', ') || 'none'})`;
}
