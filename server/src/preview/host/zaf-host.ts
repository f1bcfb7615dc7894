import type { PreviewState, ProxyReply } from '../preview-contracts';
import { parseJson } from '../../../../shared/src/parse-json';
import type { Result } from '../../../../shared/src/result';

/**
 * The host side of the ZAF SDK's postMessage protocol (zendesk_app_framework_sdk lib/client.js),
 * without the DOM, so it can be tested in Node:
 * - app → host: `iframe.handshake`, `iframe.on:<event>` / `iframe.off:<event>`,
 *   `{id, request: 'get'|'set'|'invoke', params}` and `{key: 'request:N', message: options}`;
 * - host → app: `zaf.app.registered`, `zaf.<event>`, `{id, result: {..., errors}}` and
 *   `zaf.request:N.done` / `.fail` with `responseArgs`, which the SDK applies to the promise's
 *   resolve / reject.
 */

export interface ZafHostDeps {
  state: PreviewState;
  /** Delivers a message to the app's iframe. */
  post(message: Record<string, unknown>): void;
  /** Sends a `client.request` through the preview proxy. */
  proxy(options: unknown): Promise<ProxyReply>;
  onResize(size: { width?: unknown; height?: unknown }): void;
  /** A custom field changed in the (unsaved) ticket form, set by the app or typed by the agent. */
  onFieldSet(fieldId: number, value: unknown, by: 'app' | 'agent'): void;
  onNotify(message: string, kind: string): void;
}

export interface ZafHost {
  receive(raw: unknown): void;
  emit(event: string, data?: unknown): void;
  /** The agent edited a field in the form. */
  setFieldByAgent(fieldId: number, value: unknown): void;
  /** Values as the ticket form currently holds them, saved or not. */
  formValue(fieldId: number): unknown;
  /**
   * The ticket was read again from Zendesk: the form holds the stored values again, except the
   * fields in `keep` (the agent's unsaved edits, which Zendesk's live update leaves alone).
   */
  replaceTicket(ticket: PreviewState['ticket'], keep?: ReadonlySet<number>): void;
  subscriptions(): Record<string, number>;
}

interface PathError {
  name: string;
  message: string;
  path: string;
}

const CUSTOM_FIELD_PATH = /^ticket\.customField:custom_field_(\d+)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseMessage(raw: unknown): Record<string, unknown> | null {
  if (isRecord(raw)) return raw;
  if (typeof raw !== 'string') return null;
  const parsed = parseJson(raw);
  return parsed.ok && isRecord(parsed.value) ? parsed.value : null;
}

function pathError(path: string, message: string): PathError {
  return { name: 'InvalidPathError', message, path };
}

/**
 * Turns a proxied answer into the arguments Zendesk's host passes to jQuery-style callbacks:
 * done → `[data, 'success', xhr]`, fail → `[xhr, textStatus, errorThrown]`. With
 * `httpCompleteResponse` the resolved value is `{responseJSON, responseText, status, headers}`.
 * Either way the first argument is what the app's promise settles with, so a 401 rejects with
 * an object whose `status` is 401 and a network failure with `status` 0.
 */
export function buildResponseArgs(
  options: Record<string, unknown>,
  reply: ProxyReply,
): { outcome: 'done' | 'fail'; responseArgs: unknown[] } {
  const contentType = reply.headers['content-type'] ?? '';
  const wantsJson =
    options.dataType === 'json' || (options.dataType === undefined && contentType.includes('json'));
  // An empty body (a 204's, say) is no JSON but no parse error either: it is not parsed at all.
  const parsed = reply.responseText === '' ? undefined : parseJson(reply.responseText);
  const responseJSON = parsed?.ok ? parsed.value : undefined;
  const xhr = {
    status: reply.status,
    statusText: reply.statusText,
    responseText: reply.responseText,
    ...(responseJSON === undefined ? {} : { responseJSON }),
    headers: reply.headers,
  };
  const succeeded = (reply.status >= 200 && reply.status < 300) || reply.status === 304;
  if (!succeeded) {
    const textStatus = reply.status === 0 ? reply.statusText || 'error' : 'error';
    return { outcome: 'fail', responseArgs: [xhr, textStatus, reply.statusText] };
  }
  if (wantsJson && parsed?.ok === false) {
    return { outcome: 'fail', responseArgs: [xhr, 'parsererror', 'SyntaxError'] };
  }
  const data = wantsJson ? responseJSON : reply.responseText;
  const value =
    options.httpCompleteResponse === true
      ? {
          responseJSON,
          responseText: reply.responseText,
          status: reply.status,
          headers: reply.headers,
        }
      : data;
  return { outcome: 'done', responseArgs: [value, 'success', xhr] };
}

