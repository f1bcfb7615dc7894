import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateBudget } from './rate-budget';
import type { RateBudget } from './rate-budget';

const MINUTE = 60_000;

function perMinuteBudget(reserveShare = 0.1): RateBudget {
  return createRateBudget({
    label: 'Zendesk',
    buckets: { account: { spread: true, windowMs: MINUTE } },
    reserveShare,
  });
}

/** Acquires `count` automation slots one after another; returns when each was granted. */
async function takeInTurn(
  budget: RateBudget,
  count: number,
  buckets: readonly string[] = ['account'],
): Promise<number[]> {
  const grantedAt: number[] = [];
  const all = Array.from({ length: count }, () =>
    budget.acquire('automation', buckets).then((result) => {
      expect(result.ok).toBe(true);
      grantedAt.push(Date.now());
    }),
  );
  await vi.runAllTimersAsync();
  await Promise.all(all);
  return grantedAt;
}

describe('the rate budget', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-04T10:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('lets automation go at once until it has heard of a limit', async () => {
    const budget = perMinuteBudget();
    const granted = await takeInTurn(budget, 5);
    expect(granted.every((at) => at === granted[0])).toBe(true);
  });

  it('spreads automation over what is left of the window, keeping the reserve for agents', async () => {
    const budget = perMinuteBudget(0.1);
    // 100 a minute, 60 s to go: 10 kept for agents, 90 spread evenly (one per 667 ms).
    budget.observe([{ bucket: 'account', limit: 100, remaining: 100, resetInMs: MINUTE }]);
    const start = Date.now();
    const granted = await takeInTurn(budget, 90);
    const last = (granted.at(-1) as number) - start;
    expect(last).toBeGreaterThan(55_000);
    expect(last).toBeLessThanOrEqual(MINUTE);
    const gaps = granted.slice(1).map((at, index) => at - (granted[index] as number));
    expect(Math.max(...gaps)).toBeLessThan(800);
    // The 91st waits for the next window.
    const [next] = await takeInTurn(budget, 1);
    expect((next as number) - start).toBeGreaterThanOrEqual(MINUTE);
  });

  it('never holds an agent, and their calls come out of automation’s share', async () => {
    const budget = perMinuteBudget(0.1);
    budget.observe([{ bucket: 'account', limit: 100, remaining: 15, resetInMs: 30_000 }]);
    for (let index = 0; index < 10; index++) {
      await expect(budget.acquire('agent', ['account'])).resolves.toEqual({
        ok: true,
        value: undefined,
      });
    }
    // 5 left, all of them the reserve: automation waits for the window to end.
    const waiting = budget.acquire('automation', ['account']);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(budget.snapshot().waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1_100);
    await expect(waiting).resolves.toEqual({ ok: true, value: undefined });
  });

  it('takes an agent’s call at once, and leaves automation to wait its turn', () => {
    const budget = perMinuteBudget(0.1);
    budget.observe([{ bucket: 'account', limit: 100, remaining: 15, resetInMs: 30_000 }]);
    expect(budget.takeAtOnce('agent', ['account'])).toBe(true);
    expect(budget.snapshot().buckets.account?.remaining).toBe(14);
    expect(budget.takeAtOnce('automation', ['account'])).toBe(false);
    expect(budget.snapshot().buckets.account?.remaining).toBe(14);
    expect(budget.snapshot().waiting).toBe(0);
  });

  it('believes the lower count within a window and a fresh count in the next one', () => {
    const budget = perMinuteBudget();
    budget.observe([{ bucket: 'account', limit: 700, remaining: 600, resetInMs: 40_000 }]);
    // A late answer to an earlier call says more was left: it is stale.
    budget.observe([{ bucket: 'account', limit: 700, remaining: 650, resetInMs: 40_000 }]);
    expect(budget.snapshot().buckets.account?.remaining).toBe(600);
    vi.advanceTimersByTime(41_000);
    budget.observe([{ bucket: 'account', limit: 700, remaining: 690, resetInMs: 59_000 }]);
    expect(budget.snapshot().buckets.account?.remaining).toBe(690);
  });

  it('holds automation for a 429’s Retry-After', async () => {
    const budget = perMinuteBudget();
    budget.holdFor(5_000);
    const waiting = budget.acquire('automation', ['account']);
    await vi.advanceTimersByTimeAsync(4_900);
    expect(budget.snapshot().waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    await expect(waiting).resolves.toEqual({ ok: true, value: undefined });
  });

  it('refuses a wait longer than it may hold a worker (a spent daily allowance)', async () => {
    const budget = createRateBudget({
      label: 'Salesforce',
      buckets: { daily: { spread: false, windowMs: 24 * 60 * MINUTE } },
      reserveShare: 0.1,
    });
    budget.observe([{ bucket: 'daily', limit: 15_000, remaining: 2_000 }]);
    // Not a rate: no spreading while above the reserve.
    const granted = await takeInTurn(budget, 20);
    expect(granted.every((at) => at === granted[0])).toBe(true);
    budget.observe([{ bucket: 'daily', limit: 15_000, remaining: 1_400 }]);
    const refused = await budget.acquire('automation', ['daily']);
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_BUDGET_EXHAUSTED' } });
    await expect(budget.acquire('agent', ['daily'])).resolves.toMatchObject({ ok: true });
  });

  it('paces by the tightest of the buckets a call spends', async () => {
    const budget = createRateBudget({
      label: 'Zendesk',
      buckets: {
        account: { spread: true, windowMs: MINUTE },
        'tickets-update': { spread: true, windowMs: MINUTE, knownLimit: 10 },
      },
      reserveShare: 0.1,
    });
    budget.observe([{ bucket: 'account', limit: 700, remaining: 700, resetInMs: MINUTE }]);
    const start = Date.now();
    const granted = await takeInTurn(budget, 9, ['account', 'tickets-update']);
    // 10 a minute with one kept: 9 spread over the minute, not over the account's 700.
    expect((granted.at(-1) as number) - start).toBeGreaterThan(45_000);
  });
});
