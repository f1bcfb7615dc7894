import { describe, expect, it } from 'vitest';
import { createConnectionLimiter } from './connection-limiter';

describe('createConnectionLimiter', () => {
  it('grants slots up to the limit at once', async () => {
    const limiter = createConnectionLimiter();
    const first = await limiter.acquire('shop', 2);
    const second = await limiter.acquire('shop', 2);
    expect(first).toBeTypeOf('function');
    expect(second).toBeTypeOf('function');
    expect(limiter.stats('shop')).toEqual({ active: 2, waiting: 0 });
  });

  it('makes the next run wait and hands it the slot when one is released', async () => {
    const limiter = createConnectionLimiter();
    const release = await limiter.acquire('shop', 1);
    let granted = false;
    const waiting = limiter.acquire('shop', 1).then((next) => {
      granted = true;
      return next;
    });
    await Promise.resolve();
    expect(granted).toBe(false);
    expect(limiter.stats('shop')).toEqual({ active: 1, waiting: 1 });
    release?.();
    const next = await waiting;
    expect(next).toBeTypeOf('function');
    expect(limiter.stats('shop')).toEqual({ active: 1, waiting: 0 });
    next?.();
    expect(limiter.stats('shop')).toEqual({ active: 0, waiting: 0 });
  });

  it('serves waiting runs in arrival order', async () => {
    const limiter = createConnectionLimiter();
    const release = await limiter.acquire('shop', 1);
    const order: string[] = [];
    const a = limiter.acquire('shop', 1).then((next) => {
      order.push('a');
      next?.();
    });
    const b = limiter.acquire('shop', 1).then((next) => {
      order.push('b');
      next?.();
    });
    release?.();
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect(limiter.stats('shop')).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses at once when the waiting line is full', async () => {
    const limiter = createConnectionLimiter({ maxWaitingPerSlot: 1 });
    await limiter.acquire('shop', 2);
    await limiter.acquire('shop', 2);
    void limiter.acquire('shop', 2);
    void limiter.acquire('shop', 2);
    expect(limiter.stats('shop')).toEqual({ active: 2, waiting: 2 });
    await expect(limiter.acquire('shop', 2)).resolves.toBeUndefined();
  });

  it('ignores a second release of the same slot', async () => {
    const limiter = createConnectionLimiter();
    const release = await limiter.acquire('shop', 2);
    await limiter.acquire('shop', 2);
    release?.();
    release?.();
    expect(limiter.stats('shop')).toEqual({ active: 1, waiting: 0 });
  });

  it('keeps connections independent', async () => {
    const limiter = createConnectionLimiter();
    await limiter.acquire('shop', 1);
    await expect(limiter.acquire('jira', 1)).resolves.toBeTypeOf('function');
    expect(limiter.stats('jira')).toEqual({ active: 1, waiting: 0 });
  });
});
