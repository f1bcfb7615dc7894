import { STATUS_CODES } from 'node:http';
import { SignJWT } from 'jose';
import { request } from 'undici';
import type { Logger } from '../logging/logger';
import type { ZendeskError } from '../zendesk/zendesk-errors';
import { zafRequestOptionsSchema } from './preview-contracts';
import type { ProxyReply, ZafRequestOptions } from './preview-contracts';
import { FALLBACK_AGENT, loadPreviewFields, loadPreviewTicket } from './preview-zendesk';
import type { PreviewZendesk } from './preview-zendesk';

/**
 * Plays the part of Zendesk's request proxy for the preview page, server-side, so the shared
 * secret stays on the server exactly as it does in Zendesk:
 * - relative `/api/v2/...` URLs are Zendesk API calls; a few read-only ones are answered
 *   through the server's own Zendesk client (the agent's cookie session in real Zendesk);
 * - any other URL must lie under the server's own URL (the app's domainWhitelist), and the
 *   secure setting may only be used as the JWT key (its `jwt_secret_key` scope).
 * The proxy never becomes an open relay: everything else is refused with 403.
 */
export interface ProxyDeps {
  zendesk: PreviewZendesk;
  serverUrl: () => string;
  /** The installation's secure setting, or a stand-in the server does not accept. */
  sharedSecret: string;
  logger: Logger;
  /** Default when the app sets no `timeout` (ms). */
  timeoutMs?: number;
}

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const SETTING_PLACEHOLDER = /\{\{\s*setting\.([A-Za-z0-9_]+)\s*\}\}/g;
const JWT_PLACEHOLDER = /\{\{\s*jwt\.token\s*\}\}/g;
const SECRET_SETTING = 'shared_secret';

function reply(status: number, body: unknown, headers: Record<string, string> = {}): ProxyReply {
  return {
    status,
    statusText: STATUS_CODES[status] ?? '',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    responseText: JSON.stringify(body),
  };
}

function refuse(status: number, message: string): ProxyReply {
  return reply(status, { error: 'PreviewProxyRefused', description: message });
}

function replyToZendeskError(error: ZendeskError): ProxyReply {
  if (error.code === 'ZENDESK_NOT_FOUND') {
    return reply(404, { error: 'RecordNotFound', description: 'Not found' });
  }
  return reply(error.status ?? 502, { error: error.code, description: error.message });
}

function readIncludes(url: URL): string[] {
  return (url.searchParams.get('include') ?? '').split(',').map((part) => part.trim());
}

