import { describe, expect, it } from 'vitest';
import { computeBackoffMs } from './workflow-worker';

describe('the wait between attempts', () => {
  const retry = { initialDelayMs: 1_000, maxDelayMs: 10_000 };

  it('doubles from the initial delay and stops at the maximum', () => {
    const top = (attempt: number) => computeBackoffMs(attempt, retry, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(top)).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it('spreads deliveries over the upper half of the delay, never retrying at once', () => {
    expect(computeBackoffMs(3, retry, () => 0)).toBe(2_000);
    expect(computeBackoffMs(3, retry, () => 0.5)).toBe(3_000);
  });
});
