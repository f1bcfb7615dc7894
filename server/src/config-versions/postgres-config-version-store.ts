import type pg from 'pg';
import { inTransaction } from '../postgres/in-transaction';
import type { ConfigVersion, ConfigVersionFile, ConfigVersionStore } from './config-version-store';
import { hashConfigFiles } from './hash-config-files';
import { summaryOf } from './stored-config-version';
import type { Row } from './stored-config-version';

/**
 * Config versions on PostgreSQL, one history for every instance. When several instances load
 * the same new config together (a deploy, a config sync), one records it and the others find it
 * the newest version already: `record` holds a lock on the table from reading the newest version
 * to inserting, so no two see the same "newest" and both add.
 */
export function openPostgresConfigVersionStore(options: {
  pool: pg.Pool;
  now?: () => number;
}): ConfigVersionStore {
  const { pool } = options;
  const now = options.now ?? Date.now;
  return {
    record: (entry) =>
      inTransaction(pool, async (client) => {
        // Blocks other recorders (they take the same lock), not readers.
        await client.query('LOCK TABLE config_versions IN SHARE ROW EXCLUSIVE MODE');
        const hash = hashConfigFiles(entry.files);
        const latest = (
          await client.query<Row>('SELECT * FROM config_versions ORDER BY id DESC LIMIT 1')
        ).rows[0];
        if (latest && latest.hash === hash) return { version: summaryOf(latest), added: false };
        const at = new Date(now()).toISOString();
        const inserted = await client.query<{ id: number }>(
          `INSERT INTO config_versions (at, author, hash, connectors, files)
           VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [at, entry.author, hash, entry.connectors, JSON.stringify(entry.files)],
        );
        const id = inserted.rows[0]?.id;
        if (id === undefined) throw new Error('the config version store lost a row it just wrote');
        return {
          version: { id, at, author: entry.author, hash, connectors: entry.connectors },
          added: true,
        };
      }),
    list: async (limit) =>
      (
        await pool.query<Row>('SELECT * FROM config_versions ORDER BY id DESC LIMIT $1', [limit])
      ).rows.map(summaryOf),
    get: async (id): Promise<ConfigVersion | undefined> => {
      // Not an id the integer column can hold (SQLite would simply find nothing).
      if (!Number.isInteger(id) || id < 1 || id > 2 ** 31 - 1) return undefined;
      const row = (await pool.query<Row>('SELECT * FROM config_versions WHERE id = $1', [id]))
        .rows[0];
      return row
        ? { ...summaryOf(row), files: JSON.parse(row.files) as ConfigVersionFile[] }
        : undefined;
    },
    // The pool belongs to the storage (open-postgres-storage.ts), which ends it.
    close: async () => undefined,
  };
}
