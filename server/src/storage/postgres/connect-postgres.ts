import pg from 'pg';
import type { Logger } from '../../logging/logger';

export interface PostgresOptions {
  /** postgres://user:password@host:5432/database (DATABASE_URL). */
  url: string;
  /** Where the tables live (DATABASE_SCHEMA, default public); tests use one schema each. */
  schema: string;
  /** Connections this instance may hold (default 10). */
  max?: number;
  logger?: Logger;
}

/**
 * The instance's connection pool, with every connection's search_path set to the schema, so the
 * stores' SQL names tables without a schema. An idle connection that the database drops (a
 * restart, a failover) is reported and replaced, never an unhandled 'error' event that would
 * stop the process.
 */
export function createPostgresPool(options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    // The schema is checked as an SQL identifier (env/parse-env.ts) before it gets here.
    options: `-c search_path=${options.schema}`,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'data-connectors',
  });
  pool.on('error', (error) =>
    options.logger?.warn('a PostgreSQL connection was lost; the pool opens another', {
      message: error.message,
    }),
  );
  // A connection lost while checked out between two queries (inside a transaction) emits
  // 'error' on its client, which the pool does not catch: without a listener the process
  // would stop. The query in progress, or the next one, fails and is answered as such.
  pool.on('connect', (client) => {
    client.on('error', (error) =>
      options.logger?.warn('a PostgreSQL connection in use was lost', { message: error.message }),
    );
  });
  return pool;
}

// Shared with the stores in the features' folders (see there why they live apart).
export { describePostgresError, inTransaction } from '../../postgres/in-transaction';
