import type { Migration } from './migrations';

/**
 * The run log (run-log/postgres-run-log-store.ts), shared by every instance. The same columns as
 * the SQLite file (run-log/sqlite-run-log-schema.ts): only what the log is filtered and sorted by
 * gets a column; the rest of a run is `details`, JSON kept as text so a damaged row is reported
 * and skipped when read rather than refused by the database on the way in, and so a page's byte
 * budget counts the stored text.
 *
 * Key columns are COLLATE "C": ids and the "kind:id" actor keys are compared bytewise (keyset
 * paging, the actor-kind prefix range), whatever the database's default collation.
 *
 * Every index ends in (started_at, id), the log's order: a filtered page is one backward range
 * scan that stops after `limit` rows, with no sort, at any table size. Each index costs every
 * insert one leaf page, so there are exactly the ones the queries need, as in SQLite.
 */
export const m002RunLog: Migration = {
  version: 2,
  name: 'run-log',
  sql: `
CREATE TABLE runs (
  id            text COLLATE "C" PRIMARY KEY,
  connector_id  text COLLATE "C" NOT NULL,
  target_system text COLLATE "C" NOT NULL,
  target_id     text COLLATE "C" NOT NULL,
  outcome       text COLLATE "C" NOT NULL,
  started_at    timestamptz NOT NULL,
  error_code    text COLLATE "C",
  source        text COLLATE "C" NOT NULL,
  actor         text COLLATE "C" NOT NULL,
  dry_run       boolean NOT NULL,
  details       text NOT NULL
);
CREATE INDEX runs_by_started_at ON runs (started_at, id);
CREATE INDEX runs_by_target ON runs (target_system, target_id, started_at, id);
CREATE INDEX runs_by_connector ON runs (connector_id, started_at, id) INCLUDE (outcome, dry_run);
CREATE INDEX runs_by_outcome ON runs (outcome, started_at, id);
CREATE INDEX runs_by_error_code ON runs (error_code, started_at, id) WHERE error_code IS NOT NULL;
CREATE INDEX runs_by_source ON runs (source, started_at, id);
CREATE INDEX runs_by_actor ON runs (actor, started_at, id);
`,
};
