import { STATUS_CODES } from 'node:http';
import type { Logger } from '../logging/logger';
import type { ZendeskError } from '../helpdesks/zendesk/client/zendesk-errors';
import { zafRequestOptionsSchema } from './preview-contracts';
import type { ProxyReply, ZafRequestOptions } from './preview-contracts';
import { FALLBACK_AGENT, loadPreviewFields, loadPreviewTicket } from './preview-zendesk';
import type { PreviewZendesk } from './preview-zendesk';

/**
 * Plays the part of Zendesk's request proxy for the preview page: relative `/api/v2/...` URLs
 * are Zendesk API calls the sidebar makes with the agent's own Zendesk session (listing a
 * ticket's comments); a few read-only ones are answered through the server's Zendesk client.
 * The sidebar reaches its own server directly, so every other URL is refused with 403: the
 * proxy never becomes an open relay.
 */
export interface ProxyDeps {
  zendesk: PreviewZendesk;
  logger: Logger;
}

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
  // The sidebar calls its own server directly (same origin); nothing else goes through here.
  return refuse(
    403,
    `${options.url} is not a proxyable URI: the preview proxies Zendesk API calls only.`,
  );
}
