import { Router } from 'express';
import type { Request, Response } from 'express';
import type {
  ConsoleConnectionsAnswer,
  ConsoleOAuthConnection,
  ConsoleOAuthStartAnswer,
} from '../../../shared/src/console/console-contracts';
import type { CompiledConfig, CompiledConnection } from '../compile/compiled-model';
import { renderTemplateText } from '../compile/template';
import type { ParsedTemplate } from '../compile/template';
import { ApiError } from '../http/api-error';
import { requireAdmin } from '../http/authenticate';
import type { Logger } from '../logging/logger';
import { mapAuthTemplates } from '../request/auth/auth-kinds';
import type {
  AuthorizationCodeConfig,
  TokenRequest,
} from '../request/auth/oauth2-authorization-code';
import type { TokenEgress } from '../request/auth/oauth2-client-credentials';
import { CONNECT_STATE_SECONDS, createPkcePair } from './connect-states';
import type { ConnectStates } from './connect-states';
import type { ConnectionTokens } from './connection-tokens';

/**
 * The console's connect flow for `oauth2AuthorizationCode` connections:
 * - `GET /api/admin/console/connections`: each such connection's state (never a token);
 * - `POST /api/admin/console/connections/:id/oauth/start`: a console admin starts it and gets the
 *   authorize URL to send the browser to (state and PKCE made here);
 * - `GET /oauth/callback`: where the authorization server sends the browser back; the code is
 *   exchanged and the browser returns to the console, which shows the outcome.
 */

export const OAUTH_CALLBACK_PATH = '/oauth/callback';
/** The browser's half of the state binding (connect-states.ts): Lax, so the callback gets it. */
const BINDING_COOKIE = 'dc_oauth_binding';
const ID = /^[a-z][a-z0-9_-]{1,63}$/;

export interface OAuthRouteDeps {
  config: () => CompiledConfig | undefined;
  tokens: ConnectionTokens;
  states: ConnectStates;
  /** A secret's value by name, for the client id and secret templates. */
  secret: (name: string) => string | undefined;
  /** PUBLIC_URL (or the listening address) + /oauth/callback. */
  redirectUri: () => string;
  secureCookie: boolean;
  /** How this server reaches a connection's token endpoint (DNS replaced in tests). */
  egressOf: (connection: CompiledConnection) => TokenEgress;
  logger: Logger;
}

type AuthorizationCodeConnection = CompiledConnection & {
  auth: Extract<CompiledConnection['auth'], { type: 'oauth2AuthorizationCode' }>;
};

