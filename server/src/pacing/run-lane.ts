import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who is waiting for a helpdesk call: an agent (sidebar, Lightning page, AI agent tools), or
 * background work (workflow deliveries, backfills). Agents go ahead: their calls never wait for
 * the pacing that keeps automation under the helpdesk's limits, and only automation writes are
 * batched (a batch answers in seconds, which an agent must not sit through).
 *
 * Carried in async context rather than as a parameter because the lane is decided at the top
 * (the workflow worker) and read at the bottom (the HTTP transport), with a dozen helpdesk calls
 * in between that have no other reason to know about it.
 */
export type RunLane = 'agent' | 'automation';

const lanes = new AsyncLocalStorage<RunLane>();

export function runInLane<T>(lane: RunLane, work: () => T): T {
  return lanes.run(lane, work);
}

/** The lane of the work that is running; `agent` outside any (requests are agents' unless marked). */
export function readCurrentLane(): RunLane {
  return lanes.getStore() ?? 'agent';
}
