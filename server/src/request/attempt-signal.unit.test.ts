import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createAttemptSignal } from './attempt-signal';

describe('createAttemptSignal', () => {
  it('aborts with a TimeoutError once its time is up, and says it timed out', async () => {
    const attempt = createAttemptSignal(20);
    expect(attempt.signal.aborted).toBe(false);
    await delay(60);
    expect(attempt.signal.aborted).toBe(true);
    expect((attempt.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(attempt.timedOut()).toBe(true);
    attempt.dispose();
  });

  it('follows a source that aborts, with its reason, without calling it a timeout', () => {
    const caller = new AbortController();
    const attempt = createAttemptSignal(10_000, [undefined, caller.signal]);
    caller.abort(new Error('cancelled by the agent'));
    expect(attempt.signal.aborted).toBe(true);
    expect((attempt.signal.reason as Error).message).toBe('cancelled by the agent');
    expect(attempt.timedOut()).toBe(false);
    attempt.dispose();
  });

  it('starts aborted when a source already is', () => {
    const deadline = AbortSignal.abort(new Error('deadline passed'));
    const attempt = createAttemptSignal(10_000, [deadline]);
    expect(attempt.signal.aborted).toBe(true);
    expect((attempt.signal.reason as Error).message).toBe('deadline passed');
    attempt.dispose();
  });

  it('once disposed, neither its timer nor its sources abort it, and it leaves no listener behind', async () => {
    const caller = new AbortController();
    let listeners = 0;
    const counted = caller.signal;
    const add = counted.addEventListener.bind(counted);
    const remove = counted.removeEventListener.bind(counted);
    counted.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners += 1;
      add(...args);
    }) as typeof add;
    counted.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners -= 1;
      remove(...args);
    }) as typeof remove;
    const attempt = createAttemptSignal(20, [counted]);
    expect(listeners).toBe(1);
    attempt.dispose();
    expect(listeners).toBe(0);
    caller.abort();
    await delay(60);
    expect(attempt.signal.aborted).toBe(false);
  });
});
