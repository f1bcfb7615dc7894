import { createRunId } from '../run-log/run-record';
import type { TargetQuery } from '../runs/helpdesk-port';

/**
 * Backfills: one connector run over every ticket or record a query matches, through the
 * delivery queue (backfill-service.ts). The store keeps what the queue cannot know: the query,
 * whether the backfill is stopped, and where the enumeration of its matches got to, so a
 * restarted server continues from the saved cursor instead of the first page.
 *
 * Progress is not stored here: it is the count of the backfill's deliveries by state.
 */

/**
 * - running: enumerating matches (until `enumerated`) and its deliveries run;
 * - paused: stopped by an admin: no enumeration, its queued deliveries held;
 * - done: enumerated, and every delivery finished (completed or dead);
 * - failed: the helpdesk refused the query itself part-way (a field deleted since the start,
 *   say): no more enumeration, `error` says why; the matches queued before still run.
 */
export type BackfillState = 'running' | 'paused' | 'done' | 'failed';
export const BACKFILL_STATES: readonly BackfillState[] = ['running', 'paused', 'done', 'failed'];

export interface Backfill {
  id: string;
  connectorId: string;
  /** The helpdesk the targets are in. */
  system: string;
  query: TargetQuery;
  state: BackfillState;
  /** Where the next page of matches starts; undefined before the first page and after the last. */
  cursor: string | undefined;
  /** Every page of matches has been read (and a delivery queued for each match). */
  enumerated: boolean;
  /** How many matched when it started (the helpdesk's count); the progress bar's total. */
  total: number | undefined;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | undefined;
  /** Why it failed (the helpdesk's answer); kept while paused, cleared when it runs again. */
  error: string | undefined;
}

export interface BackfillStore {
  create(backfill: Backfill): Promise<void>;
  get(id: string): Promise<Backfill | undefined>;
  /** Newest first. */
  list(limit: number): Promise<Backfill[]>;
  /** The backfills in `state`, oldest first (the server continues the running ones at start). */
  listInState(state: BackfillState): Promise<Backfill[]>;
  /**
   * Takes or renews the reading of the backfill's pages for `readerId`, for `leaseMs` by the
   * store's clock (the database's on PostgreSQL: the instances' own clocks may differ): granted
   * when no one holds it, when its holder's lease ran out, or when `readerId` holds it already.
   * With several instances on one database each continues the running backfills; this keeps
   * them from all reading the same pages (each read spends the helpdesk's rate limit).
   */
  claimReader(id: string, readerId: string, leaseMs: number): Promise<boolean>;
  /** Gives the reading up (a server shutting down), so another instance takes it at once. */
  releaseReader(id: string, readerId: string): Promise<void>;
  /**
   * Records a page read by `readerId`: the cursor of the next one, or that it was the last.
   * False, and nothing saved, when `readerId` no longer holds the reading (its lease ran out and
   * another instance took over, which reads from the cursor saved before).
   */
  savePage(
    id: string,
    readerId: string,
    cursor: string | undefined,
    enumerated: boolean,
    at: string,
  ): Promise<boolean>;
  /**
   * Moves a backfill from one of `from` to `to`; undefined when it was in none of them.
   * `finishedAt` is set on `done` and `failed`. `error` is saved on `failed` (required there),
   * cleared on `running`, and kept as it was on `paused`.
   */
  setState(
    id: string,
    from: readonly BackfillState[],
    to: BackfillState,
    at: string,
    error?: string,
  ): Promise<Backfill | undefined>;
  close(): Promise<void>;
}

export const BACKFILL_ID_PATTERN = /^bf_[0-9A-HJKMNP-TV-Z]{26}$/;

/** `bf_` and a time-ordered ULID, like run and delivery ids. */
export function createBackfillId(nowMs: number = Date.now()): string {
  return `bf_${createRunId(nowMs).slice('run_'.length)}`;
}

/** A row as both databases store it (times as ISO text, like the other stores). */
export interface BackfillRow {
  id: string;
  connector_id: string;
  system: string;
  target_type: string;
  query_kind: string;
  query_text: string;
  state: string;
  cursor: string | null;
  enumerated: number | boolean;
  total: number | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  error: string | null;
}

export function toBackfill(row: BackfillRow): Backfill {
  return {
    id: row.id,
    connectorId: row.connector_id,
    system: row.system,
    query: {
      kind: row.query_kind === 'soql' ? 'soql' : 'search',
      text: row.query_text,
      targetType: row.target_type,
    },
    state: BACKFILL_STATES.includes(row.state as BackfillState)
      ? (row.state as BackfillState)
      : 'paused',
    cursor: row.cursor ?? undefined,
    enumerated: Boolean(row.enumerated),
    total: row.total ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at ?? undefined,
    error: row.error ?? undefined,
  };
}

export function toBackfillRow(backfill: Backfill): BackfillRow {
  return {
    id: backfill.id,
    connector_id: backfill.connectorId,
    system: backfill.system,
    target_type: backfill.query.targetType,
    query_kind: backfill.query.kind,
    query_text: backfill.query.text,
    state: backfill.state,
    cursor: backfill.cursor ?? null,
    enumerated: backfill.enumerated ? 1 : 0,
    total: backfill.total ?? null,
    created_at: backfill.createdAt,
    updated_at: backfill.updatedAt,
    finished_at: backfill.finishedAt ?? null,
    error: backfill.error ?? null,
  };
}

/**
 * What `setState` writes besides the state, the same in both databases: when it finished, and
 * why it failed (see `BackfillStore.setState`). `error` undefined in the answer means "keep".
 */
export function stateChangeOf(
  to: BackfillState,
  at: string,
  error: string | undefined,
): { finishedAt: string | null; error: string | null | undefined } {
  return {
    finishedAt: to === 'done' || to === 'failed' ? at : null,
    error: to === 'failed' ? (error ?? 'failed') : to === 'running' ? null : undefined,
  };
}
