import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import {
  RUN_QUERY_DEFAULT_LIMIT,
  RUN_PAGE_MAX_BYTES,
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
import { migrateRunLogSchema } from './sqlite-run-log-schema';
import {
  actorKeyOf,
  readStoredRun,
  toStoredRun,
  warnAboutCorruptRow,
  warnAboutFailedPrune,
} from './stored-run';
import type { CorruptRunRowReport, StoredRun } from './stored-run';
import type { Result } from '../../../shared/src/result';

const DAY_MS = 86_400_000;
const DEFAULT_PRUNE_INTERVAL_MS = 60 * 60 * 1000;
/**
 * Rows per DELETE during a prune. Each statement blocks the event loop; at a million runs one
 * 5,000-row DELETE held it ~150 ms and a 1,000-row one ~50-70 ms, for ~1.6x the total prune time
 * (bench/run-log-store-choice.ts). Request latency matters more than how long a background prune takes.
 */
const DEFAULT_PRUNE_BATCH_SIZE = 1_000;
/** How long a writer waits for another process (e.g. the CLI) holding the lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;
/**
 * SQLite's page cache is native memory that counts in the server's RSS and fills up as runs are
 * written: 64 MiB cost ~60 MiB of RSS under load, 16 MiB ~12 MiB more than 4 (bench/memory.ts).
 * Queries go through indexes whose upper levels stay cached and whose leaves the OS page cache
 * serves: at a million runs 4 MiB measured the same as 16 (record 0.06 ms, one ticket's runs
 * 0.30 ms, p50; bench/run-log-at-scale.ts).
 */
const PAGE_CACHE_KIB = 4 * 1024;
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export type { CorruptRunRowReport } from './stored-run';

export interface SqliteRunLogStoreOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
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
  /** Called after each automatic prune. */
  onPruned?: (report: { deleted: number; olderThan: Date }) => void;
  /** Called when an automatic prune fails; the timer keeps running. */
  onPruneFailed?: (error: unknown) => void;
}

/** The SQLite store also accepts bulk imports (backfills, benchmarks) in a single transaction. */
export interface SqliteRunLogStore extends RunLogStore {
  recordMany(runs: Iterable<RunRecord>): Promise<number>;
}

export type OpenSqliteRunLogStoreResult = Result<
  SqliteRunLogStore,
  { code: 'RUN_LOG_OPEN_FAILED' | 'RUN_LOG_SCHEMA_TOO_NEW'; message: string }
>;

/** Columns a STRICT table guarantees the types of, so keyset logic can rely on them. */
interface KeysetRow {
  id: string;
  connector_id: string;
  started_at: number;
}

const ROW_COLUMNS = 'id, connector_id, target_system, target_id, outcome, started_at, details';
const ORDER_NEWEST_FIRST = 'ORDER BY started_at DESC, id DESC';

/**
 * Opens (creating and migrating as needed) a SQLite run log.
 *
 * @example
 * const opened = openSqliteRunLogStore({ path: 'data/run-log.sqlite', retentionDays: 7 });
 * if (!opened.ok) throw new Error(opened.error.message);
 * await opened.value.record(run);
 */
