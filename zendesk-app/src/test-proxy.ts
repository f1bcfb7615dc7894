import { SignJWT } from 'jose';
import type { IRequestOptions } from './zaf-client';

/**
 * A stand-in for Zendesk's request proxy in tests (the browser tests use the real SDK against
 * the /preview host instead): mints the HS256 JWT from the installation's secure setting, puts
 * it where `{{jwt.token}}` stands, sends the request over real HTTP, and settles the way the SDK
 * does — resolving `{responseJSON, responseText, status, headers}` for 2xx with
 * httpCompleteResponse, rejecting a jqXHR-like `{status, statusText, responseText,
 * responseJSON}` otherwise (status 0 when nothing answered).
 */
export function createTestProxy(settings: { shared_secret: string }) {
  const sent: IRequestOptions[] = [];
  async function request(options: IRequestOptions): Promise<unknown> {
    sent.push(options);
    let token = '';
    if (options.jwt) {
      const keyName = /\{\{setting\.([a-z_]+)\}\}/.exec(String(options.jwt.secret_key))?.[1];
      const secret = keyName === 'shared_secret' ? settings.shared_secret : '';
      const now = Math.floor(Date.now() / 1000);
      const claims = (options.jwt.claims ?? {}) as Record<string, unknown>;
      token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(now)
        .setExpirationTime(now + Number(options.jwt.expiry ?? 60))
        .sign(new TextEncoder().encode(secret));
    }
    const headers = Object.fromEntries(
      Object.entries(options.headers ?? {}).map(([name, value]) => [
        name,
        value.replaceAll('{{jwt.token}}', token),
      ]),
    );
    if (typeof options.contentType === 'string') headers['Content-Type'] = options.contentType;
    let response: Response;
    try {
      response = await fetch(options.url, {
        method: options.type ?? 'GET',
        headers,
        ...(options.data === undefined ? {} : { body: String(options.data) }),
      });
    } catch {
      throw { status: 0, statusText: 'error', responseText: '' };
    }
    const responseText = await response.text();
    let responseJSON: unknown;
    try {
      responseJSON = JSON.parse(responseText);
    } catch {
      responseJSON = undefined;
    }
    const xhr = {
      status: response.status,
      statusText: response.statusText,
      responseText,
      responseJSON,
    };
    if (!response.ok) throw xhr;
    return options.httpCompleteResponse
      ? {
          responseJSON,
          responseText,
          status: response.status,
          headers: Object.fromEntries(response.headers),
        }
      : responseJSON;
  }
  return { request, sent };
}
