import { z } from 'zod';
import { buildTicketContext } from './ticket-context';
import type { TicketContext } from './ticket-context';
import type { ZendeskError } from './zendesk-errors';
import type { Result } from '../../../../../shared/src/result';
import { createZendeskTransport } from './zendesk-http';
import type { ZendeskAuthSource } from './zendesk-oauth-refresh';
import type { ZendeskRequest, ZendeskResponse } from './zendesk-http';
import type { RateBudget } from '../../../pacing/rate-budget';
import type { RunLane } from '../../../pacing/run-lane';
import { TICKET_UPDATES_BUCKET } from './zendesk-rate-limits';
import {
  commentPageSchema,
  groupMembershipPageSchema,
  jobStatusResponseSchema,
  organizationMembershipPageSchema,
  showCustomRoleResponseSchema,
  showGroupResponseSchema,
  showTicketResponseSchema,
  showUserResponseSchema,
  ticketFieldPageSchema,
  updateTicketResponseSchema,
} from './zendesk-schemas';
import { searchCountSchema, searchExportPageSchema } from './search-schemas';

export type ZendeskAuth =
  | { kind: 'apiToken'; email: string; apiToken: string }
  | { kind: 'oauth'; accessToken: string }
  /** Expiring OAuth tokens, refreshed by `source` (zendesk-oauth-refresh.ts). */
  | { kind: 'oauthRefresh'; source: ZendeskAuthSource };

export interface ZendeskClientOptions {
  /** e.g. https://acme.zendesk.com, or http://127.0.0.1:3000/sandbox/zendesk for the sandbox. */
  baseUrl: string;
  auth: ZendeskAuth;
  /** Retries after the first request (default 3). */
  maxRetries?: number;
  /** Total time all retry waits of one call may take (default 30 000 ms). */
  maxRetryWaitMs?: number;
  /** Per request, including reading the body (default 10 000 ms). */
  timeoutMs?: number;
  /** Waits between retries; tests inject one that records instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1) (default Math.random). */
  random?: () => number;
  /** Page size when walking a ticket's comments (default 100, Zendesk's maximum). */
  commentPageSize?: number;
  /** The account's rate budget, shared by every client of the account (zendesk-rate-limits.ts). */
  budget?: RateBudget;
  /**
   * Whose calls this client makes (run-lane.ts; default `agent`): automation's client shares the
   * budget and waits behind agents'.
   */
  lane?: RunLane;
}

export interface TicketUpdate {
  customFields?: { id: number; value: unknown }[];
  status?: 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  type?: 'problem' | 'incident' | 'question' | 'task';
  additionalTags?: string[];
  removeTags?: string[];
  /** Added as a private comment (internal note). */
  internalNote?: string;
  /** The ticket's updated_at as last read; turns on Zendesk's safe_update. */
  safeUpdateStamp?: string;
}

export interface NewTicket {
  subject: string;
  /** First comment, which becomes the description. */
  body: string;
  isPublic?: boolean;
  requester?: { email: string; name?: string };
  requesterId?: number;
  tags?: string[];
  customFields?: { id: number; value: unknown }[];
  priority?: TicketUpdate['priority'];
  type?: TicketUpdate['type'];
  externalId?: string;
}

export interface ZendeskUserSummary {
  id: number;
  name: string;
  email: string | null;
  role: string | null;
  organizationId: number | null;
  /** False once deleted; suspended users cannot sign in. */
  active: boolean;
  suspended: boolean;
  /** "organization" | "groups" | "assigned" | "requested", or null for every ticket. */
  ticketRestriction: string | null;
  customRoleId: number | null;
  chatOnly: boolean;
}

export interface ZendeskGroupSummary {
  id: number;
  name: string;
  /** Private groups' tickets are for their members only. */
  isPublic: boolean;
  deleted: boolean;
}

export interface ZendeskCustomRoleSummary {
  id: number;
  name: string;
  roleType: number | null;
  /** The role's `configuration` keys that decide what its agents may do with tickets. */
  ticketEditing: boolean | null;
  lightAgent: boolean | null;
  ticketAccess: string | null;
}

export interface TicketFieldSummary {
  id: number;
  type: string;
  title: string;
  active: boolean;
  tag: string | null;
  options: { name: string; value: string }[];
}

/** A ticket comment as the run pipeline and the preview read it. */
export interface TicketComment {
  id: number;
  body: string;
  authorId: number;
  public: boolean;
  createdAt: string;
}

