import * as z from 'zod/mini';
import type {
  ConnectorView,
  MacroResultView,
  MacroStepView,
  MacroView as SharedMacroView,
  RunResultView,
} from '../../shared/src/api/api-contracts';
import type { AgentSession } from './session';

/**
 * Calls to the Data Connectors server. The sidebar is served by that server (Zendesk loads it
 * from there, signed), so every call is a same-origin `fetch` with the session the server put
 * in the page: no proxy, no shared secret in Zendesk, nothing the browser could sign itself.
 * An expired session is renewed once and the call repeated (with the same Idempotency-Key).
 *
 * Answers are parsed with zod (mini, to keep the bundle small). The schemas are deliberately
 * NOT strict: a field a newer server adds must not break an app page still open in an agent's
 * browser during an upgrade. Unknown fields are dropped.
 */

/** A failure as the UI needs it: server codes as sent, plus the app's own transport codes. */
export interface ApiFailure {
  /** A server code (`AUTH_INVALID`, `INPUT_INVALID`…) or `SERVER_UNREACHABLE`, `TIMEOUT`,
   * `RESPONSE_INVALID`, `HTTP_<status>`. */
  code: string;
  status: number;
  message: string;
  details?: unknown;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiFailure };

/** One HTTP exchange as the client needs it; `fetch` in the browser, a fake in unit tests. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}
export type HttpAnswer =
  { kind: 'answer'; status: number; text: string } | { kind: 'timeout' } | { kind: 'unreachable' };
export type Transport = (request: HttpRequest) => Promise<HttpAnswer>;

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
      trim: z.boolean(),
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

/** A run log entry: a connector run, or a workflow's or macro's summary (by `kind`). */
const runRecordSchema = z.object({
  id: z.string(),
  kind: z.optional(z.enum(['connector', 'workflow', 'macro'])),
  connectorId: z.optional(z.string()),
  workflowId: z.optional(z.string()),
  macroId: z.optional(z.string()),
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

// Typed as the shared contract: a schema that drifts from what the server sends fails to compile.
const macroSchema: z.ZodMiniType<SharedMacroView> = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  confirm: z.boolean(),
  connectors: z.array(z.object({ id: z.string(), name: z.string() })),
  unavailable: z.nullable(codeMessageSchema),
});
export type MacroView = SharedMacroView;
const macroListSchema = z.object({ macros: z.array(macroSchema) });

/** One step of a macro as the server reports it (server/src/workflows/run-steps.ts). */
const macroStepSchema: z.ZodMiniType<MacroStepView> = z.object({
  stepId: z.string(),
  type: z.string(),
  outcome: outcomeSchema,
  message: z.string(),
  error: z.optional(codeMessageSchema),
  runId: z.optional(z.string()),
  /** Run steps: the connector's `writes` ({ status, changes }); write steps: the ticket update. */
  writes: z.optional(z.unknown()),
  path: z.optional(z.string()),
  resumed: z.boolean(),
});
export type MacroStepReport = MacroStepView;

const macroResultSchema: z.ZodMiniType<MacroResultView> = z.object({
  macroId: z.string(),
  runId: z.string(),
  outcome: z.enum(['success', 'failed']),
  message: z.string(),
  error: z.optional(codeMessageSchema),
  steps: z.array(macroStepSchema),
});
export type MacroResult = MacroResultView;
const runEntrySchema = z.object({ run: runRecordSchema });
const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) }),
});

export interface RunBody {
  ticketId: number;
  commentId?: number;
  inputs: Record<string, string | number | boolean>;
  confirmed: boolean;
}

export interface MacroRunBody {
  ticketId: number;
  confirmed: boolean;
}

export interface ServerApiOptions {
  transport: Transport;
  session: AgentSession;
  /** How long the app waits before saying "timeout". */
  readTimeoutMs?: number;
  runTimeoutMs?: number;
}

export const DEFAULT_READ_TIMEOUT_MS = 20_000;
// Long enough for a connector's own timeout and retries (the example config allows ~30 s).
export const DEFAULT_RUN_TIMEOUT_MS = 60_000;

