import { createPostgresRunLogStore } from '../../run-log/postgres-run-log-store';
import type { RunLogStore } from '../../run-log/run-record';
import type { Result } from '../../../../shared/src/result';
import type { StorageOpenError } from '../storage';
import { createPostgresPool, describePostgresError } from './connect-postgres';

export type OpenPostgresRunLogForReadingResult = Result<
  RunLogStore,
  StorageOpenError | { code: 'RUN_LOG_NOT_CREATED'; message: string }
>;

/**
 * The shared run log for tools that only read it (`npm run connectors -- logs`): no prune, no
 * migration (a reading tool never changes the schema the servers run on), and its own small pool,
 * ended by the store's close. A schema no server has migrated yet is RUN_LOG_NOT_CREATED.
 */
export async function openPostgresRunLogForReading(options: {
  database: { url: string; schema: string };
  runLogRetentionDays: number;
}): Promise<OpenPostgresRunLogForReadingResult> {
  const { url, schema } = options.database;
  const pool = createPostgresPool({ url, schema, max: 2 });
  try {
    const table = await pool.query<{ runs: string | null }>(`SELECT to_regclass('runs') AS runs`);
    if (table.rows[0]?.runs == null) {
      await pool.end();
      return {
        ok: false,
        error: {
          code: 'RUN_LOG_NOT_CREATED',
          message: `No runs recorded yet (schema "${schema}" has no run log: no server has started on this database).`,
        },
      };
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    return {
      ok: false,
      error: {
        code: 'STORAGE_OPEN_FAILED',
        message: `Could not read the run log in PostgreSQL (schema "${schema}"): ${describePostgresError(error)}`,
      },
    };
  }
  const store = createPostgresRunLogStore({
    pool,
    instanceId: 'run-log-reader',
    retentionDays: options.runLogRetentionDays,
    pruneIntervalMs: 0,
  });
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
}