/** The read-only Zendesk API calls the sidebar app makes, answered in Zendesk's JSON shapes. */
async function answerZendeskCall(options: ZafRequestOptions, deps: ProxyDeps): Promise<ProxyReply> {
  const method = options.type ?? 'GET';
  const url = new URL(options.url, 'https://zendesk.invalid');
  const path = url.pathname.replace(/\.json$/, '');
  if (method !== 'GET') {
    return refuse(403, `The preview proxies only GET requests to Zendesk, not ${method} ${path}.`);
  }
  let match = /^\/api\/v2\/tickets\/(\d{1,16})$/.exec(path);
  if (match) {
    const context = await deps.zendesk.getTicketContext(Number(match[1]));
    if (!context.ok) return replyToZendeskError(context.error);
    const body: Record<string, unknown> = { ticket: context.value.raw };
    if (readIncludes(url).includes('users')) {
      const requester = context.value.requester;
      body.users = requester
        ? [{ id: requester.id, name: requester.name, email: requester.email }]
        : [];
    }
    return reply(200, body);
  }
  match = /^\/api\/v2\/tickets\/(\d{1,16})\/comments$/.exec(path);
  if (match) {
    const ticket = await loadPreviewTicket(deps.zendesk, Number(match[1]));
    if (!ticket.ok) return replyToZendeskError(ticket.error);
    const comments = ticket.value.comments;
    const body: Record<string, unknown> = {
      comments: comments.map((comment) => ({
        id: comment.id,
        type: 'Comment',
        author_id: comment.authorId,
        body: comment.body,
        plain_body: comment.body,
        public: comment.public,
        created_at: comment.createdAt,
      })),
      next_page: null,
      previous_page: null,
      count: comments.length,
    };
    if (readIncludes(url).includes('users')) {
      const authors = new Map(comments.map((comment) => [comment.authorId, comment.authorName]));
      body.users = [...authors].map(([id, name]) => ({ id, name }));
    }
    return reply(200, body);
  }
  if (path === '/api/v2/users/me') {
    return reply(200, { user: FALLBACK_AGENT });
  }
  match = /^\/api\/v2\/users\/(\d{1,16})$/.exec(path);
  if (match) {
    const user = await deps.zendesk.getUser(Number(match[1]));
    if (!user.ok) return replyToZendeskError(user.error);
    const { organizationId, ...rest } = user.value;
    return reply(200, { user: { ...rest, organization_id: organizationId } });
  }
  if (path === '/api/v2/ticket_fields') {
    const fields = await deps.zendesk.listTicketFields();
    if (!fields.ok) return replyToZendeskError(fields.error);
    return reply(200, {
      ticket_fields: fields.value.map(({ options: fieldOptions, ...field }) => ({
        ...field,
        custom_field_options: fieldOptions,
      })),
      next_page: null,
      previous_page: null,
      count: fields.value.length,
    });
  }
  match = /^\/api\/v2\/ticket_fields\/(\d{1,16})$/.exec(path);
  if (match) {
    const fields = await loadPreviewFields(deps.zendesk);
    if (!fields.ok) return replyToZendeskError(fields.error);
    const field = fields.value.find((candidate) => candidate.id === Number(match?.[1]));
    if (!field) return reply(404, { error: 'RecordNotFound', description: 'Not found' });
    return reply(200, { ticket_field: { ...field, custom_field_options: field.options } });
  }
  return refuse(
    403,
    `The preview does not proxy ${path}; it serves tickets, comments, users and ticket fields.`,
  );
}

/** domainWhitelist: same origin as the server and below its base path, no userinfo. */
function isUnderServerUrl(target: URL, serverUrl: string): boolean {
  const base = new URL(serverUrl);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return (
    target.origin === base.origin &&
    !target.username &&
    !target.password &&
    (target.pathname === base.pathname || target.pathname.startsWith(basePath))
  );
}

/** Where `{{setting.x}}` appears outside the JWT key; secure settings may not be used there. */
function findMisplacedSettings(options: ZafRequestOptions): string[] {
  const places: [string, string][] = [
    ['url', options.url],
    ...Object.entries(options.headers ?? {}).map(([name, value]): [string, string] => [
      `header ${name}`,
      `${name}: ${value}`,
    ]),
    ['data', typeof options.data === 'string' ? options.data : JSON.stringify(options.data ?? '')],
    ['jwt.claims', JSON.stringify(options.jwt?.claims ?? {})],
  ];
  return places.flatMap(([place, text]) =>
    [...text.matchAll(SETTING_PLACEHOLDER)].map((found) => `{{setting.${found[1]}}} in ${place}`),
  );
}

function encodeForm(data: unknown): string {
  if (typeof data === 'string') return data;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries((data ?? {}) as Record<string, unknown>)) {
    params.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return params.toString();
}

