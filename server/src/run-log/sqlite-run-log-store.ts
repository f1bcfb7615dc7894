import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { z } from 'zod';
import {
  RUN_QUERY_DEFAULT_LIMIT,
  RUN_PAGE_MAX_BYTES,
  RUN_QUERY_MAX_LIMIT,
  decodeRunCursor,
  encodeRunCursor,
  runIdSchema,
  runOutcomeSchema,
  ranIdOf,
  runRecordBaseSchema,
  runRecordSchema,
  runTargetSchema,
  targetSystemSchema,
} from './run-record';
import type {
  ConnectorSummary,
  RunLogStore,
  RunOutcome,
  RunPage,
  RunQuery,
  RunRecord,
  VerificationEvent,
} from './run-record';
import { verificationEventSchema } from './run-record';
import { migrateRunLogSchema } from './sqlite-run-log-schema';
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

export interface CorruptRunRowReport {
  /** The row's id when it could be read, so an operator can inspect or delete it. */
  id: string | undefined;
  reason: string;
}

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

const runRowSchema = z.strictObject({
  id: runIdSchema,
  connector_id: z.string().min(1),
  target_system: targetSystemSchema,
  target_id: z.string().min(1),
  outcome: runOutcomeSchema,
  started_at: z.int().min(0).max(8.64e15),
  details: z.string(),
});
type RunRow = z.infer<typeof runRowSchema>;

/** Everything in a run that has no column of its own. */
const runDetailsSchema = runRecordBaseSchema
  .omit({ id: true, outcome: true, startedAt: true })
  .extend({ target: runTargetSchema.omit({ system: true, id: true }) });

/**
 * The `connector_id` column holds what ran: a connector id as is (ids cannot contain ":"), a
 * workflow or macro id behind its kind. Filters by connector therefore match connector runs only,
 * and files written before `kind` existed (`workflow:<id>`) read back the same way.
 */
function storageKeyOf(run: RunRecord): string {
  return run.kind === 'connector' ? run.connectorId : `${run.kind}:${ranIdOf(run)}`;
}

function ranFromStorageKey(
  key: string,
):
  | { kind: 'connector'; connectorId: string }
  | { kind: 'workflow'; workflowId: string }
  | { kind: 'macro'; macroId: string }
  | { kind: 'verification'; event: VerificationEvent } {
  if (key.startsWith('workflow:')) return { kind: 'workflow', workflowId: key.slice(9) };
  if (key.startsWith('macro:')) return { kind: 'macro', macroId: key.slice(6) };
  const event = key.startsWith('verification:')
    ? verificationEventSchema.safeParse(key.slice(13))
    : undefined;
  if (event?.success) return { kind: 'verification', event: event.data };
  return { kind: 'connector', connectorId: key };
}
type RunDetails = z.infer<typeof runDetailsSchema>;

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
  const insertRun = db.prepare(
    `INSERT INTO runs (${ROW_COLUMNS}, error_code, source, actor, dry_run) VALUES (@id, @connector_id, @target_system, @target_id, @outcome, @started_at, @details, @error_code, @source, @actor, @dry_run)`,
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
      insertRun.run(toRunRow(run));
      inserted++;
    }
    return inserted;
  });
  const insertRows = db.transaction((rows: RunRow[]) => {
    for (const row of rows) insertRun.run(row);
  });

  /**
   * Group commit: runs recorded in the same turn of the event loop are written in one
   * transaction. Each commit appends the table page and four index pages to the WAL, so under
   * load this cuts the write work several-fold; a caller's promise still resolves only once its
   * run is committed, so an answer never goes out before its record is on disk.
   */
  let pending: { row: RunRow; resolve: () => void; reject: (error: unknown) => void }[] = [];
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
        const row = toRunRow(run);
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

/** The record without what ran (kept in the `connector_id` column). */
function stripRan(run: Record<string, unknown>): Record<string, unknown> {
  const { kind: _kind, connectorId: _c, workflowId: _w, macroId: _m, event: _e, ...rest } = run;
  return rest;
}

/** The `actor` column: "kind:id", so a kind alone is a prefix range of the index. */
export function actorKeyOf(actor: { kind: string; id?: string | undefined }): string {
  return `${actor.kind}:${actor.id ?? ''}`;
}

function toRunRow(
  run: RunRecord,
): RunRow & { error_code: string | null; source: string; actor: string; dry_run: 0 | 1 } {
  const parsed = runRecordSchema.safeParse(run);
  if (!parsed.success) {
    // The caller built the record; storing it would only make a row we later skip as corrupt.
    throw new TypeError(`invalid run record: ${z.prettifyError(parsed.error)}`);
  }
  const storageKey = storageKeyOf(parsed.data);
  const { id, outcome, startedAt, target, ...withKind } = parsed.data;
  // Validated above as a whole record; only what ran is dropped (it has its own column).
  const rest = stripRan(withKind) as Omit<RunDetails, 'target'>;
  const details: RunDetails = {
    ...rest,
    target: {
      type: target.type,
      ...(target.commentId !== undefined && { commentId: target.commentId }),
    },
    // JSON has no undefined; store null so the key survives the round trip.
    writes: { ...rest.writes, changes: rest.writes.changes ?? null },
  };
  return {
    id,
    connector_id: storageKey,
    target_system: target.system,
    target_id: target.id,
    outcome,
    started_at: Date.parse(startedAt),
    details: JSON.stringify(details),
    error_code: rest.errorCode ?? null,
    source: rest.source,
    actor: actorKeyOf(rest.actor),
    dry_run: rest.dryRun ? 1 : 0,
  };
}

function fromRunRow(
  raw: unknown,
  onCorruptRow: (report: CorruptRunRowReport) => void,
): RunRecord | undefined {
  const rawId = (raw as { id?: unknown } | null)?.id;
  const report = (reason: string): undefined => {
    onCorruptRow({ id: typeof rawId === 'string' ? rawId : undefined, reason });
    return undefined;
  };
  const row = runRowSchema.safeParse(raw);
  if (!row.success) return report(`bad columns: ${z.prettifyError(row.error)}`);
  let json: unknown;
  try {
    json = JSON.parse(row.data.details);
  } catch (error) {
    return report(`details is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const details = runDetailsSchema.safeParse(json);
  if (!details.success) return report(`bad details: ${z.prettifyError(details.error)}`);
  const { target, ...rest } = details.data;
  return {
    id: row.data.id,
    ...ranFromStorageKey(row.data.connector_id),
    ...rest,
    target: { system: row.data.target_system, id: row.data.target_id, ...target },
    outcome: row.data.outcome,
    startedAt: new Date(row.data.started_at).toISOString(),
  };
}

function warnAboutCorruptRow(report: CorruptRunRowReport): void {
  process.emitWarning(`skipped corrupt run log row ${report.id ?? '(no id)'}: ${report.reason}`, {
    code: 'RUN_LOG_CORRUPT_ROW',
  });
}

function warnAboutFailedPrune(error: unknown): void {
  process.emitWarning(
    `run log prune failed: ${error instanceof Error ? error.message : String(error)}`,
    { code: 'RUN_LOG_PRUNE_FAILED' },
  );
}
