import { setTimeout as delay } from 'node:timers/promises';
import { createWriteBatcher } from '../../pacing/write-batcher';
import type { WriteBatcher } from '../../pacing/write-batcher';
import { MAX_TICKETS_PER_JOB } from './client/zendesk-client';
import type { JobStatus, TicketUpdate, ZendeskClient } from './client/zendesk-client';

/**
 * Automation's ticket writes as Zendesk bulk jobs: up to 100 tickets per `update_many`, each
 * with its own changes and its own `safe_update` stamp, then the job polled until each ticket's
 * result is known.
 *
 * What comes back for each write:
 * - `written` / `rejected`: the job's result for that ticket says so.
 * - `unsettled`: nothing certain (the job's answer was lost, the job failed or never finished,
 *   its result names a conflict, or Zendesk refused the whole batch). The caller then writes that
 *   ticket alone, with the stamp it loaded: if the job did apply it, the stamp is stale, Zendesk
 *   answers 409, and the single write's check finds the change already there; if not, the single
 *   write applies it and the job's own copy (if it still runs) is refused by its stale stamp.
 *   So a write is never applied twice and never lost, whatever the job did.
 */

export interface BatchedTicketWrite {
  ticketId: number;
  update: TicketUpdate;
}

export type BatchWriteOutcome =
  | { kind: 'written' }
  | { kind: 'rejected'; message: string }
  | { kind: 'unsettled'; reason: string };

export interface ZendeskBatchWriteOptions {
  /** How long a write waits for others to share its job (default 100 ms). */
  lingerMs?: number;
  /** Jobs running at once (default 4; Zendesk queues at most 30 per account). */
  maxJobsInFlight?: number;
  /** First wait between job polls; it grows to 2 s (default 150 ms). */
  pollMs?: number;
  /** A job not finished by then is unsettled (default 120 s). */
  jobTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const FINISHED = new Set(['completed', 'failed', 'killed']);

/** Whether two values are the same as JSON, null and undefined alike (field values, stamps). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * One update doing both, applied in order: later field values win, tags add and remove as the
 * later write says. Two internal notes cannot share one update (a ticket update adds one
 * comment), and two different stamps mean the writes were made against different versions.
 */
export function mergeTicketUpdates(
  earlier: TicketUpdate,
  later: TicketUpdate,
): TicketUpdate | undefined {
  if (earlier.internalNote !== undefined && later.internalNote !== undefined) return undefined;
  if (!sameValue(earlier.safeUpdateStamp, later.safeUpdateStamp)) return undefined;
  const fields = new Map<number, unknown>();
  for (const field of [...(earlier.customFields ?? []), ...(later.customFields ?? [])]) {
    fields.set(field.id, field.value);
  }
  const added = new Set(earlier.additionalTags ?? []);
  const removed = new Set(earlier.removeTags ?? []);
  for (const tag of later.additionalTags ?? []) {
    added.add(tag);
    removed.delete(tag);
  }
  for (const tag of later.removeTags ?? []) {
    removed.add(tag);
    added.delete(tag);
  }
  const merged: TicketUpdate = {};
  if (fields.size > 0) merged.customFields = [...fields].map(([id, value]) => ({ id, value }));
  const status = later.status ?? earlier.status;
  const priority = later.priority ?? earlier.priority;
  const type = later.type ?? earlier.type;
  if (status !== undefined) merged.status = status;
  if (priority !== undefined) merged.priority = priority;
  if (type !== undefined) merged.type = type;
  if (added.size > 0) merged.additionalTags = [...added];
  if (removed.size > 0) merged.removeTags = [...removed];
  const note = earlier.internalNote ?? later.internalNote;
  if (note !== undefined) merged.internalNote = note;
  if (earlier.safeUpdateStamp !== undefined) merged.safeUpdateStamp = earlier.safeUpdateStamp;
  return merged;
}

/** A result naming a stale stamp: the single write sorts it out (see the header comment). */
function isConflict(error: string | undefined, details: string | undefined): boolean {
  return /conflict|safe.?update|updated_stamp/i.test(`${error ?? ''} ${details ?? ''}`);
}

function settleFromJob(job: JobStatus, writes: readonly BatchedTicketWrite[]): BatchWriteOutcome[] {
  const byTicket = new Map<number, JobStatus['results'][number]>();
  job.results.forEach((result, position) => {
    const ticketId =
      result.ticketId ?? writes[result.index ?? position]?.ticketId ?? writes[position]?.ticketId;
    if (ticketId !== undefined && !byTicket.has(ticketId)) byTicket.set(ticketId, result);
  });
  return writes.map((write): BatchWriteOutcome => {
    const result = byTicket.get(write.ticketId);
    if (!result) {
      return { kind: 'unsettled', reason: `Zendesk's job ${job.status} without a result for it` };
    }
    if (result.success) return { kind: 'written' };
    if (isConflict(result.error, result.details)) {
      return { kind: 'unsettled', reason: 'the ticket changed since it was loaded' };
    }
    const detail = [result.error, result.details].filter(Boolean).join(': ');
    return { kind: 'rejected', message: detail || 'Zendesk did not apply the update' };
  });
}

export function createZendeskBatchWrites(
  client: ZendeskClient,
  options: ZendeskBatchWriteOptions = {},
): WriteBatcher<BatchedTicketWrite, BatchWriteOutcome> {
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const now = options.now ?? Date.now;
  const firstPollMs = options.pollMs ?? 150;
  const jobTimeoutMs = options.jobTimeoutMs ?? 120_000;

  async function waitForJob(jobId: string): Promise<JobStatus | string> {
    const deadline = now() + jobTimeoutMs;
    let waitMs = firstPollMs;
    for (;;) {
      await sleep(waitMs);
      const shown = await client.getJobStatus(jobId);
      if (shown.ok && FINISHED.has(shown.value.status)) return shown.value;
      if (now() + waitMs > deadline) {
        return shown.ok
          ? `Zendesk's job ${jobId} was still ${shown.value.status} after ${Math.round(jobTimeoutMs / 1000)} s`
          : `Zendesk's job ${jobId} could not be read: ${shown.error.message}`;
      }
      waitMs = Math.min(2_000, Math.round(waitMs * 1.5));
    }
  }

  async function flush(writes: readonly BatchedTicketWrite[]): Promise<BatchWriteOutcome[]> {
    const unsettled = (reason: string) =>
      writes.map((): BatchWriteOutcome => ({ kind: 'unsettled', reason }));
    const started = await client.updateManyTickets(
      writes.map((write) => ({ ticketId: write.ticketId, update: write.update })),
    );
    if (!started.ok)
      return unsettled(`Zendesk did not start the bulk job: ${started.error.message}`);
    const job = FINISHED.has(started.value.status)
      ? started.value
      : await waitForJob(started.value.id);
    if (typeof job === 'string') return unsettled(job);
    return settleFromJob(job, writes);
  }

  return createWriteBatcher({
    maxBatch: MAX_TICKETS_PER_JOB,
    lingerMs: options.lingerMs ?? 100,
    maxInFlight: options.maxJobsInFlight ?? 4,
    keyOf: (write) => String(write.ticketId),
    merge: (earlier, later) => {
      const update = mergeTicketUpdates(earlier.update, later.update);
      return update === undefined ? undefined : { ticketId: earlier.ticketId, update };
    },
    flush,
  });
}
