// `threatloop cvss VECTOR...`: score CVSS v3.0/v3.1/v4.0 vectors from the command line.
import { scoreCvss, type CvssResult } from '../../model/cvss/index.ts';
import { RATING_NAME } from '../../render/display-names.ts';
import { EXIT, type CommandModule } from '../io.ts';

export const CVSS_USAGE = 'threatloop cvss VECTOR [VECTOR...]';

const HELP = [
  `usage: ${CVSS_USAGE}`,
  '',
  'Scores each CVSS vector and prints: normalised vector, version, score, severity.',
  'Prefix CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/ selects the version; an unprefixed vector',
  '(AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N) is read as CVSS 3.1. v3.x prints the base score;',
  'v4.0 prints the score of all metrics given (CVSS-B/BT/BE/BTE).',
  'Exit status: 0 all vectors valid, 1 some vector malformed, 2 usage error.',
];

/**
 * Scores every argument. One line per valid vector on `out` (columns aligned with spaces):
 * `VECTOR  version  score  Severity`; one line per malformed vector on `err`: `VECTOR: message`.
 * Returns 0, 1 if any vector was malformed, 2 (usage on `err`) when no vector is given.
 */
export function runCvss(args: string[], io: { out: (line: string) => void; err: (line: string) => void }): number {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    for (const line of HELP) io.out(line);
    return EXIT.ok;
  }
  if (args.length === 0) {
    io.err(`no vector given\nusage: ${CVSS_USAGE}`);
    return EXIT.usage;
  }
  const results: CvssResult[] = args.map((arg) => scoreCvss(arg));
  let width = 0;
  for (const r of results) if (r.ok) width = Math.max(width, r.value.vector.length);
  let failed = false;
  results.forEach((r, i) => {
    if (r.ok) {
      const { vector, version, score, severity } = r.value;
      io.out(`${vector.padEnd(width)}  ${version}  ${score.toFixed(1).padStart(4)}  ${RATING_NAME[severity]}`);
    } else {
      failed = true;
      io.err(`${args[i]}: ${r.error.message}`);
    }
  });
  return failed ? EXIT.failed : EXIT.ok;
}

/** The same, in the shape of the CLI's command table (src/cli/io.ts). */
export const cvssCommand: CommandModule = {
  usage: CVSS_USAGE,
  run: (args, io) => runCvss(args, io),
};
