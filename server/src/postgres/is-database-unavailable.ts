/**
 * Whether an error means the database cannot be reached right now (down, restarting, failing
 * over, out of connections), as opposed to a bug in a query: the API answers those with
 * 503 DATABASE_UNAVAILABLE and Retry-After, so a load balancer or client tries again.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // 08: connection exception; 57P01-03: shutdown, crash, not yet accepting; 53300: too many.
    if (/^08|^57P0[123]$|^53300$/.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) {
      return true;
    }
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
    error.message,
  );
}
