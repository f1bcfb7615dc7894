/**
 * A Zendesk-compatible fake of the part of the Ticketing API this project uses. It is both the
 * sandbox helpdesk `npm start` serves without any account and the test double for all tests.
 *
 * Written from Zendesk's documentation, not from what our client sends. Doc facts followed:
 * - Request format (developer.zendesk.com/api-reference/introduction/requests): JSON API,
 *   `{ "ticket": {...} }` envelopes, ISO-8601 UTC timestamps, `X-Rate-Limit` /
 *   `X-Rate-Limit-Remaining` on every response. Paths work with and without `.json`.
 * - Rate limits (api-reference/introduction/rate-limits, and the Tickets API's "Update Ticket"
 *   Limits table; see rate-limit.ts): per-plan requests per minute (`limits.plan`), the
 *   `ratelimit-*` headers, and the Update Ticket endpoint's own 100/min (300 High Volume) budget
 *   with `Zendesk-RateLimit-tickets-update`. Past a budget: 429 with `Retry-After` in seconds.
 *   Without `limits` the budget is 2500/min (the High Volume figure) and there is no endpoint
 *   budget, so ordinary test runs never hit either.
 * - Show Multiple Tickets (Tickets API): `GET /api/v2/tickets/show_many?ids=` with up to 100 ids.
 * - Update Many Tickets and Job Statuses (see ticket-jobs.ts): `PUT /api/v2/tickets/update_many`
 *   queues a background job, polled at `GET /api/v2/job_statuses/{id}` and `.../show_many`;
 *   at most 30 queued or running jobs (Rate limits, "Job limit").
 * - Side-loading (documentation/ticketing/using-the-zendesk-api/side_loading):
 *   `?include=users,organizations,groups` adds top-level `users` / `organizations` / `groups`
 *   arrays next to `ticket`.
 * - Update ticket + "Creating and updating tickets" + "Adding tags without overwriting":
 *   `custom_fields: [{id, value}]` changes only the listed fields; values by type (text: string,
 *   checkbox: boolean, drop-down: option tag value, multiselect: tag array, date: YYYY-MM-DD);
 *   `tags` replaces, `additional_tags` / `remove_tags` add and remove; `comment.public: false`
 *   is an internal note authored by the API user unless `author_id` is given; the response is
 *   `{ticket, audit}`. Drop-down/checkbox values also set their tags, as in Zendesk.
 * - Safe update: `safe_update: true` with `updated_stamp` → 409 `UpdateConflict` when the stamp
 *   no longer equals the ticket's updated_at. (Body text as Zendesk sends it, seen in client
 *   code in the wild; the docs name the 409 but the excerpts did not show the body.)
 * - Pagination (api-reference/introduction/pagination): `page[size]` (max 100) enables cursor
 *   pagination with `meta.has_more`, `meta.after_cursor`, `links.next`; without it, offset
 *   pagination with `next_page` / `previous_page` / `count`.
 * - Errors: 404 `{"error":"RecordNotFound","description":"Not found"}`; 422
 *   `{"error":"RecordInvalid","description":"Record validation errors","details":{field:
 *   [{description, error}]}}`; 401 `{"error":"Couldn't authenticate you"}`.
 * - Auth (docs + zcli source): API token as Basic `{email}/token:{api_token}`; OAuth as
 *   `Bearer {token}`. Password auth is deprecated and not offered.
 * Assumptions (not confirmed by the docs we could read): the 400 bodies for malformed JSON and a
 * missing `ticket` key, 422 for a blank comment, 422 for `safe_update` without a stamp, 422 for
 * unknown custom field ids (Zendesk may ignore them), `InvalidEndpoint` for unknown paths.
 */