/** `fetch` against the page's own origin (the server that served the sidebar). */
export function createFetchTransport(fetchFn: typeof fetch = fetch, baseUrl = ''): Transport {
  return async (request) => {
    try {
      const response = await fetchFn(baseUrl + request.path, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      return { kind: 'answer', status: response.status, text: await response.text() };
    } catch (error) {
      const name = (error as { name?: unknown } | null)?.name;
      return name === 'TimeoutError' || name === 'AbortError'
        ? { kind: 'timeout' }
        : { kind: 'unreachable' };
    }
  };
}

function parseJsonText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Turns a non-2xx answer (or none) into a failure value. */
export function describeAnswer(answer: HttpAnswer): ApiFailure {
  if (answer.kind === 'timeout') {
    return { code: 'TIMEOUT', status: 0, message: 'The server did not answer in time.' };
  }
  if (answer.kind === 'unreachable') {
    return { code: 'SERVER_UNREACHABLE', status: 0, message: 'The server could not be reached.' };
  }
  const parsed = errorBodySchema.safeParse(parseJsonText(answer.text));
  if (parsed.success) {
    return {
      code: parsed.data.error.code,
      status: answer.status,
      message: parsed.data.error.message,
      ...(parsed.data.error.details === undefined ? {} : { details: parsed.data.error.details }),
    };
  }
  return {
    code: `HTTP_${answer.status}`,
    status: answer.status,
    message: answer.text.slice(0, 200) || `The request failed (${answer.status}).`,
  };
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
  /** With the click's Idempotency-Key: a retried macro replays its result instead of rerunning. */
  runMacro(
    macroId: string,
    body: MacroRunBody,
    idempotencyKey: string,
  ): Promise<ApiResult<MacroResult>>;
}

export function createServerApi(options: ServerApiOptions): ServerApi {
  const readMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const runMs = options.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const { transport, session } = options;

  async function send<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodMiniType<T>,
    extra: { body?: unknown; headers?: Record<string, string>; timeoutMs: number },
  ): Promise<ApiResult<T>> {
    const exchange = () =>
      transport({
        method,
        path,
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${session.token()}`,
          ...(extra.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...extra.headers,
        },
        ...(extra.body === undefined ? {} : { body: JSON.stringify(extra.body) }),
        timeoutMs: extra.timeoutMs,
      });
    let answer = await exchange();
    // An expired session is renewed once; the repeat carries the same Idempotency-Key, so a
    // run cannot happen twice because of it.
    if (answer.kind === 'answer' && answer.status === 401) {
      const failure = describeAnswer(answer);
      if (failure.code === 'SESSION_EXPIRED' && (await session.renew())) answer = await exchange();
    }
    if (answer.kind !== 'answer' || answer.status >= 400) {
      return { ok: false, error: describeAnswer(answer) };
    }
    const parsed = schema.safeParse(parseJsonText(answer.text));
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'RESPONSE_INVALID',
          status: answer.status,
          message: 'The server sent an answer this app does not understand.',
        },
      };
    }
    return { ok: true, value: parsed.data };
  }

  const get = <T>(path: string, schema: z.ZodMiniType<T>) =>
    send('GET', path, schema, { timeoutMs: readMs });
  return {
    async listConnectors(ticketId) {
      const result = await get(
        `/api/connectors?ticketId=${encodeURIComponent(ticketId)}`,
        connectorListSchema,
      );
      return result.ok ? { ok: true, value: result.value.connectors } : result;
    },
    runConnector(connectorId, body, idempotencyKey) {
      return send(
        'POST',
        `/api/connectors/${encodeURIComponent(connectorId)}/run`,
        runResultSchema,
        {
          body,
          headers: { 'Idempotency-Key': idempotencyKey },
          timeoutMs: runMs,
        },
      );
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
      // A server without automations has no such endpoint: that is "no macros", not an error.
      if (result.error.code === 'NOT_FOUND') return { ok: true, value: [] };
      return result;
    },
    runMacro(macroId, body, idempotencyKey) {
      return send('POST', `/api/macros/${encodeURIComponent(macroId)}/run`, macroResultSchema, {
        body,
        headers: { 'Idempotency-Key': idempotencyKey },
        timeoutMs: runMs,
      });
    },
  };
}

/** A fresh key per click: a double click or a retry then cannot run a connector twice. */
export function createIdempotencyKey(): string {
  const cryptoApi = globalThis.crypto;
  if (typeof cryptoApi?.randomUUID === 'function') return cryptoApi.randomUUID();
  const bytes = cryptoApi.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
