/**
 * When to try a Zendesk request again. Decisions are data so the policy can be tested alone.
 *
 * What it guards against:
 * - 429 means Zendesk did not process the request, so any method may be retried, after the
 *   `Retry-After` it names (plus a little jitter so parallel runs do not return in lockstep).
 * - 5xx and dropped connections leave it unknown whether a write landed. GETs are retried with
 *   exponential backoff. A write is retried only when it is replay-safe: an update sent with
 *   `safe_update` + `updated_stamp` that did land makes the replay answer 409 instead of, say,
 *   adding a second internal note. Creates are never replayed.
 * - Every wait counts against one budget (`maxRetryWaitMs`), so a run cannot hang on a long
 *   Retry-After; past the budget the last error is returned.
 */
export type AttemptOutcome =
  { kind: 'status'; status: number; retryAfterMs: number | null } | { kind: 'network' };

export interface RetryInput {
  outcome: AttemptOutcome;
  /** 1 for the first request. */
  attempt: number;
  maxRetries: number;
  /** Whether a 5xx/network failure may be replayed (see above). */
  replaySafe: boolean;
  /** Time already spent waiting before earlier retries. */
  waitedMs: number;
  maxRetryWaitMs: number;
  /** Random number in [0, 1), injected for deterministic tests. */
  random: number;
}

export type RetryDecision =
  { retry: true; waitMs: number; reason: string } | { retry: false; reason: string };

const BASE_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8_000;
const MAX_JITTER_MS = 1_000;

/** Parses `Retry-After` (delta-seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(
  header: string | string[] | undefined,
  nowMs: number,
): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function backoffMs(attempt: number, random: number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

function withinBudget(input: RetryInput, waitMs: number, reason: string): RetryDecision {
  if (input.waitedMs + waitMs > input.maxRetryWaitMs) {
    return { retry: false, reason: `waiting ${waitMs} ms would exceed the retry wait budget` };
  }
  return { retry: true, waitMs, reason };
}

export function decideRetry(input: RetryInput): RetryDecision {
  if (input.attempt > input.maxRetries) return { retry: false, reason: 'retries exhausted' };
  const { outcome } = input;
  if (outcome.kind === 'status' && outcome.status === 429) {
    const base = outcome.retryAfterMs ?? backoffMs(input.attempt, input.random);
    const jitter = Math.round(input.random * Math.min(MAX_JITTER_MS, Math.max(100, base * 0.1)));
    return withinBudget(input, base + jitter, 'rate limited; waiting as Retry-After asks');
  }
  const transient = outcome.kind === 'network' || outcome.status >= 500;
  if (!transient) return { retry: false, reason: 'not a transient failure' };
  if (!input.replaySafe) {
    return { retry: false, reason: 'the write may have landed and replaying it is not safe' };
  }
  const retryAfter = outcome.kind === 'status' ? (outcome.retryAfterMs ?? 0) : 0;
  return withinBudget(
    input,
    Math.max(retryAfter, backoffMs(input.attempt, input.random)),
    'transient failure; backing off',
  );
}
