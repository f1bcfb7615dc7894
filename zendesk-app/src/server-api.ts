import * as z from 'zod/mini';
import type { ConnectorView, RunResultView } from '../../shared/src/api/api-contracts';
import type { IRequestOptions } from './zaf-client';

/**
 * Calls to the Data Connectors server, always through Zendesk's request proxy:
 * `secure: true` lets the proxy substitute `{{setting.shared_secret}}` into the JWT it mints, so
 * the secret never reaches the browser; `cors: false` keeps the call on the proxy (a direct call
 * could not use secure settings at all).
 *
 * Answers are parsed with zod (mini, to keep the bundle small). The schemas are deliberately
 * NOT strict: the app is uploaded to Zendesk and updated separately from the server, so a field
 * a newer server adds must not break an installed app. Unknown fields are dropped.
 */

/** A failure as the UI needs it: server codes as sent, plus the app's own transport codes. */
export interface ApiFailure {
  /** A server code (`AUTH_INVALID`, `INPUT_INVALID`…) or `SERVER_UNREACHABLE`, `TIMEOUT`,
   * `RESPONSE_INVALID`, `SERVER_URL_MISSING`, `HTTP_<status>`. */
  code: string;
  status: number;
  message: string;
  details?: unknown;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiFailure };

export type RequestFn = (options: IRequestOptions) => Promise<unknown>;

const outcomeSchema = z.enum(['success', 'empty', 'failed']);
const codeMessageSchema = z.object({ code: z.string(), message: z.string() });

const connectorSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  confirm: z.boolean(),
  method: z.string(),
  inputs: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      description: z.string(),
      type: z.string(),
      required: z.boolean(),
      prompt: z.boolean(),
      source: z.nullable(z.string()),
      pattern: z.nullable(z.string()),
      maxLength: z.nullable(z.number()),
      value: z.unknown(),
    }),
  ),
  outputs: z.array(z.object({ name: z.string(), label: z.string(), redacted: z.boolean() })),
  unavailable: z.nullable(codeMessageSchema),
  lastRun: z.nullable(
    z.object({
      runId: z.string(),
      outcome: outcomeSchema,
      message: z.string(),
      startedAt: z.string(),
    }),
  ),
});
const connectorListSchema = z.object({ connectors: z.array(connectorSchema) });

const runResultSchema = z.object({
  runId: z.string(),
  connectorId: z.string(),
  outcome: outcomeSchema,
  upstreamOutcome: outcomeSchema,
  message: z.string(),
  error: z.optional(codeMessageSchema),
  outputs: z.array(
    z.object({ name: z.string(), label: z.string(), value: z.unknown(), redacted: z.boolean() }),
  ),
  writes: z.object({
    status: z.enum(['none', 'written', 'failed', 'skipped']),
    changes: z.unknown(),
    error: z.optional(codeMessageSchema),
  }),
  dryRun: z.boolean(),
  durationMs: z.number(),
  attempts: z.number(),
  replayed: z.optional(z.boolean()),
});

const runRecordSchema = z.object({
  id: z.string(),
  connectorId: z.string(),
  outcome: outcomeSchema,
  errorCode: z.optional(z.string()),
  message: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  attempts: z.number(),
  dryRun: z.boolean(),
  source: z.optional(z.string()),
  actor: z.optional(
    z.object({
      kind: z.string(),
      id: z.optional(z.string()),
      name: z.optional(z.string()),
      email: z.optional(z.string()),
    }),
  ),
  inputs: z.record(z.string(), z.unknown()),
  outputs: z.record(z.string(), z.unknown()),
  request: z.optional(
    z.object({
      method: z.string(),
      url: z.string(),
      headers: z.record(z.string(), z.string()),
      body: z.optional(z.string()),
    }),
  ),
  response: z.optional(
    z.object({
      status: z.optional(z.number()),
      body: z.optional(z.string()),
      truncated: z.boolean(),
    }),
  ),
  writes: z.object({
    status: z.string(),
    changes: z.unknown(),
    error: z.optional(codeMessageSchema),
  }),
});
export type RunRecordView = z.infer<typeof runRecordSchema>;

const runsPageSchema = z.object({ runs: z.array(runRecordSchema) });

const macroSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  confirm: z.boolean(),
  connectors: z.array(z.object({ id: z.string(), name: z.string() })),
  unavailable: z.nullable(codeMessageSchema),
});
export type MacroView = z.infer<typeof macroSchema>;
const macroListSchema = z.object({ macros: z.array(macroSchema) });

