import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresPool } from '../storage/postgres/connect-postgres';
import { runMigrations } from '../storage/postgres/run-migrations';

/**
 * The PostgreSQL the Postgres suites use: TEST_DATABASE_URL, or the local server every machine of
 * this project runs (docs/deploy.md, .ci/run starts it when it is down).
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  url: string;
  schema: string;
  /** A pool on the schema, migrated; closed by drop(). */
  pool: pg.Pool;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated schema of its own for one test file or test, so suites run in parallel on one
 * database without seeing each other's rows.
 */
export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const pool = createPostgresPool({ url: TEST_DATABASE_URL, schema, max: 4 });
  let migrated;
  try {
    migrated = await runMigrations(pool, schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  if (!migrated.ok) {
    await pool.end();
    throw new Error(
      `${migrated.error.message}\nThe Postgres suites need PostgreSQL at ${TEST_DATABASE_URL} (start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start).`,
    );
  }
  return {
    url: TEST_DATABASE_URL,
    schema,
    pool,
    drop: async () => {
      await pool.end();
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
