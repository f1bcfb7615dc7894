import type { Migration } from './migrations';

/**
 * Connector alerts (alerts/postgres-alert-store.ts): per connector its counters, open incident
 * and pause, and the recent runs of connectors with a failure-rate rule.
 */
export const m008Alerts: Migration = {
  version: 8,
  name: 'alerts',
  sql: `
CREATE TABLE alert_state (
  connector_id text PRIMARY KEY,
  failures_in_a_row integer NOT NULL DEFAULT 0,
  incident_since text,
  incident_reason text,
  paused_since text,
  last_failure text
);
CREATE TABLE alert_runs (
  connector_id text NOT NULL,
  at_ms bigint NOT NULL,
  failed boolean NOT NULL
);
CREATE INDEX alert_runs_by_connector ON alert_runs (connector_id, at_ms);
`,
};
