/**
 * The "many keys under one map" model of the denial-of-service finding: about
 * half a megabyte of `kN: v` entries under `system.context` (or at the top
 * level), optionally with one duplicate key at the end and an anchor (which
 * sends the file to the `yaml` reader instead of the fast one).
 */
export function manyKeysModel(options: { keys: number; duplicate?: boolean; anchor?: boolean; topLevel?: boolean }): string {
  const indent = options.topLevel ? '' : '    ';
  const lines = Array.from({ length: options.keys }, (_, i) => `${indent}k${i}: v`);
  if (options.duplicate) lines.push(`${indent}k7: again`);
  const head = options.topLevel
    ? `version: 1\nsystem:\n  name: ${options.anchor ? '&name ' : ''}Many keys\n`
    : `version: 1\nsystem:\n  name: ${options.anchor ? '&name ' : ''}Many keys\n  context:\n`;
  return `${head}${lines.join('\n')}\n`;
}
