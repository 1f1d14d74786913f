// The Node.js version check, in plain JavaScript that any Node.js can load: it runs before
// anything that needs a newer runtime, so an old Node gets one clear line instead of a syntax
// error, ERR_UNKNOWN_FILE_EXTENSION or a silent exit.

/** The oldest Node.js the compiled build runs on (package.json `engines`). */
export const MINIMUM_NODE_MAJOR = 22;

/**
 * One line for a Node.js older than the minimum, else undefined.
 * @param {string} version `process.versions.node`, e.g. "20.20.2" (a leading "v" is accepted)
 * @returns {string | undefined}
 */
export function nodeVersionProblem(version) {
  const match = /^v?(\d+)\.\d+/.exec(version);
  if (!match) return `threatloop: cannot read the Node.js version "${version}"; it needs Node.js ${MINIMUM_NODE_MAJOR} or newer.`;
  if (Number(match[1]) >= MINIMUM_NODE_MAJOR) return undefined;
  return `threatloop needs Node.js ${MINIMUM_NODE_MAJOR} or newer (24 recommended); this is Node.js ${version.replace(/^v/, '')}.`;
}

/**
 * Prints the problem and ends the process with exit 1 when this Node.js is too old.
 * @param {string} [version]
 */
export function exitOnOldNode(version = process.versions.node) {
  const problem = nodeVersionProblem(version);
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
