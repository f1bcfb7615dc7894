/**
 * A Salesforce-compatible fake of the part of the REST API the server uses: sObject retrieve,
 * update and describe, SOQL query, the Tooling API's UserFieldAccess, the limits resource and
 * the OAuth token endpoint. It is the sandbox's Salesforce org and the test double that real
 * jsforce talks to over HTTP.
 *
 * Written from Salesforce's REST API Developer Guide, not from what jsforce sends. Doc facts:
 * - sObject Rows: `GET /services/data/vXX.X/sobjects/{Object}/{id}[?fields=A,B]` returns the
 *   record with `attributes: {type, url}` (all fields, or `Id` plus the listed ones; a field
 *   that doesn't exist → 400); `PATCH` with a JSON body of field values → 204 No Content.
 * - sObject Describe: `GET …/sobjects/{Object}/describe` → `{name, label, fields: [...]}`.
 * - Query: `GET …/query?q=SOQL` → `{totalSize, done, records}` (see run-query.ts), in batches of
 *   2,000 (or `Sforce-Query-Options: batchSize=N`) with `nextRecordsUrl` for the rest, and query
 *   locators that expire (see query-cursors.ts).
 * - Status codes and error responses: errors are a JSON array of `{message, errorCode,
 *   fields?}`; 401 INVALID_SESSION_ID when the session or OAuth token is expired or invalid;
 *   403 REQUEST_LIMIT_EXCEEDED past the org's API request limit; 404 NOT_FOUND for a resource
 *   that doesn't exist; ENTITY_IS_DELETED for a deleted record.
 * - Conditional request headers: a PATCH with `If-Unmodified-Since` (an HTTP date) is refused
 *   with 412 Precondition Failed, nothing written, when the record's last modified date is
 *   later; an invalid header value is 400 Bad Request.
 * - Limits: every response carries `Sforce-Limit-Info: api-usage=used/max`; `GET …/limits`
 *   reports `DailyApiRequests: {Max, Remaining}`. Past the org's daily allocation: 403
 *   `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`. The
 *   OAuth token endpoint is not a REST API call and does not count (help.salesforce.com
 *   000386972 for the allocation: 15,000 a day for Developer Edition, the default here).
 * - sObject Collections update, `PATCH …/composite/sobjects` (see record-collections.ts): one
 *   request counts as one API call however many records it carries.
 * Assumptions (not confirmed by the docs we could read): the NOT_FOUND wording for a malformed
 * id, a relationship path in `?fields=` being refused like an unknown field, 404 rather than 400
 * for ENTITY_IS_DELETED, and only the configured API version being served (a client that forgets
 * to set its version then fails loudly instead of silently talking v50.0).
 */
import { startOnLoopback } from '../listen-on-loopback';
import express from 'express';
import type { ErrorRequestHandler, Express, Request, Response } from 'express';
import { createFaultInjector, createFaultMiddleware } from '../fake-zendesk/faults';
import type { FaultInjector } from '../fake-zendesk/faults';
import { SANDBOX_SALESFORCE_CREDENTIALS } from '../seed/salesforce-seed';
import type { FakeSalesforceData } from '../seed/salesforce-seed';
import { openFakeSalesforceStore } from './fake-salesforce-store';
import type { FakeSalesforceStore, SalesforceJournalEntry } from './fake-salesforce-store';
import { createFakeSessions, handleTokenRequest } from './oauth-token';
import type { FakeSession, FakeSessions, TokenEndpointConfig } from './oauth-token';
import {
  applyRecordUpdate,
  DEFAULT_VALIDATION_RULES,
  formatSalesforceTime,
} from './record-changes';
import type { FakeValidationRule } from './record-changes';
import { updateRecordCollection } from './record-collections';
import { createQueryCursors } from './query-cursors';
import type { QueryCursors } from './query-cursors';
import { runRecordQuery, runToolingQuery } from './run-query';
import type { QueryContext } from './run-query';
import { salesforceErrors } from './salesforce-replies';
import type { SalesforceReply } from './salesforce-replies';
import {
  buildObjectSchemas,
  findFieldDef,
  findObjectDef,
  renderFieldDescribe,
} from './sobject-schemas';
import type { FakeObjectDef } from './sobject-schemas';

export const JOURNAL_LIMIT = 2000;
const ID_PATTERN = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
/** Form fields that are credentials; the journal never keeps them. */
const SECRET_FORM_FIELDS = ['assertion', 'refresh_token', 'client_secret'];

