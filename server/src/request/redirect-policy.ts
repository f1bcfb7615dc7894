/**
 * Redirects are followed by our code rather than undici's so that every hop passes the allowlist and SSRF
 * checks, and so credentials never follow a redirect to another origin: an upstream (or anyone able to
 * inject a Location header) could otherwise collect the connection's token by redirecting to a host it
 * controls. Once stripped, credentials stay stripped for the rest of the chain, even if it comes back.
 */
import type { HttpMethod } from './request-types';
import type { Result } from '../../../shared/src/result';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Headers that carry credentials whatever the auth type, on top of those the auth provider added. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language'];

/** One request on the wire; header names are lower-case. */
export interface Hop {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** False once a cross-origin redirect removed the credentials. */
  carriesCredentials: boolean;
}

export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

export type RedirectPlan = Result<Hop, { message: string }>;

/**
 * The next hop for a redirect response. 303 always becomes GET (HEAD stays HEAD); 301/302 turn a POST
 * into a GET, as browsers do; 307/308 keep method and body. An https request never follows a redirect
 * to http: whatever it carries (a body, a token in the URL) would cross the network in clear text.
 * Allowlist and SSRF checks are the caller's.
 *
 * @param secretHeaderNames headers that carry credentials: the auth provider's, and any header the
 *   connector filled from a secret. All are dropped on any change of scheme, host or port.
 */
export function planRedirect(
  current: Hop,
  status: number,
  location: string,
  secretHeaderNames: readonly string[],
): RedirectPlan {
  let target: URL;
  try {
    target = new URL(location, current.url);
  } catch {
    return { ok: false, error: { message: 'The upstream redirected to an invalid Location' } };
  }
  target.hash = '';
  if (current.url.protocol === 'https:' && target.protocol === 'http:') {
    return {
      ok: false,
      error: {
        message: `${current.url.host} redirected from https to http (${target.host}); a redirect may not drop TLS`,
      },
    };
  }

  const headers = { ...current.headers };
  let method = current.method;
  let body = current.body;
  const becomesGet =
    (status === 303 && method !== 'HEAD') ||
    ((status === 301 || status === 302) && method === 'POST');
  if (becomesGet) {
    method = 'GET';
    body = undefined;
    for (const name of BODY_HEADERS) delete headers[name];
  }

  let carriesCredentials = current.carriesCredentials;
  if (target.origin !== current.url.origin) {
    for (const name of [...CREDENTIAL_HEADERS, ...secretHeaderNames]) {
      delete headers[name.toLowerCase()];
    }
    carriesCredentials = false;
  }

  const hop: Hop = { method, url: target, headers, carriesCredentials };
  if (body !== undefined) hop.body = body;
  return { ok: true, value: hop };
}
