import type { Result } from '../../../shared/src/result';
import { createHash } from 'node:crypto';
import type { ApiErrorCode } from '../../../shared/src/api/api-contracts';
import type { IdempotencyStore } from '../runs/idempotency-store';
import { ApiError } from '../http/api-error';

/**
 * Runs a connector (or a macro) at most once per Idempotency-Key: a repeat of the same request (double click,
 * a client's retry) gets the first result back instead of a second call to the external system.
 * A request the server refused before anything was sent frees its key again; once the run says it
 * is sending (`onSending`), the key is never freed: if the server dies before the answer, a
 * repeat learns the outcome is unknown (409 IDEMPOTENCY_OUTCOME_UNKNOWN) instead of sending again.
 */
const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,200}$/;

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A refusal made before anything was sent: answered as the API error it names. */
export interface RunRefusal {
  code: ApiErrorCode;
  message: string;
  details?: unknown;
  retryAfterSeconds?: number;
}

/** What a connector run or a macro run comes to: the answer, or a refusal. */
export type IdempotentOutcome<T> = Result<T, RunRefusal>;

/**
 * The answer to send: the run's result, or the first result again for a repeated key
 * (`replayed: true`). Refusals are thrown as ApiErrors, like every other refusal at the edge.
 */
export async function runWithIdempotency<T extends object>(options: {
  store: IdempotencyStore;
  scope: string;
  key: string | undefined;
  /** What makes two requests "the same": the connector or macro and the normalised body. */
  fingerprint: unknown;
  run: (idempotency: {
    key: string | undefined;
    /** Awaited by the run just before it sends anything upstream. */
    onSending: (runId: string) => Promise<void>;
  }) => Promise<IdempotentOutcome<T>>;
}): Promise<T | (T & { replayed: true })> {
  const { store, scope, key } = options;
  if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new ApiError(
      'IDEMPOTENCY_KEY_INVALID',
      'Idempotency-Key must be 8-200 characters of letters, digits, "_", "-", ".", ":" (a UUID works).',
    );
  }
  if (key !== undefined) {
    const fingerprint = createHash('sha256')
      .update(canonicalJson(options.fingerprint))
      .digest('hex');
    const begun = await store.begin(scope, key, fingerprint);
    if (begun.state === 'mismatch') {
      throw new ApiError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used for a different request; use a new key.',
      );
    }
    if (begun.state === 'in_progress') {
      throw new ApiError(
        'IDEMPOTENCY_IN_PROGRESS',
        'A request with this Idempotency-Key is still running; retry in a moment.',
        undefined,
        { 'Retry-After': '1' },
      );
    }
    if (begun.state === 'done') return { ...(begun.result as T), replayed: true };
    if (begun.state === 'unknown') {
      throw new ApiError(
        'IDEMPOTENCY_OUTCOME_UNKNOWN',
        'A request with this Idempotency-Key was sent, but the server stopped before it finished; it is not sent again. Check the run and the other system before running it with a new key.',
        begun.runId === undefined ? undefined : { runId: begun.runId },
      );
    }
  }
  let outcome: IdempotentOutcome<T>;
  try {
    outcome = await options.run({
      key,
      onSending: async (runId) => {
        if (key !== undefined) await store.markSent(scope, key, runId);
      },
    });
  } catch (error) {
    if (key !== undefined) await store.abandon(scope, key);
    throw error;
  }
  if (!outcome.ok) {
    if (key !== undefined) await store.abandon(scope, key);
    const { code, message, details, retryAfterSeconds } = outcome.error;
    throw new ApiError(
      code,
      message,
      details,
      retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(retryAfterSeconds) },
    );
  }
  if (key !== undefined) await store.complete(scope, key, outcome.value);
  return outcome.value;
}