export interface ZendeskClient {
  getTicketContext(
    ticketId: number,
    options?: { commentId?: number },
  ): Promise<Result<TicketContext, ZendeskError>>;
  updateTicket(
    ticketId: number,
    update: TicketUpdate,
  ): Promise<Result<{ ticketUpdatedAt: string; attempts: number }, ZendeskError>>;
  getUser(userId: number): Promise<Result<ZendeskUserSummary, ZendeskError>>;
  /** The ids of the groups a user belongs to (every page). */
  listUserGroupIds(userId: number): Promise<Result<number[], ZendeskError>>;
  /** The ids of the organizations a user belongs to (every page). */
  listUserOrganizationIds(userId: number): Promise<Result<number[], ZendeskError>>;
  getGroup(groupId: number): Promise<Result<ZendeskGroupSummary, ZendeskError>>;
  getCustomRole(roleId: number): Promise<Result<ZendeskCustomRoleSummary, ZendeskError>>;
  /** The PEM public key Zendesk signs the app's signed-URL tokens with. */
  getAppPublicKey(appId: number): Promise<Result<string, ZendeskError>>;
  /** Every comment of a ticket, oldest first (walks the cursor pages). */
  listComments(ticketId: number): Promise<Result<TicketComment[], ZendeskError>>;
  listTicketFields(): Promise<Result<TicketFieldSummary[], ZendeskError>>;
  createTicket(
    ticket: NewTicket,
  ): Promise<Result<{ ticketId: number; updatedAt: string; attempts: number }, ZendeskError>>;
  /**
   * One page of the tickets a search matches ("Export Search Results": cursor pages, no
   * 1,000-result cap), in Zendesk's order; `after` is the cursor of the next page, if any.
   */
  searchTicketIds(
    query: string,
    page: { after?: string; size: number },
  ): Promise<Result<{ ids: number[]; after: string | undefined }, ZendeskError>>;
  /** How many tickets a search matches ("Show Results Count"). */
  countSearchResults(query: string): Promise<Result<number, ZendeskError>>;
  /**
   * Starts one background job updating each ticket its own way (`PUT update_many` with a
   * `tickets` array). Not replayed on a lost answer: the job may exist.
   */
  updateManyTickets(
    updates: readonly { ticketId: number; update: TicketUpdate }[],
  ): Promise<Result<JobStatus, ZendeskError>>;
  getJobStatus(jobId: string): Promise<Result<JobStatus, ZendeskError>>;
}

/** A background job's state and, once it ran, one result per ticket. */
export interface JobStatus {
  id: string;
  /** queued, working, failed, completed, killed (Job Statuses reference). */
  status: string;
  message: string | undefined;
  results: JobResult[];
}

export interface JobResult {
  ticketId: number | undefined;
  /** Position in the request, where Zendesk says it (failed items). */
  index: number | undefined;
  success: boolean;
  /** Zendesk's error name and details for a failed item. */
  error: string | undefined;
  details: string | undefined;
}

// Checked once when the client is built; a bad value is a configuration bug, so it throws.
const clientConfigSchema = z.strictObject({
  baseUrl: z
    .string()
    .refine((value) => URL.canParse(value), 'must be an absolute URL')
    .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must use http or https')
    // Userinfo in the URL would travel into logs and error messages.
    .refine(
      (value) => !new URL(value).username && !new URL(value).password,
      'must not hold credentials',
    ),
  auth: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('apiToken'),
      email: z.string().min(1),
      apiToken: z.string().min(1),
    }),
    z.strictObject({ kind: z.literal('oauth'), accessToken: z.string().min(1) }),
    z.strictObject({
      kind: z.literal('oauthRefresh'),
      source: z.custom<ZendeskAuthSource>(
        (value) => typeof (value as ZendeskAuthSource | null)?.authorization === 'function',
      ),
    }),
  ]),
  maxRetries: z.number().int().min(0).max(10),
  maxRetryWaitMs: z.number().int().min(0),
  timeoutMs: z.number().int().positive(),
  commentPageSize: z.number().int().min(1).max(100),
});

/** Walking a ticket's comments stops here; no real ticket has more pages than this. */
const MAX_COMMENT_PAGES = 200;
const MAX_FIELD_PAGES = 50;
/** Walking a user's memberships stops here (100 per page: 5,000 groups or organizations). */
const MAX_MEMBERSHIP_PAGES = 50;

