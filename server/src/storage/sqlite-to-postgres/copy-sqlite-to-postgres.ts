import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { describePostgresError, inTransaction } from '../postgres/connect-postgres';

/** A SQLite row, or a PostgreSQL row to insert, by column name. */
export type Row = Record<string, unknown>;

/** One SQLite table's rows going to one PostgreSQL table. */
export interface TableCopy {
  /** The PostgreSQL table (its migration is in ../postgres/migrations). */
  table: string;
  /** What the rows are, for the report: "runs", "dead letters". */
  label: string;
  /** The SQLite query giving the rows to copy. */
  select: string;
  /** The PostgreSQL row for a SQLite row; undefined leaves the row out (expired, unfinished). */
  convert: (row: Row, context: CopyContext) => Row | undefined;
  /** An identity column given its SQLite value (INSERT … OVERRIDING SYSTEM VALUE). */
  keepsIdentity?: boolean;
  /**
   * The table has no unique key for ON CONFLICT to go by: it is copied only into an empty table,
   * so a re-run never doubles its rows.
   */
  keyless?: boolean;
  /** Why convert leaves rows out, for the report: "expired". */
  leftOut?: string;
  /** SQL run after the rows, in the same transaction (e.g. moving a sequence past copied ids). */
  after?: string;
}

/** One store: its SQLite file in DATA_DIR and its tables. */
export interface StoreCopy {
  store: string;
  file: string;
  tables: readonly TableCopy[];
}

export interface CopyContext {
  /** When the copy started (epoch ms): the moment running deliveries become due again. */
  nowMs: number;
}

export interface TableReport {
  label: string;
  table: string;
  /** Rows in SQLite that were to be copied (after leaving out what convert left out). */
  read: number;
  /** Rows inserted; read − inserted were in PostgreSQL already (a re-run with --force). */
  inserted: number;
  /** Rows convert left out, and why. */
  skipped: number;
  leftOut?: string;
}

export type StoreReport =
  | { store: string; file: string; status: 'copied'; tables: TableReport[] }
  | { store: string; file: string; status: 'no-file' }
  /** This server version has no PostgreSQL table for the store: it stays in DATA_DIR. */
  | { store: string; file: string; status: 'not-on-postgres'; missing: string[] };

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for any of our tables. */
const MAX_PARAMETERS = 30_000;

/** The PostgreSQL tables among `tables` that do not exist in the pool's schema. */
export async function findMissingTables(
  pool: pg.Pool,
  tables: readonly string[],
): Promise<string[]> {
  const found = await pool.query<{ name: string }>(
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)',
    [tables],
  );
  const present = new Set(found.rows.map((row) => row.name));
  return tables.filter((table) => !present.has(table));
}

/** The PostgreSQL tables among `tables` that already hold a row. */
export async function findNonEmptyTables(
  pool: pg.Pool,
  tables: readonly string[],
): Promise<string[]> {
  const nonEmpty: string[] = [];
  for (const table of tables) {
    // Table names come from the copy plans, never from input.
    const result = await pool.query(`SELECT 1 FROM ${table} LIMIT 1`);
    if (result.rowCount) nonEmpty.push(table);
  }
  return nonEmpty;
}

/**
 * Copies one store's SQLite file into PostgreSQL, all its tables in one transaction: a failure
 * leaves none of the store's rows behind, and a re-run starts that store again. Rows already in
 * PostgreSQL (same primary key) are kept as they are (ON CONFLICT DO NOTHING), so running the
 * copy twice adds nothing the second time.
 */
export async function copyStore(
  pool: pg.Pool,
  dataDir: string,
  plan: StoreCopy,
  context: CopyContext,
): Promise<StoreReport> {
  const path = join(dataDir, plan.file);
  if (!existsSync(path)) return { store: plan.store, file: plan.file, status: 'no-file' };
  const missing = await findMissingTables(pool, [
    ...new Set(plan.tables.map((table) => table.table)),
  ]);
  if (missing.length > 0) {
    return { store: plan.store, file: plan.file, status: 'not-on-postgres', missing };
  }
  // Not read-only: a read-only connection cannot read a file left in WAL mode without its -shm.
  const db = new Database(path, { fileMustExist: true });
  try {
    const tables = await inTransaction(pool, async (client) => {
      const reports: TableReport[] = [];
      for (const table of plan.tables) reports.push(await copyTable(db, client, table, context));
      return reports;
    });
    return { store: plan.store, file: plan.file, status: 'copied', tables };
  } catch (error) {
    throw new Error(`Copying the ${plan.store} (${path}) failed: ${describePostgresError(error)}`, {
      cause: error,
    });
  } finally {
    db.close();
  }
}

