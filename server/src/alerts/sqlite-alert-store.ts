import Database from 'better-sqlite3';
import type { AlertFailure, AlertIncident, AlertState, AlertStore } from './alert-store';
import { readAlertState } from './read-alert-state';
import type { AlertStateRow } from './read-alert-state';

/**
 * The alerts' state in one SQLite file (`alerts.sqlite` in DATA_DIR): per connector its counters,
 * its open incident and its pause, plus the recent runs of connectors with a failure-rate rule
 * (time and outcome only, a day at most). The server and the CLI open it together (WAL).
 */
export function openSqliteAlertStore(options: { path: string }): AlertStore {
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS alert_state (
      connector_id TEXT PRIMARY KEY,
      failures_in_a_row INTEGER NOT NULL DEFAULT 0,
      incident_since TEXT, incident_reason TEXT,
      paused_since TEXT,
      last_failure TEXT);
    CREATE TABLE IF NOT EXISTS alert_runs (
      connector_id TEXT NOT NULL, at_ms INTEGER NOT NULL, failed INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS alert_runs_by_connector ON alert_runs (connector_id, at_ms);`);

  const countOutcome = db.prepare<[string, number, string | null, number]>(
    `INSERT INTO alert_state (connector_id, failures_in_a_row, last_failure) VALUES (?, ?, ?)
     ON CONFLICT (connector_id) DO UPDATE SET
       failures_in_a_row = CASE WHEN ? THEN failures_in_a_row + 1 ELSE 0 END,
       last_failure = COALESCE(excluded.last_failure, last_failure)`,
  );
  const insertRun = db.prepare<[string, number, number]>(
    'INSERT INTO alert_runs (connector_id, at_ms, failed) VALUES (?, ?, ?)',
  );
  const forgetRunsBefore = db.prepare<[string, number]>(
    'DELETE FROM alert_runs WHERE connector_id = ? AND at_ms < ?',
  );
  const forgetRuns = db.prepare<[string]>('DELETE FROM alert_runs WHERE connector_id = ?');
  const countWindow = db.prepare<[string, number], { runs: number; failures: number | null }>(
    'SELECT COUNT(*) AS runs, SUM(failed) AS failures FROM alert_runs WHERE connector_id = ? AND at_ms >= ?',
  );
  const selectState = db.prepare<[string], AlertStateRow>(
    'SELECT * FROM alert_state WHERE connector_id = ?',
  );
  // The fast path's read as one statement: a read transaction of its own takes and drops the
  // WAL read lock (two fcntl calls), so two statements cost 14.5 µs a run and this one 9.7.
  const selectStateIfUnchanged = db.prepare<[string], AlertStateRow & { has_runs: 0 | 1 }>(
    `SELECT s.*, EXISTS (SELECT 1 FROM alert_runs r WHERE r.connector_id = s.connector_id) AS has_runs
     FROM alert_state s WHERE s.connector_id = ?`,
  );
  const selectAll = db.prepare<[], AlertStateRow>(
    'SELECT * FROM alert_state ORDER BY connector_id',
  );
  const ensureState = db.prepare<[string]>(
    'INSERT OR IGNORE INTO alert_state (connector_id) VALUES (?)',
  );
  // Compare-and-set: only the call that finds no incident open opens one.
  const openIncident = db.prepare<[string, string, string | null, string]>(
    `UPDATE alert_state SET incident_since = ?, incident_reason = ?,
       paused_since = COALESCE(paused_since, ?)
     WHERE connector_id = ? AND incident_since IS NULL`,
  );
  const closeIncident = db.prepare<[string]>(
    'UPDATE alert_state SET incident_since = NULL, incident_reason = NULL WHERE connector_id = ? AND incident_since IS NOT NULL',
  );
  const resume = db.prepare<[string]>(
    'UPDATE alert_state SET paused_since = NULL WHERE connector_id = ? AND paused_since IS NOT NULL',
  );

  const countRun = db.transaction(
    (
      connectorId: string,
      run: { atMs: number; failure: AlertFailure | undefined },
      windowStartMs: number | undefined,
    ) => {
      const failed = run.failure !== undefined;
      countOutcome.run(
        connectorId,
        failed ? 1 : 0,
        failed ? JSON.stringify(run.failure) : null,
        failed ? 1 : 0,
      );
      let window: { runs: number; failures: number } | undefined;
      if (windowStartMs === undefined) {
        // No rate rule (any more): nothing to keep.
        forgetRuns.run(connectorId);
      } else {
        insertRun.run(connectorId, run.atMs, failed ? 1 : 0);
        forgetRunsBefore.run(connectorId, windowStartMs);
        const counted = countWindow.get(connectorId, windowStartMs);
        window = { runs: counted?.runs ?? 0, failures: counted?.failures ?? 0 };
      }
      const row = selectState.get(connectorId);
      if (!row) throw new Error('the alert store lost a row it just wrote');
      return { state: readAlertState(row), window };
    },
  );
  const openOnce = db.transaction(
    (connectorId: string, incident: AlertIncident, pause: boolean) => {
      ensureState.run(connectorId);
      return (
        openIncident.run(
          incident.since,
          incident.reason,
          pause ? incident.since : null,
          connectorId,
        ).changes === 1
      );
    },
  );
  const closeOpen = db.transaction((connectorId: string) => {
    const row = selectState.get(connectorId);
    if (!row || row.incident_since === null) return undefined;
    closeIncident.run(connectorId);
    return { since: row.incident_since, reason: row.incident_reason ?? '' };
  });

  /**
   * Connectors whose row this store last read healthy: no failures in a row, no runs kept for a
   * rate rule, no incident, no pause. A success of one changes nothing, so it is answered from
   * here without reading the file (a statement and two WAL-lock calls a run). Only this store
   * counts runs and opens incidents: the server is the one process that writes them (the CLI
   * only lifts pauses, and a healthy connector has none), so the copy stays true until this
   * store itself writes the row, and every write forgets it first.
   */
  const healthy = new Map<string, AlertState>();

  return {
    countRun: async (connectorId, run, windowStartMs) => {
      // Most runs are successes of a connector already at zero failures in a row, with no rate
      // rule and nothing kept for one: such a run changes nothing, so it is read without taking
      // the write lock and committing (2% of a run's CPU at concurrency 10, docs/performance.md).
      if (run.failure === undefined && windowStartMs === undefined) {
        const known = healthy.get(connectorId);
        if (known) return { state: known, window: undefined };
        const found = selectStateIfUnchanged.get(connectorId);
        if (found && found.failures_in_a_row === 0 && found.has_runs === 0) {
          const state = readAlertState(found);
          if (!state.incident && !state.paused) healthy.set(connectorId, state);
          return { state, window: undefined };
        }
      }
      healthy.delete(connectorId);
      return countRun(connectorId, run, windowStartMs);
    },
    openIncident: async (connectorId, incident, pause) => {
      healthy.delete(connectorId);
      return openOnce(connectorId, incident, pause);
    },
    closeIncident: async (connectorId) => {
      healthy.delete(connectorId);
      return closeOpen(connectorId);
    },
    resume: async (connectorId) => {
      healthy.delete(connectorId);
      return resume.run(connectorId).changes === 1;
    },
    get: async (connectorId) => {
      const row = selectState.get(connectorId);
      return row ? readAlertState(row) : undefined;
    },
    list: async () => selectAll.all().map(readAlertState),
    close: async () => {
      if (db.open) db.close();
    },
  };
}
