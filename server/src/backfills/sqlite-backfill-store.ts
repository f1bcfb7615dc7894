import Database from 'better-sqlite3';
import { stateChangeOf, toBackfill, toBackfillRow } from './backfill-store';
import type { BackfillRow, BackfillStore } from './backfill-store';

/** The backfills in one SQLite file (`backfills.sqlite` in DATA_DIR). */
export function openSqliteBackfillStore(options: { path: string }): BackfillStore {
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  // A saved cursor must survive a power cut, or a resumed backfill re-reads pages (harmless,
  // the dedupe keys hold, but slow on 50,000 tickets).
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS backfills (
      id TEXT PRIMARY KEY,
      connector_id TEXT NOT NULL,
      system TEXT NOT NULL,
      target_type TEXT NOT NULL,
      query_kind TEXT NOT NULL,
      query_text TEXT NOT NULL,
      state TEXT NOT NULL,
      cursor TEXT,
      enumerated INTEGER NOT NULL,
      total INTEGER,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      finished_at TEXT,
      reader_id TEXT,
      reader_until INTEGER,
      error TEXT
    ) STRICT`);
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('backfills');
  if (!columns.includes('reader_id')) {
    // Files made before the reader lease: add its columns (no lease held).
    db.exec(`
      ALTER TABLE backfills ADD COLUMN reader_id TEXT;
      ALTER TABLE backfills ADD COLUMN reader_until INTEGER;`);
  }
  // Files made before the failed state: none of theirs failed.
  if (!columns.includes('error')) db.exec('ALTER TABLE backfills ADD COLUMN error TEXT');
  // One server process owns DATA_DIR: a lease in the file belonged to a process that is gone,
  // so the restarted server reads on at once instead of waiting for the lease to run out.
  db.exec('UPDATE backfills SET reader_id = NULL, reader_until = NULL WHERE reader_id IS NOT NULL');
  const insert = db.prepare(`
    INSERT INTO backfills (id, connector_id, system, target_type, query_kind, query_text, state,
      cursor, enumerated, total, created_at, updated_at, finished_at, error)
    VALUES (@id, @connector_id, @system, @target_type, @query_kind, @query_text, @state,
      @cursor, @enumerated, @total, @created_at, @updated_at, @finished_at, @error)`);
  const selectOne = db.prepare<[string], BackfillRow>('SELECT * FROM backfills WHERE id = ?');
  const selectRecent = db.prepare<[number], BackfillRow>(
    'SELECT * FROM backfills ORDER BY id DESC LIMIT ?',
  );
  const selectInState = db.prepare<[string], BackfillRow>(
    'SELECT * FROM backfills WHERE state = ? ORDER BY id',
  );
  const updatePage = db.prepare<[string | null, number, string, string, string]>(
    'UPDATE backfills SET cursor = ?, enumerated = ?, updated_at = ? WHERE id = ? AND reader_id = ?',
  );
  const claim = db.prepare<{ id: string; reader: string; now: number; until: number }>(
    `UPDATE backfills SET reader_id = @reader, reader_until = @until
     WHERE id = @id AND (reader_id IS NULL OR reader_id = @reader OR reader_until < @now)`,
  );
  const release = db.prepare<[string, string]>(
    'UPDATE backfills SET reader_id = NULL, reader_until = NULL WHERE id = ? AND reader_id = ?',
  );

  return {
    create: async (backfill) => {
      insert.run(toBackfillRow(backfill));
    },
    get: async (id) => {
      const row = selectOne.get(id);
      return row ? toBackfill(row) : undefined;
    },
    list: async (limit) => selectRecent.all(limit).map(toBackfill),
    listInState: async (state) => selectInState.all(state).map(toBackfill),
    // One process owns the file, so its clock is the only one.
    claimReader: async (id, reader, leaseMs) => {
      const now = Date.now();
      return claim.run({ id, reader, now, until: now + leaseMs }).changes === 1;
    },
    releaseReader: async (id, reader) => {
      release.run(id, reader);
    },
    savePage: async (id, reader, cursor, enumerated, at) =>
      updatePage.run(cursor ?? null, enumerated ? 1 : 0, at, id, reader).changes === 1,
    setState: async (id, from, to, at, error) => {
      const change = stateChangeOf(to, at, error);
      const row = db
        .prepare<unknown[], BackfillRow>(
          `UPDATE backfills SET state = ?, updated_at = ?, finished_at = ?,
             error = CASE WHEN ? THEN error ELSE ? END
           WHERE id = ? AND state IN (${from.map(() => '?').join(', ')}) RETURNING *`,
        )
        .get(
          to,
          at,
          change.finishedAt,
          change.error === undefined ? 1 : 0,
          change.error ?? null,
          id,
          ...from,
        );
      return row ? toBackfill(row) : undefined;
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}
