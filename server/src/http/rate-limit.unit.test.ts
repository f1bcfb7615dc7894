import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { createRateLimiter, kindOfApiRequest, rateLimitOf } from './rate-limit';

function limiterAt(perMinute: number) {
  const clock = { now: 0 };
  const limits = {
    read: rateLimitOf(perMinute),
    run: rateLimitOf(perMinute),
    webhook: rateLimitOf(perMinute),
  };
  return { clock, limiter: createRateLimiter(limits, () => clock.now) };
}

describe('rate limiter', () => {
  it('allows a burst of a third of the minute, then one token per 60/perMinute seconds', () => {
    const { clock, limiter } = limiterAt(60);
    for (let i = 0; i < 20; i += 1) expect(limiter.take('run', 'a').ok).toBe(true);
    expect(limiter.take('run', 'a')).toEqual({ ok: false, error: { retryAfterSeconds: 1 } });
    clock.now += 999;
    expect(limiter.take('run', 'a').ok).toBe(false);
    clock.now += 1;
    expect(limiter.take('run', 'a').ok).toBe(true);
    expect(limiter.take('run', 'a').ok).toBe(false);
  });

  it('holds 1/N of the rate and the burst with N live instances, so together they hold the limit', () => {
    const clock = { now: 0 };
    const instances = { live: 2 };
    const limiter = createRateLimiter(
      { read: rateLimitOf(60), run: rateLimitOf(60), webhook: rateLimitOf(60) },
      () => clock.now,
      () => instances.live,
    );
    for (let i = 0; i < 10; i += 1) expect(limiter.take('run', 'a').ok).toBe(true);
    expect(limiter.take('run', 'a')).toEqual({ ok: false, error: { retryAfterSeconds: 2 } });
    clock.now += 2_000;
    expect(limiter.take('run', 'a').ok).toBe(true);
    expect(limiter.take('run', 'a').ok).toBe(false);
    // One instance left: the whole rate again (the bucket refills at 1 a second).
    instances.live = 1;
    clock.now += 1_000;
    expect(limiter.take('run', 'a').ok).toBe(true);
    expect(limiter.take('run', 'a').ok).toBe(false);
  });

  it('says how long until the next token, in whole seconds', () => {
    const { clock, limiter } = limiterAt(3);
    expect(limiter.take('read', 'a').ok).toBe(true);
    expect(limiter.take('read', 'a')).toEqual({ ok: false, error: { retryAfterSeconds: 20 } });
    clock.now += 15_500;
    expect(limiter.take('read', 'a')).toEqual({ ok: false, error: { retryAfterSeconds: 5 } });
  });

  it('keeps callers and kinds apart, and never holds more than the burst', () => {
    const { clock, limiter } = limiterAt(3);
    expect(limiter.take('run', 'a').ok).toBe(true);
    expect(limiter.take('run', 'a').ok).toBe(false);
    expect(limiter.take('run', 'b').ok).toBe(true);
    expect(limiter.take('read', 'a').ok).toBe(true);
    // An hour idle refills to the burst (1), not to 60 tokens.
    clock.now += 3_600_000;
    expect(limiter.take('run', 'b').ok).toBe(true);
    expect(limiter.take('run', 'b').ok).toBe(false);
  });

  it('does not limit at 0 a minute', () => {
    const { limiter } = limiterAt(0);
    for (let i = 0; i < 1000; i += 1) expect(limiter.take('run', 'a').ok).toBe(true);
    expect(limiter.size()).toBe(0);
  });

  it('forgets the idlest callers past 10,000, so unique keys cannot grow memory', () => {
    const { clock, limiter } = limiterAt(60);
    for (let i = 0; i < 10_050; i += 1) {
      clock.now += 1;
      limiter.take('read', `caller-${i}`);
    }
    expect(limiter.size()).toBe(10_000);
  });

  it('throws 429 RATE_LIMITED with Retry-After from enforce', () => {
    const { limiter } = limiterAt(3);
    limiter.enforce('webhook', 'zendesk');
    let thrown: unknown;
    try {
      limiter.enforce('webhook', 'zendesk');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    const error = thrown as ApiError;
    expect(error.status).toBe(429);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.headers).toEqual({ 'Retry-After': '20' });
  });

  it('counts POSTs to run and rerun endpoints as runs, everything else as reads', () => {
    const kind = (method: string, path: string) => kindOfApiRequest({ method, path } as Request);
    expect(kind('POST', '/connectors/x/run')).toBe('run');
    expect(kind('POST', '/macros/x/run')).toBe('run');
    expect(kind('POST', '/admin/deliveries/1/rerun')).toBe('run');
    expect(kind('GET', '/connectors/x/run')).toBe('read');
    expect(kind('POST', '/session/refresh')).toBe('read');
    expect(kind('POST', '/connectors/x/running')).toBe('read');
  });
});
