import type pg from 'pg';

/**
 * What the PostgreSQL stores share, kept in a folder of its own that imports no feature: the
 * stores sit in their features' folders (runs/, alerts/, …) and storage/ opens them, so a helper
 * they took from storage/ would make the folders import each other both ways.
 */

/** `message` of a pg error, with the database's own code (e.g. 28P01 for a bad password). */
export function describePostgresError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && code.length > 0
      ? `${error.message} (${code})`
      : error.message;
  }
  return String(error);
}

/** Runs `work` in one transaction on one connection: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
