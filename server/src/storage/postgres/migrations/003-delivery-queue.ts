import type { Migration } from './migrations';

/**
 * The workflow delivery queue shared by the instances (workflows/postgres-delivery-queue.ts).
 * Times are epoch milliseconds (bigint), as the SQLite queue stores them, so the queue runs on
 * the clock it is given (tests move it) rather than the database's.
 */
export const m003DeliveryQueue: Migration = {
  version: 3,
  name: 'delivery-queue',
  sql: `
CREATE TABLE deliveries (
  id text PRIMARY KEY,
  system text NOT NULL,
  workflow_id text NOT NULL,
  dedupe_key text NOT NULL UNIQUE,
  target_type text NOT NULL,
  target_id text NOT NULL,
  payload jsonb NOT NULL,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'dead')),
  attempts integer NOT NULL,
  next_attempt_at bigint NOT NULL,
  outcome text,
  message text,
  last_error jsonb,
  received_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  finished_at bigint,
  lease_token text,
  lease_until bigint
);
CREATE INDEX deliveries_queued_due ON deliveries (next_attempt_at, id) WHERE state = 'queued';
CREATE INDEX deliveries_running_lease ON deliveries (lease_until) WHERE state = 'running';
CREATE INDEX deliveries_workflow ON deliveries (workflow_id, id);
CREATE INDEX deliveries_state ON deliveries (state, id);
CREATE TABLE delivery_steps (
  delivery_id text NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  step_id text NOT NULL,
  -- Keeps the order the steps were first recorded in (SQLite's rowid did).
  seq bigserial NOT NULL,
  state text NOT NULL CHECK (state IN ('started', 'done')),
  result jsonb NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (delivery_id, step_id)
);
CREATE TABLE webhook_replay_guard (
  signature text PRIMARY KEY,
  workflow_id text NOT NULL,
  delivery_id text NOT NULL,
  expires_at bigint NOT NULL
);
`,
};
