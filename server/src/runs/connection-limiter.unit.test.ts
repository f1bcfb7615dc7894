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

describe('agents ahead of automation on a connection', () => {
  it('leaves a tenth of the slots to agents and hands a freed slot to an agent first', async () => {
    const limiter = createConnectionLimiter();
    // 10 slots: automation takes 9, the 10th stays for agents.
    const automation = await Promise.all(
      Array.from({ length: 9 }, () => limiter.acquire('shop', 10, 'automation')),
    );
    let queuedAutomation = false;
    const tenth = limiter.acquire('shop', 10, 'automation').then((release) => {
      queuedAutomation = true;
      return release;
    });
    await Promise.resolve();
    expect(queuedAutomation).toBe(false);
    const agent = await limiter.acquire('shop', 10, 'agent');
    expect(agent).toBeTypeOf('function');
    expect(limiter.stats('shop')).toEqual({ active: 10, waiting: 1 });

    // Full: an agent waits too, and gets the next freed slot before the waiting automation run.
    let agentGranted = false;
    const waitingAgent = limiter.acquire('shop', 10, 'agent').then((release) => {
      agentGranted = true;
      return release;
    });
    automation[0]?.();
    await Promise.resolve();
    await Promise.resolve();
    expect(agentGranted).toBe(true);
    expect(queuedAutomation).toBe(false);
    // Freed slots go to automation only while it stays below its nine.
    (await waitingAgent)?.();
    await Promise.resolve();
    expect(queuedAutomation).toBe(false);
    agent?.();
    (await tenth)?.();
    expect(queuedAutomation).toBe(true);
  });

  it('lets automation wait beyond the agents’ cap, bounded by the worker instead', async () => {
    const limiter = createConnectionLimiter({ maxWaitingPerSlot: 1 });
    const first = await limiter.acquire('shop', 1, 'automation');
    const waiting = [1, 2, 3].map(() => limiter.acquire('shop', 1, 'automation'));
    expect(limiter.stats('shop').waiting).toBe(3);
    // Three automation runs waiting do not fill the agents' queue: the agent waits, first in line.
    const agent = limiter.acquire('shop', 1, 'agent');
    first?.();
    const agentRelease = await agent;
    expect(agentRelease).toBeTypeOf('function');
    expect(limiter.stats('shop')).toEqual({ active: 1, waiting: 3 });
    agentRelease?.();
    await expect(waiting[0]).resolves.toBeTypeOf('function');
  });
});
