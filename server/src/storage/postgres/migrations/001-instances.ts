import type { Migration } from './migrations';

/**
 * The instances sharing this database, each with a heartbeat: how per-instance limits divide
 * (storage/postgres/instance-registry.ts), and a lease table for work exactly one instance does
 * at a time (run-log retention, alert sweeps).
 */
export const m001Instances: Migration = {
  version: 1,
  name: 'instances',
  sql: `
CREATE TABLE instances (
  id text PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now(),
  host text NOT NULL
);
CREATE TABLE leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  until timestamptz NOT NULL
);
`,
};
