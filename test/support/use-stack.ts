import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * Starts a stack once for a test file and closes it at the end; `reset` runs after each test
 * (faults cleared, outages ended) so tests do not leak into each other. Returns the stack as an
 * object tests use directly; reading it before it has started is a bug in the test and throws.
 *
 * @example
 * const stack = useStack(() => startTestStack(), (s) => s.zendesk.faults.clear());
 */
export function useStack<S extends { close(): Promise<void> }>(
  start: () => Promise<S>,
  reset?: (stack: S) => void,
): S {
  let started: S | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.close();
  });
  if (reset) afterEach(() => reset(started as S));
  return new Proxy({} as S, {
    get(_target, key) {
      if (!started) throw new Error(`the stack is read (${String(key)}) before it started`);
      const value: unknown = Reflect.get(started, key);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(started)
        : value;
    },
  });
}
