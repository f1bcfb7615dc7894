import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { errors as joseErrors, jwtVerify } from 'jose';
import { ApiError } from './api-error';

/**
 * Two kinds of caller:
 * - the Zendesk app: Zendesk's proxy mints an HS256 JWT from the app's secure "shared secret"
 *   setting. The signature proves the request came through an installation that knows the
 *   secret; the claims do not prove anything (Zendesk signs whatever claims the browser sends),
 *   so no decision here rests on them;
 * - admins and scripts: a static admin token.
 * Both arrive as `Authorization: Bearer …`. Failures answer the same 401 whatever went wrong, so
 * a caller cannot probe which part was off; the reason goes to the server log.
 */

export type Principal =
  | { kind: 'admin' }
  | { kind: 'app'; subject: string; issuer: string | undefined }
  /** The Apex controller, through the Named Credential's secret header. */
  | { kind: 'salesforce' };

export interface AuthOptions {
  sharedSecret: string;
  adminToken: string;
  maxAgeSeconds: number;
  audience: string | undefined;
  onRejected?: (reason: string) => void;
  now?: () => number;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const CLOCK_SKEW_SECONDS = 30;

function sameSecret(given: string, expected: string): boolean {
  // Hash both sides so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function createAuthenticator(options: AuthOptions) {
  const key = new TextEncoder().encode(options.sharedSecret);
  const reject = (reason: string, code: 'AUTH_REQUIRED' | 'AUTH_INVALID'): ApiError => {
    options.onRejected?.(reason);
    return new ApiError(
      code,
      code === 'AUTH_REQUIRED'
        ? 'Authentication is required.'
        : 'The credentials were not accepted.',
      undefined,
      { 'WWW-Authenticate': 'Bearer' },
    );
  };

  async function authenticate(header: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+([^\s]+)\s*$/i.exec(header ?? '');
    if (!match) throw reject('missing bearer token', 'AUTH_REQUIRED');
    const token = match[1] as string;
    if (sameSecret(token, options.adminToken)) return { kind: 'admin' };
    const nowSeconds = Math.floor((options.now?.() ?? Date.now()) / 1000);
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(nowSeconds * 1000),
        ...(options.audience ? { audience: options.audience } : {}),
        requiredClaims: ['exp'],
      });
      // A short maximum age, whichever of iat and exp the minting side set: a token must not
      // be usable for longer than maxAgeSeconds from now, nor be older than that.
      if (
        payload.exp !== undefined &&
        payload.exp - nowSeconds > options.maxAgeSeconds + CLOCK_SKEW_SECONDS
      ) {
        throw reject('token lifetime longer than allowed', 'AUTH_INVALID');
      }
      if (
        payload.iat !== undefined &&
        nowSeconds - payload.iat > options.maxAgeSeconds + CLOCK_SKEW_SECONDS
      ) {
        throw reject('token too old', 'AUTH_INVALID');
      }
      return {
        kind: 'app',
        subject: typeof payload.sub === 'string' ? payload.sub : '',
        issuer: typeof payload.iss === 'string' ? payload.iss : undefined,
      };
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const reason =
        error instanceof joseErrors.JOSEError
          ? `${error.code}: ${error.message}`
          : 'unreadable token';
      throw reject(reason, 'AUTH_INVALID');
    }
  }

  return {
    authenticate,
    middleware: async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
      req.principal = await authenticate(req.get('authorization'));
      next();
    },
  };
}

export function requireAdmin(req: Request): void {
  if (req.principal?.kind !== 'admin') {
    throw new ApiError('FORBIDDEN', 'This endpoint needs the admin token.');
  }
}

/**
 * Salesforce's Apex controller authenticates with a secret header that the External Credential
 * adds to every callout (`X-Connector-Key`); the secret never reaches the browser. Apex runs on
 * Salesforce's servers, so once the key checks out, the user and record ids it sends are the
 * ones Salesforce vouches for. The admin token is accepted too, for scripts.
 */
export function createConnectorKeyAuthenticator(options: {
  connectorKey: string;
  adminToken: string;
  onRejected?: (reason: string) => void;
}) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const key = req.get('x-connector-key');
    if (key !== undefined) {
      if (sameSecret(key, options.connectorKey)) {
        req.principal = { kind: 'salesforce' };
        next();
        return;
      }
      options.onRejected?.('wrong X-Connector-Key');
      throw new ApiError('AUTH_INVALID', 'The credentials were not accepted.');
    }
    const match = /^Bearer\s+([^\s]+)\s*$/i.exec(req.get('authorization') ?? '');
    if (match && sameSecret(match[1] as string, options.adminToken)) {
      req.principal = { kind: 'admin' };
      next();
      return;
    }
    options.onRejected?.(match ? 'wrong admin token' : 'missing X-Connector-Key');
    throw new ApiError(
      match ? 'AUTH_INVALID' : 'AUTH_REQUIRED',
      match ? 'The credentials were not accepted.' : 'Authentication is required.',
    );
  };
}
