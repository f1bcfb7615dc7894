/**
 * Who is waiting for a helpdesk call: an agent (sidebar, Lightning page, AI agent tools), or
 * background work (workflow deliveries, backfills). Agents go ahead: their calls never wait for
 * the pacing that keeps automation under the helpdesk's limits, and only automation writes are
 * batched (a batch answers in seconds, which an agent must not sit through).
 *
 * The lane is fixed where the work's dependencies are built, not carried in async context: each
 * helpdesk connects a port per lane (helpdesk-module.ts), and the workflow worker runs with the
 * automation ports. An AsyncLocalStorage did this before, and on Node 20 the first `run` of one
 * turns on async hooks for the whole process, for good: every promise of every agent run then
 * paid for them, about a tenth more server CPU per run (docs/performance.md). The lint forbids
 * AsyncLocalStorage in the server for that reason.
 */
export type RunLane = 'agent' | 'automation';
