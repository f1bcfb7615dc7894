import type pg from 'pg';
import type { Logger } from '../logging/logger';
import { takeLease } from '../postgres/take-lease';
import {
  RUN_PAGE_MAX_BYTES,
  RUN_QUERY_DEFAULT_LIMIT,
  RUN_QUERY_MAX_LIMIT,
  decodeRunCursor,
  encodeRunCursor,
} from './run-record';
import type {
  ConnectorSummary,
  RunLogStore,
  RunOutcome,
  RunPage,
  RunQuery,
  RunRecord,
} from './run-record';
import {
  actorKeyOf,
  readStoredRun,
  toStoredRun,
  warnAboutCorruptRow,
  warnAboutFailedPrune,
} from './stored-run';
import type { CorruptRunRowReport, StoredRun } from './stored-run';

const DAY_MS = 86_400_000;
const DEFAULT_PRUNE_INTERVAL_MS = 60 * 60 * 1000;
/**
 * Rows per DELETE during a prune. Each batch is its own transaction, so row locks and the WAL a
 * statement produces stay small and a prune of a busy week never stalls the instances' inserts.
 */
const DEFAULT_PRUNE_BATCH_SIZE = 2_000;
/** The lease that makes one instance of all those sharing the database prune per interval. */
export const RUN_LOG_PRUNE_LEASE = 'run-log-prune';
/**
 * Rows fetched per round trip while filling a page: a page stops at its byte budget, so rows are
 * read in slices instead of `limit` large runs at once.
 */
const PAGE_SLICE_ROWS = 100;

export interface PostgresRunLogStoreOptions {
  /** The instances' shared pool (storage.postgres.pool), its search_path on the migrated schema. */
  pool: pg.Pool;
  /** This instance (storage.postgres.instanceId): who holds the prune lease. */
  instanceId: string;
  /** Runs older than this are deleted by the automatic prune. */
  retentionDays: number;
  /** Default one hour; 0 turns automatic pruning off (read-only tools such as the CLI). */
  pruneIntervalMs?: number;
  /** Rows per DELETE statement during a prune. */
  pruneBatchSize?: number;
  /** Clock for the retention cutoff; injectable for tests. */
  now?: () => Date;
  /** Called for every stored row that fails validation; such rows are skipped, never returned. */
  onCorruptRow?: (report: CorruptRunRowReport) => void;
  /** Called after each automatic prune this instance ran. */
  onPruned?: (report: { deleted: number; olderThan: Date }) => void;
  /** Called when an automatic prune was due but another instance holds the lease. */
  onPruneSkipped?: () => void;
  /** Called when an automatic prune fails; the timer keeps running. */
  onPruneFailed?: (error: unknown) => void;
}

/** A row as selected: started_at as epoch milliseconds, the type readStoredRun expects. */
interface SelectedRow {
  id: string;
  connector_id: string;
  target_system: string;
  target_id: string;
  outcome: string;
  started_at: number;
  details: string;
}

const ROW_COLUMNS = `id, connector_id, target_system, target_id, outcome,
  (extract(epoch FROM started_at) * 1000)::float8 AS started_at, details`;
/** Qualified: a bare `started_at` in ORDER BY would name the output column above, not the indexed one. */
const ORDER_NEWEST_FIRST = 'ORDER BY runs.started_at DESC, runs.id DESC';

/**
 * Writes every run recorded in one turn of the event loop with one statement. Commits skip the
 * wait for the WAL flush (synchronous_commit off, for these statements only): like the SQLite
 * log's synchronous=NORMAL, a crash of the database can lose the last fraction of a second of
 * runs but never corrupts the table, and a run no longer costs an fsync.
 */
const INSERT_RUNS = `
  INSERT INTO runs (id, connector_id, target_system, target_id, outcome, started_at,
                    error_code, source, actor, dry_run, details)
  SELECT r.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                         $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::boolean[],
                         $11::text[]) AS r
  CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed`;

