import * as z from 'zod/mini';
import type {
  ConnectorView,
  MacroResultView,
  MacroStepView,
  MacroView as SharedMacroView,
  RunRecordView as SharedRunRecordView,
  RunResultView,
} from '../../shared/src/api/answer-schemas';
import { buildEndpointPath } from '../../shared/src/api/define-endpoint';
import type {
  EndpointAnswer,
  EndpointBody,
  EndpointContract,
  EndpointPathParts,
} from '../../shared/src/api/define-endpoint';
import { ZENDESK_ENDPOINTS } from '../../shared/src/api/endpoints';
import type { AgentSession } from './session';

/**
 * Calls to the Data Connectors server. The sidebar is served by that server (Zendesk loads it
 * from there, signed), so every call is a same-origin `fetch` with the session the server put
 * in the page: no proxy, no shared secret in Zendesk, nothing the browser could sign itself.
 * An expired session is renewed once and the call repeated (with the same Idempotency-Key).
 *
 * Each call is built from its endpoint's contract (shared/src/api/endpoints.ts: method, path with
 * encoded parameters) and its answer parsed with the contract's answer schema (zod/mini, to keep
 * the bundle small; not strict, so a field a newer server adds does not break an open page).
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

export type RunRecordView = SharedRunRecordView;
export type MacroView = SharedMacroView;
export type MacroStepReport = MacroStepView;
export type MacroResult = MacroResultView;

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

/**
 * Runs a connector or a macro by id with the click's Idempotency-Key: a retried click replays the
 * first result instead of running again.
 */
type RunById<Body, Answer> = (
  id: string,
  body: Body,
  idempotencyKey: string,
) => Promise<ApiResult<Answer>>;

export interface ServerApi {
  listConnectors(ticketId: number): Promise<ApiResult<ConnectorView[]>>;
  runConnector: RunById<RunBody, RunResultView>;
  listRuns(ticketId: number, limit?: number): Promise<ApiResult<RunRecordView[]>>;
  getRun(runId: string): Promise<ApiResult<RunRecordView>>;
  listMacros(ticketId: number): Promise<ApiResult<MacroView[]>>;
  runMacro: RunById<MacroRunBody, MacroResult>;
}

/** One call as `call` takes it: the path's parts, and the body and headers when there are. */
type CallRequest<E extends EndpointContract> = EndpointPathParts<E> & {
  body?: EndpointBody<E>;
  headers?: Record<string, string>;
  timeoutMs: number;
};

export function createServerApi(options: ServerApiOptions): ServerApi {
  const readMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const runMs = options.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const { transport, session } = options;
  const endpoints = ZENDESK_ENDPOINTS;

  async function call<E extends EndpointContract>(
    endpoint: E,
    request: CallRequest<E>,
  ): Promise<ApiResult<EndpointAnswer<E>>> {
    const path = buildEndpointPath(endpoint, request);
    const exchange = () =>
      transport({
        method: endpoint.method,
        path,
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${session.token()}`,
          ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...request.headers,
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        timeoutMs: request.timeoutMs,
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
    const parsed = z.safeParse<E['answer']>(endpoint.answer, parseJsonText(answer.text));
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

  // A run carries the click's key, and waits as long as a call to an external system may take.
  const asRun = (idempotencyKey: string) => ({
    headers: { 'Idempotency-Key': idempotencyKey },
    timeoutMs: runMs,
  });
  return {
    async listConnectors(ticketId) {
      const result = await call(endpoints.listConnectors, {
        query: { ticketId },
        timeoutMs: readMs,
      });
      return result.ok ? { ok: true, value: result.value.connectors } : result;
    },
    runConnector(connectorId, body, idempotencyKey) {
      return call(endpoints.runConnector, {
        params: { connectorId },
        body,
        ...asRun(idempotencyKey),
      });
    },
    async listRuns(ticketId, limit = 10) {
      const result = await call(endpoints.listRuns, {
        query: { ticketId, limit },
        timeoutMs: readMs,
      });
      return result.ok ? { ok: true, value: result.value.runs } : result;
    },
    async getRun(runId) {
      const result = await call(endpoints.getRun, { params: { runId }, timeoutMs: readMs });
      return result.ok ? { ok: true, value: result.value.run } : result;
    },
    async listMacros(ticketId) {
      const result = await call(endpoints.listMacros, {
        query: { ticketId },
        timeoutMs: readMs,
      });
      if (result.ok) return { ok: true, value: result.value.macros };
      // A server without automations has no such endpoint: that is "no macros", not an error.
      if (result.error.code === 'NOT_FOUND') return { ok: true, value: [] };
      return result;
    },
    runMacro(macroId, body, idempotencyKey) {
      return call(endpoints.runMacro, { params: { macroId }, body, ...asRun(idempotencyKey) });
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
