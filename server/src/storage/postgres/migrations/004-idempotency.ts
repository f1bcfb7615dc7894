import type { Migration } from './migrations';

/**
 * The run requests' Idempotency-Keys (runs/postgres-idempotency-store.ts). Times are the
 * server's clock in ms, as the SQLite store keeps them, so both share one set of rules.
 */
export const m004Idempotency: Migration = {
  version: 4,
  name: 'idempotency',
  sql: `
CREATE TABLE idempotency (
  scope text NOT NULL,
  key text NOT NULL,
  fingerprint text NOT NULL,
  state text NOT NULL,
  result text,
  created_at bigint NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_by_created_at ON idempotency (created_at);
`,
};