import { startOnLoopback } from '../listen-on-loopback';
import express from 'express';
import type { ErrorRequestHandler, Express, Request, Response } from 'express';
import { SANDBOX_ZENDESK_CREDENTIALS } from '../seed/zendesk-seed';
import type { FakeZendeskData, StoredTicket, StoredUser } from '../seed/zendesk-seed';
import { authenticateRequest, classifyAuthorization } from './authenticate';
import type { FakeZendeskCredentials } from './authenticate';
import { paginateByCursor, readPageSize } from './cursor-pagination';
import { createFaultInjector, createFaultMiddleware } from './faults';
import type { FaultInjector } from './faults';
import { openFakeZendeskStore } from './fake-zendesk-store';
import type { FakeZendeskStore, JournalEntry } from './fake-zendesk-store';
import { createFakeAppSigning } from './app-signing';
import type { FakeAppSigning } from './app-signing';
import { createFakeZendeskOAuth, zendeskOAuthErrors } from './oauth-tokens';
import type { FakeOAuthClient, FakeZendeskOAuth } from './oauth-tokens';
import {
  createKeyedWindowBudget,
  createRateLimitMiddleware,
  formatEndpointBudget,
  resolveZendeskLimits,
} from './rate-limit';
import type { ResolvedZendeskLimits, ZendeskLimits } from './rate-limit';
import {
  createTicketJobs,
  parseIdList,
  parseUpdateManyRequest,
  renderJobStatus,
} from './ticket-jobs';
import type { TicketJobs } from './ticket-jobs';
import { registerSearchRoutes } from './search';
import { applyTicketUpdate, createTicketFromRequest, formatZendeskTime } from './ticket-changes';
import type { AuditEvent, TicketChangeContext } from './ticket-changes';
import {
  buildResourceUrl,
  renderComment,
  renderGroup,
  renderOrganization,
  renderTicket,
  renderTicketField,
  renderUser,
  zendeskErrors,
} from './zendesk-json';
import type { ZendeskReply } from './zendesk-json';

/** How long Zendesk remembers an Idempotency-Key (Support API introduction: two hours). */
const IDEMPOTENCY_TTL_MS = 2 * 60 * 60 * 1000;

/** The sandbox account's OAuth client (public, like every sandbox credential). */
export const SANDBOX_ZENDESK_OAUTH_CLIENT: FakeOAuthClient = {
  id: 'data_connectors_sandbox',
  secret: 'sandbox-oauth-client-secret',
};

/** Ids a show_many request takes ("This endpoint will return up to 100 tickets records"). */
const MAX_SHOW_MANY_IDS = 100;

/** Requests kept in the journal; older ones are dropped. */
export const JOURNAL_LIMIT = 2000;

export interface FakeZendeskOptions {
  /** lowdb JSON file; in-memory when omitted. */
  filePath?: string;
  /** Accepted credentials; defaults to SANDBOX_ZENDESK_CREDENTIALS. */
  credentials?: {
    email?: string;
    apiToken?: string;
    oauthAccessTokens?: string[];
  };
  /** Requests per minute before 429 (default 2500). `limits.requestsPerMinute` wins over it. */
  rateLimitPerMinute?: number;
  /**
   * The account's plan and budgets (rate-limit.ts). Without it: 2500/min account-wide and no
   * Update Ticket budget, as before plans existed.
   */
  limits?: ZendeskLimits;
  /** How long an update_many job stays queued, and then working (default 50 ms). */
  jobDelayMs?: number;
  /** OAuth clients that may refresh tokens at /oauth/tokens (default: the sandbox's one). */
  oauthClients?: FakeOAuthClient[];
  /** Clock for timestamps and the rate-limit window. */
  now?: () => Date;
  /** Seed used when the store is empty (default: buildZendeskSeed). */
  seed?: () => FakeZendeskData;
}

export interface FakeZendesk {
  /** Express app; mount it under any prefix (`app.use('/sandbox/zendesk', fake.app)`). */
  app: Express;
  store: FakeZendeskStore;
  faults: FaultInjector;
  /** Same array as store.requests. */
  journal: JournalEntry[];
  /** Zendesk's signing of signed-URL app locations (key pair per installed app). */
  apps: FakeAppSigning;
  /** Expiring OAuth access tokens and rotating refresh tokens (oauth-tokens.ts). */
  oauth: FakeZendeskOAuth;
  /** update_many background jobs (ticket-jobs.ts); `whenIdle()` awaits them. */
  jobs: TicketJobs;
  /** The budgets this fake enforces. */
  limits: ResolvedZendeskLimits;
  /** Stops pending jobs' timers; every change is already written. */
  close(): Promise<void>;
}

interface Locals {
  actor: StoredUser;
  journalEntry: JournalEntry;
}

function send(res: Response, reply: ZendeskReply): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.status(reply.status).json(reply.body);
}

function apiBaseOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
}