/** One step of a macro as the server reports it (server/src/workflows/run-steps.ts). */
const macroStepSchema = z.object({
  stepId: z.string(),
  type: z.string(),
  outcome: outcomeSchema,
  message: z.string(),
  error: z.optional(codeMessageSchema),
  runId: z.optional(z.string()),
  /** Run steps: the connector's `writes` ({ status, changes }); write steps: the ticket update. */
  writes: z.optional(z.unknown()),
  path: z.optional(z.string()),
  resumed: z.optional(z.boolean()),
});
export type MacroStepReport = z.infer<typeof macroStepSchema>;

const macroResultSchema = z.object({
  macroId: z.string(),
  outcome: outcomeSchema,
  message: z.string(),
  error: z.optional(codeMessageSchema),
  steps: z.array(macroStepSchema),
});
export type MacroResult = z.infer<typeof macroResultSchema>;
const runEntrySchema = z.object({ run: runRecordSchema });
const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) }),
});

export interface RunBody {
  ticketId: number;
  commentId?: number;
  agentId?: number;
  inputs: Record<string, string | number | boolean>;
  confirmed: boolean;
}

export interface MacroRunBody {
  ticketId: number;
  agentId?: number;
  confirmed: boolean;
}

export interface ServerApiOptions {
  request: RequestFn;
  serverUrl: string;
  /** How long the app waits before saying "timeout"; the SDK itself never gives up. */
  readTimeoutMs?: number;
  runTimeoutMs?: number;
}

export const DEFAULT_READ_TIMEOUT_MS = 20_000;
// Long enough for a connector's own timeout and retries (the example config allows ~30 s).
export const DEFAULT_RUN_TIMEOUT_MS = 60_000;

/** The exact options every server call uses; exported so tests can pin the contract. */
export function buildServerRequest(
  serverUrl: string,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): IRequestOptions {
  return {
    url: serverUrl + path,
    type: method,
    contentType: 'application/json',
    ...(options.body === undefined ? {} : { data: JSON.stringify(options.body) }),
    secure: true,
    cors: false,
    dataType: 'json',
    httpCompleteResponse: true,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    headers: { Authorization: 'Bearer {{jwt.token}}', ...options.headers },
    // `aud` lets a server that sets JWT_AUDIENCE refuse tokens minted for another service that
    // shares the secret; the server ignores it otherwise.
    jwt: {
      algorithm: 'HS256',
      secret_key: '{{setting.shared_secret}}',
      expiry: 60,
      claims: { aud: serverUrl },
    },
  };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)
    : undefined;
}

function parseJsonText(text: unknown): unknown {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The body and status of what `client.request` resolved or rejected with. */
export function readProxyAnswer(answer: unknown): { status: number; body: unknown } {
  const record = asRecord(answer);
  if (!record) return { status: 0, body: undefined };
  const status = typeof record.status === 'number' ? record.status : 0;
  const body =
    record.responseJSON !== undefined ? record.responseJSON : parseJsonText(record.responseText);
  return { status, body };
}

/** Turns a rejected `client.request` (or our own timer) into a failure value. */
export function describeRejection(reason: unknown): ApiFailure {
  if (reason === TIMED_OUT) {
    return { code: 'TIMEOUT', status: 0, message: 'The server did not answer in time.' };
  }
  const record = asRecord(reason);
  const { status, body } = readProxyAnswer(reason);
  if (status === 0) {
    // jQuery under Zendesk's proxy reports its own timeout as status 0 + statusText "timeout".
    if (record?.statusText === 'timeout') {
      return { code: 'TIMEOUT', status: 0, message: 'The server did not answer in time.' };
    }
    return { code: 'SERVER_UNREACHABLE', status: 0, message: 'The server could not be reached.' };
  }
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    return {
      code: parsed.data.error.code,
      status,
      message: parsed.data.error.message,
      ...(parsed.data.error.details === undefined ? {} : { details: parsed.data.error.details }),
    };
  }
  const text = typeof record?.responseText === 'string' ? record.responseText.slice(0, 200) : '';
  return { code: `HTTP_${status}`, status, message: text || `The request failed (${status}).` };
}