async function mintJwt(
  jwt: NonNullable<ZafRequestOptions['jwt']>,
  sharedSecret: string,
): Promise<{ ok: true; token: string } | { ok: false; reply: ProxyReply }> {
  if (jwt.algorithm !== 'HS256') {
    return { ok: false, reply: refuse(400, `The preview signs HS256 only, not ${jwt.algorithm}.`) };
  }
  const secretKey = jwt.secret_key.replace(SETTING_PLACEHOLDER, (whole, name: string) =>
    name === SECRET_SETTING ? sharedSecret : whole,
  );
  if (/\{\{\s*setting\./.test(secretKey)) {
    return {
      ok: false,
      reply: refuse(403, `jwt.secret_key may only use {{setting.${SECRET_SETTING}}}.`),
    };
  }
  const iat = Math.floor(Date.now() / 1000);
  const builder = new SignJWT({ ...jwt.claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat);
  // Without `expiry` the token carries no exp (an assumption: Zendesk's default is not
  // documented); our server requires exp, so such a call fails visibly.
  if (jwt.expiry !== undefined) builder.setExpirationTime(iat + jwt.expiry);
  return { ok: true, token: await builder.sign(new TextEncoder().encode(secretKey)) };
}

async function readLimitedText(body: AsyncIterable<Buffer>): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function forwardToServer(options: ZafRequestOptions, deps: ProxyDeps): Promise<ProxyReply> {
  if (!URL.canParse(options.url)) return refuse(400, `${options.url} is not a URL.`);
  const target = new URL(options.url);
  if (!isUnderServerUrl(target, deps.serverUrl())) {
    // What Zendesk answers for hosts outside domainWhitelist; here it also keeps the preview
    // from becoming an open relay that signs tokens for anyone.
    return refuse(
      403,
      `${target.origin} is not a proxyable URI: it is not under the app's server URL.`,
    );
  }
  const headerNames = Object.keys(options.headers ?? {});
  const underscored = headerNames.find((name) => name.includes('_'));
  if (underscored) {
    return refuse(400, `Zendesk's proxy rejects header names with underscores (${underscored}).`);
  }
  const misplaced = options.secure ? findMisplacedSettings(options) : [];
  if (misplaced.length) {
    return refuse(
      403,
      `The secure setting "${SECRET_SETTING}" may only be used as jwt.secret_key; found ${misplaced.join(', ')}.`,
    );
  }
  const headers: Record<string, string> = { ...options.headers };
  if (options.jwt) {
    if (!options.secure) return refuse(400, 'A jwt request needs secure: true.');
    const minted = await mintJwt(options.jwt, deps.sharedSecret);
    if (!minted.ok) return minted.reply;
    for (const [name, value] of Object.entries(headers)) {
      headers[name] = value.replace(JWT_PLACEHOLDER, minted.token);
    }
  }

  const method = options.type ?? 'GET';
  let body: string | undefined;
  if (options.data !== undefined && options.data !== null) {
    if (method === 'GET' || method === 'DELETE') {
      // jQuery (which Zendesk's host uses) appends GET data to the query string.
      const query = encodeForm(options.data);
      if (query) target.search = target.search ? `${target.search}&${query}` : `?${query}`;
    } else {
      if (typeof options.data !== 'string') {
        deps.logger.warn(
          'preview proxy: request data is an object; Zendesk sends it form-encoded',
          {
            url: target.pathname,
          },
        );
      }
      body = encodeForm(options.data);
    }
  }
  if (body !== undefined && options.contentType !== false) {
    headers['content-type'] =
      typeof options.contentType === 'string'
        ? options.contentType
        : 'application/x-www-form-urlencoded; charset=UTF-8';
  }

  const timeoutMs = options.timeout || deps.timeoutMs || DEFAULT_TIMEOUT_MS;
  try {
    const response = await request(target, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readLimitedText(response.body);
    if (text === null) return refuse(502, 'The response was larger than the preview proxy allows.');
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || name === 'set-cookie') continue;
      flat[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    deps.logger.debug('preview proxy', {
      method,
      path: target.pathname,
      status: response.statusCode,
    });
    return {
      status: response.statusCode,
      statusText: STATUS_CODES[response.statusCode] ?? '',
      headers: flat,
      responseText: text,
    };
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    deps.logger.debug('preview proxy: no answer', { method, path: target.pathname, timedOut });
    return { status: 0, statusText: timedOut ? 'timeout' : 'error', headers: {}, responseText: '' };
  }
}

/** Answers one `client.request` of the app as Zendesk's proxy would. Never throws. */
export async function proxyAppRequest(rawOptions: unknown, deps: ProxyDeps): Promise<ProxyReply> {
  const parsed = zafRequestOptionsSchema.safeParse(
    typeof rawOptions === 'string' ? { url: rawOptions } : rawOptions,
  );
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`)
      .join('; ');
    return refuse(400, `The request options are not valid: ${problems}`);
  }
  const options = parsed.data;
  if (options.url.startsWith('/') && !options.url.startsWith('//')) {
    return answerZendeskCall(options, deps);
  }
  return forwardToServer(options, deps);
}
