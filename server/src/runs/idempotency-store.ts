import Database from 'better-sqlite3';

/**
 * Remembers the result of a run request by its Idempotency-Key, so a double click or a client's
 * retry replays the first answer instead of calling the external system twice. Keys are scoped to
 * the caller, stored with a fingerprint of the request (the same key with a different body is a
 * client bug and is refused), and kept 24 hours. Stored in SQLite so a retry after a server
 * restart is still recognised.
 */

export type BeginResult =
  | { state: 'new' }
  | { state: 'done'; result: unknown }
  | { state: 'in_progress' }
  | { state: 'mismatch' };

export interface IdempotencyStore {
  begin(scope: string, key: string, fingerprint: string): BeginResult;
  complete(scope: string, key: string, result: unknown): void;
  /** Forget a key whose request never started a run (it was refused), so it can be retried. */
  abandon(scope: string, key: string): void;
  close(): void;
}

const TTL_MS = 24 * 60 * 60 * 1000;
/** A request "in progress" this long is presumed lost (a hung run); let it be retried. */
const STALE_IN_PROGRESS_MS = 5 * 60 * 1000;

export function openIdempotencyStore(options: {
  path: string;
  now?: () => number;
}): IdempotencyStore {
  const now = options.now ?? Date.now;
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    state TEXT NOT NULL, result TEXT, created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key))`);
  // A key still "in progress" when the store opens belonged to a server process that died mid-run
  // (one server owns a data folder). Its caller got a broken connection, not an answer, and will
  // retry: that retry must run, not be told "still running" until the stale rule frees the key.
  db.prepare("DELETE FROM idempotency WHERE state = 'in_progress'").run();
  const select = db.prepare<
    [string, string],
    { fingerprint: string; state: string; result: string | null; created_at: number }
  >('SELECT fingerprint, state, result, created_at FROM idempotency WHERE scope = ? AND key = ?');
  const insert = db.prepare(
    "INSERT OR REPLACE INTO idempotency (scope, key, fingerprint, state, result, created_at) VALUES (?, ?, ?, 'in_progress', NULL, ?)",
  );
  const finish = db.prepare(
    "UPDATE idempotency SET state = 'done', result = ? WHERE scope = ? AND key = ?",
  );
  const remove = db.prepare('DELETE FROM idempotency WHERE scope = ? AND key = ?');
  const expire = db.prepare('DELETE FROM idempotency WHERE created_at < ?');
  let lastExpiry = 0;

  const begin = db.transaction((scope: string, key: string, fingerprint: string): BeginResult => {
    const at = now();
    if (at - lastExpiry > 60_000) {
      expire.run(at - TTL_MS);
      lastExpiry = at;
    }
    const row = select.get(scope, key);
    if (row && at - row.created_at < TTL_MS) {
      if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
      if (row.state === 'done') return { state: 'done', result: JSON.parse(row.result ?? 'null') };
      if (at - row.created_at < STALE_IN_PROGRESS_MS) return { state: 'in_progress' };
    }
    insert.run(scope, key, fingerprint, at);
    return { state: 'new' };
  });

  return {
    begin: (scope, key, fingerprint) => begin(scope, key, fingerprint),
    complete: (scope, key, result) => {
      finish.run(JSON.stringify(result), scope, key);
    },
    abandon: (scope, key) => {
      remove.run(scope, key);
    },
    close: () => db.close(),
  };
}
