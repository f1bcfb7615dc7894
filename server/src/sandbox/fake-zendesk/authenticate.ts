import { timingSafeEqual } from 'node:crypto';

/** What the fake accepts as credentials. */
export interface FakeZendeskCredentials {
  /** Email of the API user (must be an agent or admin in the data). */
  email: string;
  apiToken: string;
  /** OAuth access tokens accepted as `Bearer`; they act as the same API user. */
  oauthAccessTokens: string[];
}

export type AuthorizationKind = 'basic' | 'bearer' | 'other' | 'none';

export function classifyAuthorization(header: string | undefined): AuthorizationKind {
  if (!header) return 'none';
  if (/^basic /i.test(header)) return 'basic';
  if (/^bearer /i.test(header)) return 'bearer';
  return 'other';
}

function equalSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks an Authorization header the way the docs describe the two supported schemes:
 * API token as Basic `{email}/token:{api_token}`, and OAuth as `Bearer {access_token}`.
 * Returns the email of the authenticated user, or null.
 */
export function authenticateRequest(
  header: string | undefined,
  credentials: FakeZendeskCredentials,
): string | null {
  const kind = classifyAuthorization(header);
  if (!header || kind === 'none' || kind === 'other') return null;
  const value = header.slice(header.indexOf(' ') + 1).trim();
  if (kind === 'bearer') {
    return credentials.oauthAccessTokens.some((token) => equalSecret(value, token))
      ? credentials.email
      : null;
  }
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return null;
  const user = decoded.slice(0, separator);
  const secret = decoded.slice(separator + 1);
  const suffix = '/token';
  if (!user.endsWith(suffix)) return null; // password auth is deprecated and not offered
  const email = user.slice(0, -suffix.length);
  return email.toLowerCase() === credentials.email.toLowerCase() &&
    equalSecret(secret, credentials.apiToken)
    ? credentials.email
    : null;
}
