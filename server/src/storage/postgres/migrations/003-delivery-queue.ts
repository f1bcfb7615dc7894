import type { Migration } from './migrations';

/**
 * The workflow delivery queue (workflows/postgres-delivery-queue.ts): deliveries claimed with
 * FOR UPDATE SKIP LOCKED under expiring leases, their step marks, and the webhook replay guard.
 * Times are epoch milliseconds from the instances' clocks (as the SQLite queue keeps them).
 */
export const m003DeliveryQueue: Migration = {
  version: 3,
  name: 'delivery queue',
  sql: `
CREATE TABLE deliveries (
  id text PRIMARY KEY,
  system text NOT NULL,
  workflow_id text NOT NULL,
  dedupe_key text NOT NULL UNIQUE,
  target_type text NOT NULL,
  target_id text NOT NULL,
  payload text NOT NULL,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'dead')),
  attempts integer NOT NULL,
  next_attempt_at bigint NOT NULL,
  outcome text,
  message text,
  last_error text,
  received_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  finished_at bigint,
  lease_token text,
  lease_until bigint
);
-- What a worker claims: due queued deliveries, and running ones whose lease ran out.
CREATE INDEX deliveries_queued ON deliveries (next_attempt_at, id) WHERE state = 'queued';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE state = 'running';
CREATE INDEX deliveries_workflow ON deliveries (workflow_id, id);
CREATE INDEX deliveries_state ON deliveries (state, id);
CREATE TABLE delivery_steps (
  delivery_id text NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  step_id text NOT NULL,
  seq bigserial NOT NULL,
  state text NOT NULL,
  result text NOT NULL,
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
