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
  /** The request was sent and never finished (the server stopped): it is not sent again. */
  | { state: 'unknown'; runId: string | undefined }
  | { state: 'mismatch' };

export interface IdempotencyStore {
  begin(scope: string, key: string, fingerprint: string): BeginResult;
  /**
   * The run is about to send its request: from now on the key is never released for a resend,
   * even if the server dies before `complete` (a repeat then learns the outcome is unknown).
   */
  markSent(scope: string, key: string, runId: string): void;
  complete(scope: string, key: string, result: unknown): void;
  /**
   * Forget a key whose request was refused before anything was sent, so it can be retried. A
   * key already marked sent is kept.
   */
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
    begin: (scope, key, fingerprint) => begin(scope, key, fingerprint),
    markSent: (scope, key, runId) => {
      markSent.run(JSON.stringify({ runId }), scope, key);
    },
    complete: (scope, key, result) => {
      finish.run(JSON.stringify(result), scope, key);
    },
    abandon: (scope, key) => {
      remove.run(scope, key);
    },
    close: () => db.close(),
  };
}
