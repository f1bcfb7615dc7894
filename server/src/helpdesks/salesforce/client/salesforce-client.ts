import type { KeyObject } from 'node:crypto';
import type { Connection } from 'jsforce';
import { z } from 'zod';
import { readPrivateKey, requestSalesforceSession } from './salesforce-auth';
import type { SalesforceCredentials, SalesforceSession } from './salesforce-auth';
import {
  describeSalesforceErrors,
  isSessionRejected,
  toSalesforceError,
} from './salesforce-errors';
import type { RunLane } from '../../../pacing/run-lane';
import { SLOT_TAKEN } from '../../../pacing/rate-budget';
import type { RateBudget } from '../../../pacing/rate-budget';
import { DAILY_API_BUCKET } from './salesforce-rate-limits';
import type { SalesforceError } from './salesforce-errors';
import type { Result } from '../../../../../shared/src/result';
import {
  buildFieldAccessQuery,
  buildRecordQuery,
  isApiName,
  isFieldPath,
  isRecordId,
} from './soql';

const DAILY_API_BUCKETS: readonly string[] = [DAILY_API_BUCKET];

const SESSION_REJECTED_AGAIN: SalesforceError = {
  code: 'SALESFORCE_AUTH_FAILED',
  message:
    'Salesforce rejected the session again right after it was refreshed; check the integration user and the connected app.',
};

/**
 * The server's Salesforce client: jsforce over the REST API, with every expected failure
 * returned as a value.
 *
 * Policies and what they guard against:
 * - Session: one token request at a time (concurrent calls share it). A 401 INVALID_SESSION_ID
 *   gets the call a new session (or the one another call just got) and sends it again, once,
 *   so a token the org keeps rejecting cannot loop on the token endpoint. This is ours rather
 *   than jsforce's refresh hook: the hook cannot tell which call it refreshes for, and telling
 *   it through an AsyncLocalStorage turned on Node's async hooks for every promise of the
 *   process (pacing/run-lane.ts).
 * - Reads (query, describe) are retried by jsforce on 500/502/503/504 and network errors with
 *   exponential backoff; we only tune its retry options, so nothing retries twice.
 * - The client never repeats an update (PATCH) that may have reached Salesforce: a timeout or
 *   5xx can hide an applied write. The one repeat is after a refreshed session, which is safe
 *   because a 401 means nothing was written. The Salesforce write-back decides about a
 *   second attempt after reading the record back (salesforce-helpdesk.ts), and makes it
 *   conditional with `ifUnmodifiedSince`.
 * - REQUEST_LIMIT_EXCEEDED (403) is the org's 24-hour API allowance: not retried, reported.
 * - SOQL is built only from values that passed strict patterns (soql.ts): no injection.
 */

export type SalesforceClientOptions = SalesforceCredentials & {
  /** Always sent explicitly: jsforce would otherwise default to v50.0. */
  apiVersion?: string;
  /** Per request, including jsforce's read retries (default 10 000 ms). */
  timeoutMs?: number;
  /** jsforce's read retries: how many, and the first wait (it doubles). Tests shorten the wait. */
  readRetry?: { maxRetries?: number; minTimeoutMs?: number };
  /** How long a describe result is reused (default 5 minutes). */
  describeCacheMs?: number;
  now?: () => number;
  /** The org's daily API allowance, read from `Sforce-Limit-Info` (salesforce-rate-limits.ts). */
  budget?: RateBudget;
};

/** A record as loaded: field API name → value; relationships are nested records or null. */
export type SalesforceRecord = { [field: string]: unknown };

export interface SObjectField {
  name: string;
  label: string;
  type: string;
  updateable: boolean;
  nillable: boolean;
  relationshipName: string | null;
  referenceTo: string[];
}

export interface SObjectDescription {
  name: string;
  label: string;
  fields: SObjectField[];
}

