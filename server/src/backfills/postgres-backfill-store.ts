import type pg from 'pg';
import { takeLease } from '../postgres/take-lease';
import { stateChangeOf, toBackfill, toBackfillRow } from './backfill-store';
import type { BackfillRow, BackfillStore } from './backfill-store';

/**
 * The backfills on PostgreSQL (migrations 13 and 14), one row each, seen by every instance. The
 * reading of a backfill's pages is a named lease in the `leases` table (`takeLease`, by the
 * database's clock), so one instance at a time reads them.
 */
const readerLease = (id: string) => `backfill-reader:${id}`;

export function openPostgresBackfillStore(options: { pool: pg.Pool }): BackfillStore {
  const { pool } = options;
  return {
    create: async (backfill) => {
      const row = toBackfillRow(backfill);
      await pool.query(
        `INSERT INTO backfills (id, connector_id, system, target_type, query_kind, query_text,
           state, cursor, enumerated, total, created_at, updated_at, finished_at, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          row.id,
          row.connector_id,
          row.system,
          row.target_type,
          row.query_kind,
          row.query_text,
          row.state,
          row.cursor,
          Boolean(row.enumerated),
          row.total,
          row.created_at,
          row.updated_at,
          row.finished_at,
          row.error,
        ],
      );
    },
    get: async (id) => {
      const { rows } = await pool.query<BackfillRow>('SELECT * FROM backfills WHERE id = $1', [id]);
      return rows[0] ? toBackfill(rows[0]) : undefined;
    },
    list: async (limit) =>
      (
        await pool.query<BackfillRow>(
          'SELECT * FROM backfills ORDER BY id COLLATE "C" DESC LIMIT $1',
          [limit],
        )
      ).rows.map(toBackfill),
    listInState: async (state) =>
      (
        await pool.query<BackfillRow>(
          'SELECT * FROM backfills WHERE state = $1 ORDER BY id COLLATE "C"',
          [state],
        )
      ).rows.map(toBackfill),
    claimReader: (id, reader, leaseMs) => takeLease(pool, readerLease(id), reader, leaseMs),
    releaseReader: async (id, reader) => {
      await pool.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [
        readerLease(id),
        reader,
      ]);
    },
    savePage: async (id, reader, cursor, enumerated, at) =>
      (
        await pool.query(
          `UPDATE backfills SET cursor = $1, enumerated = $2, updated_at = $3
           WHERE id = $4 AND EXISTS (SELECT 1 FROM leases WHERE name = $5 AND holder = $6)`,
          [cursor ?? null, enumerated, at, id, readerLease(id), reader],
        )
      ).rowCount === 1,
    setState: async (id, from, to, at, error) => {
      const change = stateChangeOf(to, at, error);
      const { rows } = await pool.query<BackfillRow>(
        `UPDATE backfills SET state = $1, updated_at = $2, finished_at = $3,
           error = CASE WHEN $6 THEN error ELSE $7 END
         WHERE id = $4 AND state = ANY($5::text[]) RETURNING *`,
        [
          to,
          at,
          change.finishedAt,
          id,
          [...from],
          change.error === undefined,
          change.error ?? null,
        ],
      );
      return rows[0] ? toBackfill(rows[0]) : undefined;
    },
    // The pool belongs to the storage (open-postgres-storage.ts), which ends it.
    close: async () => undefined,
  };
}
