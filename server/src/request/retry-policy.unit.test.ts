import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from './request-types';
import { decideRetry, parseRetryAfter, type RetryInput } from './retry-policy';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const policy: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 100,
  maxDelayMs: 500,
  retryOnStatus: [429, 502, 503, 504],
  retryNonIdempotent: false,
  maxTotalWaitMs: 30_000,
};

function decide(overrides: Partial<RetryInput>) {
  return decideRetry({
    attempt: 1,
    method: 'GET',
    policy,
    outcome: { kind: 'status', status: 503 },
    waitedSoFarMs: 0,
    nowMs: NOW,
    random: () => 0.999,
    ...overrides,
  });
}

describe('decideRetry', () => {
  it('backs off exponentially up to maxDelayMs', () => {
    const waits = [1, 2, 3, 4].map((attempt) => decide({ attempt }).waitMs);
    expect(waits).toEqual([99, 199, 399, 499]);
  });

  it('applies full jitter: the wait can be anywhere down to zero', () => {
    expect(decide({ random: () => 0 })).toEqual({
      retry: true,
      reason: 'status_code_503',
      waitMs: 0,
    });
  });

  it('waits exactly as long as Retry-After says, even beyond maxDelayMs', () => {
    const decision = decide({ outcome: { kind: 'status', status: 429, retryAfter: '3' } });
    expect(decision).toEqual({ retry: true, reason: 'status_code_429_retry_after', waitMs: 3000 });
  });

  it('understands Retry-After as an HTTP-date', () => {
    const retryAfter = new Date(NOW + 5000).toUTCString();
    expect(decide({ outcome: { kind: 'status', status: 503, retryAfter } }).waitMs).toBe(5000);
  });

  it('falls back to backoff when Retry-After is unreadable', () => {
    const decision = decide({ outcome: { kind: 'status', status: 503, retryAfter: 'soon' } });
    expect(decision).toEqual({ retry: true, reason: 'status_code_503', waitMs: 99 });
  });

  it('refuses a Retry-After longer than the remaining wait budget', () => {
    const decision = decide({
      outcome: { kind: 'status', status: 429, retryAfter: '10' },
      waitedSoFarMs: 25_000,
    });
    expect(decision).toEqual({
      retry: false,
      reason: 'retry_after_exceeds_budget',
      waitMs: 0,
      requestedWaitMs: 10_000,
    });
  });

  it('shortens a backoff to the wait budget left, and stops when none is left', () => {
    expect(decide({ waitedSoFarMs: 29_990 }).waitMs).toBe(10);
    expect(decide({ waitedSoFarMs: 30_000 }).reason).toBe('wait_budget_exhausted');
  });

  it('stops at maxAttempts', () => {
    expect(decide({ attempt: 5 })).toEqual({
      retry: false,
      reason: 'max_attempts_reached',
      waitMs: 0,
    });
  });

  it.each([
    [200, 'success'],
    [404, 'not_retryable'],
    [500, 'not_retryable'],
  ])('does not retry status %i (%s)', (status, reason) => {
    expect(decide({ outcome: { kind: 'status', status } })).toMatchObject({ retry: false, reason });
  });

  it.each(['PUT', 'DELETE', 'HEAD'])('retries idempotent %s', (method) => {
    expect(decide({ method }).retry).toBe(true);
  });

  it.each(['POST', 'PATCH'])('does not retry %s after the request may have arrived', (method) => {
    expect(decide({ method }).reason).toBe('method_not_idempotent');
    expect(
      decide({ method, outcome: { kind: 'error', code: 'UPSTREAM_TIMEOUT', requestSent: true } })
        .reason,
    ).toBe('method_not_idempotent');
  });

  it('retries a POST whose connection failed before anything was sent', () => {
    const decision = decide({
      method: 'POST',
      outcome: { kind: 'error', code: 'UPSTREAM_CONNECTION_FAILED', requestSent: false },
    });
    expect(decision).toMatchObject({ retry: true, reason: 'connection_failed_before_send' });
  });

  it('retries a POST when the connector opted in', () => {
    expect(decide({ method: 'POST', policy: { ...policy, retryNonIdempotent: true } }).retry).toBe(
      true,
    );
  });

  it('never retries deterministic failures', () => {
    const decision = decide({
      outcome: { kind: 'error', code: 'UPSTREAM_ADDRESS_BLOCKED', requestSent: false },
    });
    expect(decision).toEqual({ retry: false, reason: 'not_retryable', waitMs: 0 });
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and treats past dates as now', () => {
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('-1', NOW)).toBeUndefined();
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(0);
  });
});