export interface SalesforceClient {
  /** Loads only `fields` (relationship paths such as Contact.Email included) in one query. */
  loadRecord(
    objectApiName: string,
    id: string,
    fields: readonly string[],
  ): Promise<Result<SalesforceRecord, SalesforceError>>;
  /**
   * One PATCH with exactly these field values. With `ifUnmodifiedSince` (a LastModifiedDate as
   * Salesforce returned it) the update is conditional: Salesforce answers 412 and writes nothing
   * if the record changed after that time (SALESFORCE_PRECONDITION_FAILED).
   */
  updateRecord(
    objectApiName: string,
    id: string,
    fields: Readonly<Record<string, unknown>>,
    options?: { ifUnmodifiedSince?: string },
  ): Promise<Result<{ id: string }, SalesforceError>>;
  /**
   * Updates up to 200 records in one sObject Collections request (`allOrNone: false`): each
   * record is saved or refused on its own, and the results come back in request order. Never
   * repeated: a failure without an answer may hide saved records.
   */
  updateRecords(
    records: readonly RecordUpdate[],
  ): Promise<Result<RecordUpdateResult[], SalesforceError>>;
  /** The object's fields (cached). */
  describe(objectApiName: string): Promise<Result<SObjectDescription, SalesforceError>>;
  /** API names of the object's fields that the user's profile and permission sets let them edit. */
  editableFields(
    objectApiName: string,
    userId: string,
  ): Promise<Result<ReadonlySet<string>, SalesforceError>>;
  /**
   * One page of a query's record ids: the first (`soql`), or the next (`next`, the previous
   * page's `nextRecordsUrl`). `totalSize` is Salesforce's count of all the query's records.
   */
  queryIds(soql: string, next?: string): Promise<Result<QueryIdsPage, SalesforceError>>;
  /**
   * The same client (session, caches, budget) with its calls counted in `lane` (run-lane.ts):
   * automation's wait behind agents' for the org's API allowance.
   */
  inLane(lane: RunLane): SalesforceClient;
}

export interface QueryIdsPage {
  ids: string[];
  next: string | undefined;
  totalSize: number;
  /** The `next` cursor had expired, so this is the query's first page again. */
  restarted?: true;
}

export interface RecordUpdate {
  objectApiName: string;
  id: string;
  fields: Readonly<Record<string, unknown>>;
}

export type RecordUpdateResult =
  { id: string; success: true } | { id: string; success: false; error: SalesforceError };

/** sObject Collections takes at most 200 records per request (REST API developer guide). */
export const MAX_RECORDS_PER_COLLECTION = 200;

/** SaveResults (REST API guide): errors name their code `statusCode`, not `errorCode`. */
const collectionResultsSchema = z.array(
  z.looseObject({
    id: z.string().nullish(),
    success: z.boolean(),
    errors: z
      .array(
        z.looseObject({
          statusCode: z.string(),
          message: z.string(),
          fields: z.array(z.string()).optional(),
        }),
      )
      .default([]),
  }),
);

const queryResultSchema = z.looseObject({
  totalSize: z.number(),
  done: z.boolean(),
  records: z.array(z.record(z.string(), z.unknown())),
});

const describeSchema = z.looseObject({
  name: z.string(),
  label: z.string(),
  fields: z.array(
    z.looseObject({
      name: z.string(),
      label: z.string(),
      type: z.string(),
      updateable: z.boolean(),
      nillable: z.boolean(),
      relationshipName: z.string().nullable().optional(),
      referenceTo: z.array(z.string()).optional(),
    }),
  ),
});

const fieldAccessSchema = z.looseObject({
  records: z.array(
    z.looseObject({
      IsUpdatable: z.boolean(),
      FieldDefinition: z.looseObject({ QualifiedApiName: z.string() }).nullable(),
    }),
  ),
});

const optionsSchema = z.object({
  apiVersion: z.string().regex(/^\d{2,3}\.0$/, 'use a version such as 62.0'),
  timeoutMs: z.number().int().positive(),
  maxRetries: z.number().int().min(0).max(10),
  minTimeoutMs: z.number().int().min(0),
  describeCacheMs: z.number().int().min(0),
  loginUrl: z.url({ protocol: /^https?$/ }),
});

const READ_RETRY_STATUSES = [500, 502, 503, 504];

/** Removes Salesforce's `attributes` (type and URL) from a record and its related records. */
function stripAttributes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripAttributes);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'attributes')
      .map(([key, item]) => [key, stripAttributes(item)]),
  );
}

/**
 * Reads `Contact.Email` from a loaded record. Field names are case-insensitive in Salesforce
 * (the query may say `contact.email`, the answer says `Contact.Email`), so this walk is too.
 */
export function readRecordPath(record: SalesforceRecord, path: string): unknown {
  let current: unknown = record;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    const wanted = segment.toLowerCase();
    const key = Object.keys(current).find((name) => name.toLowerCase() === wanted);
    if (key === undefined) return undefined;
    current = (current as SalesforceRecord)[key];
  }
  return current;
}

