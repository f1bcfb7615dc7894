import type { RunLane } from '../pacing/run-lane';

/**
 * Caps concurrent runs per connection, so one slow upstream cannot tie up every request the
 * server is handling. A bounded number of runs may wait for a slot; past that the caller is
 * refused at once (503 with Retry-After) instead of joining an unbounded queue.
 *
 * Agents go first (run-lane.ts): a freed slot goes to a waiting agent before any automation run,
 * and automation leaves a tenth of a connection's slots (from 5 slots up) to agents, so a burst
 * of deliveries cannot hold every slot while an agent waits in the sidebar. Automation runs wait
 * without a cap of their own: the workflow worker's concurrency already bounds them.
 */
export interface ConnectionLimiter {
  /** `lane` defaults to `agent`; the workflow worker's run dependencies say `automation`. */
  acquire(
    connectionId: string,
    maxConcurrent: number,
    lane?: RunLane,
  ): Promise<(() => void) | undefined>;
  stats(connectionId: string): { active: number; waiting: number };
}

interface Slots {
  active: number;
  /** The limit last asked with (configs change; each acquire says it). */
  max: number;
  agents: (() => void)[];
  automation: (() => void)[];
}

/** Slots of `max` that automation leaves to agents. */
function agentReserve(max: number): number {
  return max >= 5 ? Math.ceil(max / 10) : 0;
}

export function createConnectionLimiter(
  options: { maxWaitingPerSlot?: number } = {},
): ConnectionLimiter {
  const waitingFactor = options.maxWaitingPerSlot ?? 2;
  const state = new Map<string, Slots>();
  const entry = (id: string) => {
    let current = state.get(id);
    if (!current) {
      current = { active: 0, max: 1, agents: [], automation: [] };
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
      // The slot is handed over directly, so `active` does not change.
      const agent = current.agents.shift();
      if (agent) return agent();
      if (current.active - 1 < current.max - agentReserve(current.max)) {
        const automation = current.automation.shift();
        if (automation) return automation();
      }
      current.active -= 1;
    };
  };
  return {
    acquire(connectionId, maxConcurrent, lane = 'agent') {
      const current = entry(connectionId);
      current.max = maxConcurrent;
      const limit = lane === 'agent' ? maxConcurrent : maxConcurrent - agentReserve(maxConcurrent);
      if (current.active < limit) {
        current.active += 1;
        return Promise.resolve(releaser(connectionId));
      }
      if (lane === 'automation') {
        return new Promise((resolve) =>
          current.automation.push(() => resolve(releaser(connectionId))),
        );
      }
      if (current.agents.length >= maxConcurrent * waitingFactor) return Promise.resolve(undefined);
      return new Promise((resolve) => current.agents.push(() => resolve(releaser(connectionId))));
    },
    stats(connectionId) {
      const current = entry(connectionId);
      return {
        active: current.active,
        waiting: current.agents.length + current.automation.length,
      };
    },
  };
}
