/**
 * Retry policy for outbound connector calls. Pure: the decision is data (`{ retry, reason, waitMs }`, as in
 * Nango's proxy) so run logs can say why each attempt happened.
 *
 * What it guards against:
 * - Duplicated side effects. Only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) are retried,
 *   unless the connector opts in with `retryNonIdempotent`. A POST/PATCH is still retried when the failure
 *   happened before the request could reach the server (connection refused, DNS failure, connect timeout).
 * - Hammering a struggling upstream. Waits grow exponentially with full jitter (a random wait between 0 and
 *   min(maxDelayMs, initialDelayMs * 2^(attempt-1))), so clients that failed together do not retry together.
 * - Ignoring the upstream's instructions. `Retry-After` (seconds or HTTP-date) replaces the backoff, even
 *   beyond maxDelayMs, because retrying earlier only earns another 429.
 * - Holding an agent's request open for minutes. All waits together stay within maxTotalWaitMs (default
 *   30 s); when Retry-After asks for more than is left, we stop and report instead of waiting.
 * Retried: statuses in `retryOnStatus` (default 429, 502, 503, 504), timeouts and connection failures.
 * Never retried: SSRF refusals, oversize bodies, redirect problems and other deterministic failures.
 */
import type { RetryPolicy, SendErrorCode } from './request-types';

export const DEFAULT_RETRY_ON_STATUS: readonly number[] = [429, 502, 503, 504];
export const DEFAULT_MAX_TOTAL_WAIT_MS = 30_000;

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
const HTTP_DATE_START = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;
const RETRYABLE_ERRORS = new Set<SendErrorCode>(['UPSTREAM_TIMEOUT', 'UPSTREAM_CONNECTION_FAILED']);

export type AttemptOutcome =
  | { kind: 'status'; status: number; retryAfter?: string | undefined }
  /** `requestSent: false` means the upstream cannot have seen the request (safe to retry any method). */
  | { kind: 'error'; code: SendErrorCode; requestSent: boolean };

export type RetryReason =
  | 'success'
  | 'not_retryable'
  | 'method_not_idempotent'
  | 'max_attempts_reached'
  | 'retry_after_exceeds_budget'
  | 'wait_budget_exhausted'
  | `status_code_${number}`
  | `status_code_${number}_retry_after`
  | 'timeout'
  | 'connection_failed'
  | 'connection_failed_before_send';

export interface RetryDecision {
  retry: boolean;
  reason: RetryReason;
  /** How long to wait before the next attempt (0 when not retrying). */
  waitMs: number;
  /** When the upstream's Retry-After was refused: how long it asked for. */
  requestedWaitMs?: number;
}

/** Reasons that mean "we wanted to retry but ran out of attempts or time". */
export const GAVE_UP_REASONS: ReadonlySet<RetryReason> = new Set<RetryReason>([
  'max_attempts_reached',
  'retry_after_exceeds_budget',
  'wait_budget_exhausted',
]);

export interface RetryInput {
  /** 1-based number of the attempt that just finished. */
  attempt: number;
  method: string;
  policy: RetryPolicy;
  outcome: AttemptOutcome;
  /** Sum of waits already spent between earlier attempts. */
  waitedSoFarMs: number;
  /** Wall clock, to turn an HTTP-date Retry-After into a delay. */
  nowMs: number;
  /** In [0, 1); injected so tests are deterministic. */
  random: () => number;
}

export function decideRetry(input: RetryInput): RetryDecision {
  const { outcome, policy } = input;
  const stop = (reason: RetryReason): RetryDecision => ({ retry: false, reason, waitMs: 0 });

  let reason: RetryReason;
  let retryAfterMs: number | undefined;
  if (outcome.kind === 'status') {
    if (!policy.retryOnStatus.includes(outcome.status)) {
      return stop(outcome.status >= 200 && outcome.status < 300 ? 'success' : 'not_retryable');
    }
    retryAfterMs = parseRetryAfter(outcome.retryAfter, input.nowMs);
    reason =
      retryAfterMs === undefined
        ? `status_code_${outcome.status}`
        : `status_code_${outcome.status}_retry_after`;
  } else {
    if (!RETRYABLE_ERRORS.has(outcome.code)) return stop('not_retryable');
    if (!outcome.requestSent) reason = 'connection_failed_before_send';
    else reason = outcome.code === 'UPSTREAM_TIMEOUT' ? 'timeout' : 'connection_failed';
  }

  const neverReachedServer = outcome.kind === 'error' && !outcome.requestSent;
  if (
    !IDEMPOTENT_METHODS.has(input.method.toUpperCase()) &&
    !policy.retryNonIdempotent &&
    !neverReachedServer
  ) {
    return stop('method_not_idempotent');
  }
  if (input.attempt >= Math.max(1, policy.maxAttempts)) return stop('max_attempts_reached');

  const budgetMs = (policy.maxTotalWaitMs ?? DEFAULT_MAX_TOTAL_WAIT_MS) - input.waitedSoFarMs;
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > budgetMs) {
      return { ...stop('retry_after_exceeds_budget'), requestedWaitMs: retryAfterMs };
    }
    return { retry: true, reason, waitMs: retryAfterMs };
  }
  if (budgetMs <= 0) return stop('wait_budget_exhausted');
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * 2 ** Math.max(0, input.attempt - 1),
  );
  const jittered = Math.floor(input.random() * Math.max(0, ceiling));
  return { retry: true, reason, waitMs: Math.min(jittered, budgetMs) };
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form starts with a day name. Checking that keeps Date.parse's leniency ("-1" is the
  // year -1) from turning junk into "retry immediately".
  if (!HTTP_DATE_START.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