export function openSqliteRunLogStore(
  options: SqliteRunLogStoreOptions,
): OpenSqliteRunLogStoreResult {
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

  let db: Database.Database | undefined;
  try {
    db = new Database(options.path, { timeout: BUSY_TIMEOUT_MS });
    // WAL lets the CLI read while the server writes; NORMAL skips the fsync per commit, which
    // in WAL mode can lose only the last commits on power loss, never corrupt the file.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Prunes touch index pages all over a large file; the 2 MB default cache made them ~1.5x slower.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    // After a bulk import or a big prune the WAL file would otherwise keep its peak size on disk.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    const migrated = migrateRunLogSchema(db);
    if (!migrated.ok) {
      db.close();
      return migrated;
    }
  } catch (error) {
    db?.close();
    return {
      ok: false,
      error: {
        code: 'RUN_LOG_OPEN_FAILED',
        message: `cannot open run log at ${options.path}: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
  return {
    ok: true,
    value: createStore(db, {
      retentionMs: options.retentionDays * DAY_MS,
      pruneIntervalMs,
      pruneBatchSize,
      now: options.now ?? (() => new Date()),
      onCorruptRow: options.onCorruptRow ?? warnAboutCorruptRow,
      onPruned: options.onPruned ?? (() => {}),
      onPruneFailed: options.onPruneFailed ?? warnAboutFailedPrune,
    }),
  };
}

interface StoreSettings {
  retentionMs: number;
  pruneIntervalMs: number;
  pruneBatchSize: number;
  now: () => Date;
  onCorruptRow: (report: CorruptRunRowReport) => void;
  onPruned: (report: { deleted: number; olderThan: Date }) => void;
  onPruneFailed: (error: unknown) => void;
}

function createStore(db: Database.Database, settings: StoreSettings): SqliteRunLogStore {
  // Positional parameters: binding by name looks each of the eleven names up on the row, per row.
  const insertStatement = db.prepare(
    `INSERT INTO runs (${ROW_COLUMNS}, error_code, source, actor, dry_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertRun = (row: StoredRun) =>
    insertStatement.run(
      row.id,
      row.connector_id,
      row.target_system,
      row.target_id,
      row.outcome,
      row.started_at,
      row.details,
      row.error_code,
      row.source,
      row.actor,
      row.dry_run ? 1 : 0,
    );
  const selectRunById = db.prepare(`SELECT ${ROW_COLUMNS} FROM runs WHERE id = ?`);
  const countRuns = db.prepare('SELECT count(*) FROM runs').pluck();
  const countConnectorRunsSince = db.prepare(
    `SELECT count(*) AS runs, sum(outcome = 'failed') AS failed FROM runs
     WHERE connector_id = ? AND started_at >= ? AND dry_run = 0`,
  );
  const selectLastConnectorRun = db.prepare(
    `SELECT id, started_at, outcome, dry_run FROM runs
     WHERE connector_id = ? ${ORDER_NEWEST_FIRST} LIMIT 1`,
  );
  const deletePruneBatch = db.prepare(
    'DELETE FROM runs WHERE rowid IN (SELECT rowid FROM runs WHERE started_at < ? LIMIT ?)',
  );
  const selectLastRunsForTarget = db.prepare(selectLastRunsSql(false));
  const selectLastRunsForTargetAndConnectors = db.prepare(selectLastRunsSql(true));
  const insertMany = db.transaction((runs: Iterable<RunRecord>) => {
    let inserted = 0;
    for (const run of runs) {
      insertRun(toStoredRun(run));
      inserted++;
    }
    return inserted;
  });
  const insertRows = db.transaction((rows: StoredRun[]) => {
    for (const row of rows) insertRun(row);
  });

  /**
   * Group commit: runs recorded in the same turn of the event loop are written in one
   * transaction. Each commit appends the table page and four index pages to the WAL, so under
   * load this cuts the write work several-fold; a caller's promise still resolves only once its
   * run is committed, so an answer never goes out before its record is on disk.
   */
  let pending: { row: StoredRun; resolve: () => void; reject: (error: unknown) => void }[] = [];
  const flushPending = () => {
    const batch = pending;
    pending = [];
    try {
      insertRows(batch.map((entry) => entry.row));
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  };

  const selectOlderRunsForTargetAndConnector = db.prepare(
    `SELECT ${ROW_COLUMNS} FROM runs
     WHERE target_system = ? AND target_id = ? AND +connector_id = ?
       AND started_at <= ? AND (started_at < ? OR id < ?)
     ${ORDER_NEWEST_FIRST}`,
  );
  // One statement per combination of filters; there are few combinations, so cache them all.
  const queryStatements = new Map<string, Statement>();

  let closed = false;
  const inFlightPrunes = new Set<Promise<number>>();
  let automaticPrune: Promise<void> | undefined;

  function assertOpen(): void {
    if (closed) throw new Error('run log store is closed');
  }

  // A corrupt latest run must not hide the connector from the sidebar: show its newest readable run.
  function findOlderValidRun(
    system: string,
    targetId: string,
    corrupt: KeysetRow,
  ): RunRecord | undefined {
    const older = selectOlderRunsForTargetAndConnector.iterate(
      system,
      targetId,
      corrupt.connector_id,
      corrupt.started_at,
      corrupt.started_at,
      corrupt.id,
    );
    for (const row of older) {
      const run = fromRunRow(row, settings.onCorruptRow);
      if (run) return run;
    }
    return undefined;
  }

  function prune(olderThan: Date): Promise<number> {
    assertOpen();
    const cutoffMs = olderThan.getTime();
    if (Number.isNaN(cutoffMs)) throw new RangeError('prune: olderThan is an invalid Date');
    const running = deleteInBatches(cutoffMs);
    inFlightPrunes.add(running);
    void running.finally(() => inFlightPrunes.delete(running)).catch(() => {});
    return running;
  }

  // Deleting a week of a busy log in one statement would hold the event loop for seconds;
  // batches with a yield in between let requests through while the prune proceeds.
  async function deleteInBatches(cutoffMs: number): Promise<number> {
    let deleted = 0;
    while (!closed) {
      const { changes } = deletePruneBatch.run(cutoffMs, settings.pruneBatchSize);
      deleted += changes;
      if (changes < settings.pruneBatchSize) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return deleted;
  }

  function pruneAutomatically(): void {
    if (closed || automaticPrune) return;
    const olderThan = new Date(settings.now().getTime() - settings.retentionMs);
    automaticPrune = prune(olderThan)
      .then((deleted) => {
        // Keeps the planner's statistics current as the table churns; cheap when nothing changed.
        if (!closed) db.pragma('optimize');
        settings.onPruned({ deleted, olderThan });
      })
      .catch(settings.onPruneFailed)
      .finally(() => {
        automaticPrune = undefined;
      });
  }

  const timers: NodeJS.Timeout[] = [];
  if (settings.pruneIntervalMs > 0) {
    // A first prune right away, so a server that restarts more often than the interval still prunes.
    timers.push(setTimeout(pruneAutomatically, 0).unref());
    timers.push(setInterval(pruneAutomatically, settings.pruneIntervalMs).unref());
  }

  return {
    record(run) {
      try {
        assertOpen();
        // Validated now, so a bad record is refused to its own caller, not to its batch.
        const row = toStoredRun(run);
        return new Promise<void>((resolve, reject) => {
          if (pending.length === 0) setImmediate(flushPending);
          pending.push({ row, resolve, reject });
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async recordMany(runs) {
      assertOpen();
      return insertMany(runs);
    },

    async get(id) {
      assertOpen();
      const row = selectRunById.get(id);
      return row === undefined ? undefined : fromRunRow(row, settings.onCorruptRow);
    },

    async query(q) {
      assertOpen();
      const limit = clampLimit(q.limit);
      const { sql, params } = buildRunQuery(q, limit + 1);
      let statement = queryStatements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        queryStatements.set(sql, statement);
      }
      const maxBytes = q.maxBytes ?? RUN_PAGE_MAX_BYTES;
      // Rows are read one at a time, so a page of large runs stops at the byte budget instead
      // of loading `limit` of them first.
      const runs: RunRecord[] = [];
      let bytes = 0;
      let included = 0;
      let last: KeysetRow | undefined;
      let more = false;
      for (const row of statement.iterate(...params) as IterableIterator<
        KeysetRow & { details: string }
      >) {
        const size = Buffer.byteLength(row.details ?? '', 'utf8');
        if (included === limit || (included > 0 && bytes + size > maxBytes)) {
          more = true;
          break;
        }
        included += 1;
        bytes += size;
        last = row;
        const run = fromRunRow(row, settings.onCorruptRow);
        if (run) runs.push(run);
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
      const rows =
        connectorIds === undefined
          ? selectLastRunsForTarget.all(target.system, target.id)
          : selectLastRunsForTargetAndConnectors.all(
              target.system,
              target.id,
              JSON.stringify(connectorIds),
            );
      const latest: Record<string, RunRecord> = {};
      for (const row of rows as KeysetRow[]) {
        const run =
          fromRunRow(row, settings.onCorruptRow) ??
          findOlderValidRun(target.system, target.id, row);
        if (run?.kind === 'connector') latest[run.connectorId] = run;
      }
      return latest;
    },

    async summarize(connectorIds, since) {
      assertOpen();
      if (pending.length) flushPending();
      const summaries: Record<string, ConnectorSummary> = {};
      for (const connectorId of connectorIds) {
        // Keys of other kinds ("workflow:…") never collide: connector ids have no colon.
        const counts = countConnectorRunsSince.get(connectorId, since.getTime()) as {
          runs: number;
          failed: number | null;
        };
        const last = selectLastConnectorRun.get(connectorId) as
          | { id: string; started_at: number; outcome: RunOutcome; dry_run: number | null }
          | undefined;
        summaries[connectorId] = {
          runs: counts.runs,
          failed: counts.failed ?? 0,
          ...(last
            ? {
                lastRun: {
                  id: last.id,
                  startedAt: new Date(last.started_at).toISOString(),
                  outcome: last.outcome,
                  dryRun: last.dry_run === 1,
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
      return countRuns.get() as number;
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      if (pending.length) flushPending();
      await Promise.allSettled([...inFlightPrunes, automaticPrune]);
      db.pragma('optimize');
      db.close();
    },
  };
}

function selectLastRunsSql(filterConnectors: boolean): string {
  const connectorFilter = filterConnectors
    ? 'AND connector_id IN (SELECT value FROM json_each(?))'
    : '';
  return `
    SELECT ${ROW_COLUMNS} FROM (
      SELECT ${ROW_COLUMNS},
        row_number() OVER (PARTITION BY connector_id ${ORDER_NEWEST_FIRST}) AS position
      FROM runs
      WHERE target_system = ? AND target_id = ? ${connectorFilter}
    )
    WHERE position = 1`;
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return RUN_QUERY_DEFAULT_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 1), RUN_QUERY_MAX_LIMIT);
}

/**
 * Builds the SQL for `query`. Exported for the query-plan test only.
 *
 * SQLite picks one index per query, and without statistics it may pick a poor one. A unary `+`
 * on a column hides its index, steering the planner to the most selective filter present:
 * ticket/record, then connector, then outcome, else the time index.
 */
export function buildRunQuery(q: RunQuery, limit: number): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const byTarget = q.targetId !== undefined;
  const byConnector = !byTarget && q.connectorId !== undefined;
  // Who or where narrows less than a ticket or connector, more than an outcome.
  const byActor = !byTarget && !byConnector && q.errorCode === undefined && q.actor !== undefined;
  const bySource =
    !byTarget && !byConnector && q.errorCode === undefined && !byActor && q.source !== undefined;
  const byOutcome =
    !byTarget &&
    !byConnector &&
    !byActor &&
    !bySource &&
    q.errorCode === undefined &&
    q.outcome !== undefined;

  if (q.targetId !== undefined) {
    if (q.targetSystem !== undefined) {
      where.push('target_system = ?');
      params.push(q.targetSystem);
    } else {
      // Lets the (target_system, target_id, ...) index serve an id-only search: the systems
      // present are found by hopping along that index (one lookup per system, not a scan),
      // so a helpdesk added later is searched too.
      where.push(
        `target_system IN (WITH RECURSIVE systems(s) AS (SELECT min(target_system) FROM runs UNION ALL SELECT (SELECT min(target_system) FROM runs WHERE target_system > s) FROM systems WHERE s IS NOT NULL) SELECT s FROM systems WHERE s IS NOT NULL)`,
      );
    }
    where.push('target_id = ?');
    params.push(q.targetId);
  } else if (q.targetSystem !== undefined) {
    // With only two systems this filter selects half the log: cheaper to walk the time index.
    where.push('+target_system = ?');
    params.push(q.targetSystem);
  }
  if (q.connectorId !== undefined) {
    where.push(byConnector ? 'connector_id = ?' : '+connector_id = ?');
    params.push(q.connectorId);
  }
  if (q.outcome !== undefined) {
    where.push(byOutcome ? 'outcome = ?' : '+outcome = ?');
    params.push(q.outcome);
  }
  if (q.errorCode !== undefined) {
    // Rare codes are the point of this filter: its index goes first unless a ticket or
    // connector narrows the search further.
    const byErrorCode = !byTarget && !byConnector;
    where.push(byErrorCode ? 'error_code = ?' : '+error_code = ?');
    params.push(q.errorCode);
  }
  if (q.source !== undefined) {
    where.push(bySource ? 'source = ?' : '+source = ?');
    params.push(q.source);
  }
  if (q.actor !== undefined) {
    const column = byActor ? 'actor' : '+actor';
    if (q.actor.id === undefined) {
      // Every actor of a kind: the keys "kind:…" sort between "kind:" and "kind;".
      where.push(`${column} >= ? AND ${column} < ?`);
      params.push(`${q.actor.kind}:`, `${q.actor.kind};`);
    } else {
      where.push(`${column} = ?`);
      params.push(actorKeyOf({ kind: q.actor.kind, id: q.actor.id }));
    }
  }
  if (q.since !== undefined) {
    where.push('started_at >= ?');
    params.push(parseInstant(q.since, 'since'));
  }
  if (q.until !== undefined) {
    where.push('started_at < ?');
    params.push(parseInstant(q.until, 'until'));
  }
  if (q.cursor !== undefined) {
    const cursor = decodeRunCursor(q.cursor);
    if (!cursor) throw new TypeError('query: invalid cursor (validate input with runQuerySchema)');
    // Keyset: strictly after the last row of the previous page in (started_at, id) order.
    // The leading `<=` gives the index a range bound; the OR breaks ties on id.
    where.push('started_at <= ? AND (started_at < ? OR id < ?)');
    params.push(cursor.startedAtMs, cursor.startedAtMs, cursor.id);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  params.push(limit);
  return {
    sql: `SELECT ${ROW_COLUMNS} FROM runs ${whereSql} ${ORDER_NEWEST_FIRST} LIMIT ?`,
    params,
  };
}

function parseInstant(iso: string, field: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms))
    throw new TypeError(`query: invalid ${field} (validate with runQuerySchema)`);
  return ms;
}

const fromRunRow = readStoredRun;
