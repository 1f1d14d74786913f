/**
 * Takes credentials out of text that leaves the process: log lines, check-run
 * summaries, CLI output. Error messages from GitHub (or anything in between)
 * may echo a token or key back; the app and the sync both pass such text
 * through here before showing it.
 */
const SECRET_PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\bgh[pousr]_[A-Za-z0-9_]{16,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g,
  /\b(authorization|token|bearer|basic)\s*[:=]?\s*(bearer\s+|basic\s+|token\s+)?[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** `known`: credentials this process holds (a token, an email used for Basic auth), taken out wherever they appear. */
export function redactSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  let out = SECRET_PATTERNS.reduce((result, pattern) => result.replace(pattern, '[redacted]'), text);
  for (const secret of known) if (secret) out = out.split(secret).join('[redacted]');
  return out;
}