function buildAuthorization(auth: ZendeskAuth): string | ZendeskAuthSource {
  if (auth.kind === 'oauthRefresh') return auth.source;
  return auth.kind === 'apiToken'
    ? `Basic ${Buffer.from(`${auth.email}/token:${auth.apiToken}`).toString('base64')}`
    : `Bearer ${auth.accessToken}`;
}

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function invalidId(what: string, id: unknown): { ok: false; error: ZendeskError } {
  return {
    ok: false,
    error: {
      code: 'ZENDESK_INVALID',
      message: `${what} must be a positive integer, got ${String(id)}`,
      attempts: 0,
    },
  };
}

function isValidId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
}

/** Validates a 2xx body; a mismatch is ZENDESK_BAD_RESPONSE naming what was wrong. */
function readResponse<S extends z.ZodType>(
  schema: S,
  spec: ZendeskRequest,
  response: ZendeskResponse,
): Result<z.infer<S>, ZendeskError> {
  const parsed = schema.safeParse(response.json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  return {
    ok: false,
    error: {
      code: 'ZENDESK_BAD_RESPONSE',
      status: response.status,
      message: `Zendesk answered ${spec.method} ${spec.path} with an unexpected shape: ${problems}`,
      details: parsed.error.issues,
      attempts: response.attempts,
    },
  };
}

/** Zendesk's update_many takes at most 100 tickets per call (Tickets reference, Update Many). */
export const MAX_TICKETS_PER_JOB = 100;

function readJobStatus(data: z.infer<typeof jobStatusResponseSchema>): JobStatus {
  const job = data.job_status;
  return {
    id: job.id,
    status: job.status,
    message: job.message ?? undefined,
    results: (job.results ?? []).map((item) => ({
      ticketId: item.id ?? undefined,
      index: item.index ?? undefined,
      // Failed items carry `error`; some job kinds omit `success` on the good ones.
      success: item.success ?? (item.error === undefined || item.error === null),
      error: item.error ?? undefined,
      details:
        item.details === undefined || item.details === null
          ? undefined
          : typeof item.details === 'string'
            ? item.details
            : JSON.stringify(item.details).slice(0, 500),
    })),
  };
}

function buildUpdateBody(update: TicketUpdate): Record<string, unknown> {
  const ticket: Record<string, unknown> = {};
  if (update.customFields) ticket.custom_fields = update.customFields;
  if (update.status) ticket.status = update.status;
  if (update.priority) ticket.priority = update.priority;
  if (update.type) ticket.type = update.type;
  if (update.additionalTags?.length) ticket.additional_tags = update.additionalTags;
  if (update.removeTags?.length) ticket.remove_tags = update.removeTags;
  if (update.internalNote !== undefined)
    ticket.comment = { body: update.internalNote, public: false };
  if (update.safeUpdateStamp !== undefined) {
    ticket.safe_update = true;
    ticket.updated_stamp = update.safeUpdateStamp;
  }
  return { ticket };
}

/**
 * Creates a client for Zendesk's Ticketing REST API (or the sandbox fake, which speaks the same
 * API). Every method returns a Result; HTTP and network failures never throw.
 *
 * @example
 * const zendesk = createZendeskClient({
 *   baseUrl: 'https://acme.zendesk.com',
 *   auth: { kind: 'apiToken', email: 'bot@acme.com', apiToken: process.env.ZENDESK_TOKEN! },
 * });
 * const context = await zendesk.getTicketContext(42);
 */
export function createZendeskClient(options: ZendeskClientOptions): ZendeskClient {
  const config = clientConfigSchema.parse({
    baseUrl: options.baseUrl,
    auth: options.auth,
    maxRetries: options.maxRetries ?? 3,
    maxRetryWaitMs: options.maxRetryWaitMs ?? 30_000,
    timeoutMs: options.timeoutMs ?? 10_000,
    commentPageSize: options.commentPageSize ?? 100,
  });
  const send = createZendeskTransport({
    baseUrl: config.baseUrl,
    authorization: buildAuthorization(config.auth),
    maxRetries: config.maxRetries,
    maxRetryWaitMs: config.maxRetryWaitMs,
    timeoutMs: config.timeoutMs,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    ...(options.budget ? { budget: options.budget } : {}),
    lane: options.lane ?? 'agent',
  });

  async function call<S extends z.ZodType>(
    schema: S,
    spec: ZendeskRequest,
  ): Promise<Result<{ data: z.infer<S>; json: unknown; attempts: number }, ZendeskError>> {
    const response = await send(spec);
    if (!response.ok) return response;
    const read = readResponse(schema, spec, response.value);
    if (!read.ok) return read;
    return {
      ok: true,
      value: { data: read.value, json: response.value.json, attempts: response.value.attempts },
    };
  }

  type CommentPage = z.infer<typeof commentPageSchema>['comments'];

  /**
   * Walks a ticket's cursor-paginated comments, page by page, until `visit` says stop. The next
   * page is built from `meta.after_cursor` (not `links.next`), so credentials only ever go to
   * the configured base URL.
   */
  async function walkComments(
    ticketId: number,
    visit: (comments: CommentPage) => boolean,
  ): Promise<Result<{ attempts: number }, ZendeskError>> {
    let after: string | null = null;
    let attempts = 0;
    for (let page = 0; page < MAX_COMMENT_PAGES; page += 1) {
      const query: Record<string, string> = { 'page[size]': String(config.commentPageSize) };
      if (after) query['page[after]'] = after;
      const result = await call(commentPageSchema, {
        method: 'GET',
        path: `/api/v2/tickets/${ticketId}/comments.json`,
        query,
        replaySafe: true,
      });
      if (!result.ok) return result;
      attempts += result.value.attempts;
      if (!visit(result.value.data.comments)) break;
      const meta = result.value.data.meta;
      if (!meta?.has_more || !meta.after_cursor || meta.after_cursor === after) break;
      after = meta.after_cursor;
    }
    return { ok: true, value: { attempts } };
  }

  async function findComment(ticketId: number, commentId: number) {
    let found: CommentPage[number] | undefined;
    const walked = await walkComments(ticketId, (comments) => {
      found = comments.find((comment) => comment.id === commentId);
      return found === undefined;
    });
    if (!walked.ok) return walked;
    if (found) return { ok: true as const, value: found };
    return {
      ok: false as const,
      error: {
        code: 'ZENDESK_NOT_FOUND' as const,
        message: `Comment ${commentId} was not found on ticket ${ticketId}`,
        attempts: walked.value.attempts,
      },
    };
  }

  /** Walks a cursor-paginated list from its first page, at most MAX_MEMBERSHIP_PAGES pages. */
  async function walkPages<S extends z.ZodType>(
    schema: S,
    path: string,
    visit: (page: z.infer<S>) => void,
  ): Promise<Result<{ attempts: number }, ZendeskError>> {
    let after: string | null = null;
    let attempts = 0;
    for (let page = 0; page < MAX_MEMBERSHIP_PAGES; page += 1) {
      const query: Record<string, string> = { 'page[size]': '100' };
      if (after) query['page[after]'] = after;
      const result = await call(schema, { method: 'GET', path, query, replaySafe: true });
      if (!result.ok) return result;
      attempts += result.value.attempts;
      const data = result.value.data as z.infer<S> & {
        meta?: { has_more: boolean; after_cursor?: string | null | undefined };
      };
      visit(data);
      const meta = data.meta;
      if (!meta?.has_more || !meta.after_cursor || meta.after_cursor === after) break;
      after = meta.after_cursor;
    }
    return { ok: true, value: { attempts } };
  }

  return {
    async getTicketContext(ticketId, contextOptions = {}) {
      if (!isValidId(ticketId)) return invalidId('Ticket id', ticketId);
      const { commentId } = contextOptions;
      if (commentId !== undefined && !isValidId(commentId))
        return invalidId('Comment id', commentId);
      const shown = await call(showTicketResponseSchema, {
        method: 'GET',
        path: `/api/v2/tickets/${ticketId}.json`,
        query: { include: 'users,organizations' },
        replaySafe: true,
      });
      if (!shown.ok) return shown;
      let comment = null;
      if (commentId !== undefined) {
        const found = await findComment(ticketId, commentId);
        if (!found.ok) return found;
        comment = found.value;
      }
      // The schema keeps only what it names; the context's raw ticket is the whole of it.
      const { ticket: raw } = shown.value.json as { ticket: Record<string, unknown> };
      return { ok: true, value: buildTicketContext(shown.value.data, comment, raw) };
    },

    async updateTicket(ticketId, update) {
      if (!isValidId(ticketId)) return invalidId('Ticket id', ticketId);
      const result = await call(updateTicketResponseSchema, {
        method: 'PUT',
        path: `/api/v2/tickets/${ticketId}.json`,
        body: buildUpdateBody(update),
        replaySafe: update.safeUpdateStamp !== undefined,
        endpointBuckets: [TICKET_UPDATES_BUCKET],
      });
      if (!result.ok) return result;
      return {
        ok: true,
        value: {
          ticketUpdatedAt: result.value.data.ticket.updated_at,
          attempts: result.value.attempts,
        },
      };
    },

    async listComments(ticketId) {
      if (!isValidId(ticketId)) return invalidId('Ticket id', ticketId);
      const comments: TicketComment[] = [];
      const walked = await walkComments(ticketId, (page) => {
        for (const comment of page) {
          comments.push({
            id: comment.id,
            body: comment.body,
            authorId: comment.author_id,
            public: comment.public,
            createdAt: comment.created_at,
          });
        }
        return true;
      });
      if (!walked.ok) return walked;
      return { ok: true, value: comments };
    },

    async getUser(userId) {
      if (!isValidId(userId)) return invalidId('User id', userId);
      const result = await call(showUserResponseSchema, {
        method: 'GET',
        path: `/api/v2/users/${userId}.json`,
        replaySafe: true,
      });
      if (!result.ok) return result;
      const { user } = result.value.data;
      return {
        ok: true,
        value: {
          id: user.id,
          name: user.name,
          email: user.email ?? null,
          role: user.role ?? null,
          organizationId: user.organization_id ?? null,
          active: user.active ?? true,
          suspended: user.suspended ?? false,
          ticketRestriction: user.ticket_restriction ?? null,
          customRoleId: user.custom_role_id ?? null,
          chatOnly: user.chat_only ?? false,
        },
      };
    },

    async listUserGroupIds(userId) {
      if (!isValidId(userId)) return invalidId('User id', userId);
      const ids: number[] = [];
      const walked = await walkPages(
        groupMembershipPageSchema,
        `/api/v2/users/${userId}/group_memberships.json`,
        (page) => ids.push(...page.group_memberships.map((entry) => entry.group_id)),
      );
      return walked.ok ? { ok: true, value: ids } : walked;
    },

    async listUserOrganizationIds(userId) {
      if (!isValidId(userId)) return invalidId('User id', userId);
      const ids: number[] = [];
      const walked = await walkPages(
        organizationMembershipPageSchema,
        `/api/v2/users/${userId}/organization_memberships.json`,
        (page) => ids.push(...page.organization_memberships.map((entry) => entry.organization_id)),
      );
      return walked.ok ? { ok: true, value: ids } : walked;
    },

    async getGroup(groupId) {
      if (!isValidId(groupId)) return invalidId('Group id', groupId);
      const result = await call(showGroupResponseSchema, {
        method: 'GET',
        path: `/api/v2/groups/${groupId}.json`,
        replaySafe: true,
      });
      if (!result.ok) return result;
      const { group } = result.value.data;
      return {
        ok: true,
        value: {
          id: group.id,
          name: group.name,
          isPublic: group.is_public ?? true,
          deleted: group.deleted ?? false,
        },
      };
    },

    async getCustomRole(roleId) {
      if (!isValidId(roleId)) return invalidId('Custom role id', roleId);
      const result = await call(showCustomRoleResponseSchema, {
        method: 'GET',
        path: `/api/v2/custom_roles/${roleId}.json`,
        replaySafe: true,
      });
      if (!result.ok) return result;
      const role = result.value.data.custom_role;
      return {
        ok: true,
        value: {
          id: role.id,
          name: role.name,
          roleType: role.role_type ?? null,
          ticketEditing: role.configuration?.ticket_editing ?? null,
          lightAgent: role.configuration?.light_agent ?? null,
          ticketAccess: role.configuration?.ticket_access ?? null,
        },
      };
    },

    async getAppPublicKey(appId) {
      if (!isValidId(appId)) return invalidId('App id', appId);
      const path = `/api/v2/apps/${appId}/public_key.pem`;
      const response = await send({ method: 'GET', path, replaySafe: true, expect: 'text' });
      if (!response.ok) return response;
      const pem = response.value.text ?? '';
      if (!pem.includes('-----BEGIN PUBLIC KEY-----')) {
        return {
          ok: false,
          error: {
            code: 'ZENDESK_BAD_RESPONSE',
            status: response.value.status,
            message: `Zendesk answered GET ${path} with something that is not a PEM public key`,
            attempts: response.value.attempts,
          },
        };
      }
      return { ok: true, value: pem };
    },

    async listTicketFields() {
      const fields: TicketFieldSummary[] = [];
      let after: string | null = null;
      for (let page = 0; page < MAX_FIELD_PAGES; page += 1) {
        const query: Record<string, string> = { 'page[size]': '100' };
        if (after) query['page[after]'] = after;
        const result = await call(ticketFieldPageSchema, {
          method: 'GET',
          path: '/api/v2/ticket_fields.json',
          query,
          replaySafe: true,
        });
        if (!result.ok) return result;
        for (const field of result.value.data.ticket_fields) {
          fields.push({
            id: field.id,
            type: field.type,
            title: field.title,
            active: field.active,
            tag: field.tag ?? null,
            options: (field.custom_field_options ?? []).map(({ name, value }) => ({ name, value })),
          });
        }
        const meta = result.value.data.meta;
        if (!meta?.has_more || !meta.after_cursor || meta.after_cursor === after) break;
        after = meta.after_cursor;
      }
      return { ok: true, value: fields };
    },

    async createTicket(ticket) {
      const body: Record<string, unknown> = {
        subject: ticket.subject,
        comment: { body: ticket.body, public: ticket.isPublic ?? true },
      };
      if (ticket.requester) body.requester = ticket.requester;
      if (ticket.requesterId !== undefined) body.requester_id = ticket.requesterId;
      if (ticket.tags) body.tags = ticket.tags;
      if (ticket.customFields) body.custom_fields = ticket.customFields;
      if (ticket.priority) body.priority = ticket.priority;
      if (ticket.type) body.type = ticket.type;
      if (ticket.externalId !== undefined) body.external_id = ticket.externalId;
      // A create that hit a 5xx may still have created the ticket; never replay it.
      const result = await call(updateTicketResponseSchema, {
        method: 'POST',
        path: '/api/v2/tickets.json',
        body: { ticket: body },
        replaySafe: false,
      });
      if (!result.ok) return result;
      const { ticket: created } = result.value.data;
      return {
        ok: true,
        value: {
          ticketId: created.id,
          updatedAt: created.updated_at,
          attempts: result.value.attempts,
        },
      };
    },

    async updateManyTickets(updates) {
      if (updates.length === 0 || updates.length > MAX_TICKETS_PER_JOB) {
        return {
          ok: false,
          error: {
            code: 'ZENDESK_INVALID',
            message: `update_many takes 1 to ${MAX_TICKETS_PER_JOB} tickets, got ${updates.length}`,
            attempts: 0,
          },
        };
      }
      const bad = updates.find((entry) => !isValidId(entry.ticketId));
      if (bad) return invalidId('Ticket id', bad.ticketId);
      const tickets = updates.map((entry) => ({
        id: entry.ticketId,
        ...(buildUpdateBody(entry.update).ticket as Record<string, unknown>),
      }));
      const result = await call(jobStatusResponseSchema, {
        method: 'PUT',
        path: '/api/v2/tickets/update_many.json',
        body: { tickets },
        // A lost answer may hide a job that runs anyway: the caller checks the tickets instead.
        replaySafe: false,
      });
      if (!result.ok) return result;
      return { ok: true, value: readJobStatus(result.value.data) };
    },

    async getJobStatus(jobId) {
      if (!/^[A-Za-z0-9_-]{1,100}$/.test(jobId)) {
        return {
          ok: false,
          error: {
            code: 'ZENDESK_INVALID',
            message: 'Job id is not a Zendesk job id',
            attempts: 0,
          },
        };
      }
      const result = await call(jobStatusResponseSchema, {
        method: 'GET',
        path: `/api/v2/job_statuses/${jobId}.json`,
        replaySafe: true,
      });
      if (!result.ok) return result;
      return { ok: true, value: readJobStatus(result.value.data) };
    },

    async searchTicketIds(searchQuery, page) {
      const query: Record<string, string> = {
        query: searchQuery,
        'filter[type]': 'ticket',
        'page[size]': String(page.size),
      };
      if (page.after) query['page[after]'] = page.after;
      // The next page is asked for with the cursor, never by following `links.next`, so
      // credentials only go to the configured base URL.
      const result = await call(searchExportPageSchema, {
        method: 'GET',
        path: '/api/v2/search/export.json',
        query,
        replaySafe: true,
      });
      if (!result.ok) return result;
      const { results, meta } = result.value.data;
      const after = meta.has_more && meta.after_cursor ? meta.after_cursor : undefined;
      return { ok: true, value: { ids: results.map((ticket) => ticket.id), after } };
    },

    async countSearchResults(searchQuery) {
      const result = await call(searchCountSchema, {
        method: 'GET',
        path: '/api/v2/search/count.json',
        query: { query: searchQuery },
        replaySafe: true,
      });
      return result.ok ? { ok: true, value: result.value.data.count } : result;
    },
  };
}