export interface FakeSalesforceOptions {
  /** lowdb JSON file; in-memory when omitted. */
  filePath?: string;
  seed?: () => FakeSalesforceData;
  now?: () => Date;
  /** The one API version served (default '62.0'). */
  apiVersion?: string;
  /** The org's daily API request limit (default 15 000). */
  dailyApiRequests?: number;
  validationRules?: readonly FakeValidationRule[];
  /** Served as `instance_url` by the token endpoint; defaults to the address of the request. */
  instanceUrl?: string;
  credentials?: {
    clientId?: string;
    clientSecret?: string;
    /** Long-lived access tokens acting as `username` (default: the sandbox token). */
    accessTokens?: string[];
    refreshTokens?: string[];
    /** The integration user the static tokens act as (default integration@sandbox.local). */
    username?: string;
    /** PEM public keys or certificates accepted for the JWT bearer flow (default: none). */
    jwtPublicKeys?: string[];
    audiences?: string[];
  };
}

export interface FakeSalesforce {
  /** Express app; mount it under any prefix (instance_url then includes that prefix). */
  app: Express;
  store: FakeSalesforceStore;
  faults: FaultInjector;
  /** Same array as store.requests. */
  journal: SalesforceJournalEntry[];
  sessions: FakeSessions;
  /** The daily API request budget; set `used` to `max` to exhaust it. */
  apiUsage: { max: number; used: number };
  close(): Promise<void>;
}

interface Locals {
  session: FakeSession;
  journalEntry: SalesforceJournalEntry;
}

function send(res: Response, reply: SalesforceReply): void {
  if (reply.status === 204) {
    res.status(204).end();
    return;
  }
  res.status(reply.status).json(reply.body);
}

function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
}

