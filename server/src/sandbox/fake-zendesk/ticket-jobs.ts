import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { StoredUser } from '../seed/zendesk-seed';
import type { FakeZendeskStore } from './fake-zendesk-store';
import { applyTicketUpdate, formatZendeskTime } from './ticket-changes';
import { buildResourceUrl, zendeskErrors } from './zendesk-json';
import type { ZendeskReply } from './zendesk-json';

/**
 * `PUT /api/v2/tickets/update_many` and the background jobs it queues, as developer.zendesk.com
 * documents them:
 * - Tickets API, "Update Many Tickets": an array of up to 100 ticket objects with their `id`
 *   (batch update, a different change per ticket) or `?ids=` with up to 100 ids and one
 *   `ticket` object (bulk update, the same change for all). The answer is a `job_status`.
 *   "The system always performs safe updates for bulk and batch update jobs": a bulk update
 *   may give its own `safe_update` + `updated_stamp`, else the time the job was queued is used;
 *   a batch ticket that sets `safe_update` must also give `updated_stamp` or it fails.
 * - Job Statuses API: `{id, url, total, progress, status, message, results}`, status one of
 *   queued, working, failed, completed; results kept one day. Update results (Zendesk's OpenAPI
 *   `UpdateResourceResult` / `FailedResult`): `{id, action: "update", success: true, status:
 *   "Updated"}` and `{id, action: "update", success: false, error, details}`.
 * - Rate limits, "Job limit": at most 30 queued or running jobs; beyond that a "TooManyJobs"
 *   error, and the `zendesk-ratelimit-inflight-jobs: total=30; remaining=29; resets=60` header.
 * [UNCONFIRMED] (not shown by the docs we could read): the `error` codes of failed items
 * (RecordNotFound, UpdateConflict, TicketUpdateFailed — the last seen in client code in the
 * wild), the job type name, the 400 for more than 100 tickets, and what `resets` counts for the
 * job header (here: seconds until the oldest in-flight job is due to finish).
 * "Safe update at queue time" is modelled as: the ticket must still have the `updated_at` it had
 * when the job was queued (comparing with the clock would misfire on the fake's stamps, which
 * move a second forward per update).
 */

export const MAX_TICKETS_PER_JOB = 100;
export const MAX_INFLIGHT_JOBS = 30;
/** Kept as long as Zendesk keeps job statuses: one day. */
const JOB_RETENTION_MS = 24 * 60 * 60 * 1000;
const JOB_TYPE = 'BulkUpdateTicketsJob';

export type JobState = 'queued' | 'working' | 'completed' | 'failed';

export type JobResult =
  | { id: number; action: 'update'; success: true; status: 'Updated' }
  | {
      id: number;
      action: 'update';
      success: false;
      status: 'Failed';
      error: string;
      details: string;
    };

export interface StoredJob {
  id: string;
  job_type: string;
  status: JobState;
  total: number;
  progress: number;
  message: string | null;
  results: JobResult[] | null;
  createdAtMs: number;
  dueAtMs: number;
}

interface JobItem {
  ticketId: number;
  write: Record<string, unknown>;
  /** True when the job supplies the stamp: the ticket's updated_at when the job was queued. */
  stampFromQueueTime: boolean;
}

const idListSchema = z
  .string()
  .regex(/^\s*\d{1,16}(\s*,\s*\d{1,16})*\s*,?\s*$/)
  .transform((raw) =>
    raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map(Number),
  );
const batchBodySchema = z.looseObject({
  tickets: z.array(z.looseObject({ id: z.number().int().positive() })),
});
const bulkBodySchema = z.looseObject({ ticket: z.record(z.string(), z.unknown()) });

export type UpdateManyRequest =
  | {
      ok: true;
      mode: 'bulk' | 'batch';
      items: { ticketId: number; write: Record<string, unknown> }[];
    }
  | { ok: false; reply: ZendeskReply };

const invalidIds = (): ZendeskReply => ({
  status: 400,
  body: { error: 'InvalidValue', description: 'ids must be a comma-separated list of ticket ids' },
});

/** Reads a comma-separated `ids` query value (show_many, update_many). */
export function parseIdList(
  raw: unknown,
  max: number,
): { ok: true; ids: number[] } | { ok: false; reply: ZendeskReply } {
  if (raw === undefined || raw === '')
    return { ok: false, reply: zendeskErrors.parameterMissing('ids') };
  const parsed = idListSchema.safeParse(raw);
  if (!parsed.success || parsed.data.some((id) => !Number.isSafeInteger(id) || id <= 0)) {
    return { ok: false, reply: invalidIds() };
  }
  if (parsed.data.length > max)
    return { ok: false, reply: zendeskErrors.tooManyValues('ids', max) };
  return { ok: true, ids: parsed.data };
}