/** Zendesk ids are positive integers; anything else cannot name a record. */
function parseId(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function buildAudit(
  ticket: StoredTicket,
  events: AuditEvent[],
  authorId: number,
  createdAt: string,
): Record<string, unknown> {
  return {
    id: events[0]?.id ?? 0,
    ticket_id: ticket.id,
    created_at: createdAt,
    author_id: authorId,
    via: { channel: 'api', source: { from: {}, to: {}, rel: null } },
    metadata: { system: {}, custom: {} },
    events,
  };
}

function sideloadTicket(
  store: FakeZendeskStore,
  ticket: StoredTicket,
  includes: string[],
  apiBase: string,
): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  if (includes.includes('users')) {
    const ids = new Set(
      [
        ticket.requester_id,
        ticket.submitter_id,
        ticket.assignee_id,
        ...ticket.collaborator_ids,
        ...ticket.follower_ids,
      ].filter((id): id is number => typeof id === 'number'),
    );
    extra.users = [...ids]
      .map((id) => store.findUser(id))
      .filter((user): user is StoredUser => user !== undefined)
      .map((user) => renderUser(user, apiBase));
  }
  if (includes.includes('organizations')) {
    extra.organizations = store.data.organizations
      .filter((organization) => organization.id === ticket.organization_id)
      .map((organization) => renderOrganization(organization, apiBase));
  }
  if (includes.includes('groups')) {
    extra.groups = store.data.groups
      .filter((group) => group.id === ticket.group_id)
      .map((group) => renderGroup(group, apiBase));
  }
  return extra;
}

/**
 * Lists `items` with cursor pagination when `page[size]` is given, else offset pagination.
 * Express's default ("simple") query parser keeps `page[size]` as a literal key.
 */
