import { createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { SalesforceError } from './salesforce-errors';
import type { Result } from '../../../../../shared/src/result';

/**
 * Gets the server an access token from Salesforce's token endpoint, by one of the two
 * server-to-server flows Salesforce still supports for a headless integration user:
 * - OAuth 2.0 JWT bearer: an RS256 assertion signed with the connected app's certificate key
 *   (`iss` client id, `sub` username, `aud` login or test.salesforce.com, `exp` ≤ 3 minutes);
 * - refresh token: a token issued once to the integration user through the connected app.
 * Username/password login is off by default in new orgs and is not offered.
 */

export type SalesforceCredentials =
  | {
      kind: 'jwtBearer';
      /** e.g. https://login.salesforce.com, https://test.salesforce.com or a My Domain URL. */
      loginUrl: string;
      clientId: string;
      username: string;
      /** PEM (PKCS#8 or PKCS#1) of the key whose certificate is on the connected app. */
      privateKeyPem: string;
      /** The JWT `aud`; defaults from the login URL (test.salesforce.com for sandboxes). */
      audience?: string;
    }
  | {
      kind: 'refreshToken';
      instanceUrl: string;
      /** A current access token, if one is at hand; otherwise the first call refreshes. */
      accessToken?: string;
      refreshToken: string;
      clientId: string;
      clientSecret?: string;
      loginUrl: string;
    };

export interface SalesforceSession {
  accessToken: string;
  instanceUrl: string;
}

/**
 * Loose on purpose: Salesforce adds properties to the token response over time (scope,
 * api_instance_url, …); the two the server uses are checked.
 */
const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  instance_url: z.url({ protocol: /^https?$/ }),
});

const tokenErrorSchema = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
});

const JWT_LIFETIME_SECONDS = 180;

function defaultAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname;
  return host === 'test.salesforce.com' || host.endsWith('.sandbox.my.salesforce.com')
    ? 'https://test.salesforce.com'
    : 'https://login.salesforce.com';
}

/** Reads the PEM once at start-up; a key that does not parse is a configuration bug. */
export function readPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error('The Salesforce JWT key must be an RSA private key (RS256).');
  }
  return key;
}

async function buildForm(
  credentials: SalesforceCredentials,
  privateKey: KeyObject | undefined,
  nowMs: number,
): Promise<URLSearchParams> {
  if (credentials.kind === 'refreshToken') {
    return new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: credentials.clientId,
      refresh_token: credentials.refreshToken,
      ...(credentials.clientSecret ? { client_secret: credentials.clientSecret } : {}),
    });
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(credentials.clientId)
    .setSubject(credentials.username)
    .setAudience(credentials.audience ?? defaultAudience(credentials.loginUrl))
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + JWT_LIFETIME_SECONDS)
    .sign(privateKey as KeyObject);
  return new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion,
  });
}

export interface RequestSessionOptions {
  privateKey?: KeyObject;
  timeoutMs: number;
  now: () => number;
}

/** One token request; failures come back as SALESFORCE_AUTH_FAILED or SALESFORCE_UNAVAILABLE. */
export async function requestSalesforceSession(
  credentials: SalesforceCredentials,
  options: RequestSessionOptions,
): Promise<Result<SalesforceSession, SalesforceError>> {
  const flow = credentials.kind === 'jwtBearer' ? 'JWT bearer' : 'refresh token';
  // Appended, not resolved: a login URL with a path (the sandbox's /sandbox/salesforce) keeps it.
  const url = new URL(`${credentials.loginUrl.replace(/\/+$/, '')}/services/oauth2/token`);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: await buildForm(credentials, options.privateKey, options.now()),
      // The form carries the assertion or refresh token: never replay it to another address.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    return {
      ok: false,
      error: {
        code: 'SALESFORCE_UNAVAILABLE',
        message: `Salesforce's token endpoint could not be reached: ${(error as Error).message}`,
      },
    };
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status >= 500) {
    return {
      ok: false,
      error: {
        code: 'SALESFORCE_UNAVAILABLE',
        message: `Salesforce's token endpoint answered HTTP ${response.status}.`,
      },
    };
  }
  if (!response.ok) {
    const parsed = tokenErrorSchema.safeParse(body);
    const reason = parsed.success
      ? `${parsed.data.error_description ?? parsed.data.error} (${parsed.data.error})`
      : `HTTP ${response.status}`;
    return {
      ok: false,
      error: {
        code: 'SALESFORCE_AUTH_FAILED',
        message: `Salesforce refused the ${flow} login: ${reason}. Check the SALESFORCE_* credentials.`,
      },
    };
  }
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'SALESFORCE_UNAVAILABLE',
        message: "Salesforce's token endpoint answered with an unexpected shape.",
      },
    };
  }
  return {
    ok: true,
    value: { accessToken: parsed.data.access_token, instanceUrl: parsed.data.instance_url },
  };
}
