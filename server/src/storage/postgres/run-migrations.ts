import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Result } from '../../../../shared/src/result';
import { describePostgresError } from './connect-postgres';
import { MIGRATIONS } from './migrations/migrations';
import type { Migration } from './migrations/migrations';

export interface MigrationError {
  code: 'MIGRATION_FAILED' | 'DATABASE_TOO_NEW' | 'MIGRATION_CHANGED';
  message: string;
}

export interface MigrationReport {
  applied: string[];
  current: number;
}

/** A fixed advisory lock key: only one instance migrates a database at a time. */
const MIGRATION_LOCK = 7_114_201_512;

function checksumOf(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

/**
 * Brings the schema to the newest migration this server knows. Each migration runs once, in
 * order, in one transaction that holds an advisory lock: when several instances start together,
 * one migrates and the others wait for it, then find nothing left to do. A database migrated by a
 * newer server (a rollback of the deploy) or whose applied migration text no longer matches is
 * refused with a message, rather than served with a schema this code does not expect.
 */
export async function runMigrations(
  pool: pg.Pool,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<Result<MigrationReport, MigrationError>> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    return {
      ok: false,
      error: {
        code: 'MIGRATION_FAILED',
        message: `Could not connect to PostgreSQL: ${describePostgresError(error)}`,
      },
    };
  }
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = await client.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const known = new Map(migrations.map((migration) => [migration.version, migration]));
    const newest = migrations.at(-1)?.version ?? 0;
    for (const row of done.rows) {
      const migration = known.get(row.version);
      if (!migration) {
        await client.query('ROLLBACK');
        return {
          ok: false,
          error: {
            code: 'DATABASE_TOO_NEW',
            message: `The database has migration ${row.version} (${row.name}), which this server does not know (it knows up to ${newest}). A newer server version migrated it: run that version, or restore the backup taken before the upgrade (docs/deploy.md).`,
          },
        };
      }
      if (migration.name !== row.name || checksumOf(migration) !== row.checksum) {
        await client.query('ROLLBACK');
        return {
          ok: false,
          error: {
            code: 'MIGRATION_CHANGED',
            message: `Migration ${row.version} (${row.name}) was applied with different SQL than this server's ${migration.name}. Applied migrations never change: add a new migration instead.`,
          },
        };
      }
    }
    const applied: string[] = [];
    const doneVersions = new Set(done.rows.map((row) => row.version));
    for (const migration of migrations) {
      if (doneVersions.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [migration.version, migration.name, checksumOf(migration)],
      );
      applied.push(`${migration.version} ${migration.name}`);
    }
    await client.query('COMMIT');
    return { ok: true, value: { applied, current: newest } };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    return {
      ok: false,
      error: {
        code: 'MIGRATION_FAILED',
        message: `Migrating the PostgreSQL schema "${schema}" failed: ${describePostgresError(error)}`,
      },
    };
  } finally {
    client.release();
  }
}
