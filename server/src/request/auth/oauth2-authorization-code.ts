/**
 * OAuth 2.0 authorization code grant (RFC 6749 §4.1): the request side. An admin connected the
 * connection once in the console (server/src/oauth/); from then on its tokens live in the
 * encrypted token store, and this provider only asks for a usable access token per attempt.
 *
 * - Refreshing (before expiry, single-flight per connection, rotation) is the token source's job,
 *   so every run of every connector on the connection shares one refresh.
 * - A 401, or a 200 answer matching `expiredWhen`, is worth one refresh unless another caller
 *   already replaced the token this request used.
 * - A refresh token the authorization server refused is not retried: the run fails with
 *   CONNECTION_NEEDS_RECONNECT, which names what an admin has to do.
 */
import { compile as compileJmesPath, TreeInterpreter } from '@jmespath-community/jmespath';
import type { Result } from '../../../../shared/src/result';
import type { AuthConfig, AuthProvider, SendError } from '../request-types';
import type { TokenEgress } from './oauth2-client-credentials';
import { createFailingAuthProvider } from './static-auth';

export type AuthorizationCodeConfig = Extract<AuthConfig, { type: 'oauth2AuthorizationCode' }>;

/** Which connection, with its rendered auth, and how its token endpoint may be reached. */
export interface TokenRequest {
  connectionId: string;
  config: AuthorizationCodeConfig;
  egress: TokenEgress;
}

/** Where an authorization-code connection's tokens come from (server/src/oauth/connection-tokens.ts). */
export interface ConnectionTokenSource {
  /** An access token good for at least the refresh skew, refreshed first if need be. */
  accessToken(request: TokenRequest): Promise<Result<string, SendError>>;
  /**
   * The upstream refused `rejected`: a fresh token, refreshed unless another caller already
   * replaced it.
   */
  refresh(request: TokenRequest, rejected: string | undefined): Promise<Result<string, SendError>>;
}

type JsonValue = Parameters<typeof TreeInterpreter.search>[1];

/** JMESPath's own truth: false, null, "", [] and {} are false. */
function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

export function createAuthorizationCodeProvider(
  request: TokenRequest,
  tokens: ConnectionTokenSource | undefined,
): AuthProvider {
  if (!tokens) {
    return createFailingAuthProvider(
      'OAuth authorization code connections are not available on this server',
      ['authorization'],
    );
  }
  let expiredWhen: ReturnType<typeof compileJmesPath> | undefined;
  if (request.config.expiredWhen !== undefined) {
    try {
      expiredWhen = compileJmesPath(request.config.expiredWhen);
    } catch {
      // The config compiler reports a bad expression; a provider built anyway must not throw.
      return createFailingAuthProvider('The connection\'s "expiredWhen" is not valid JMESPath', [
        'authorization',
      ]);
    }
  }
  let lastIssued: string | undefined;
  return {
    authHeaderNames: ['authorization'],
    async headers() {
      const token = await tokens.accessToken(request);
      if (!token.ok) return token;
      lastIssued = token.value;
      return { ok: true, value: { authorization: `Bearer ${token.value}` } };
    },
    async onUnauthorized() {
      const refreshed = await tokens.refresh(request, lastIssued);
      return refreshed.ok ? true : refreshed.error;
    },
    isExpiredAnswer(status, json) {
      if (expiredWhen === undefined || status !== 200 || json === undefined) return false;
      try {
        return isTruthy(TreeInterpreter.search(expiredWhen, json as JsonValue));
      } catch {
        return false;
      }
    },
  };
}
