import type { AuthProvider, SendError } from '../request-types';
import type { Result } from '../../../../shared/src/result';

/**
 * A provider whose headers never change (none, bearer, basic, API key). A 401 cannot be fixed by asking
 * again, so `onUnauthorized` always says no and the response goes to the connector's rules.
 */
export function createStaticAuthProvider(headers: Record<string, string>): AuthProvider {
  const lowerCased = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    headers: (): Promise<Result<Record<string, string>, SendError>> =>
      Promise.resolve({ ok: true, value: { ...lowerCased } }),
    onUnauthorized: () => Promise.resolve(false),
    authHeaderNames: Object.keys(lowerCased),
  };
}

/** A provider that can never produce headers, for configurations that are wrong in a way we can name. */
export function createFailingAuthProvider(
  message: string,
  authHeaderNames: string[],
): AuthProvider {
  return {
    headers: () => Promise.resolve({ ok: false, error: { code: 'UPSTREAM_AUTH_FAILED', message } }),
    onUnauthorized: () => Promise.resolve(false),
    authHeaderNames,
  };
}

/** HTTP Basic credentials (RFC 7617): UTF-8 `user:password`, base64-encoded. */
export function encodeBasicCredentials(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}
