import type { AlertFailure, AlertState } from './alert-store';

/** A row of the alert_state table, as SQLite and PostgreSQL both keep it. */
export interface AlertStateRow {
  connector_id: string;
  failures_in_a_row: number;
  incident_since: string | null;
  incident_reason: string | null;
  paused_since: string | null;
  last_failure: string | null;
}

function readFailure(text: string | null): AlertFailure | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<AlertFailure>;
    if (typeof value.runId !== 'string' || typeof value.message !== 'string') return undefined;
    return {
      runId: value.runId,
      errorCode: typeof value.errorCode === 'string' ? value.errorCode : undefined,
      message: value.message,
      at: typeof value.at === 'string' ? value.at : '',
    };
  } catch {
    // A damaged row loses its last failure, not the connector's alerts.
    return undefined;
  }
}

export function readAlertState(row: AlertStateRow): AlertState {
  return {
    connectorId: row.connector_id,
    failuresInARow: row.failures_in_a_row,
    incident:
      row.incident_since === null
        ? undefined
        : { since: row.incident_since, reason: row.incident_reason ?? '' },
    paused: row.paused_since === null ? undefined : { since: row.paused_since },
    lastFailure: readFailure(row.last_failure),
  };
}
