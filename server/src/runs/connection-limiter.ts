/**
 * Caps concurrent runs per connection, so one slow upstream cannot tie up every request the
 * server is handling. A bounded number of runs may wait for a slot; past that the caller is
 * refused at once (503 with Retry-After) instead of joining an unbounded queue.
 */
export interface ConnectionLimiter {
  acquire(connectionId: string, maxConcurrent: number): Promise<(() => void) | undefined>;
  stats(connectionId: string): { active: number; waiting: number };
}

export function createConnectionLimiter(
  options: { maxWaitingPerSlot?: number } = {},
): ConnectionLimiter {
  const waitingFactor = options.maxWaitingPerSlot ?? 2;
  const state = new Map<string, { active: number; queue: (() => void)[] }>();
  const entry = (id: string) => {
    let current = state.get(id);
    if (!current) {
      current = { active: 0, queue: [] };
      state.set(id, current);
    }
    return current;
  };
  const releaser = (id: string) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const current = entry(id);
      const next = current.queue.shift();
      if (next) next();
      else current.active -= 1;
    };
  };
  return {
    acquire(connectionId, maxConcurrent) {
      const current = entry(connectionId);
      if (current.active < maxConcurrent) {
        current.active += 1;
        return Promise.resolve(releaser(connectionId));
      }
      if (current.queue.length >= maxConcurrent * waitingFactor) return Promise.resolve(undefined);
      // The slot is handed over directly on release, so `active` does not change.
      return new Promise((resolve) => current.queue.push(() => resolve(releaser(connectionId))));
    },
    stats(connectionId) {
      const current = entry(connectionId);
      return { active: current.active, waiting: current.queue.length };
    },
  };
}