const TIMED_OUT = Symbol('timed out');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function send<T>(
  request: RequestFn,
  options: IRequestOptions,
  schema: z.ZodMiniType<T>,
  timeoutMs: number,
): Promise<ApiResult<T>> {
  let answer: unknown;
  try {
    answer = await withTimeout(request(options), timeoutMs);
  } catch (reason) {
    return { ok: false, error: describeRejection(reason) };
  }
  const { status, body } = readProxyAnswer(answer);
  // Some hosts resolve non-2xx answers when httpCompleteResponse is set; treat them as failures.
  if (status >= 400) return { ok: false, error: describeRejection(answer) };
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'RESPONSE_INVALID',
        status,
        message: 'The server sent an answer this app does not understand.',
      },
    };
  }
  return { ok: true, value: parsed.data };
}

export interface ServerApi {
  listConnectors(ticketId: number): Promise<ApiResult<ConnectorView[]>>;
  runConnector(
    connectorId: string,
    body: RunBody,
    idempotencyKey: string,
  ): Promise<ApiResult<RunResultView>>;
  listRuns(ticketId: number, limit?: number): Promise<ApiResult<RunRecordView[]>>;
  getRun(runId: string): Promise<ApiResult<RunRecordView>>;
  listMacros(ticketId: number): Promise<ApiResult<MacroView[]>>;
  /**
   * No Idempotency-Key: the server's macro route does not take one (each request is a new
   * execution), so the sidebar prevents a second click while a macro runs instead.
   */
  runMacro(
    macroId: string,
    body: MacroRunBody,
    idempotencyKey: string,
  ): Promise<ApiResult<MacroResult>>;
}

const missingUrl: ApiResult<never> = {
  ok: false,
  error: {
    code: 'SERVER_URL_MISSING',
    status: 0,
    message: 'The app has no server URL.',
  },
};

export function createServerApi(options: ServerApiOptions): ServerApi {
  const readMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const runMs = options.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const url = options.serverUrl;
  const get = <T>(path: string, schema: z.ZodMiniType<T>) =>
    url
      ? send(
          options.request,
          buildServerRequest(url, 'GET', path, { timeoutMs: readMs }),
          schema,
          readMs,
        )
      : Promise.resolve(missingUrl);
  return {
    async listConnectors(ticketId) {
      const result = await get(
        `/api/connectors?ticketId=${encodeURIComponent(ticketId)}`,
        connectorListSchema,
      );
      return result.ok ? { ok: true, value: result.value.connectors } : result;
    },
    async runConnector(connectorId, body, idempotencyKey) {
      if (!url) return missingUrl;
      const request = buildServerRequest(
        url,
        'POST',
        `/api/connectors/${encodeURIComponent(connectorId)}/run`,
        { body, headers: { 'Idempotency-Key': idempotencyKey }, timeoutMs: runMs },
      );
      return send(options.request, request, runResultSchema, runMs);
    },
    async listRuns(ticketId, limit = 10) {
      const result = await get(
        `/api/runs?ticketId=${encodeURIComponent(ticketId)}&limit=${limit}`,
        runsPageSchema,
      );
      return result.ok ? { ok: true, value: result.value.runs } : result;
    },
    async getRun(runId) {
      const result = await get(`/api/runs/${encodeURIComponent(runId)}`, runEntrySchema);
      return result.ok ? { ok: true, value: result.value.run } : result;
    },
    async listMacros(ticketId) {
      const result = await get(
        `/api/macros?ticketId=${encodeURIComponent(ticketId)}`,
        macroListSchema,
      );
      if (result.ok) return { ok: true, value: result.value.macros };
      // A server from before macros has no such endpoint: that is "no macros", not an error.
      if (result.error.code === 'NOT_FOUND') return { ok: true, value: [] };
      return result;
    },
    async runMacro(macroId, body, idempotencyKey) {
      if (!url) return missingUrl;
      const request = buildServerRequest(
        url,
        'POST',
        `/api/macros/${encodeURIComponent(macroId)}/run`,
        { body, headers: { 'Idempotency-Key': idempotencyKey }, timeoutMs: runMs },
      );
      return send(options.request, request, macroResultSchema, runMs);
    },
  };
}

/** A fresh key per click: a double click or a proxy retry then cannot run a connector twice. */
export function createIdempotencyKey(): string {
  const cryptoApi = globalThis.crypto;
  if (typeof cryptoApi?.randomUUID === 'function') return cryptoApi.randomUUID();
  const bytes = cryptoApi.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