function readBearer(header: string | undefined): string | undefined {
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

function renderDescribe(objectDef: FakeObjectDef, apiPath: string): Record<string, unknown> {
  const base = `${apiPath}/sobjects/${objectDef.name}`;
  return {
    name: objectDef.name,
    label: objectDef.label,
    labelPlural: objectDef.labelPlural,
    keyPrefix: objectDef.keyPrefix,
    custom: objectDef.custom,
    queryable: true,
    retrieveable: true,
    updateable: true,
    fields: objectDef.fields.map(renderFieldDescribe),
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  };
}

function registerDataRoutes(
  router: express.Router,
  context: {
    store: FakeSalesforceStore;
    schemas: FakeObjectDef[];
    apiPath: string;
    rules: readonly FakeValidationRule[];
    now: () => Date;
    apiUsage: { max: number; used: number };
    cursors: QueryCursors;
  },
): void {
  const { store, schemas, apiPath } = context;
  const queryContext = (res: Response): QueryContext => ({
    store,
    schemas,
    apiPath,
    currentUserId: (res.locals as Locals).session.userId,
  });

  router.get('/limits', (_req, res) => {
    const { max, used } = context.apiUsage;
    res.json({ DailyApiRequests: { Max: max, Remaining: Math.max(0, max - used) } });
  });

  router.get('/query', (req, res) => {
    const reply = runRecordQuery(queryContext(res), req.query.q);
    if (reply.status !== 200) return send(res, reply);
    const { records } = reply.body as { records: unknown[] };
    return send(
      res,
      context.cursors.firstBatch(
        (res.locals as Locals).session.userId,
        records,
        req.get('sforce-query-options'),
      ),
    );
  });
  router.get('/query/:locator', (req, res) =>
    send(
      res,
      context.cursors.nextBatch((res.locals as Locals).session.userId, req.params.locator ?? ''),
    ),
  );

  // sObject Collections update (record-collections.ts); one request, one API call.
  router.patch('/composite/sobjects', (req, res) =>
    send(
      res,
      updateRecordCollection(
        { store, schemas, rules: context.rules, now: context.now() },
        req.body,
      ),
    ),
  );

  router.get('/tooling/query', (req, res) =>
    send(res, runToolingQuery(queryContext(res), req.query.q)),
  );

  router.get('/sobjects/:object/describe', (req, res) => {
    const objectDef = findObjectDef(schemas, req.params.object);
    if (!objectDef) return send(res, salesforceErrors.notFound());
    res.json(renderDescribe(objectDef, apiPath));
  });

  const findTarget = (req: Request) => {
    const objectDef = findObjectDef(schemas, String(req.params.object));
    if (!objectDef) return { ok: false as const, reply: salesforceErrors.notFound() };
    const id = String(req.params.id);
    if (!ID_PATTERN.test(id)) return { ok: false as const, reply: salesforceErrors.notAnId(id) };
    const record = store.findRecord(objectDef.name, id);
    if (!record) return { ok: false as const, reply: salesforceErrors.notFound() };
    if (record.IsDeleted) return { ok: false as const, reply: salesforceErrors.entityIsDeleted() };
    return { ok: true as const, objectDef, record };
  };

  router.get('/sobjects/:object/:id', (req, res) => {
    const target = findTarget(req);
    if (!target.ok) return send(res, target.reply);
    const { objectDef, record } = target;
    const requested =
      typeof req.query.fields === 'string'
        ? req.query.fields
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean)
        : undefined;
    const defs = [];
    for (const name of requested ?? objectDef.fields.map((def) => def.name)) {
      const def = findFieldDef(objectDef, name);
      if (!def) {
        return send(res, salesforceErrors.relationshipInFieldsParameter(name, objectDef.name));
      }
      defs.push(def);
    }
    const idDef = findFieldDef(objectDef, 'Id');
    if (idDef && !defs.includes(idDef)) defs.push(idDef);
    const body: Record<string, unknown> = {
      attributes: {
        type: objectDef.name,
        url: `${apiPath}/sobjects/${objectDef.name}/${record.Id}`,
      },
    };
    for (const def of defs)
      body[def.name] = def.compute ? def.compute(record) : (record[def.name] ?? null);
    res.json(body);
  });

  router.patch('/sobjects/:object/:id', (req, res) => {
    const target = findTarget(req);
    if (!target.ok) return send(res, target.reply);
    const { objectDef, record } = target;
    // Conditional request headers: If-Unmodified-Since is weak validation against the record's
    // LastModifiedDate (HTTP dates have whole seconds); 412 and nothing written if it is later.
    const since = req.get('if-unmodified-since');
    if (since !== undefined) {
      const sinceMs = Date.parse(since);
      if (Number.isNaN(sinceMs)) {
        return send(res, salesforceErrors.invalidConditionalHeader('If-Unmodified-Since', since));
      }
      const modifiedMs = Date.parse(String(record.LastModifiedDate));
      if (Math.floor(modifiedMs / 1000) > Math.floor(sinceMs / 1000)) {
        return res.status(412).end();
      }
    }
    const outcome = applyRecordUpdate(objectDef, record, req.body, context.rules, context.now());
    if (!outcome.ok) return send(res, outcome.reply);
    const list = store.data.records[objectDef.name] as (typeof record)[];
    list[list.indexOf(record)] = outcome.record;
    store.save();
    res.status(204).end();
  });

  router.all('/sobjects/:object/:id', (req, res) =>
    send(res, salesforceErrors.methodNotAllowed(req.method)),
  );
}

const handleErrors: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') {
    return send(
      res,
      salesforceErrors.jsonParser('Unexpected character in the request body; it is not valid JSON'),
    );
  }
  send(res, salesforceErrors.internalError());
};

/**
 * Creates the fake org. Synchronous so the server can mount it at boot.
 *
 * @example
 * const fake = createFakeSalesforce({ filePath: 'data/sandbox-salesforce.json' });
 * app.use('/sandbox/salesforce', fake.app);
 */