function sendList<T>(
  req: Request,
  res: Response,
  key: string,
  items: T[],
  render: (item: T) => unknown,
): void {
  const listUrl = `${apiBaseOf(req)}${req.path}.json`;
  const size = readPageSize(req.query['page[size]']);
  if (size !== null) {
    const result = paginateByCursor(
      items,
      { size, after: req.query['page[after]'], before: req.query['page[before]'] },
      (cursor) => `${listUrl}?page[size]=${size}&${cursor}`,
    );
    if (!result.ok) {
      send(res, {
        status: 400,
        body: { error: 'InvalidPaginationParameter', description: result.description },
      });
      return;
    }
    res.json({
      [key]: result.page.items.map(render),
      meta: result.page.meta,
      links: result.page.links,
    });
    return;
  }
  const perPage = Math.min(100, Math.max(1, Number(req.query.per_page ?? 100) || 100));
  const page = Math.max(1, Number(req.query.page ?? 1) || 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const hasNext = page * perPage < items.length;
  res.json({
    [key]: slice.map(render),
    next_page: hasNext ? `${listUrl}?page=${page + 1}&per_page=${perPage}` : null,
    previous_page: page > 1 ? `${listUrl}?page=${page - 1}&per_page=${perPage}` : null,
    count: items.length,
  });
}

const forbidden = (): ZendeskReply => ({
  status: 403,
  body: {
    error: 'Forbidden',
    description: 'You do not have access to this page. Please contact the account owner.',
  },
});

function registerRoutes(
  app: Express,
  store: FakeZendeskStore,
  now: () => Date,
  apps: FakeAppSigning,
  jobs: TicketJobs,
  limits: ResolvedZendeskLimits,
): void {
  const perUserTicketUpdates =
    limits.ticketUpdatesPerUserPerTicket === null
      ? null
      : createKeyedWindowBudget(limits.ticketUpdatesPerUserPerTicket, 10 * limits.windowMs);
  const changeContext = (res: Response): TicketChangeContext => ({
    store,
    actor: (res.locals as Locals).actor,
    now,
  });

  // Registered before /tickets/:id, which would otherwise take "show_many" for an id.
  // Show Multiple Tickets: up to 100 ids; ids that name no ticket are left out.
  app.get('/api/v2/tickets/show_many', (req, res) => {
    const ids = parseIdList(req.query.ids, MAX_SHOW_MANY_IDS);
    if (!ids.ok) return send(res, ids.reply);
    const apiBase = apiBaseOf(req);
    const tickets = ids.ids
      .map((id) => store.findTicket(id))
      .filter((ticket): ticket is StoredTicket => ticket !== undefined);
    res.json({ tickets: tickets.map((ticket) => renderTicket(ticket, apiBase)) });
  });

  app.put('/api/v2/tickets/update_many', (req, res) => {
    res.setHeader('zendesk-ratelimit-inflight-jobs', jobs.inflightHeader());
    const request = parseUpdateManyRequest(req.query, req.body);
    if (!request.ok) return send(res, request.reply);
    const queued = jobs.enqueueUpdateMany((res.locals as Locals).actor, request);
    res.setHeader('zendesk-ratelimit-inflight-jobs', jobs.inflightHeader());
    if (!queued.ok) return send(res, queued.reply);
    res.json({ job_status: renderJobStatus(queued.job, apiBaseOf(req)) });
  });

  app.get('/api/v2/job_statuses/show_many', (req, res) => {
    const ids = String(req.query.ids ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    if (ids.length === 0) return send(res, zendeskErrors.parameterMissing('ids'));
    // The cap for job ids is the fake's choice; the docs give none.
    if (ids.length > MAX_SHOW_MANY_IDS) {
      return send(res, zendeskErrors.tooManyValues('ids', MAX_SHOW_MANY_IDS));
    }
    const apiBase = apiBaseOf(req);
    const found = ids.map((id) => jobs.find(id)).filter((job) => job !== undefined);
    res.json({ job_statuses: found.map((job) => renderJobStatus(job, apiBase)) });
  });

  app.get('/api/v2/job_statuses/:id', (req, res) => {
    const job = jobs.find(req.params.id);
    if (!job) return send(res, zendeskErrors.notFound());
    res.json({ job_status: renderJobStatus(job, apiBaseOf(req)) });
  });

  app.get('/api/v2/tickets/:id', (req, res) => {
    const id = parseId(req.params.id);
    const ticket = id === null ? undefined : store.findTicket(id);
    if (!ticket) return send(res, zendeskErrors.notFound());
    const apiBase = apiBaseOf(req);
    const includes = String(req.query.include ?? '')
      .split(',')
      .map((name) => name.trim());
    res.json({
      ticket: renderTicket(ticket, apiBase),
      ...sideloadTicket(store, ticket, includes, apiBase),
    });
  });

  app.put('/api/v2/tickets/:id', (req, res) => {
    const id = parseId(req.params.id);
    const ticket = id === null ? undefined : store.findTicket(id);
    if (!ticket) return send(res, zendeskErrors.notFound());
    const context = changeContext(res);
    const perTicket = perUserTicketUpdates?.take(
      `${context.actor.id}:${ticket.id}`,
      now().getTime(),
    );
    if (perTicket?.exceeded) {
      res.setHeader('Zendesk-RateLimit-tickets-update', formatEndpointBudget(perTicket));
      return send(res, zendeskErrors.endpointRateLimited(perTicket.resetSeconds, 'tickets-update'));
    }
    const outcome = applyTicketUpdate(context, ticket, req.body);
    if (!outcome.ok) return send(res, outcome.reply);
    const apiBase = apiBaseOf(req);
    res.json({
      ticket: renderTicket(outcome.ticket, apiBase),
      audit: buildAudit(
        outcome.ticket,
        outcome.events,
        context.actor.id,
        outcome.ticket.updated_at,
      ),
    });
  });

  // Idempotent ticket creation (Support API introduction, "Idempotency"): a create that carries
  // an Idempotency-Key answers, for two hours, the same as the first request with that key, and
  // says so in x-idempotency-lookup ("hit"; "miss" for the first).
  const createdByKey = new Map<string, { at: number; location: string; body: unknown }>();
  app.post('/api/v2/tickets', (req, res) => {
    const key = req.get('idempotency-key');
    const remembered = key === undefined ? undefined : createdByKey.get(key);
    if (key !== undefined && remembered && Date.now() - remembered.at < IDEMPOTENCY_TTL_MS) {
      res
        .status(201)
        .setHeader('x-idempotency-lookup', 'hit')
        .setHeader('Location', remembered.location)
        .json(remembered.body);
      return;
    }
    const context = changeContext(res);
    const outcome = createTicketFromRequest(context, req.body);
    if (!outcome.ok) return send(res, outcome.reply);
    const apiBase = apiBaseOf(req);
    const location = buildResourceUrl(apiBase, 'tickets', outcome.ticket.id);
    const body = {
      ticket: renderTicket(outcome.ticket, apiBase),
      audit: buildAudit(
        outcome.ticket,
        outcome.events,
        context.actor.id,
        outcome.ticket.created_at,
      ),
    };
    if (key !== undefined) {
      createdByKey.set(key, { at: Date.now(), location, body });
      res.setHeader('x-idempotency-lookup', 'miss');
    }
    res.status(201).setHeader('Location', location).json(body);
  });

  app.get('/api/v2/tickets/:id/comments', (req, res) => {
    const id = parseId(req.params.id);
    if (id === null || !store.findTicket(id)) return send(res, zendeskErrors.notFound());
    const comments = store.listComments(id);
    if (req.query.sort_order === 'desc') comments.reverse();
    sendList(req, res, 'comments', comments, renderComment);
  });

  app.get('/api/v2/users/me', (req, res) => {
    res.json({ user: renderUser((res.locals as Locals).actor, apiBaseOf(req)) });
  });

  app.get('/api/v2/users/:id', (req, res) => {
    const id = parseId(req.params.id);
    const user = id === null ? undefined : store.findUser(id);
    if (!user) return send(res, zendeskErrors.notFound());
    res.json({ user: renderUser(user, apiBaseOf(req)) });
  });

  // Group and organization memberships of a user (Group Memberships / Organization Memberships
  // APIs: "GET /api/v2/users/{user_id}/group_memberships", allowed for agents).
  app.get('/api/v2/users/:id/group_memberships', (req, res) => {
    const id = parseId(req.params.id);
    if (id === null || !store.findUser(id)) return send(res, zendeskErrors.notFound());
    const apiBase = apiBaseOf(req);
    const memberships = store.data.group_memberships.filter((entry) => entry.user_id === id);
    sendList(req, res, 'group_memberships', memberships, (entry) => ({
      url: buildResourceUrl(apiBase, 'group_memberships', entry.id),
      ...entry,
    }));
  });

  app.get('/api/v2/users/:id/organization_memberships', (req, res) => {
    const id = parseId(req.params.id);
    if (id === null || !store.findUser(id)) return send(res, zendeskErrors.notFound());
    const apiBase = apiBaseOf(req);
    const memberships = store.data.organization_memberships.filter((entry) => entry.user_id === id);
    sendList(req, res, 'organization_memberships', memberships, (entry) => ({
      url: buildResourceUrl(apiBase, 'organization_memberships', entry.id),
      organization_name:
        store.data.organizations.find((org) => org.id === entry.organization_id)?.name ?? null,
      ...entry,
    }));
  });

  app.get('/api/v2/groups/:id', (req, res) => {
    const id = parseId(req.params.id);
    const group = id === null ? undefined : store.data.groups.find((entry) => entry.id === id);
    if (!group) return send(res, zendeskErrors.notFound());
    res.json({ group: renderGroup(group, apiBaseOf(req)) });
  });

  // Custom Agent Roles (Enterprise): allowed for admins and agents with manage_roles.
  app.get('/api/v2/custom_roles/:id', (req, res) => {
    if ((res.locals as Locals).actor.role !== 'admin') return send(res, forbidden());
    const id = parseId(req.params.id);
    const role = id === null ? undefined : store.data.custom_roles.find((entry) => entry.id === id);
    if (!role) return send(res, zendeskErrors.notFound());
    res.json({ custom_role: { ...role, configuration: { ...role.configuration } } });
  });

  // Apps API "Get App Public Key": the PEM a signed location's token verifies against.
  app.get('/api/v2/apps/:appId/public_key.pem', (req, res) => {
    const appId = parseId(req.params.appId);
    const pem = appId === null ? undefined : apps.publicKeyPem(appId);
    if (!pem) return send(res, zendeskErrors.notFound());
    res.type('application/x-pem-file').send(pem);
  });

  app.get('/api/v2/organizations/:id', (req, res) => {
    const id = parseId(req.params.id);
    const organization =
      id === null ? undefined : store.data.organizations.find((entry) => entry.id === id);
    if (!organization) return send(res, zendeskErrors.notFound());
    res.json({ organization: renderOrganization(organization, apiBaseOf(req)) });
  });

  app.get('/api/v2/ticket_fields', (req, res) => {
    const fields = [...store.data.ticket_fields].sort((a, b) => a.position - b.position);
    const apiBase = apiBaseOf(req);
    sendList(req, res, 'ticket_fields', fields, (field) => renderTicketField(field, apiBase));
  });

  app.get('/api/v2/ticket_fields/:id', (req, res) => {
    const id = parseId(req.params.id);
    const field = id === null ? undefined : store.findTicketField(id);
    if (!field) return send(res, zendeskErrors.notFound());
    res.json({ ticket_field: renderTicketField(field, apiBaseOf(req)) });
  });
}

const handleErrors: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return send(res, zendeskErrors.invalidJson());
  if (type === 'entity.too.large') {
    return send(res, {
      status: 413,
      body: { error: 'RequestTooLarge', description: 'Request body too large' },
    });
  }
  send(res, { status: 500, body: { error: 'InternalError', description: 'Fake Zendesk failed' } });
};

/**
 * Creates the fake. Synchronous so that the server can mount it at boot.
 *
 * @example
 * const fake = createFakeZendesk({ filePath: 'data/sandbox-zendesk.json' });
 * app.use('/sandbox/zendesk', fake.app);
 */
export function createFakeZendesk(options: FakeZendeskOptions = {}): FakeZendesk {
  const now = options.now ?? (() => new Date());
  const credentials: FakeZendeskCredentials = {
    email: options.credentials?.email ?? SANDBOX_ZENDESK_CREDENTIALS.email,
    apiToken: options.credentials?.apiToken ?? SANDBOX_ZENDESK_CREDENTIALS.apiToken,
    oauthAccessTokens: options.credentials?.oauthAccessTokens ?? [
      SANDBOX_ZENDESK_CREDENTIALS.oauthAccessToken,
    ],
  };
  const store = openFakeZendeskStore({ filePath: options.filePath, seed: options.seed });
  const faults = createFaultInjector();
  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    const entry: JournalEntry = {
      method: req.method,
      path: req.path,
      query: { ...req.query },
      body: undefined,
      authorization: classifyAuthorization(req.headers.authorization),
      at: formatZendeskTime(now()),
    };
    store.requests.push(entry);
    // The sandbox runs for days; keep the journal bounded (tests only look at recent requests).
    if (store.requests.length > JOURNAL_LIMIT)
      store.requests.splice(0, store.requests.length - JOURNAL_LIMIT);
    (res.locals as Locals).journalEntry = entry;
    next();
  });
  const limits = resolveZendeskLimits(options.limits, options.rateLimitPerMinute);
  app.use(createRateLimitMiddleware({ limits, now }));
  app.use(createFaultMiddleware(faults));
  const oauth = createFakeZendeskOAuth({
    clients: options.oauthClients ?? [SANDBOX_ZENDESK_OAUTH_CLIENT],
    now,
  });
  // The token endpoint sits at the account's root, outside the API, and needs no API auth.
  app.post(
    '/oauth/tokens',
    express.json({ limit: '64kb' }),
    express.urlencoded({ extended: false, limit: '64kb' }),
    (req, res) => send(res, oauth.handleTokenRequest(req.body)),
  );
  app.use((req, res, next) => {
    let email = authenticateRequest(req.headers.authorization, credentials);
    if (email === null && classifyAuthorization(req.headers.authorization) === 'bearer') {
      const state = oauth.checkAccessToken(
        (req.headers.authorization ?? '').replace(/^bearer\s+/i, ''),
      );
      if (state === 'expired') return send(res, zendeskOAuthErrors.invalidToken());
      if (state === 'valid') email = credentials.email;
    }
    if (email === null) return send(res, zendeskErrors.unauthenticated());
    // Custom credentials may name a user the data does not have; act as the first admin then.
    const actor =
      store.findUserByEmail(email) ?? store.data.users.find((user) => user.role === 'admin');
    if (!actor) return send(res, zendeskErrors.unauthenticated());
    (res.locals as Locals).actor = actor;
    next();
  });
  app.use(express.json({ limit: '1mb' }));
  app.use((req, res, next) => {
    (res.locals as Locals).journalEntry.body = req.body;
    // Every documented path also works with a `.json` suffix.
    req.url = req.url.replace(/\.json(?=$|\?)/, '');
    next();
  });
  const apps = createFakeAppSigning();
  const jobs = createTicketJobs({ store, now, delayMs: options.jobDelayMs ?? 50 });
  registerRoutes(app, store, now, apps, jobs, limits);
  registerSearchRoutes(app, store);
  app.use((_req, res) => send(res, zendeskErrors.invalidEndpoint()));
  app.use(handleErrors);

  return {
    app,
    store,
    faults,
    journal: store.requests,
    apps,
    oauth,
    jobs,
    limits,
    close: async () => jobs.stop(),
  };
}

export interface RunningFakeZendesk extends FakeZendesk {
  /** e.g. http://127.0.0.1:54321 — the client's baseUrl (paths are /api/v2/...). */
  baseUrl: string;
}

/** Starts the fake on its own port (0 = any free port) on 127.0.0.1, for tests. */
export async function startFakeZendesk(
  options: FakeZendeskOptions & { port?: number } = {},
): Promise<RunningFakeZendesk> {
  const running = await startOnLoopback(createFakeZendesk(options), options.port);
  return { ...running, baseUrl: running.url };
}