function failure(error: SalesforceError): { ok: false; error: SalesforceError } {
  return { ok: false, error };
}

function badShape(what: string): { ok: false; error: SalesforceError } {
  return failure({
    code: 'SALESFORCE_UNAVAILABLE',
    message: `Salesforce answered the ${what} with an unexpected shape.`,
  });
}

/** Which requested path an INVALID_FIELD message is about ("No such column 'X' on entity 'Y'"). */
function unknownFieldError(
  error: SalesforceError,
  objectApiName: string,
  requested: readonly string[],
): SalesforceError {
  const text = error.details?.[0]?.message ?? error.message;
  const column = /No such column '([^']+)' on (?:entity '([^']+)'|sobject of type (\w+))/.exec(
    text,
  );
  const relationship = /Didn't understand relationship '([^']+)'/.exec(text);
  const name = column?.[1] ?? relationship?.[1];
  const onObject = column?.[2] ?? column?.[3] ?? objectApiName;
  const matches = (path: string) =>
    name !== undefined && path.toLowerCase().split('.').includes(name.toLowerCase());
  const field = requested.find(matches) ?? name;
  const where = field && name && field !== name ? ` (in "${field}")` : '';
  const message = relationship
    ? `${objectApiName} has no relationship "${name}"${where}.`
    : name
      ? `${onObject} has no field "${name}"${where}.`
      : `Unknown field on ${objectApiName}: ${describeSalesforceErrors(error.details ?? [])}`;
  return {
    code: 'SALESFORCE_UNKNOWN_FIELD',
    message,
    object: onObject,
    ...(field ? { field } : {}),
    ...(error.details ? { details: error.details } : {}),
  };
}

function hasErrorCode(error: SalesforceError, code: string): boolean {
  return error.details?.some((item) => item.errorCode === code) ?? false;
}

function unknownObject(objectApiName: string): SalesforceError {
  return {
    code: 'SALESFORCE_UNKNOWN_OBJECT',
    message: `Salesforce has no object "${objectApiName}" (or the integration user cannot see it).`,
    object: objectApiName,
  };
}

function checkNames(
  objectApiName: string,
  fields: readonly string[],
  allowPaths: boolean,
): SalesforceError | undefined {
  if (!isApiName(objectApiName)) return unknownObject(objectApiName);
  const bad = fields.find((field) => !(allowPaths ? isFieldPath(field) : isApiName(field)));
  if (bad === undefined) return undefined;
  return {
    code: 'SALESFORCE_UNKNOWN_FIELD',
    message: `"${bad}" is not a valid ${allowPaths ? 'field path' : 'field name'} on ${objectApiName}.`,
    field: bad,
    object: objectApiName,
  };
}

function invalidId(objectApiName: string, id: string): { ok: false; error: SalesforceError } {
  return failure({
    code: 'SALESFORCE_INVALID_ID',
    message: `"${id.slice(0, 40)}" is not a Salesforce ${objectApiName} id (15 or 18 letters and digits).`,
    object: objectApiName,
  });
}

function pickCredentials(options: SalesforceClientOptions): SalesforceCredentials {
  if (options.kind === 'jwtBearer') {
    const { kind, loginUrl, clientId, username, privateKeyPem, audience } = options;
    return { kind, loginUrl, clientId, username, privateKeyPem, ...(audience ? { audience } : {}) };
  }
  const { kind, instanceUrl, accessToken, refreshToken, clientId, clientSecret, loginUrl } =
    options;
  return {
    kind,
    instanceUrl,
    refreshToken,
    clientId,
    loginUrl,
    ...(accessToken ? { accessToken } : {}),
    ...(clientSecret ? { clientSecret } : {}),
  };
}

/**
 * Creates the client. Credentials are checked here (a bad PEM or URL is a configuration bug and
 * throws); no request is made until the first call.
 *
 * @example
 * const salesforce = createSalesforceClient({
 *   kind: 'jwtBearer',
 *   loginUrl: 'https://login.salesforce.com',
 *   clientId: process.env.SALESFORCE_CLIENT_ID!,
 *   username: process.env.SALESFORCE_USERNAME!,
 *   privateKeyPem: process.env.SALESFORCE_PRIVATE_KEY!,
 * });
 * const record = await salesforce.loadRecord('Case', '500…', ['Subject', 'Contact.Email']);
 */
export function createSalesforceClient(options: SalesforceClientOptions): SalesforceClient {
  const config = optionsSchema.parse({
    apiVersion: options.apiVersion ?? '62.0',
    timeoutMs: options.timeoutMs ?? 10_000,
    maxRetries: options.readRetry?.maxRetries ?? 3,
    minTimeoutMs: options.readRetry?.minTimeoutMs ?? 500,
    describeCacheMs: options.describeCacheMs ?? 5 * 60 * 1000,
    loginUrl: options.loginUrl,
  });
  const now = options.now ?? Date.now;
  const credentials = pickCredentials(options);
  const privateKey: KeyObject | undefined =
    credentials.kind === 'jwtBearer' ? readPrivateKey(credentials.privateKeyPem) : undefined;
  const describeCache = new Map<string, { at: number; value: SObjectDescription }>();
  let pendingLogin: Promise<Result<SalesforceSession, SalesforceError>> | undefined;

  const login = () => {
    pendingLogin ??= requestSalesforceSession(credentials, {
      privateKey,
      timeoutMs: config.timeoutMs,
      now,
    }).finally(() => {
      pendingLogin = undefined;
    });
    return pendingLogin;
  };

  const trimSlash = (url: string) => url.replace(/\/+$/, '');
  // jsforce costs ~35 MiB of RSS once loaded; a server that never calls Salesforce (Zendesk only,
  // or before the first Salesforce run) should not pay it. The import is cached by Node.
  let opening: Promise<Connection> | undefined;
  const openConnection = (): Promise<Connection> =>
    (opening ??= import('jsforce').then(
      ({ Connection: JsforceConnection }) =>
        new JsforceConnection({
          version: config.apiVersion,
          ...(credentials.kind === 'refreshToken'
            ? {
                instanceUrl: trimSlash(credentials.instanceUrl),
                ...(credentials.accessToken ? { accessToken: credentials.accessToken } : {}),
              }
            : {}),
        }),
    ));

  async function ensureSession(): Promise<Result<true, SalesforceError>> {
    const connection = await openConnection();
    if (connection.accessToken) return { ok: true, value: true };
    const session = await login();
    if (!session.ok) return session;
    connection.instanceUrl = trimSlash(session.value.instanceUrl);
    connection.accessToken = session.value.accessToken;
    return { ok: true, value: true };
  }

  /** Calls counted in `lane`: automation's wait behind agents' for the org's allowance. */
  const callerIn =
    (lane: RunLane) =>
    async <T>(
      method: 'GET' | 'PATCH',
      url: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<Result<T, SalesforceError>> => {
      const ready = await ensureSession();
      if (!ready.ok) return ready;
      const connection = await openConnection();
      if (options.budget) {
        const slot = options.budget.takeAtOnce(lane, DAILY_API_BUCKETS)
          ? SLOT_TAKEN
          : await options.budget.acquire(lane, DAILY_API_BUCKETS);
        if (!slot.ok)
          return failure({ code: 'SALESFORCE_RATE_LIMITED', message: slot.error.message });
      }
      const retry =
        method === 'GET'
          ? {
              maxRetries: config.maxRetries,
              minTimeout: config.minTimeoutMs,
              timeoutFactor: 2,
              statusCodes: READ_RETRY_STATUSES,
              methods: ['GET' as const],
            }
          : { maxRetries: 0 };
      for (let refreshed = false; ; refreshed = true) {
        const sentWith = connection.accessToken;
        try {
          const value = await connection.request<T>(
            {
              method,
              url,
              ...(body === undefined
                ? { headers }
                : {
                    body: JSON.stringify(body),
                    headers: { 'content-type': 'application/json', ...headers },
                  }),
            },
            { retry, timeout: config.timeoutMs, noContentResponse: null },
          );
          observeUsage(connection);
          return { ok: true, value };
        } catch (error) {
          observeUsage(connection);
          if (!isSessionRejected(error)) return failure(toSalesforceError(error));
          if (refreshed) return failure(SESSION_REJECTED_AGAIN);
          // A rejected session wrote nothing, so the call goes again, once, on a fresh one.
          // Another call may have got a new session since this one was sent: that one is used.
          if (connection.accessToken === sentWith) {
            const session = await login();
            if (!session.ok) return failure(session.error);
            connection.instanceUrl = trimSlash(session.value.instanceUrl);
            connection.accessToken = session.value.accessToken;
          }
        }
      }
    };

  /** jsforce keeps the last `Sforce-Limit-Info` it saw as `limitInfo.apiUsage`. */
  function observeUsage(connection: Connection): void {
    const usage = connection.limitInfo.apiUsage;
    if (!options.budget || !usage) return;
    options.budget.observe([
      { bucket: DAILY_API_BUCKET, limit: usage.limit, remaining: usage.limit - usage.used },
    ]);
  }

  /** The client's methods with their calls counted in `lane`; every lane shares one session. */
  const viewIn = (lane: RunLane): SalesforceClient => {
    const call = callerIn(lane);

    /** One page of a query's record ids, from the query (`/query?q=`) or a `nextRecordsUrl`. */
    async function readQueryPage(path: string): Promise<Result<QueryIdsPage, SalesforceError>> {
      const result = await call<unknown>('GET', path);
      if (!result.ok) return result;
      const parsed = queryResultSchema.safeParse(result.value);
      if (!parsed.success) return badShape('query');
      const ids = parsed.data.records.map((record) => record.Id);
      if (!ids.every((id): id is string => typeof id === 'string')) return badShape('query');
      const nextUrl = (result.value as { nextRecordsUrl?: unknown }).nextRecordsUrl;
      return {
        ok: true,
        value: {
          ids,
          next: !parsed.data.done && typeof nextUrl === 'string' ? nextUrl : undefined,
          totalSize: parsed.data.totalSize,
        },
      };
    }

    return {
      async loadRecord(objectApiName, id, fields) {
        const badName = checkNames(objectApiName, fields, true);
        if (badName) return failure(badName);
        if (!isRecordId(id)) return invalidId(objectApiName, id);
        const soql = buildRecordQuery(objectApiName, id, fields);
        const result = await call<unknown>('GET', `/query?q=${encodeURIComponent(soql)}`);
        if (!result.ok) {
          const { error } = result;
          if (hasErrorCode(error, 'INVALID_TYPE')) return failure(unknownObject(objectApiName));
          if (hasErrorCode(error, 'INVALID_FIELD')) {
            return failure(unknownFieldError(error, objectApiName, fields));
          }
          return result;
        }
        const parsed = queryResultSchema.safeParse(result.value);
        if (!parsed.success) return badShape('query');
        const [record] = parsed.data.records;
        if (!record) {
          return failure({
            code: 'SALESFORCE_NOT_FOUND',
            message: `Salesforce has no ${objectApiName} ${id} (or the integration user cannot see it).`,
            object: objectApiName,
          });
        }
        return { ok: true, value: stripAttributes(record) as SalesforceRecord };
      },

      async updateRecord(objectApiName, id, fields, updateOptions = {}) {
        const names = Object.keys(fields);
        const badName = checkNames(objectApiName, names, false);
        if (badName) return failure(badName);
        if (!isRecordId(id)) return invalidId(objectApiName, id);
        const headers: Record<string, string> = {};
        if (updateOptions.ifUnmodifiedSince !== undefined) {
          const since = Date.parse(updateOptions.ifUnmodifiedSince);
          if (Number.isNaN(since)) {
            return failure({
              code: 'SALESFORCE_REJECTED',
              message: `"${updateOptions.ifUnmodifiedSince}" is not a date-time to make the update conditional on.`,
            });
          }
          // An HTTP-date, as Salesforce's conditional request headers take it (second precision).
          headers['if-unmodified-since'] = new Date(since).toUTCString();
        }
        const result = await call<unknown>(
          'PATCH',
          `/sobjects/${objectApiName}/${id}`,
          fields,
          headers,
        );
        if (!result.ok) {
          const { error } = result;
          if (hasErrorCode(error, 'INVALID_FIELD')) {
            return failure(unknownFieldError(error, objectApiName, names));
          }
          if (error.code === 'SALESFORCE_NOT_FOUND') {
            return failure({
              ...error,
              message: `Salesforce has no ${objectApiName} ${id} to update: ${error.message}`,
              object: objectApiName,
            });
          }
          return result;
        }
        return { ok: true, value: { id } };
      },

      async updateRecords(records) {
        if (records.length === 0 || records.length > MAX_RECORDS_PER_COLLECTION) {
          return failure({
            code: 'SALESFORCE_REJECTED',
            message: `sObject Collections takes 1 to ${MAX_RECORDS_PER_COLLECTION} records, got ${records.length}.`,
          });
        }
        for (const record of records) {
          const badName = checkNames(record.objectApiName, Object.keys(record.fields), false);
          if (badName) return failure(badName);
          if (!isRecordId(record.id)) return invalidId(record.objectApiName, record.id);
        }
        const result = await call<unknown>('PATCH', '/composite/sobjects', {
          allOrNone: false,
          records: records.map((record) => ({
            attributes: { type: record.objectApiName },
            id: record.id,
            ...record.fields,
          })),
        });
        if (!result.ok) return result;
        const parsed = collectionResultsSchema.safeParse(result.value);
        if (!parsed.success || parsed.data.length !== records.length) {
          return badShape('sObject Collections update');
        }
        return {
          ok: true,
          value: parsed.data.map((item, index): RecordUpdateResult => {
            const id = (records[index] as RecordUpdate).id;
            if (item.success) return { id, success: true };
            // Each record's errors classified as a single update's would be.
            const data = item.errors.map((entry) => ({
              errorCode: entry.statusCode,
              message: entry.message,
              ...(entry.fields ? { fields: entry.fields } : {}),
            }));
            const error = toSalesforceError({
              errorCode: 'MULTIPLE_API_ERRORS',
              data,
              message: '',
            });
            return { id, success: false, error };
          }),
        };
      },

      async describe(objectApiName) {
        if (!isApiName(objectApiName)) return failure(unknownObject(objectApiName));
        const key = objectApiName.toLowerCase();
        const cached = describeCache.get(key);
        if (cached && now() - cached.at < config.describeCacheMs) {
          return { ok: true, value: cached.value };
        }
        const result = await call<unknown>('GET', `/sobjects/${objectApiName}/describe`);
        if (!result.ok) {
          return result.error.code === 'SALESFORCE_NOT_FOUND'
            ? failure(unknownObject(objectApiName))
            : result;
        }
        const parsed = describeSchema.safeParse(result.value);
        if (!parsed.success) return badShape('describe');
        const value: SObjectDescription = {
          name: parsed.data.name,
          label: parsed.data.label,
          fields: parsed.data.fields.map((field) => ({
            name: field.name,
            label: field.label,
            type: field.type,
            updateable: field.updateable,
            nillable: field.nillable,
            relationshipName: field.relationshipName ?? null,
            referenceTo: field.referenceTo ?? [],
          })),
        };
        describeCache.set(key, { at: now(), value });
        return { ok: true, value };
      },

      async editableFields(objectApiName, userId) {
        if (!isApiName(objectApiName)) return failure(unknownObject(objectApiName));
        if (!isRecordId(userId)) return invalidId('User', userId);
        const soql = buildFieldAccessQuery(objectApiName, userId);
        const result = await call<unknown>('GET', `/tooling/query?q=${encodeURIComponent(soql)}`);
        if (!result.ok) return result;
        const parsed = fieldAccessSchema.safeParse(result.value);
        if (!parsed.success) return badShape('field access query');
        return {
          ok: true,
          value: new Set(
            parsed.data.records
              .filter((row) => row.IsUpdatable && row.FieldDefinition)
              .map((row) => row.FieldDefinition?.QualifiedApiName as string),
          ),
        };
      },

      async queryIds(soql, next) {
        // A next page is a path on this instance; anything else would take the session elsewhere.
        if (next !== undefined && !/^\/services\/data\/v[\d.]+\/query\/[\w-]+$/.test(next)) {
          return failure({ code: 'SALESFORCE_REJECTED', message: 'Not a query page of this org.' });
        }
        const firstPage = `/query?q=${encodeURIComponent(soql)}`;
        const page = await readQueryPage(next ?? firstPage);
        if (!page.ok && next !== undefined && hasErrorCode(page.error, 'INVALID_QUERY_LOCATOR')) {
          // The cursor ran out (15 minutes unused, or released for a newer one): the query is run
          // again from its first page. The caller is told, and skips the records it already has.
          const first = await readQueryPage(firstPage);
          return first.ok ? { ok: true, value: { ...first.value, restarted: true } } : first;
        }
        return page;
      },

      inLane: (other) => views[other],
    };
  };
  const views: Record<RunLane, SalesforceClient> = {
    agent: viewIn('agent'),
    automation: viewIn('automation'),
  };
  return views.agent;
}
