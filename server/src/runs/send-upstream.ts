import type { Agent } from 'undici';
import { memoizePerObject } from '../../../shared/src/memoize-per-object';
import type { CompiledConnection } from '../compile/compiled-model';
import { createAuthProvider, createTokenCache } from '../request/auth/create-auth-provider';
import type { TokenCache } from '../request/auth/create-auth-provider';
import type { ConnectionTokenSource } from '../request/auth/oauth2-authorization-code';
import type { HostLookup, SendPolicy } from '../request/request-types';
import { sendRequest } from '../request/send-request';
import type { ResponseBufferBudget } from '../request/response-buffer-budget';
import { createEgressAgent } from '../request/ssrf-guard';
import type { SendUpstream } from './run-connector';

/**
 * Keeps one DNS-pinning egress agent (with its connection pool) and one OAuth token cache per
 * connection, so runs reuse sockets and tokens. A config reload that changes a connection gets
 * fresh ones; the old agent is closed once its in-flight requests are done.
 */
export interface UpstreamSender {
  send: SendUpstream;
  close(): Promise<void>;
}

interface Egress {
  /** The connection's settings as JSON: a reload that leaves them unchanged keeps pool and tokens. */
  signature: string;
  agent: Agent;
  tokenCache: TokenCache;
}

export function createUpstreamSender(
  options: {
    lookup?: HostLookup;
    sleep?: (ms: number) => Promise<void>;
    responseBudget?: ResponseBufferBudget;
    /** Credentials as they went on the wire (runtime OAuth tokens included), for the redactor. */
    onCredential?: (value: string) => void;
    /** Stored tokens of `oauth2AuthorizationCode` connections (server/src/oauth/). */
    connectionTokens?: ConnectionTokenSource;
  } = {},
): UpstreamSender {
  const egress = new Map<string, Egress>();
  // A compiled connection never changes (a reload compiles new ones), so its settings are
  // serialised once, not on every run.
  const signatureOf = memoizePerObject((connection: CompiledConnection): string =>
    JSON.stringify(connection.def),
  );

  const egressFor = (connection: CompiledConnection): Egress => {
    const signature = signatureOf(connection);
    const current = egress.get(connection.id);
    if (current && current.signature === signature) return current;
    if (current) void current.agent.close().catch(() => undefined);
    const next: Egress = {
      signature,
      agent: createEgressAgent({
        allowPrivateNetwork: connection.def.allowPrivateNetwork,
        timeoutMs: connection.def.timeoutMs,
        ...(options.lookup ? { lookup: options.lookup } : {}),
      }),
      tokenCache: createTokenCache(),
    };
    egress.set(connection.id, next);
    return next;
  };

  return {
    send: (connector, request, auth) => {
      const connection = connector.connection;
      const { agent, tokenCache } = egressFor(connection);
      const policy: SendPolicy = {
        timeoutMs: connection.def.timeoutMs,
        maxResponseBytes: connection.def.maxResponseBytes,
        allowedHosts: connection.allowedHosts,
        baseOrigin: connection.baseUrl.origin,
        allowPrivateNetwork: connection.def.allowPrivateNetwork,
        maxRedirects: 5,
        retry: connector.def.retry,
      };
      return sendRequest(request, policy, {
        auth: createAuthProvider(auth, {
          tokenCache,
          authorizationCode: { connectionId: connection.id, tokens: options.connectionTokens },
          egress: {
            timeoutMs: connection.def.timeoutMs,
            allowPrivateNetwork: connection.def.allowPrivateNetwork,
            ...(options.lookup ? { lookup: options.lookup } : {}),
          },
        }),
        dispatcher: agent,
        ...(options.lookup ? { lookup: options.lookup } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.responseBudget ? { responseBudget: options.responseBudget } : {}),
        ...(options.onCredential ? { onCredential: options.onCredential } : {}),
      });
    },
    close: async () => {
      await Promise.all(
        [...egress.values()].map((entry) => entry.agent.close().catch(() => undefined)),
      );
      egress.clear();
    },
  };
}
