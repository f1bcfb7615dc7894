import Database from 'better-sqlite3';
import type { BeginResult, IdempotencyStore } from './idempotency-store';

/** The idempotency store in one SQLite file, owned by one server process. */
const TTL_MS = 24 * 60 * 60 * 1000;
/** A request "in progress" this long is presumed lost (a hung run); let it be retried. */
const STALE_IN_PROGRESS_MS = 5 * 60 * 1000;

export function openSqliteIdempotencyStore(options: {
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
  // A key still "in progress" when the store opens belonged to a server process that died before
  // its run sent anything (one server owns a data folder): the caller's retry must run, not be
  // told "still running". A key marked "sent" stays: that request may have reached the upstream.
  db.prepare("DELETE FROM idempotency WHERE state = 'in_progress'").run();
  db.prepare("UPDATE idempotency SET state = 'unknown' WHERE state = 'sent'").run();
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
  const markSent = db.prepare(
    "UPDATE idempotency SET state = 'sent', result = ? WHERE scope = ? AND key = ? AND state = 'in_progress'",
  );
  const remove = db.prepare(
    "DELETE FROM idempotency WHERE scope = ? AND key = ? AND state = 'in_progress'",
  );
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
      const stale = at - row.created_at >= STALE_IN_PROGRESS_MS;
      // Sent by a process that died, or by a run hung past every timeout: never sent again.
      if (row.state === 'unknown' || (row.state === 'sent' && stale)) {
        const sent = JSON.parse(row.result ?? '{}') as { runId?: string };
        return { state: 'unknown', runId: sent.runId };
      }
      if (!stale) return { state: 'in_progress' };
    }
    insert.run(scope, key, fingerprint, at);
    return { state: 'new' };
  });

  return {
    begin: async (scope, key, fingerprint) => begin(scope, key, fingerprint),
    markSent: async (scope, key, runId) => {
      markSent.run(JSON.stringify({ runId }), scope, key);
    },
    complete: async (scope, key, result) => {
      finish.run(JSON.stringify(result), scope, key);
    },
    abandon: async (scope, key) => {
      remove.run(scope, key);
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}
