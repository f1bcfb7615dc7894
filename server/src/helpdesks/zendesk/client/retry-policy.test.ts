import { describe, expect, it } from 'vitest';
import { decideRetry, parseRetryAfter } from './retry-policy';
import type { RetryInput } from './retry-policy';

const base: RetryInput = {
  outcome: { kind: 'status', status: 503, retryAfterMs: null },
  attempt: 1,
  maxRetries: 3,
  replaySafe: true,
  waitedMs: 0,
  maxRetryWaitMs: 30_000,
  random: 0,
};

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('1', 0)).toBe(1000);
    expect(parseRetryAfter(['2'], 0)).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
  });

  it('ignores missing or unreadable values', () => {
    expect(parseRetryAfter(undefined, 0)).toBeNull();
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });
});

describe('decideRetry', () => {
  it('retries a 429 for any method after at least Retry-After', () => {
    const decision = decideRetry({
      ...base,
      replaySafe: false,
      random: 0.99,
      outcome: { kind: 'status', status: 429, retryAfterMs: 1000 },
    });
    expect(decision.retry).toBe(true);
    if (decision.retry) expect(decision.waitMs).toBeGreaterThanOrEqual(1000);
    if (decision.retry) expect(decision.waitMs).toBeLessThan(1200);
  });

  it('does not replay an unsafe write after a 5xx or a dropped connection', () => {
    expect(decideRetry({ ...base, replaySafe: false }).retry).toBe(false);
    expect(decideRetry({ ...base, replaySafe: false, outcome: { kind: 'network' } }).retry).toBe(
      false,
    );
  });

  it('backs off exponentially for replay-safe requests', () => {
    const waits = [1, 2, 3].map((attempt) => {
      const decision = decideRetry({ ...base, attempt, random: 1 });
      return decision.retry ? decision.waitMs : -1;
    });
    expect(waits).toEqual([250, 500, 1000]);
  });

  it('never retries client errors such as 404, 409 or 422', () => {
    for (const status of [400, 401, 404, 409, 422]) {
      expect(
        decideRetry({ ...base, outcome: { kind: 'status', status, retryAfterMs: null } }).retry,
      ).toBe(false);
    }
  });

  it('stops after maxRetries and when the wait budget would be exceeded', () => {
    expect(decideRetry({ ...base, attempt: 4 }).retry).toBe(false);
    expect(
      decideRetry({
        ...base,
        waitedMs: 29_500,
        outcome: { kind: 'status', status: 429, retryAfterMs: 1000 },
      }).retry,
    ).toBe(false);
  });
});
