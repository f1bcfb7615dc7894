import type pg from 'pg';
import { inTransaction } from '../postgres/in-transaction';
import type { AlertFailure, AlertIncident, AlertStore, CountedRun, RunCounts } from './alert-store';
import { readAlertState } from './read-alert-state';
import type { AlertStateRow } from './read-alert-state';

/**
 * The alerts' state on PostgreSQL, one for every instance: runs of one connector counted on two
 * instances add up (each count is one statement on the connector's row, which holds its lock
 * to the end of the transaction), and "once per incident" holds across instances because
 * opening and closing are compare-and-set on that row.
 */
export function openPostgresAlertStore(options: { pool: pg.Pool }): AlertStore {
  const { pool } = options;

  const countRun = (
    connectorId: string,
    run: { atMs: number; failure: AlertFailure | undefined },
    windowStartMs: number | undefined,
  ): Promise<CountedRun> =>
    inTransaction(pool, async (client) => {
      const failed = run.failure !== undefined;
      const counted = await client.query<AlertStateRow>(
        `INSERT INTO alert_state (connector_id, failures_in_a_row, last_failure) VALUES ($1, $2, $3)
         ON CONFLICT (connector_id) DO UPDATE SET
           failures_in_a_row = CASE WHEN $4 THEN alert_state.failures_in_a_row + 1 ELSE 0 END,
           last_failure = COALESCE(EXCLUDED.last_failure, alert_state.last_failure)
         RETURNING *`,
        [connectorId, failed ? 1 : 0, failed ? JSON.stringify(run.failure) : null, failed],
      );
      const row = counted.rows[0];
      if (!row) throw new Error('the alert store lost a row it just wrote');
      let window: RunCounts | undefined;
      if (windowStartMs === undefined) {
        // No rate rule (any more): nothing to keep.
        await client.query('DELETE FROM alert_runs WHERE connector_id = $1', [connectorId]);
      } else {
        await client.query(
          'INSERT INTO alert_runs (connector_id, at_ms, failed) VALUES ($1, $2, $3)',
          [connectorId, run.atMs, failed],
        );
        await client.query('DELETE FROM alert_runs WHERE connector_id = $1 AND at_ms < $2', [
          connectorId,
          windowStartMs,
        ]);
        // The state row's lock, held since the upsert, orders this count after other instances'
        // runs of this connector: each sees those committed before it.
        const inWindow = await client.query<{ runs: number; failures: number }>(
          `SELECT count(*)::int AS runs, count(*) FILTER (WHERE failed)::int AS failures
           FROM alert_runs WHERE connector_id = $1 AND at_ms >= $2`,
          [connectorId, windowStartMs],
        );
        window = inWindow.rows[0] ?? { runs: 0, failures: 0 };
      }
      return { state: readAlertState(row), window };
    });

  return {
    countRun,
    openIncident: async (connectorId, incident, pause) => {
      await pool.query(
        'INSERT INTO alert_state (connector_id) VALUES ($1) ON CONFLICT (connector_id) DO NOTHING',
        [connectorId],
      );
      // Compare-and-set: only the call that finds no incident open opens one.
      const opened = await pool.query(
        `UPDATE alert_state SET incident_since = $1, incident_reason = $2,
           paused_since = COALESCE(paused_since, $3)
         WHERE connector_id = $4 AND incident_since IS NULL`,
        [incident.since, incident.reason, pause ? incident.since : null, connectorId],
      );
      return opened.rowCount === 1;
    },
    closeIncident: (connectorId) =>
      inTransaction(pool, async (client): Promise<AlertIncident | undefined> => {
        const row = (
          await client.query<AlertStateRow>(
            'SELECT * FROM alert_state WHERE connector_id = $1 FOR UPDATE',
            [connectorId],
          )
        ).rows[0];
        if (!row || row.incident_since === null) return undefined;
        await client.query(
          'UPDATE alert_state SET incident_since = NULL, incident_reason = NULL WHERE connector_id = $1',
          [connectorId],
        );
        return { since: row.incident_since, reason: row.incident_reason ?? '' };
      }),
    resume: async (connectorId) =>
      (
        await pool.query(
          'UPDATE alert_state SET paused_since = NULL WHERE connector_id = $1 AND paused_since IS NOT NULL',
          [connectorId],
        )
      ).rowCount === 1,
    get: async (connectorId) => {
      const row = (
        await pool.query<AlertStateRow>('SELECT * FROM alert_state WHERE connector_id = $1', [
          connectorId,
        ])
      ).rows[0];
      return row ? readAlertState(row) : undefined;
    },
    list: async () =>
      (
        await pool.query<AlertStateRow>(
          'SELECT * FROM alert_state ORDER BY connector_id COLLATE "C"',
        )
      ).rows.map(readAlertState),
    // The pool belongs to the storage (open-postgres-storage.ts), which ends it.
    close: async () => undefined,
  };
}