/**
 * The run log on PostgreSQL, shared by every instance of the server: the same answers as the
 * SQLite store (storage/contracts/run-log-store-contract.ts), and retention that one instance
 * runs for all of them per interval (the `run-log-prune` lease). Expects the schema migrated
 * (migrations/002-run-log.ts); never ends the pool, which the storage owns.
 *
 * @example
 * const runLog = createPostgresRunLogStore({ pool, instanceId, retentionDays: 7 });
 * await runLog.record(run);
 */
export function createPostgresRunLogStore(options: PostgresRunLogStoreOptions): RunLogStore {
  const pruneIntervalMs = options.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS;
  const pruneBatchSize = options.pruneBatchSize ?? DEFAULT_PRUNE_BATCH_SIZE;
  if (!(options.retentionDays > 0) || !Number.isFinite(options.retentionDays)) {
    throw new RangeError(`retentionDays must be a positive number, got ${options.retentionDays}`);
  }
  if (!Number.isSafeInteger(pruneIntervalMs) || pruneIntervalMs < 0) {
    throw new RangeError(`pruneIntervalMs must be a non-negative integer, got ${pruneIntervalMs}`);
  }
  if (!Number.isSafeInteger(pruneBatchSize) || pruneBatchSize < 1) {
    throw new RangeError(`pruneBatchSize must be a positive integer, got ${pruneBatchSize}`);
  }
  const { pool, instanceId } = options;
  const retentionMs = options.retentionDays * DAY_MS;
  const now = options.now ?? (() => new Date());
  const onCorruptRow = options.onCorruptRow ?? warnAboutCorruptRow;
  const onPruned = options.onPruned ?? (() => {});
  const onPruneSkipped = options.onPruneSkipped ?? (() => {});
  const onPruneFailed = options.onPruneFailed ?? warnAboutFailedPrune;

  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  let automaticPrune: Promise<void> | undefined;

  function assertOpen(): void {
    if (closed) throw new Error('run log store is closed');
  }

  /** Keeps `work` until it settles, so close() waits for it rather than ending under it. */
  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => {});
    return work;
  }

  async function select(sql: string, params: unknown[], name?: string): Promise<SelectedRow[]> {
    const result = await pool.query<SelectedRow>(
      name === undefined ? { text: sql, values: params } : { name, text: sql, values: params },
    );
    return result.rows;
  }

  const read = (row: SelectedRow): RunRecord | undefined => readStoredRun(row, onCorruptRow);

  /**
   * Group commit: runs recorded in the same turn of the event loop share one INSERT and one
   * commit; a caller's promise resolves only once its run is committed.
   */
  let pending: { row: StoredRun; resolve: () => void; reject: (error: unknown) => void }[] = [];
  function flushPending(): Promise<void> {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return Promise.resolve();
    const rows = batch.map((entry) => entry.row);
    const column = <K extends keyof StoredRun>(key: K) => rows.map((row) => row[key]);
    return track(
      pool
        .query({
          name: 'run-log-insert',
          text: INSERT_RUNS,
          values: [
            column('id'),
            column('connector_id'),
            column('target_system'),
            column('target_id'),
            column('outcome'),
            rows.map((row) => new Date(row.started_at).toISOString()),
            column('error_code'),
            column('source'),
            column('actor'),
            column('dry_run'),
            column('details'),
          ],
        })
        .then(
          () => {
            for (const entry of batch) entry.resolve();
          },
          (error: unknown) => {
            for (const entry of batch) entry.reject(error);
          },
        ),
    );
  }

  // A corrupt latest run must not hide the connector from the sidebar: show its newest readable run.
  async function findOlderValidRun(
    system: string,
    targetId: string,
    corrupt: SelectedRow,
  ): Promise<RunRecord | undefined> {
    let before = { startedAt: corrupt.started_at, id: corrupt.id };
    for (;;) {
      const rows = await select(
        `SELECT ${ROW_COLUMNS} FROM runs
         WHERE target_system = $1 AND target_id = $2 AND connector_id = $3
           AND (started_at, id) < ($4, $5)
         ${ORDER_NEWEST_FIRST} LIMIT ${PAGE_SLICE_ROWS}`,
        [system, targetId, corrupt.connector_id, new Date(before.startedAt), before.id],
        'run-log-older-valid',
      );
      for (const row of rows) {
        const run = read(row);
        if (run) return run;
      }
      const last = rows.at(-1);
      if (!last || rows.length < PAGE_SLICE_ROWS) return undefined;
      before = { startedAt: last.started_at, id: last.id };
    }
  }

  function prune(olderThan: Date): Promise<number> {
    assertOpen();
    if (Number.isNaN(olderThan.getTime())) {
      throw new RangeError('prune: olderThan is an invalid Date');
    }
    return track(deleteInBatches(olderThan));
  }

  // One DELETE of a week of a busy log would lock millions of rows and write their WAL in one
  // transaction; bounded batches, each committed on its own, keep every lock short.
  async function deleteInBatches(olderThan: Date): Promise<number> {
    let deleted = 0;
    while (!closed) {
      const result = await pool.query({
        name: 'run-log-prune-batch',
        text: `DELETE FROM runs WHERE id IN (
                 SELECT id FROM runs WHERE started_at < $1 ORDER BY started_at LIMIT $2)`,
        values: [olderThan, pruneBatchSize],
      });
      const changes = result.rowCount ?? 0;
      deleted += changes;
      if (changes < pruneBatchSize) break;
    }
    return deleted;
  }

  async function pruneIfLeaseTaken(): Promise<void> {
    // The lease lasts one interval: whoever takes it prunes for every instance until it expires,
    // and its holder renews it on its next tick; a holder that died is replaced an interval later.
    const taken = await takeLease(pool, RUN_LOG_PRUNE_LEASE, instanceId, pruneIntervalMs);
    if (!taken) {
      onPruneSkipped();
      return;
    }
    if (closed) return;
    const olderThan = new Date(now().getTime() - retentionMs);
    const deleted = await prune(olderThan);
    onPruned({ deleted, olderThan });
  }

  function pruneAutomatically(): void {
    if (closed || automaticPrune) return;
    automaticPrune = pruneIfLeaseTaken()
      .catch(onPruneFailed)
      .finally(() => {
        automaticPrune = undefined;
      });
  }

  const timers: NodeJS.Timeout[] = [];
  if (pruneIntervalMs > 0) {
    // A first prune right away, so instances that restart more often than the interval still prune.
    timers.push(setTimeout(pruneAutomatically, 0).unref());
    timers.push(setInterval(pruneAutomatically, pruneIntervalMs).unref());
  }

  return {
    record(run) {
      try {
        assertOpen();
        // Validated now, so a bad record is refused to its own caller, not to its batch.
        const row = toStoredRun(run);
        return new Promise<void>((resolve, reject) => {
          if (pending.length === 0) setImmediate(() => void flushPending());
          pending.push({ row, resolve, reject });
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async get(id) {
      assertOpen();
      const rows = await select(
        `SELECT ${ROW_COLUMNS} FROM runs WHERE id = $1`,
        [id],
        'run-log-get',
      );
      const row = rows[0];
      return row === undefined ? undefined : read(row);
    },

    async query(q) {
      assertOpen();
      const limit = clampLimit(q.limit);
      const maxBytes = q.maxBytes ?? RUN_PAGE_MAX_BYTES;
      const runs: RunRecord[] = [];
      let bytes = 0;
      let included = 0;
      let last: SelectedRow | undefined;
      let more = false;
      let after: { startedAtMs: number; id: string } | undefined;
      // Slices of rows in keyset order, so a page of large runs stops at the byte budget instead
      // of loading `limit` of them first.
      slices: for (;;) {
        const sliceRows = Math.min(limit + 1 - included, PAGE_SLICE_ROWS);
        const { sql, params } = buildRunQuery(q, sliceRows, after);
        const rows = await select(sql, params);
        for (const row of rows) {
          const size = Buffer.byteLength(row.details ?? '', 'utf8');
          if (included === limit || (included > 0 && bytes + size > maxBytes)) {
            more = true;
            break slices;
          }
          included += 1;
          bytes += size;
          last = row;
          const run = read(row);
          if (run) runs.push(run);
        }
        if (rows.length < sliceRows || !last) break;
        after = { startedAtMs: last.started_at, id: last.id };
      }
      const page: RunPage = { runs };
      // The cursor comes from the raw row, so a skipped corrupt row cannot stall pagination.
      if (more && last) {
        page.nextCursor = encodeRunCursor({ startedAtMs: last.started_at, id: last.id });
      }
      return page;
    },

    async lastRunsFor(target, connectorIds) {
      assertOpen();
      if (connectorIds?.length === 0) return {};
      // The ticket's runs come from its index range; DISTINCT ON keeps each connector's newest.
      const rows = await select(
        `SELECT DISTINCT ON (connector_id) ${ROW_COLUMNS} FROM runs
         WHERE target_system = $1 AND target_id = $2
           AND ($3::text[] IS NULL OR connector_id = ANY($3::text[]))
         ORDER BY connector_id, runs.started_at DESC, runs.id DESC`,
        [target.system, target.id, connectorIds ?? null],
        'run-log-last-runs-for',
      );
      const latest: Record<string, RunRecord> = {};
      for (const row of rows) {
        const run = read(row) ?? (await findOlderValidRun(target.system, target.id, row));
        if (run?.kind === 'connector') latest[run.connectorId] = run;
      }
      return latest;
    },

    async summarize(connectorIds, since) {
      assertOpen();
      if (pending.length) await flushPending();
      const summaries: Record<string, ConnectorSummary> = {};
      for (const connectorId of connectorIds) {
        // Keys of other kinds ("workflow:…") never collide: connector ids have no colon. Both
        // read runs_by_connector, whose INCLUDE columns answer the count without the table.
        const counts = await pool.query<{ runs: number; failed: number }>({
          name: 'run-log-summary-counts',
          text: `SELECT count(*)::int AS runs, count(*) FILTER (WHERE outcome = 'failed')::int AS failed
                 FROM runs WHERE connector_id = $1 AND started_at >= $2 AND NOT dry_run`,
          values: [connectorId, since],
        });
        const lastRows = await pool.query<{
          id: string;
          started_at: number;
          outcome: RunOutcome;
          dry_run: boolean;
        }>({
          name: 'run-log-summary-last',
          text: `SELECT id, (extract(epoch FROM started_at) * 1000)::float8 AS started_at,
                        outcome, dry_run
                 FROM runs WHERE connector_id = $1 ${ORDER_NEWEST_FIRST} LIMIT 1`,
          values: [connectorId],
        });
        const count = counts.rows[0] ?? { runs: 0, failed: 0 };
        const last = lastRows.rows[0];
        summaries[connectorId] = {
          runs: count.runs,
          failed: count.failed,
          ...(last
            ? {
                lastRun: {
                  id: last.id,
                  startedAt: new Date(last.started_at).toISOString(),
                  outcome: last.outcome,
                  dryRun: last.dry_run,
                },
              }
            : {}),
        };
      }
      return summaries;
    },

    prune: async (olderThan) => prune(olderThan),

    async count() {
      assertOpen();
      const result = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM runs');
      return result.rows[0]?.n ?? 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      await flushPending();
      await Promise.allSettled([...inFlight, automaticPrune]);
    },
  };
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return RUN_QUERY_DEFAULT_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 1), RUN_QUERY_MAX_LIMIT);
}

/**
 * Builds the SQL for `query`, `limit` rows after `after` (or the query's cursor). Exported for
 * the query-plan test only.
 *
 * Unlike SQLite's, PostgreSQL's planner weighs every index with the table's statistics, so each
 * filter is a plain condition. The keyset is a row comparison, which every index (they all end
 * in started_at, id) serves as a range bound.
 */
export function buildRunQuery(
  q: RunQuery,
  limit: number,
  after?: { startedAtMs: number; id: string },
): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (q.targetId !== undefined) {
    if (q.targetSystem !== undefined) {
      where.push(`target_system = ${param(q.targetSystem)}`);
    } else {
      // An id-only search still reads runs_by_target (no skip scan before PostgreSQL 18): the
      // systems present are found by hopping along that index, one lookup per system, so a
      // helpdesk added later is searched too.
      where.push(
        `target_system = ANY(ARRAY(WITH RECURSIVE systems(s) AS (SELECT min(target_system) FROM runs UNION ALL SELECT (SELECT min(target_system) FROM runs WHERE target_system > s) FROM systems WHERE s IS NOT NULL) SELECT s FROM systems WHERE s IS NOT NULL))`,
      );
    }
    where.push(`target_id = ${param(q.targetId)}`);
  } else if (q.targetSystem !== undefined) {
    where.push(`target_system = ${param(q.targetSystem)}`);
  }
  if (q.connectorId !== undefined) where.push(`connector_id = ${param(q.connectorId)}`);
  if (q.outcome !== undefined) where.push(`outcome = ${param(q.outcome)}`);
  if (q.errorCode !== undefined) where.push(`error_code = ${param(q.errorCode)}`);
  if (q.source !== undefined) where.push(`source = ${param(q.source)}`);
  if (q.actor !== undefined) {
    if (q.actor.id === undefined) {
      // Every actor of a kind: the keys "kind:…" sort between "kind:" and "kind;" (COLLATE "C").
      where.push(`actor >= ${param(`${q.actor.kind}:`)} AND actor < ${param(`${q.actor.kind};`)}`);
    } else {
      where.push(`actor = ${param(actorKeyOf({ kind: q.actor.kind, id: q.actor.id }))}`);
    }
  }
  if (q.since !== undefined) where.push(`started_at >= ${param(parseInstant(q.since, 'since'))}`);
  if (q.until !== undefined) where.push(`started_at < ${param(parseInstant(q.until, 'until'))}`);
  let keyset = after;
  if (keyset === undefined && q.cursor !== undefined) {
    keyset = decodeRunCursor(q.cursor);
    if (!keyset) throw new TypeError('query: invalid cursor (validate input with runQuerySchema)');
  }
  if (keyset !== undefined) {
    // Strictly after the last row of the previous page in (started_at, id) order.
    where.push(`(started_at, id) < (${param(new Date(keyset.startedAtMs))}, ${param(keyset.id)})`);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return {
    sql: `SELECT ${ROW_COLUMNS} FROM runs ${whereSql} ${ORDER_NEWEST_FIRST} LIMIT ${param(limit)}`,
    params,
  };
}

function parseInstant(iso: string, field: string): Date {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    throw new TypeError(`query: invalid ${field} (validate with runQuerySchema)`);
  }
  return new Date(ms);
}

/** The run log's reports into the server's log, as the SQLite run log makes them. */
export function reportRunLogEventsTo(
  logger: Logger | undefined,
): Pick<
  PostgresRunLogStoreOptions,
  'onCorruptRow' | 'onPruned' | 'onPruneSkipped' | 'onPruneFailed'
> {
  if (!logger) return {};
  return {
    onCorruptRow: (report) => logger.warn('skipped a corrupt run log row', { ...report }),
    onPruned: ({ deleted, olderThan }) => {
      if (deleted > 0) {
        logger.info('pruned old runs', { deleted, olderThan: olderThan.toISOString() });
      }
    },
    onPruneSkipped: () => logger.debug('another instance prunes the run log this interval'),
    onPruneFailed: (error) => logger.error('pruning the run log failed', { error }),
  };
}
