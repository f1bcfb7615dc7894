import type pg from 'pg';
import { inTransaction } from '../postgres/in-transaction';
import type { BeginResult, IdempotencyStore } from './idempotency-store';

const TTL_MS = 24 * 60 * 60 * 1000;
/** A request "in progress" this long is presumed lost (a hung run, a dead instance); let it be retried. */
const STALE_IN_PROGRESS_MS = 5 * 60 * 1000;

interface Row {
  fingerprint: string;
  state: string;
  result: string | null;
  created_at: string;
}

/**
 * The idempotency store on PostgreSQL, shared by every instance: a key begun on one instance is
 * "in progress" on all of them, and two instances beginning one key together get one 'new'.
 *
 * Unlike the SQLite store, opening frees nothing: other instances' keys in progress are alive.
 * A key whose instance died is handled by the same rules as a hung run: in progress for 5
 * minutes, it may be retried; sent, it is never sent again ('unknown').
 */
export function openPostgresIdempotencyStore(options: {
  pool: pg.Pool;
  now?: () => number;
}): IdempotencyStore {
  const { pool } = options;
  const now = options.now ?? Date.now;
  let lastExpiry = 0;

  const decide = (row: Row, fingerprint: string, at: number): BeginResult | undefined => {
    const createdAt = Number(row.created_at);
    if (at - createdAt >= TTL_MS) return undefined;
    if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
    if (row.state === 'done') return { state: 'done', result: JSON.parse(row.result ?? 'null') };
    const stale = at - createdAt >= STALE_IN_PROGRESS_MS;
    // Sent by an instance that died, or by a run hung past every timeout: never sent again.
    if (row.state === 'unknown' || (row.state === 'sent' && stale)) {
      const sent = JSON.parse(row.result ?? '{}') as { runId?: string };
      return { state: 'unknown', runId: sent.runId };
    }
    if (!stale) return { state: 'in_progress' };
    // In progress, and stale: free to start again.
    return undefined;
  };

  const begin = async (scope: string, key: string, fingerprint: string): Promise<BeginResult> => {
    const at = now();
    if (at - lastExpiry > 60_000) {
      lastExpiry = at;
      await pool.query('DELETE FROM idempotency WHERE created_at < $1', [at - TTL_MS]);
    }
    return inTransaction(pool, async (client) => {
      // The insert either claims the key or waits for (and then sees) whoever holds it, so two
      // instances never both read "no row" and both start.
      for (;;) {
        const inserted = await client.query(
          `INSERT INTO idempotency (scope, key, fingerprint, state, result, created_at)
           VALUES ($1, $2, $3, 'in_progress', NULL, $4)
           ON CONFLICT (scope, key) DO NOTHING`,
          [scope, key, fingerprint, at],
        );
        if (inserted.rowCount === 1) return { state: 'new' };
        const existing = await client.query<Row>(
          'SELECT fingerprint, state, result, created_at FROM idempotency WHERE scope = $1 AND key = $2 FOR UPDATE',
          [scope, key],
        );
        const row = existing.rows[0];
        // Abandoned between the two statements: try the insert again.
        if (!row) continue;
        const decided = decide(row, fingerprint, at);
        if (decided) return decided;
        // Expired or dead: this call takes the key over, under the row lock.
        await client.query(
          `UPDATE idempotency SET fingerprint = $3, state = 'in_progress', result = NULL, created_at = $4
           WHERE scope = $1 AND key = $2`,
          [scope, key, fingerprint, at],
        );
        return { state: 'new' };
      }
    });
  };

  return {
    begin,
    markSent: async (scope, key, runId) => {
      await pool.query(
        "UPDATE idempotency SET state = 'sent', result = $1 WHERE scope = $2 AND key = $3 AND state = 'in_progress'",
        [JSON.stringify({ runId }), scope, key],
      );
    },
    complete: async (scope, key, result) => {
      await pool.query(
        "UPDATE idempotency SET state = 'done', result = $1 WHERE scope = $2 AND key = $3",
        [JSON.stringify(result) ?? null, scope, key],
      );
    },
    abandon: async (scope, key) => {
      await pool.query(
        "DELETE FROM idempotency WHERE scope = $1 AND key = $2 AND state = 'in_progress'",
        [scope, key],
      );
    },
    // The pool belongs to the storage (open-postgres-storage.ts), which ends it.
    close: async () => undefined,
  };
}
