import type { Database } from 'better-sqlite3';
import type { Result } from '../../../shared/src/result';

/**
 * Schema migrations for the SQLite run log, tracked in `PRAGMA user_version` (0 = empty file).
 * Append new steps; never edit a shipped one, because existing files have already run it.
 *
 * Only the fields the log is filtered and sorted by get their own columns; the rest of a run
 * lives in `details` as JSON so the record shape can grow without a migration.
 * `started_at` is epoch milliseconds so range scans and keyset comparisons are integer compares.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id            TEXT PRIMARY KEY NOT NULL,
    connector_id  TEXT NOT NULL,
    target_system TEXT NOT NULL,
    target_id     TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    details       TEXT NOT NULL
  ) STRICT;
  CREATE INDEX runs_by_connector ON runs (connector_id, started_at);
  CREATE INDEX runs_by_target ON runs (target_system, target_id, started_at);
  CREATE INDEX runs_by_outcome ON runs (outcome, started_at);
  CREATE INDEX runs_by_started_at ON runs (started_at);
  `,
  // "Why did it fail yesterday" filters by error code, so it gets a column of its own. Rows
  // written before are backfilled from their details; a row whose details are not JSON (a
  // damaged file) keeps NULL instead of failing the migration, and is reported when read.
  `
  ALTER TABLE runs ADD COLUMN error_code TEXT;
  UPDATE runs SET error_code = json_extract(details, '$.errorCode') WHERE json_valid(details);
  CREATE INDEX runs_by_error_code ON runs (error_code, started_at) WHERE error_code IS NOT NULL;
  `,
  // The console filters by surface (where the run was asked for) and by actor ("kind:id"), so
  // each gets a column and an index; older rows are backfilled from their details. Its
  // connectors list counts each connector's real runs and failures of the last day: the
  // connector index now covers outcome and dry_run, so that count reads the index alone.
  `
  ALTER TABLE runs ADD COLUMN source TEXT;
  ALTER TABLE runs ADD COLUMN actor TEXT;
  ALTER TABLE runs ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0;
  UPDATE runs SET
    source = json_extract(details, '$.source'),
    actor = json_extract(details, '$.actor.kind') || ':' || coalesce(json_extract(details, '$.actor.id'), ''),
    dry_run = coalesce(json_extract(details, '$.dryRun'), 0)
  WHERE json_valid(details);
  CREATE INDEX runs_by_source ON runs (source, started_at);
  CREATE INDEX runs_by_actor ON runs (actor, started_at);
  DROP INDEX IF EXISTS runs_by_connector;
  CREATE INDEX runs_by_connector ON runs (connector_id, started_at, outcome, dry_run);
  `,
];

export const RUN_LOG_SCHEMA_VERSION = MIGRATIONS.length;

export type MigrateRunLogResult = Result<
  { fromVersion: number; toVersion: number },
  { code: 'RUN_LOG_SCHEMA_TOO_NEW'; message: string }
>;

/**
 * Brings the file up to `RUN_LOG_SCHEMA_VERSION`. Safe to call on every open and from several
 * processes at once: the version is re-read inside an IMMEDIATE transaction, so only one of them
 * applies a step.
 */
export function migrateRunLogSchema(db: Database): MigrateRunLogResult {
  const apply = db.transaction((): MigrateRunLogResult => {
    const fromVersion = readUserVersion(db);
    if (fromVersion > RUN_LOG_SCHEMA_VERSION) {
      // A newer release wrote this file; guessing at its layout could destroy data.
      return {
        ok: false,
        error: {
          code: 'RUN_LOG_SCHEMA_TOO_NEW',
          message: `run log schema version ${fromVersion} is newer than this release supports (${RUN_LOG_SCHEMA_VERSION})`,
        },
      };
    }
    for (const step of MIGRATIONS.slice(fromVersion)) db.exec(step);
    db.pragma(`user_version = ${RUN_LOG_SCHEMA_VERSION}`);
    return { ok: true, value: { fromVersion, toVersion: RUN_LOG_SCHEMA_VERSION } };
  });
  return apply.immediate();
}

export function readUserVersion(db: Database): number {
  const version = db.pragma('user_version', { simple: true });
  if (typeof version !== 'number') throw new Error('PRAGMA user_version did not return a number');
  return version;
}