export function createFakeSalesforce(options: FakeSalesforceOptions = {}): FakeSalesforce {
  const now = options.now ?? (() => new Date());
  const apiVersion = options.apiVersion ?? '62.0';
  const apiPath = `/services/data/v${apiVersion}`;
  const store = openFakeSalesforceStore({ filePath: options.filePath, seed: options.seed });
  const schemas = buildObjectSchemas();
  const faults = createFaultInjector();
  const apiUsage = { max: options.dailyApiRequests ?? 15_000, used: 0 };
  const credentials = options.credentials ?? {};
  const clientId = credentials.clientId ?? SANDBOX_SALESFORCE_CREDENTIALS.clientId;
  const integrationUsername = credentials.username ?? SANDBOX_SALESFORCE_CREDENTIALS.username;

  const findUserId = (username: string): string | undefined =>
    store
      .listRecords('User')
      .find(
        (user) =>
          String(user.Username).toLowerCase() === username.toLowerCase() && user.IsActive !== false,
      )?.Id;
  const integrationSession = (): FakeSession => ({
    username: integrationUsername,
    userId: findUserId(integrationUsername) ?? '',
  });
  const sessions = createFakeSessions(
    Object.fromEntries(
      (credentials.accessTokens ?? [SANDBOX_SALESFORCE_CREDENTIALS.accessToken]).map((token) => [
        token,
        integrationSession(),
      ]),
    ),
  );
  const tokenConfig: TokenEndpointConfig = {
    clients: {
      [clientId]: {
        clientSecret: credentials.clientSecret ?? SANDBOX_SALESFORCE_CREDENTIALS.clientSecret,
      },
    },
    refreshTokens: Object.fromEntries(
      (credentials.refreshTokens ?? [SANDBOX_SALESFORCE_CREDENTIALS.refreshToken]).map((token) => [
        token,
        { clientId, username: integrationUsername },
      ]),
    ),
    jwtPublicKeys: credentials.jwtPublicKeys ?? [],
    audiences: credentials.audiences ?? [
      'https://login.salesforce.com',
      'https://test.salesforce.com',
    ],
    users: findUserId,
    sessions,
    now,
  };

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const entry: SalesforceJournalEntry = {
      method: req.method,
      path: req.path,
      query: { ...req.query },
      body: undefined,
      authorization: !req.headers.authorization
        ? 'none'
        : readBearer(req.headers.authorization)
          ? 'bearer'
          : 'other',
      ...(req.headers['if-unmodified-since'] === undefined
        ? {}
        : { ifUnmodifiedSince: req.headers['if-unmodified-since'] }),
      at: formatSalesforceTime(now()),
    };
    store.requests.push(entry);
    if (store.requests.length > JOURNAL_LIMIT) {
      store.requests.splice(0, store.requests.length - JOURNAL_LIMIT);
    }
    (res.locals as Locals).journalEntry = entry;
    next();
  });
  app.use(createFaultMiddleware(faults));

  app.post('/services/oauth2/token', express.urlencoded({ extended: false }), async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    (res.locals as Locals).journalEntry.body = Object.fromEntries(
      Object.entries(form).map(([key, value]) => [
        key,
        SECRET_FORM_FIELDS.includes(key) ? '[redacted]' : value,
      ]),
    );
    const reply = await handleTokenRequest(
      tokenConfig,
      options.instanceUrl ?? baseUrlOf(req),
      form,
    );
    res.setHeader('Cache-Control', 'no-store');
    send(res, reply);
  });

  const data = express.Router();
  data.use((req, res, next) => {
    const token = readBearer(req.headers.authorization);
    const session = token === undefined ? undefined : sessions.lookup(token);
    if (!session) return send(res, salesforceErrors.invalidSession());
    (res.locals as Locals).session = session;
    apiUsage.used += 1;
    res.setHeader('Sforce-Limit-Info', `api-usage=${apiUsage.used}/${apiUsage.max}`);
    if (apiUsage.used > apiUsage.max) return send(res, salesforceErrors.requestLimitExceeded());
    next();
  });
  data.use(express.json({ limit: '1mb' }));
  data.use((req, res, next) => {
    (res.locals as Locals).journalEntry.body = req.body;
    next();
  });
  registerDataRoutes(data, {
    store,
    schemas,
    apiPath,
    rules: options.validationRules ?? DEFAULT_VALIDATION_RULES,
    now,
    apiUsage,
    cursors: createQueryCursors({ apiPath, now }),
  });
  data.use((_req, res) => send(res, salesforceErrors.unknownEndpoint()));
  app.use(apiPath, data);
  app.use((_req, res) => send(res, salesforceErrors.unknownEndpoint()));
  app.use(handleErrors);

  return {
    app,
    store,
    faults,
    journal: store.requests,
    sessions,
    apiUsage,
    close: async () => undefined,
  };
}

export interface RunningFakeSalesforce extends FakeSalesforce {
  /** e.g. http://127.0.0.1:54321 — both the instance URL and the login URL. */
  instanceUrl: string;
}

/** Starts the fake on its own port (0 = any free port) on 127.0.0.1, for tests. */
export async function startFakeSalesforce(
  options: FakeSalesforceOptions & { port?: number } = {},
): Promise<RunningFakeSalesforce> {
  const running = await startOnLoopback(createFakeSalesforce(options), options.port);
  return { ...running, instanceUrl: running.url };
}
