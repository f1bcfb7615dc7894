import { createRunId } from '../run-log/run-record';

/**
 * The durable queue of workflow deliveries (one accepted webhook call each) and their per-step
 * progress. SQLite implements it today (sqlite-delivery-queue.ts); a Postgres implementation
 * for several server instances only has to honour the same contract:
 *
 * - `enqueue` is durable when it resolves, and atomic with its duplicate and replay checks;
 * - `claimNext` hands a due delivery to exactly one worker, under a lease, and counts the
 *   attempt. A worker renews its lease while it works; a delivery whose lease ran out (its worker
 *   died or hung) is due again and may be claimed by any worker, and the old holder's
 *   `complete`, `retryLater` or `bury` is then refused;
 * - step progress written with `recordStep` survives a crash, so a resumed delivery skips the
 *   steps that finished and can tell a step that was interrupted mid-call.
 */

/** The helpdesk a delivery came from (its registry id). */
export type DeliverySystem = string;
/**
 * - queued: waiting for its first or next attempt (`nextAttemptAt`);
 * - running: an attempt is in progress under a lease (when the lease runs out it is claimable again);
 * - completed: the steps ran to the end (`outcome` says whether a failure path was taken);
 * - dead: out of attempts, or failed in a way retrying cannot fix; an admin may re-run it.
 */
export type DeliveryState = 'queued' | 'running' | 'completed' | 'dead';
export const DELIVERY_STATES: readonly DeliveryState[] = ['queued', 'running', 'completed', 'dead'];

export interface DeliveryError {
  code: string;
  message: string;
}

export interface Delivery {
  id: string;
  system: DeliverySystem;
  workflowId: string;
  /** The ticket or record the workflow runs on. */
  target: { type: string; id: string };
  /** The webhook body, available to the steps as {{trigger.<key>}}. */
  payload: Record<string, unknown>;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string;
  outcome: 'success' | 'failed' | undefined;
  message: string | undefined;
  lastError: DeliveryError | undefined;
  receivedAt: string;
  updatedAt: string;
  finishedAt: string | undefined;
}

/**
 * What a step came to. `state: 'started'` is written before a run step calls its connector and
 * replaced when the call's result is known: a step found `started` on resume was interrupted.
 */
export interface StepProgress {
  stepId: string;
  state: 'started' | 'done';
  result: StepResult;
  updatedAt: string;
}

export interface StepResult {
  type: 'collect' | 'run' | 'branch' | 'write' | 'stop';
  outcome: 'success' | 'empty' | 'failed';
  message: string;
  error?: DeliveryError;
  /** Run steps: the connector's outputs (redacted outputs stay masked). Collect: the values. */
  values?: Record<string, unknown>;
  /** Collect steps: the required values that were missing. */
  missing?: string[];
  /** Branch steps: the path taken. */
  path?: 'success' | 'empty' | 'failure' | 'none';
  runId?: string;
  writes?: unknown;
  /** Run steps: the upstream's HTTP status, when it answered (whether a retry can help). */
  upstreamStatus?: number;
}

export interface NewDelivery {
  system: DeliverySystem;
  workflowId: string;
  /** Same key = same delivery: the second one is answered with the first one's id. */
  dedupeKey: string;
  target: { type: string; id: string };
  payload: Record<string, unknown>;
  /**
   * A signature remembered until it expires: the same signed request sent to another workflow's
   * URL (the signature does not cover the URL) is refused as a replay.
   */
  replayGuard?: { signature: string; expiresAtMs: number };
}

export type EnqueueResult =
  | { ok: true; delivery: Delivery; duplicate: boolean }
  | { ok: false; error: { code: 'DELIVERY_REPLAYED'; message: string } };

export interface DeliveryListQuery {
  state?: DeliveryState;
  workflowId?: string;
  targetId?: string;
  limit: number;
  /** A delivery id: the page continues with older deliveries. */
  before?: string;
}

/** A claim on a running delivery: who holds it (`token`) and until when. */
export interface DeliveryLease {
  token: string;
  expiresAtMs: number;
}

export type ClaimedDelivery = Delivery & { lease: DeliveryLease };

export interface DeliveryQueue {
  enqueue(input: NewDelivery): Promise<EnqueueResult>;
  /**
   * Marks the oldest due delivery running under a new lease of `leaseMs` and counts the
   * attempt; undefined when none is due. Due: queued and past `nextAttemptAt`, or running with
   * its lease run out.
   */
  claimNext(leaseMs: number): Promise<ClaimedDelivery | undefined>;
  /** Extends a lease still held; false when it was lost (ran out and claimed by another). */
  renewLease(id: string, token: string, leaseMs: number): Promise<boolean>;
  /** When the next delivery is due (a queued one, or a lease running out), if any. */
  nextDueAtMs(): Promise<number | undefined>;
  /** The methods that end an attempt answer undefined when `token` no longer holds the lease. */
  complete(
    id: string,
    token: string,
    result: { outcome: 'success' | 'failed'; message: string },
  ): Promise<Delivery | undefined>;
  retryLater(
    id: string,
    token: string,
    error: DeliveryError,
    nextAttemptAtMs: number,
  ): Promise<Delivery | undefined>;
  /** Dead letter: kept with its error until an admin re-runs it. */
  bury(id: string, token: string, error: DeliveryError): Promise<Delivery | undefined>;
  /**
   * Queues a dead delivery again with a fresh set of attempts. Its finished steps stay finished,
   * so a re-run continues where it stopped. Undefined when it is not dead.
   */
  requeueDead(id: string): Promise<Delivery | undefined>;
  get(id: string): Promise<Delivery | undefined>;
  list(query: DeliveryListQuery): Promise<{ deliveries: Delivery[]; nextBefore?: string }>;
  /** Deliveries by state: all of them, or one workflow's (a backfill's, `backfill:<id>`). */
  countByState(workflowId?: string): Promise<Record<DeliveryState, number>>;
  /** A workflow's deliveries that completed or died at or after `sinceMs` (a backfill's rate). */
  countFinishedSince(workflowId: string, sinceMs: number): Promise<number>;
  /**
   * Holds a workflow's queued deliveries (they are not claimed until released) or releases
   * them, due at once; answers how many changed. A stopped backfill holds its deliveries.
   * An attempt already running finishes; one that is retried after the hold stays due.
   */
  holdWorkflow(workflowId: string, held: boolean): Promise<number>;
  steps(deliveryId: string): Promise<StepProgress[]>;
  recordStep(
    deliveryId: string,
    stepId: string,
    state: 'started' | 'done',
    result: StepResult,
  ): Promise<void>;
  /** Forgets a started step whose call is known not to have happened (refused, or retryable). */
  forgetStep(deliveryId: string, stepId: string): Promise<void>;
  close(): Promise<void>;
}

/** `next_attempt_at` of a held delivery: far enough to never come due, small enough for a bigint. */
export const HELD_UNTIL_MS = 8_640_000_000_000_000;

export const DELIVERY_ID_PATTERN = /^dlv_[0-9A-HJKMNP-TV-Z]{26}$/;

/** `dlv_` and a time-ordered ULID, like run ids, so ids sort by arrival. */
export function createDeliveryId(nowMs: number = Date.now()): string {
  return `dlv_${createRunId(nowMs).slice('run_'.length)}`;
}
