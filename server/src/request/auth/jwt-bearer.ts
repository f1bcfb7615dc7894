/**
 * JWT bearer grant (RFC 7523 §2.1), as Google service accounts use it: the server signs a short-lived
 * RS256 assertion with the account's private key and trades it for an access token.
 *
 * - The private key never leaves the process: only the signed assertion is sent, and a key that cannot
 *   be read fails with a message that says which kind of key is expected, never what was given.
 * - The assertion lives at most an hour (Google refuses longer ones) and is signed afresh for each
 *   token request, so a captured assertion is worth little.
 * - Caching, single-flight and the one refresh on a 401 are the client credentials grant's
 *   (`createCachedTokenProvider`), so both grants behave the same under load.
 */
import { createHash } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import type { Result } from '../../../../shared/src/result';
import type { AuthConfig, AuthProvider, SendError } from '../request-types';
import {
  authFailed,
  createCachedTokenProvider,
  requestToken,
  type TokenCache,
  type TokenEgress,
} from './oauth2-client-credentials';

type JwtBearerConfig = Extract<AuthConfig, { type: 'jwtBearer' }>;

export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google's limit, and RFC 7523 §3 asks for a short one anyway. */
const ASSERTION_LIFETIME_S = 3600;

export function createJwtBearerProvider(
  config: JwtBearerConfig,
  deps: { tokenCache: TokenCache; egress: TokenEgress; now: () => number },
): AuthProvider {
  // A hash of every setting, so a rotated key or a changed scope never reuses an old token.
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        'jwtBearer',
        config.tokenUrl,
        config.issuer,
        config.subject,
        config.scopes,
        config.audience,
        config.privateKey,
        config.keyId,
      ]),
    )
    .digest('hex');
  return createCachedTokenProvider(key, deps, async () => {
    const assertion = await signAssertion(config, deps.now);
    if (!assertion.ok) return assertion;
    const form = new URLSearchParams({
      grant_type: JWT_BEARER_GRANT_TYPE,
      assertion: assertion.value,
    });
    return requestToken(
      { tokenUrl: config.tokenUrl, form, clientHeaders: {} },
      key,
      deps.egress,
      deps.now,
    );
  });
}

/** Signs the grant's assertion: iss, sub, aud, scope, iat and exp, RS256, with `kid` when given. */
export async function signAssertion(
  config: JwtBearerConfig,
  now: () => number,
): Promise<Result<string, SendError>> {
  let key: CryptoKey;
  try {
    // A key pasted from the JSON file's "private_key" string keeps its escaped newlines.
    key = await importPKCS8(config.privateKey.replaceAll('\\n', '\n').trim(), 'RS256');
  } catch {
    // jose's message may quote the input; this one cannot.
    return authFailed(
      'The jwtBearer private key is not a PEM PKCS#8 RSA key (-----BEGIN PRIVATE KEY-----, as in a Google key file\'s "private_key")',
    );
  }
  const issuedAt = Math.floor(now() / 1000);
  const jwt = new SignJWT(config.scopes.length > 0 ? { scope: config.scopes.join(' ') } : {})
    .setProtectedHeader({
      alg: 'RS256',
      typ: 'JWT',
      ...(config.keyId ? { kid: config.keyId } : {}),
    })
    .setIssuer(config.issuer)
    .setAudience(config.audience ?? config.tokenUrl)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ASSERTION_LIFETIME_S);
  if (config.subject) jwt.setSubject(config.subject);
  return { ok: true, value: await jwt.sign(key) };
}