function authorizationCodeConnections(
  config: CompiledConfig | undefined,
): AuthorizationCodeConnection[] {
  return [...(config?.connections.values() ?? [])]
    .filter(
      (connection): connection is AuthorizationCodeConnection =>
        connection.auth.type === 'oauth2AuthorizationCode',
    )
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The connection's auth with its secrets filled in, as a run renders it. */
function renderConnectionAuth(
  connection: AuthorizationCodeConnection,
  secret: (name: string) => string | undefined,
): AuthorizationCodeConfig {
  const secrets = Object.fromEntries(
    connection.secretNames.flatMap((name) => {
      const value = secret(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
  const scope = { connection: connection.def.variables, secrets };
  return mapAuthTemplates(connection.auth, (template: ParsedTemplate) =>
    renderTemplateText(template, scope),
  ) as AuthorizationCodeConfig;
}

/** RFC 6749 §4.1.1, with PKCE (RFC 7636 §4.3) and the connection's extra parameters. */
export function buildAuthorizeUrl(
  config: AuthorizationCodeConfig,
  request: { redirectUri: string; state: string; codeChallenge: string | undefined },
): string {
  const url = new URL(config.authorizeUrl);
  for (const [name, value] of Object.entries(config.authorizeParams)) {
    url.searchParams.set(name, value);
  }
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  if (config.scopes.length > 0) url.searchParams.set('scope', config.scopes.join(' '));
  url.searchParams.set('state', request.state);
  if (request.codeChallenge !== undefined) {
    url.searchParams.set('code_challenge', request.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.href;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  const values = (header ?? '')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
  return values.length === 1 ? values[0] : undefined;
}

/** `/admin#/connectors?connection=…&oauth=…`: the console shows the outcome there. */
function consoleLink(query: Record<string, string>): string {
  return `/admin#/connectors?${new URLSearchParams(query).toString()}`;
}

/** Mounted at /api/admin/console/connections, behind the API's authentication. */
export function createOAuthConsoleRoutes(deps: OAuthRouteDeps): Router {
  const router = Router();
  router.use((req, _res, next) => {
    requireAdmin(req);
    next();
  });

  router.get('/', async (_req, res) => {
    const config = deps.config();
    const connections = await Promise.all(
      authorizationCodeConnections(config).map(async (connection) => {
        const status = await deps.tokens.status({
          connectionId: connection.id,
          config: renderConnectionAuth(connection, deps.secret),
        });
        const view: ConsoleOAuthConnection = {
          id: connection.id,
          ...status,
          redirectUri: deps.redirectUri(),
          connectors: [...(config?.connectors.values() ?? [])]
            .filter((connector) => connector.connection.id === connection.id)
            .map((connector) => connector.id),
        };
        return view;
      }),
    );
    const answer: ConsoleConnectionsAnswer = { connections };
    res.setHeader('Cache-Control', 'no-store').json(answer);
  });

  router.post('/:connectionId/oauth/start', async (req: Request, res: Response) => {
    const principal = req.principal;
    if (principal?.kind !== 'admin' || principal.sessionId === undefined) {
      throw new ApiError(
        'CONSOLE_SESSION_REQUIRED',
        'Connect from the admin console: the flow is tied to its session.',
      );
    }
    const id = String(req.params.connectionId);
    const connection = ID.test(id)
      ? authorizationCodeConnections(deps.config()).find((candidate) => candidate.id === id)
      : undefined;
    if (!connection) {
      throw new ApiError(
        'CONNECTION_NOT_FOUND',
        `There is no oauth2AuthorizationCode connection "${id.slice(0, 64)}".`,
      );
    }
    if (!deps.tokens.available) {
      throw new ApiError(
        'TOKEN_ENCRYPTION_KEY_MISSING',
        'Set TOKEN_ENCRYPTION_KEY on the server to store OAuth tokens (docs/deploy.md).',
      );
    }
    const missing = connection.secretNames.filter((name) => deps.secret(name) === undefined);
    if (missing.length > 0) {
      // The authorize URL would carry an empty client id: say which secret to set instead.
      throw new ApiError(
        'CONFIG_UNAVAILABLE',
        `Set the secret${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of connection "${id}" first.`,
      );
    }
    const config = renderConnectionAuth(connection, deps.secret);
    const pkce = config.pkce ? createPkcePair() : undefined;
    const redirectUri = deps.redirectUri();
    const { state, binding } = await deps.states.issue({
      connectionId: id,
      sessionId: principal.sessionId,
      user: principal.user ?? 'admin',
      codeVerifier: pkce?.verifier,
      redirectUri,
    });
    const answer: ConsoleOAuthStartAnswer = {
      authorizeUrl: buildAuthorizeUrl(config, {
        redirectUri,
        state,
        codeChallenge: pkce?.challenge,
      }),
    };
    deps.logger.info('OAuth connect started', { connectionId: id, by: principal.user ?? 'admin' });
    res
      .setHeader(
        'Set-Cookie',
        [
          `${BINDING_COOKIE}=${binding}`,
          `Path=${OAUTH_CALLBACK_PATH}`,
          'HttpOnly',
          // Lax: sent on the authorization server's top-level redirect back, never on a
          // cross-site subrequest.
          'SameSite=Lax',
          `Max-Age=${CONNECT_STATE_SECONDS}`,
          ...(deps.secureCookie ? ['Secure'] : []),
        ].join('; '),
      )
      .setHeader('Cache-Control', 'no-store')
      .json(answer);
  });

  return router;
}

/** Mounted at the app's root: `GET /oauth/callback`, authenticated by its state alone. */
export function createOAuthCallbackRoutes(deps: OAuthRouteDeps): Router {
  const router = Router();
  router.get(OAUTH_CALLBACK_PATH, async (req, res) => {
    const back = (query: Record<string, string>) =>
      res
        .setHeader(
          'Set-Cookie',
          `${BINDING_COOKIE}=; Path=${OAUTH_CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age=0`,
        )
        .setHeader('Cache-Control', 'no-store')
        // The code is in this URL: the console page must not pass it on as a Referer.
        .setHeader('Referrer-Policy', 'no-referrer')
        .redirect(303, consoleLink(query));
    const text = (name: string) => {
      const value = req.query[name];
      return typeof value === 'string' && value.length <= 4096 ? value : undefined;
    };
    const state = text('state');
    if (state === undefined) {
      back({ oauth: 'failed', reason: 'The sign-in answer carries no state.' });
      return;
    }
    const taken = await deps.states.take(state, readCookie(req.get('cookie'), BINDING_COOKIE));
    if (!taken.ok) {
      deps.logger.warn('OAuth callback refused', { code: taken.error.code });
      back({ oauth: 'failed', reason: taken.error.message });
      return;
    }
    const pending = taken.value;
    const connectionId = pending.connectionId;
    const error = text('error');
    if (error !== undefined) {
      // RFC 6749 §4.1.2.1: the admin declined, or the service refused the request.
      const code = /^[\w.-]{1,64}$/.test(error) ? error : 'error';
      deps.logger.warn('OAuth connect declined by the authorization server', {
        connectionId,
        code,
      });
      back({
        connection: connectionId,
        oauth: 'failed',
        reason:
          code === 'access_denied'
            ? 'Consent was declined.'
            : `The authorization server answered ${code}.`,
      });
      return;
    }
    const code = text('code');
    const connection = authorizationCodeConnections(deps.config()).find(
      (candidate) => candidate.id === connectionId,
    );
    if (code === undefined || !connection) {
      back({
        connection: connectionId,
        oauth: 'failed',
        reason:
          code === undefined ? 'The sign-in answer carries no code.' : 'The connection is gone.',
      });
      return;
    }
    const request: TokenRequest = {
      connectionId,
      config: renderConnectionAuth(connection, deps.secret),
      egress: deps.egressOf(connection),
    };
    const connected = await deps.tokens.connect(request, {
      code,
      redirectUri: pending.redirectUri,
      codeVerifier: pending.codeVerifier,
      user: pending.user,
    });
    if (!connected.ok) {
      deps.logger.warn('OAuth connect failed', { connectionId, reason: connected.error.message });
      back({ connection: connectionId, oauth: 'failed', reason: connected.error.message });
      return;
    }
    back({ connection: connectionId, oauth: 'connected' });
  });
  return router;
}
