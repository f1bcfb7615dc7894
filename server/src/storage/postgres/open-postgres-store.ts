import type pg from 'pg';
import type { Result } from '../../../../shared/src/result';
import { createPostgresPool, describePostgresError } from './connect-postgres';
import { runMigrations } from './run-migrations';

/**
 * One store on PostgreSQL with a small pool of its own, for the CLI (`agent-keys`, `alerts`,
 * `history`…): it must read and write the same rows as the running instances, not a SQLite file
 * in DATA_DIR they no longer look at. The schema is migrated first (safe beside running
 * instances: migrations take an advisory lock), so the CLI works before any server has started.
 * Closing the store ends the pool.
 */
export async function openPostgresStore<T extends { close(): Promise<void> }>(
  database: { url: string; schema: string },
  open: (pool: pg.Pool) => T | Promise<T>,
): Promise<Result<T, string>> {
  const pool = createPostgresPool({ url: database.url, schema: database.schema, max: 2 });
  try {
    const migrated = await runMigrations(pool, database.schema);
    if (!migrated.ok) {
      await pool.end();
      return { ok: false, error: migrated.error.message };
    }
    const store = await open(pool);
    return {
      ok: true,
      value: {
        ...store,
        close: async () => {
          await store.close();
          await pool.end();
        },
      },
    };
  } catch (error) {
    await pool.end().catch(() => undefined);
    return { ok: false, error: `PostgreSQL: ${describePostgresError(error)}` };
  }
}