async function copyTable(
  db: Database.Database,
  client: pg.PoolClient,
  table: TableCopy,
  context: CopyContext,
): Promise<TableReport> {
  const report: TableReport = {
    label: table.label,
    table: table.table,
    read: 0,
    inserted: 0,
    skipped: 0,
    ...(table.leftOut ? { leftOut: table.leftOut } : {}),
  };
  if (table.keyless) {
    const present = await client.query(`SELECT 1 FROM ${table.table} LIMIT 1`);
    if (present.rowCount) {
      report.read = (
        db.prepare(`SELECT COUNT(*) AS n FROM (${table.select})`).get() as { n: number }
      ).n;
      return report;
    }
  }
  let batch: Row[] = [];
  let batchLimit = 1;
  const flush = async () => {
    if (batch.length === 0) return;
    report.inserted += await insertRows(client, table, batch);
    batch = [];
  };
  // iterate() streams the rows, so a large run log never sits in memory whole.
  for (const source of db.prepare(table.select).iterate() as Iterable<Row>) {
    const row = table.convert(source, context);
    if (!row) {
      report.skipped += 1;
      continue;
    }
    report.read += 1;
    batchLimit = Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(row).length));
    batch.push(row);
    if (batch.length >= batchLimit) await flush();
  }
  await flush();
  if (table.after) await client.query(table.after);
  return report;
}

/** One multi-row INSERT … ON CONFLICT DO NOTHING; resolves to the rows inserted. */
async function insertRows(client: pg.PoolClient, table: TableCopy, rows: readonly Row[]) {
  const columns = Object.keys(rows[0] as Row);
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const placeholders = columns.map((column) => {
      values.push(row[column] ?? null);
      return `$${values.length}`;
    });
    return `(${placeholders.join(', ')})`;
  });
  const result = await client.query(
    `INSERT INTO ${table.table} (${columns.join(', ')})${table.keepsIdentity ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`,
    values,
  );
  return result.rowCount ?? 0;
}

/** A key the server keeps in a file of DATA_DIR on SQLite, and in server_secrets on PostgreSQL. */
export interface SecretFileCopy {
  /** What it is, for the report: "session key". */
  label: string;
  file: string;
  /** Its server_secrets row (migration 10). */
  name: string;
}

export interface SecretFileReport {
  label: string;
  file: string;
  status: 'copied' | 'there-already' | 'no-file' | 'not-on-postgres';
}

/**
 * Copies the files' text (base64url, or sealed with TOKEN_ENCRYPTION_KEY: the same text either
 * way) into server_secrets, in one transaction. A row an instance already holds wins, except the
 * empty one a Zendesk refresh leaves before it has stored any token.
 */
export async function copySecretFiles(
  pool: pg.Pool,
  dataDir: string,
  copies: readonly SecretFileCopy[],
): Promise<SecretFileReport[]> {
  const onPostgres = (await findMissingTables(pool, ['server_secrets'])).length === 0;
  return inTransaction(pool, async (client) => {
    const reports: SecretFileReport[] = [];
    for (const copy of copies) {
      const path = join(dataDir, copy.file);
      const report = { label: copy.label, file: copy.file };
      if (!existsSync(path)) {
        reports.push({ ...report, status: 'no-file' });
        continue;
      }
      if (!onPostgres) {
        reports.push({ ...report, status: 'not-on-postgres' });
        continue;
      }
      const inserted = await client.query(
        `INSERT INTO server_secrets (name, value) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
         WHERE server_secrets.value = ''`,
        [copy.name, readFileSync(path, 'utf8').trim()],
      );
      reports.push({ ...report, status: inserted.rowCount ? 'copied' : 'there-already' });
    }
    return reports;
  });
}