/** Validates both documented forms of an update_many request. */
export function parseUpdateManyRequest(
  query: Record<string, unknown>,
  body: unknown,
): UpdateManyRequest {
  if (query.ids !== undefined) {
    const ids = parseIdList(query.ids, MAX_TICKETS_PER_JOB);
    if (!ids.ok) return ids;
    const parsed = bulkBodySchema.safeParse(body);
    if (!parsed.success) return { ok: false, reply: zendeskErrors.parameterMissing('ticket') };
    return {
      ok: true,
      mode: 'bulk',
      items: ids.ids.map((ticketId) => ({ ticketId, write: { ...parsed.data.ticket } })),
    };
  }
  const tickets = (body as { tickets?: unknown } | null)?.tickets;
  if (tickets === undefined) return { ok: false, reply: zendeskErrors.parameterMissing('tickets') };
  if (Array.isArray(tickets) && tickets.length > MAX_TICKETS_PER_JOB) {
    return { ok: false, reply: zendeskErrors.tooManyValues('tickets', MAX_TICKETS_PER_JOB) };
  }
  const parsed = batchBodySchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      reply: zendeskErrors.recordInvalid({
        tickets: [
          { description: 'Tickets: each ticket needs a numeric id', error: 'InvalidValue' },
        ],
      }),
    };
  }
  return {
    ok: true,
    mode: 'batch',
    items: parsed.data.tickets.map(({ id, ...write }) => ({ ticketId: id, write })),
  };
}

/** Applies the documented safe-update rule for jobs to one item's write. */
function prepareItem(
  mode: 'bulk' | 'batch',
  item: { ticketId: number; write: Record<string, unknown> },
): JobItem {
  const write = { ...item.write };
  const hasOwnStamp = write.safe_update !== undefined && write.updated_stamp !== undefined;
  if (hasOwnStamp || (mode === 'batch' && write.safe_update !== undefined)) {
    // "A value of false has the same effect as true" (Tickets API, safe_update).
    write.safe_update = true;
    return { ticketId: item.ticketId, write, stampFromQueueTime: false };
  }
  delete write.safe_update;
  delete write.updated_stamp;
  return { ticketId: item.ticketId, write, stampFromQueueTime: true };
}

function describeFailure(reply: ZendeskReply): { error: string; details: string } {
  const body = (reply.body ?? {}) as {
    error?: string;
    description?: string;
    details?: Record<string, { description: string }[]>;
  };
  if (reply.status === 422 && body.details) {
    const details = Object.values(body.details)
      .flat()
      .map((problem) => problem.description)
      .join('; ');
    return { error: 'TicketUpdateFailed', details };
  }
  return { error: body.error ?? 'TicketUpdateFailed', details: body.description ?? '' };
}

export interface TicketJobsOptions {
  store: FakeZendeskStore;
  now: () => Date;
  /** Time a job stays queued, and then working (default 50 ms each). */
  delayMs: number;
}

export interface TicketJobs {
  /** Queues an update_many job, or refuses with TooManyJobs. */
  enqueueUpdateMany(
    actor: StoredUser,
    request: Extract<UpdateManyRequest, { ok: true }>,
  ): { ok: true; job: StoredJob } | { ok: false; reply: ZendeskReply };
  find(id: string): StoredJob | undefined;
  /** Value of `zendesk-ratelimit-inflight-jobs` right now. */
  inflightHeader(): string;
  /** Resolves when the job reaches `status` (or has passed it). */
  waitFor(id: string, status: JobState): Promise<StoredJob>;
  /** Resolves once no job is queued or working. */
  whenIdle(): Promise<void>;
  /** Cancels pending timers (the fake's close()). */
  stop(): void;
}

const ORDER: Record<JobState, number> = { queued: 0, working: 1, completed: 2, failed: 2 };

/** Tickets a job applies per turn of the fake's event loop. */
const JOB_ITEMS_PER_TURN = 10;

