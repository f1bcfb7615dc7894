import type { Dispatcher } from 'undici';
import { errors } from 'undici';
import type { AttemptAbortSignal } from './attempt-signal';
import type { ResponseBufferBudget } from './response-buffer-budget';
import type { Result } from '../../../shared/src/result';

/** Lowercase names; a repeated header is an array (as `request()` gives them). */
export type ResponseHeaders = Dispatcher.ResponseData['headers'];

/**
 * One HTTP exchange through an undici dispatcher, its answer collected into a Buffer by a
 * dispatch handler. undici's `request()` wraps every answer in a Readable stream (its state, its
 * listeners, ticks to emit and end it) that a caller reading the whole body at once never needs:
 * a connector run's three calls, made from a script, cost a quarter less CPU this way
 * (docs/performance.md, "What the eighteenth machine's session found").
 *
 * Transport failures reject, with undici's own error or the signal's reason, as `request()` does,
 * so callers classify them as before. A body refused by its size comes back as a value.
 */

export interface CollectRequest {
  origin: string;
  path: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  /** An attempt's signal (attempt-signal.ts): aborting it ends the exchange with its reason. */
  signal?: AttemptAbortSignal | undefined;
}

export interface CollectedResponse {
  statusCode: number;
  headers: ResponseHeaders;
  body: Buffer;
}

/**
 * What to do with a body, decided from the status and headers: read it, read and drop it (a
 * redirect's, so the connection can be reused), or refuse it without reading (a declared length
 * past the limit).
 */
export type BodyPlan = 'keep' | 'drop' | 'refuse';

export interface CollectLimits {
  /** A body past this many bytes is refused and its connection dropped. */
  maxBytes?: number;
  /** The server-wide allowance for bodies held in memory; taken per chunk, given back at the end. */
  budget?: ResponseBufferBudget;
  planBody?: (statusCode: number, headers: ResponseHeaders) => BodyPlan;
}

export type CollectRefusal = {
  reason: 'too_large' | 'over_budget';
  receivedBytes: number;
};

/** As undici's `dump()`: a dropped body longer than this closes its connection instead. */
const DROP_LIMIT_BYTES = 128 * 1024;

const EMPTY = Buffer.alloc(0);

/**
 * Sends the request and resolves with the whole answer, or with the refusal of a body too large
 * for `limits`. Rejects on a transport failure or an aborted signal.
 *
 * @example
 * const answer = await collectResponse(agent, { origin, path: '/orders', method: 'GET', headers: {} });
 * if (answer.ok) JSON.parse(answer.value.body.toString());
 */
export function collectResponse(
  dispatcher: Dispatcher,
  request: CollectRequest,
  limits: CollectLimits = {},
): Promise<Result<CollectedResponse, CollectRefusal>> {
  return new Promise((resolve, reject) => {
    const { signal } = request;
    const maxBytes = limits.maxBytes ?? Infinity;
    const { budget } = limits;
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    let statusCode = 0;
    let headers: ResponseHeaders = {};
    let plan: BodyPlan = 'keep';
    let chunks: Buffer[] = [];
    let received = 0;
    let taken = 0;

    const onAbort = () =>
      controller?.abort((signal?.reason as Error | undefined) ?? new errors.RequestAbortedError());
    const finish = () => {
      settled = true;
      signal?.off('abort', onAbort);
      if (taken > 0) budget?.give(taken);
      taken = 0;
    };
    const answer = (body: Buffer) => {
      finish();
      resolve({ ok: true, value: { statusCode, headers, body } });
    };
    const refuse = (reason: CollectRefusal['reason']) => {
      finish();
      chunks = [];
      resolve({ ok: false, error: { reason, receivedBytes: received } });
      // Settled first: the abort comes back through onResponseError, which then does nothing.
      controller?.abort(new errors.RequestAbortedError());
    };

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (signal?.aborted) onAbort();
      },
      onResponseStart(_controller, status, responseHeaders) {
        // 1xx informational answers come before the real one.
        if (status < 200) return;
        statusCode = status;
        headers = responseHeaders;
        plan = limits.planBody?.(status, responseHeaders) ?? 'keep';
        if (plan === 'refuse') refuse('too_large');
      },
      onResponseData(_controller, chunk) {
        if (settled) return;
        received += chunk.byteLength;
        if (plan === 'drop') {
          // The body is not wanted: past the limit the connection is not worth keeping.
          if (received > DROP_LIMIT_BYTES) {
            answer(EMPTY);
            controller?.abort(new errors.RequestAbortedError());
          }
          return;
        }
        if (received > maxBytes) return refuse('too_large');
        if (budget !== undefined) {
          if (!budget.take(chunk.byteLength)) return refuse('over_budget');
          taken += chunk.byteLength;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        if (settled) return;
        answer(plan === 'drop' ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      },
      onResponseError(_controller, error) {
        if (settled) return;
        // A dropped body that fails halfway still ends its answer, as undici's `dump()` does.
        if (plan === 'drop' && statusCode !== 0) return answer(EMPTY);
        finish();
        reject(error);
      },
    };
    // Taken off in finish(); the signal emits 'abort' once at most (attempt-signal.ts).
    signal?.on('abort', onAbort);
    dispatcher.dispatch(
      {
        origin: request.origin,
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
      },
      handler,
    );
  });
}
