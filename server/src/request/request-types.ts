import type { Result } from '../../../shared/src/result';
import type { ConnectionAuth } from '../../../shared/src/config/connector-config-schema';
import type { Dispatcher } from 'undici';
import type { ResponseBufferBudget } from './response-buffer-budget';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request the engine has already rendered: URL fully encoded, header values free of CR/LF. */
export interface OutboundRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * Lower-case names of headers whose value came from a secret (`{{secrets.*}}`): like the auth
   * headers, they never follow a redirect to another origin.
   */
  secretHeaders?: readonly string[];
}

export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  retryOnStatus: number[];
  retryNonIdempotent: boolean;
  /** Sum of all waits between attempts, Retry-After included. Default 30 s. */
  maxTotalWaitMs?: number;
}

export interface SendPolicy {
  /** Per attempt, redirect hops included (default 10000; config caps it at 30000). */
  timeoutMs: number;
  /** Default 1 MiB. */
  maxResponseBytes: number;
  /**
   * Exact host names or "*.example.com" wildcards, IP literals allowed if listed; an entry may name
   * its scheme and port (`https://api.example.com:8443`). See `isOriginAllowed`.
   */
  allowedHosts: string[];
  /**
   * The connection's base URL origin: a bare entry allows this scheme, and this port for the base
   * URL's own host (the scheme's default port for any other host). Defaults to the request's.
   */
  baseOrigin?: string;
  /** Sandbox/local upstreams only: lets requests reach loopback and private addresses. */
  allowPrivateNetwork: boolean;
  /** Default 5. */
  maxRedirects: number;
  retry: RetryPolicy;
}

/** A connection's auth with its templates rendered: secrets are resolved to strings. */
export type AuthConfig = ConnectionAuth;

export type SendErrorCode =
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_CONNECTION_FAILED'
  | 'UPSTREAM_RESPONSE_TOO_LARGE'
  /** The server-wide budget for response bodies being received was full (see response-buffer-budget). */
  | 'UPSTREAM_RESPONSE_BUDGET_EXCEEDED'
  /** The JSON answer nests deeper than the server reads (MAX_JSON_DEPTH levels). */
  | 'UPSTREAM_RESPONSE_TOO_DEEP'
  | 'UPSTREAM_HOST_NOT_ALLOWED'
  | 'UPSTREAM_ADDRESS_BLOCKED'
  | 'UPSTREAM_TOO_MANY_REDIRECTS'
  | 'UPSTREAM_REDIRECT_BLOCKED'
  | 'UPSTREAM_RETRIES_EXHAUSTED'
  | 'UPSTREAM_AUTH_FAILED'
  /** An authorization-code connection no admin has connected yet (or whose settings changed since). */
  | 'CONNECTION_NOT_CONNECTED'
  /** The authorization server refused the connection's refresh token: an admin must connect again. */
  | 'CONNECTION_NEEDS_RECONNECT'
  | 'UPSTREAM_INVALID_URL'
  /** The rendered request itself is unsendable (CR/LF in a header, framing header set by hand). */
  | 'UPSTREAM_INVALID_REQUEST'
  /** The caller's AbortSignal fired (for example the client went away). */
  | 'UPSTREAM_ABORTED';

export interface SendError {
  code: SendErrorCode;
  /** Safe for admins: names hosts, never secrets, auth headers or query strings. */
  message: string;
  status?: number;
}

export interface AttemptRecord {
  attempt: number;
  status?: number;
  errorCode?: string;
  /** Time slept after this attempt before the next one. */
  waitedMs?: number;
  reason: string;
}

export type SendResult =
  | {
      ok: true;
      status: number;
      headers: Record<string, string>;
      contentType: string | null;
      bodyText: string;
      json: unknown | undefined;
      attempts: AttemptRecord[];
      durationMs: number;
      finalUrl: string;
    }
  | {
      ok: false;
      error: SendError;
      status?: number;
      headers?: Record<string, string>;
      bodyText?: string;
      json?: unknown;
      attempts: AttemptRecord[];
      durationMs: number;
    };

export interface LookupAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has (dns.lookup with `all: true`). Injectable for tests. */
export type HostLookup = (hostname: string) => Promise<LookupAddress[]>;

export interface AuthProvider {
  /** Headers to add to the request; a token endpoint failure is UPSTREAM_AUTH_FAILED. */
  headers(): Promise<Result<Record<string, string>, SendError>>;
  /**
   * Called once after the upstream answered 401 (or `isExpiredAnswer` said so); true when fresh
   * credentials are ready, false to let the connector judge the answer, an error to fail the
   * request with it (the connection must be reconnected).
   */
  onUnauthorized(): Promise<boolean | SendError>;
  /**
   * For services that say "token expired" in a 200 JSON body instead of a 401: true when this
   * answer means the credentials must be refreshed (one refresh and one retry, as a 401).
   */
  isExpiredAnswer?(status: number, json: unknown): boolean;
  /** Lower-case names of the headers `headers()` adds, stripped on cross-origin redirects. */
  readonly authHeaderNames: string[];
}

export interface SendOptions {
  auth: AuthProvider;
  /**
   * Told every credential value the request carries (each auth header's value, and the token after
   * its scheme), so the redactor can mask it wherever an upstream echoes it back.
   */
  onCredential?: (value: string) => void;
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  lookup?: HostLookup;
  /**
   * Replaces the DNS-pinning agent (for example undici's MockAgent). The allowlist and IP-literal checks
   * still run, but resolved addresses are then not checked: never pass one in production.
   */
  dispatcher?: Dispatcher;
  /** Shared by every run in the server; without it only `maxResponseBytes` bounds a body. */
  responseBudget?: ResponseBufferBudget;
}