export function createTicketJobs(options: TicketJobsOptions): TicketJobs {
  const jobs = new Map<string, StoredJob>();
  const timers = new Set<NodeJS.Timeout>();
  let listeners: (() => void)[] = [];
  const notify = () => {
    const current = listeners;
    listeners = [];
    for (const listener of current) listener();
  };
  const inflight = () =>
    [...jobs.values()].filter((job) => job.status === 'queued' || job.status === 'working');
  const schedule = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const runJob = (
    job: StoredJob,
    actor: StoredUser,
    items: JobItem[],
    stamps: Map<number, string>,
  ) => {
    const context = { store: options.store, actor, now: options.now };
    const results: JobResult[] = [];
    const applyItem = (item: JobItem): JobResult => {
      const ticket = options.store.findTicket(item.ticketId);
      let result: JobResult;
      if (!ticket) {
        result = {
          id: item.ticketId,
          action: 'update',
          success: false,
          status: 'Failed',
          error: 'RecordNotFound',
          details: 'Not found',
        };
      } else {
        const stamp = stamps.get(item.ticketId);
        const write =
          item.stampFromQueueTime && stamp !== undefined
            ? { ...item.write, safe_update: true, updated_stamp: stamp }
            : item.write;
        const outcome = applyTicketUpdate(context, ticket, { ticket: write });
        if (outcome.ok) {
          // A later item for the same ticket in this job builds on this one, not on a conflict.
          stamps.set(item.ticketId, outcome.ticket.updated_at);
          result = { id: item.ticketId, action: 'update', success: true, status: 'Updated' };
        } else {
          result = {
            id: item.ticketId,
            action: 'update',
            success: false,
            status: 'Failed',
            ...describeFailure(outcome.reply),
          };
        }
      }
      return result;
    };
    // Zendesk runs jobs in the background: a job of 100 tickets does not hold up the account's
    // other requests. So the fake applies a few tickets per turn of its event loop, and the
    // job status shows the progress meanwhile.
    const step = () => {
      for (const item of items.slice(results.length, results.length + JOB_ITEMS_PER_TURN)) {
        results.push(applyItem(item));
        job.progress = results.length;
      }
      if (results.length < items.length) {
        schedule(0, step);
        return;
      }
      job.results = results;
      job.status = 'completed';
      job.message = `Completed at ${formatZendeskTime(options.now()).replace('T', ' ').replace('Z', ' +0000')}`;
      notify();
    };
    step();
  };

  const prune = (nowMs: number) => {
    for (const [id, job] of jobs) {
      if (nowMs - job.createdAtMs > JOB_RETENTION_MS) jobs.delete(id);
    }
  };

  return {
    enqueueUpdateMany(actor, request) {
      const nowMs = options.now().getTime();
      prune(nowMs);
      const running = inflight();
      if (running.length >= MAX_INFLIGHT_JOBS) {
        return {
          ok: false,
          reply: zendeskErrors.tooManyJobs(
            JOB_TYPE,
            running.map((job) => job.id),
          ),
        };
      }
      const items = request.items.map((item) => prepareItem(request.mode, item));
      const stamps = new Map<number, string>();
      for (const item of items) {
        const ticket = options.store.findTicket(item.ticketId);
        if (ticket && !stamps.has(item.ticketId)) stamps.set(item.ticketId, ticket.updated_at);
      }
      const job: StoredJob = {
        id: randomBytes(16).toString('hex'),
        job_type: JOB_TYPE,
        status: 'queued',
        total: items.length,
        progress: 0,
        message: null,
        results: null,
        createdAtMs: nowMs,
        dueAtMs: nowMs + 2 * options.delayMs,
      };
      jobs.set(job.id, job);
      schedule(options.delayMs, () => {
        job.status = 'working';
        notify();
        schedule(options.delayMs, () => runJob(job, actor, items, stamps));
      });
      return { ok: true, job };
    },
    find: (id) => jobs.get(id),
    inflightHeader() {
      const running = inflight();
      const nowMs = options.now().getTime();
      const oldestDue = Math.min(...running.map((job) => job.dueAtMs));
      const resets = running.length === 0 ? 1 : Math.max(1, Math.ceil((oldestDue - nowMs) / 1000));
      const remaining = Math.max(0, MAX_INFLIGHT_JOBS - running.length);
      return `total=${MAX_INFLIGHT_JOBS}; remaining=${remaining}; resets=${resets}`;
    },
    waitFor(id, status) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const job = jobs.get(id);
          if (!job) return reject(new Error(`No job ${id}`));
          if (ORDER[job.status] >= ORDER[status]) return resolve(job);
          listeners.push(check);
        };
        check();
      });
    },
    whenIdle() {
      return new Promise((resolve) => {
        const check = () => (inflight().length === 0 ? resolve() : listeners.push(check));
        check();
      });
    },
    stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** A job status in the Job Statuses API's JSON format. */
export function renderJobStatus(job: StoredJob, apiBase: string) {
  return {
    id: job.id,
    url: buildResourceUrl(apiBase, 'job_statuses', job.id),
    job_type: job.job_type,
    total: job.total,
    progress: job.progress,
    status: job.status,
    message: job.message,
    results: job.results ? job.results.map((result) => ({ ...result })) : null,
  };
}
