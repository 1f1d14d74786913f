/** What GitHub answered, read off an Octokit error (or any error that carries an HTTP status). */

/** The HTTP status of a failed request, or undefined for an error that never reached GitHub's answer. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const status = (error as { status: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

export function isNotFound(error: unknown): boolean {
  return httpStatus(error) === 404;
}