export function createZafHost(deps: ZafHostDeps): ZafHost {
  const { state } = deps;
  const form = new Map<number, unknown>(
    state.fields.map((field) => [field.id, state.ticket.customFields[String(field.id)] ?? null]),
  );
  const subscribers: Record<string, number> = {};

  const emit = (event: string, data?: unknown) => deps.post({ key: `zaf.${event}`, message: data });

  function zafTicket(): Record<string, unknown> {
    const { ticket } = state;
    return {
      id: ticket.id,
      subject: ticket.subject,
      description: ticket.description,
      status: ticket.status,
      priority: ticket.priority,
      type: ticket.type,
      tags: [...ticket.tags],
      requester: ticket.requester,
      organization: ticket.organization,
      assignee: { user: ticket.assignee, group: null },
      createdAt: ticket.createdAt,
      updatedAt: ticket.updatedAt,
      comments: zafComments(),
    };
  }

  function zafComments(): Record<string, unknown>[] {
    return state.ticket.comments.map((comment) => ({
      id: comment.id,
      value: comment.body,
      author: { id: comment.authorId, name: comment.authorName },
      channel: comment.public ? 'web' : 'internal',
      imageAttachments: [],
      nonImageAttachments: [],
    }));
  }

  function readPath(path: string): Result<unknown, PathError> {
    const custom = CUSTOM_FIELD_PATH.exec(path);
    if (custom) {
      const id = Number(custom[1]);
      if (!form.has(id))
        return { ok: false, error: pathError(path, 'is not a field of this ticket form') };
      return { ok: true, value: form.get(id) };
    }
    const [root, ...rest] = path.split('.');
    let value: unknown;
    if (root === 'ticket') value = zafTicket();
    else if (root === 'currentUser') value = state.currentUser;
    else if (root === 'currentAccount') value = { subdomain: 'sandbox', planName: 'Preview' };
    else if (root === 'ticketFields') {
      value = state.fields.map((field) => ({
        name: `custom_field_${field.id}`,
        label: field.title,
        type: field.type,
        options: field.options.map((option) => ({ label: option.name, value: option.value })),
      }));
    } else return { ok: false, error: pathError(path, 'is not a path the preview knows') };
    for (const key of rest) {
      if (!isRecord(value) || !(key in value)) {
        return { ok: false, error: pathError(path, 'is not a path the preview knows') };
      }
      value = value[key];
    }
    return { ok: true, value };
  }

  function setField(id: number, value: unknown, by: 'app' | 'agent') {
    form.set(id, value);
    deps.onFieldSet(id, value, by);
    emit(`ticket.custom_field_${id}.changed`, value);
  }

  function answerGet(params: unknown): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const errors: Record<string, PathError> = {};
    for (const path of Array.isArray(params) ? params : []) {
      const read = readPath(String(path));
      if (read.ok) result[String(path)] = read.value;
      else errors[String(path)] = read.error;
    }
    return { ...result, errors };
  }

  function answerSet(params: unknown): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const errors: Record<string, PathError> = {};
    for (const [path, value] of Object.entries(isRecord(params) ? params : {})) {
      const custom = CUSTOM_FIELD_PATH.exec(path);
      const id = custom ? Number(custom[1]) : NaN;
      if (!form.has(id)) {
        errors[path] = pathError(path, 'is not a settable path in the preview');
        continue;
      }
      setField(id, value, 'app');
      result[path] = value;
    }
    return { ...result, errors };
  }

  function answerInvoke(params: unknown): Record<string, unknown> {
    const errors: Record<string, PathError> = {};
    for (const [name, args] of Object.entries(isRecord(params) ? params : {})) {
      const list: unknown[] = Array.isArray(args) ? args : [];
      if (name === 'resize') deps.onResize(isRecord(list[0]) ? list[0] : {});
      else if (name === 'notify') deps.onNotify(String(list[0] ?? ''), String(list[1] ?? 'notice'));
      else errors[name] = pathError(name, 'is not an action the preview supports');
    }
    return { errors };
  }

  async function answerRequest(key: string, options: unknown) {
    let reply: ProxyReply;
    try {
      reply = await deps.proxy(options);
    } catch {
      reply = { status: 0, statusText: 'error', headers: {}, responseText: '' };
    }
    const { outcome, responseArgs } = buildResponseArgs(
      isRecord(options) ? options : { url: options },
      reply,
    );
    deps.post({ key: `zaf.${key}.${outcome}`, message: { responseArgs } });
  }

  function register() {
    emit('app.registered', {
      metadata: {
        appId: state.appId,
        installationId: state.installationId,
        name: state.settings.title,
        version: 'preview',
        settings: { ...state.settings },
      },
      context: {
        location: 'ticket_sidebar',
        product: 'support',
        instanceGuid: state.appGuid,
        account: { subdomain: 'sandbox' },
        ticketId: state.ticket.id,
      },
    });
  }

  return {
    receive(raw) {
      const message = parseMessage(raw);
      if (!message) return;
      const key = typeof message.key === 'string' ? message.key : '';
      if (key === 'iframe.handshake') return register();
      const subscription = /^iframe\.(on|off):(.+)$/.exec(key);
      if (subscription) {
        const count = isRecord(message.message) ? Number(message.message.subscriberCount) : 0;
        subscribers[subscription[2] as string] = Number.isFinite(count) ? count : 0;
        return;
      }
      if (/^request:\d+$/.test(key)) {
        void answerRequest(key, message.message);
        return;
      }
      if (typeof message.id !== 'number') return;
      const handlers: Record<string, (params: unknown) => Record<string, unknown>> = {
        get: answerGet,
        set: answerSet,
        invoke: answerInvoke,
      };
      const handle = handlers[String(message.request)];
      if (handle) deps.post({ id: message.id, result: handle(message.params) });
    },
    emit,
    setFieldByAgent: (fieldId, value) => setField(fieldId, value, 'agent'),
    formValue: (fieldId) => form.get(fieldId),
    replaceTicket(ticket, keep = new Set()) {
      const changed = ticket.updatedAt !== state.ticket.updatedAt;
      state.ticket = ticket;
      for (const field of state.fields) {
        if (!keep.has(field.id)) form.set(field.id, ticket.customFields[String(field.id)] ?? null);
      }
      if (changed) emit('ticket.updated', state.currentUser);
    },
    subscriptions: () => ({ ...subscribers }),
  };
}
