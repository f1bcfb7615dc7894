import type { AuthConfig, AuthProvider } from '../request-types';
import {
  createClientCredentialsProvider,
  createTokenCache,
  type TokenCache,
  type TokenEgress,
} from './oauth2-client-credentials';
import { createAuthorizationCodeProvider } from './oauth2-authorization-code';
import type { ConnectionTokenSource } from './oauth2-authorization-code';
import { createJwtBearerProvider } from './jwt-bearer';
import {
  createFailingAuthProvider,
  createStaticAuthProvider,
  encodeBasicCredentials,
} from './static-auth';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface AuthDeps {
  /**
   * The connection's token cache (see `createTokenCache`). Without one, an OAuth token lives only as long
   * as this provider, so every run fetches a new one.
   */
  tokenCache?: TokenCache;
  /** How to reach an OAuth token endpoint. Defaults: 10 s timeout, public addresses only. */
  egress?: TokenEgress;
  now?: () => number;
  /** For `oauth2AuthorizationCode`: the connection's id and where its stored tokens come from. */
  authorizationCode?: { connectionId: string; tokens: ConnectionTokenSource | undefined };
}

/**
 * Turns a connection's auth settings (secrets already resolved) into the headers for each attempt.
 *
 * @example
 * const tokenCache = tokenCachesByConnectionId.get(connection.id); // one per connection, long-lived
 * const auth = createAuthProvider(
 *   { type: 'oauth2ClientCredentials', tokenUrl, clientId, clientSecret, scope: 'orders.read' },
 *   { tokenCache, egress: { timeoutMs: 10_000, allowPrivateNetwork: false } },
 * );
 * const result = await sendRequest(request, policy, { auth });
 */
const DEFAULT_EGRESS: TokenEgress = { timeoutMs: 10_000, allowPrivateNetwork: false };

/** What the token-fetching kinds (client credentials, JWT bearer) share, with the defaults. */
function tokenDeps(deps: AuthDeps): {
  tokenCache: TokenCache;
  egress: TokenEgress;
  now: () => number;
} {
  return {
    tokenCache: deps.tokenCache ?? createTokenCache(),
    egress: deps.egress ?? DEFAULT_EGRESS,
    now: deps.now ?? Date.now,
  };
}

export function createAuthProvider(config: AuthConfig, deps: AuthDeps = {}): AuthProvider {
  switch (config.type) {
    case 'none':
      return createStaticAuthProvider({});
    case 'bearer':
      return createStaticAuthProvider({ authorization: `Bearer ${config.token}` });
    case 'basic':
      // RFC 7617: a colon in the user-id would make the server split the credentials in the wrong place.
      if (config.username.includes(':')) {
        return createFailingAuthProvider('The Basic auth username must not contain ":"', [
          'authorization',
        ]);
      }
      return createStaticAuthProvider({
        authorization: `Basic ${encodeBasicCredentials(config.username, config.password)}`,
      });
    case 'apiKeyHeader':
      if (!HEADER_NAME.test(config.header)) {
        return createFailingAuthProvider('The API key header name is not a valid header name', []);
      }
      return createStaticAuthProvider({ [config.header]: config.value });
    case 'oauth2ClientCredentials':
      return createClientCredentialsProvider(config, tokenDeps(deps));
    case 'oauth2AuthorizationCode':
      return createAuthorizationCodeProvider(
        {
          connectionId: deps.authorizationCode?.connectionId ?? '',
          config,
          egress: deps.egress ?? DEFAULT_EGRESS,
        },
        deps.authorizationCode?.tokens,
      );
    case 'jwtBearer':
      return createJwtBearerProvider(config, tokenDeps(deps));
  }
}

export { createTokenCache, type TokenCache, type TokenEgress };
