import type { Migration } from './migrations';

/**
 * Backfills (backfills/postgres-backfill-store.ts), and an index for counting one backfill's
 * deliveries by state (its progress) without reading the whole queue.
 */
export const m013Backfills: Migration = {
  version: 13,
  name: 'backfills',
  sql: `
CREATE TABLE backfills (
  id text PRIMARY KEY,
  connector_id text NOT NULL,
  system text NOT NULL,
  target_type text NOT NULL,
  query_kind text NOT NULL,
  query_text text NOT NULL,
  state text NOT NULL,
  cursor text,
  enumerated boolean NOT NULL,
  total integer,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  finished_at text
);
CREATE INDEX deliveries_workflow_state ON deliveries (workflow_id, state, finished_at);
`,
};
