/**
 * The thin typed adapter over the ZAF client (zendesk_app_framework_sdk 2.0). Everything else in
 * the app talks to Zendesk through `ZafAdapter`, so the logic modules are tested with a fake
 * `IClient` and no DOM.
 *
 * ZAF paths and events this app uses:
 * - get: `ticket` (id, subject, tags, requester…), `ticket.<path>` and
 *   `ticket.customField:custom_field_<id>` for the current, possibly unsaved, form values;
 *   `currentUser` (id, name, email, role)
 * - set: `ticket.customField:custom_field_<id>` after the server wrote a field back
 * - invoke: `resize` with `{ width: '100%', height }`
 * - events: `app.registered`, `ticket.updated`, `ticket.custom_field_<id>.changed`
 * - request: `/api/v2/tickets/<id>/comments.json` with the agent's own Zendesk session (the
 *   server's API is called directly, same origin, with the session: see server-api.ts).
 *
 * SDK facts the code relies on (lib/client.js): `request` resolves with the first of the host's
 * `responseArgs` and rejects with the first too (a jqXHR-like `{status, responseText,
 * responseJSON?}`); it has no timeout of its own. `get` with an array does not throw for a path
 * it cannot read: the failure is in `result.errors[path]`.
 */

export type IEventHandler<T = unknown> = (data: T) => void;

export interface IRequestOptions {
  url: string;
  type?: 'DELETE' | 'GET' | 'PATCH' | 'POST' | 'PUT';
  contentType?: boolean | string;
  data?: unknown;
  dataType?: 'json' | 'text';
  headers?: Record<string, string>;
  httpCompleteResponse?: boolean;
  secure?: boolean;
  cors?: boolean;
  jwt?: Record<string, unknown>;
  timeout?: number;
  autoRetry?: boolean;
}

export interface IMetadata {
  appId?: number;
  installationId?: number;
  name?: string;
  version?: string;
  settings: Record<string, unknown>;
}

/** The part of the SDK's client this app uses, typed after zaf-toolbox's `IClient`. */
export interface IClient {
  get(paths: string | string[]): Promise<Record<string, unknown>>;
  set(key: string, value: unknown): Promise<Record<string, unknown>>;
  invoke(name: string, ...args: unknown[]): Promise<unknown>;
  metadata(): Promise<IMetadata>;
  on(event: string, handler: IEventHandler): void;
  request(options: IRequestOptions): Promise<unknown>;
}

export interface ZafTicket {
  id: number;
  subject: string;
  tags: string[];
  requester: { id?: number; name?: string; email?: string } | null;
  assignee: { user?: { id?: number; name?: string } } | null;
}

export interface ZafUser {
  id: number;
  name: string;
  email: string;
  role: string;
}

export function customFieldPath(fieldId: string | number): string {
  return `ticket.customField:custom_field_${fieldId}`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

export class ZafAdapter {
  constructor(readonly client: IClient) {}

  async getTicket(): Promise<ZafTicket> {
    const result = await this.client.get('ticket');
    const ticket = asRecord(result.ticket);
    return {
      id: Number(ticket.id),
      subject: typeof ticket.subject === 'string' ? ticket.subject : '',
      tags: Array.isArray(ticket.tags) ? ticket.tags.map(String) : [],
      requester: (ticket.requester as ZafTicket['requester']) ?? null,
      assignee: (ticket.assignee as ZafTicket['assignee']) ?? null,
    };
  }

  async getCurrentUser(): Promise<ZafUser> {
    const user = asRecord((await this.client.get('currentUser')).currentUser);
    return {
      id: Number(user.id),
      name: String(user.name ?? ''),
      email: String(user.email ?? ''),
      role: String(user.role ?? ''),
    };
  }

  /**
   * Reads several paths at once; a path ZAF cannot read (a field not on this ticket's form, a
   * path this location lacks) is left out rather than failing the others.
   */
  async getValues(paths: readonly string[]): Promise<Record<string, unknown>> {
    if (paths.length === 0) return {};
    const result = await this.client.get([...paths]);
    const errors = asRecord(result.errors);
    const values: Record<string, unknown> = {};
    for (const path of paths) {
      if (!(path in errors) && path in result) values[path] = result[path];
    }
    return values;
  }

  async resize(height: number): Promise<void> {
    await this.client.invoke('resize', { width: '100%', height: `${Math.ceil(height)}px` });
  }

  on(event: string, handler: IEventHandler): void {
    this.client.on(event, handler);
  }

  request(options: IRequestOptions): Promise<unknown> {
    return this.client.request(options);
  }
}
