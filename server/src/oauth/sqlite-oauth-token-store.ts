import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type {
  ConnectionTokenState,
  OAuthTokenStore,
  StoredConnectionTokens,
} from './oauth-token-store';
import { rowOf } from './stored-oauth-tokens';
import type { TokenRow } from './stored-oauth-tokens';

/**
 * The OAuth tokens in one SQLite file (`oauth-tokens.sqlite` in DATA_DIR). Rows hold sealed
 * tokens only (secrets/token-cipher.ts); the file is still created readable by its owner alone.
 * Compare-and-set on the sealed value keeps two refreshes (two instances on one database, later)
 * from overwriting each other's rotated refresh token.
 */
export function openSqliteOAuthTokenStore(options: { path: string }): OAuthTokenStore {
  // Sealed or not, nobody else on the machine needs to read it.
  if (!existsSync(options.path)) closeSync(openSync(options.path, 'a', 0o600));
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS oauth_tokens (
      connection_id TEXT PRIMARY KEY,
      client_key TEXT NOT NULL,
      state TEXT NOT NULL,
      sealed TEXT NOT NULL,
      connected_at TEXT NOT NULL,
      connected_by TEXT NOT NULL,
      connected_as TEXT,
      reconnect_since TEXT,
      reconnect_reason TEXT,
      updated_at TEXT NOT NULL)`);
  const getRow = db.prepare<[string], TokenRow>(
    'SELECT * FROM oauth_tokens WHERE connection_id = ?',
  );
  const listRows = db.prepare<[], TokenRow>('SELECT * FROM oauth_tokens ORDER BY connection_id');
  const upsert = db.prepare(`
    INSERT INTO oauth_tokens (connection_id, client_key, state, sealed, connected_at,
      connected_by, connected_as, reconnect_since, reconnect_reason, updated_at)
    VALUES (@connectionId, @clientKey, @state, @sealed, @connectedAt, @connectedBy,
      @connectedAs, NULL, NULL, @updatedAt)
    ON CONFLICT (connection_id) DO UPDATE SET client_key = excluded.client_key,
      state = excluded.state, sealed = excluded.sealed, connected_at = excluded.connected_at,
      connected_by = excluded.connected_by, connected_as = excluded.connected_as,
      reconnect_since = NULL, reconnect_reason = NULL, updated_at = excluded.updated_at`);
  const update = db.prepare<[string, string, string, string]>(
    `UPDATE oauth_tokens SET sealed = ?, updated_at = ?
     WHERE connection_id = ? AND sealed = ? AND state = 'connected'`,
  );
  const mark = db.prepare<[string, string, string, string]>(
    `UPDATE oauth_tokens SET state = 'needs_reconnect', reconnect_since = ?, reconnect_reason = ?
     WHERE connection_id = ? AND sealed = ? AND state = 'connected'`,
  );
  const connect = db.transaction((row: StoredConnectionTokens) => {
    const previous = getRow.get(row.connectionId);
    upsert.run({ ...row, connectedAs: row.connectedAs ?? null });
    return {
      previous: previous
        ? ((previous.state === 'needs_reconnect'
            ? 'needs_reconnect'
            : 'connected') as ConnectionTokenState)
        : undefined,
    };
  });

  return {
    get: (connectionId) => {
      const row = getRow.get(connectionId);
      return Promise.resolve(row ? rowOf(row) : undefined);
    },
    list: () => Promise.resolve(listRows.all().map(rowOf)),
    connect: (row) => Promise.resolve(connect(row)),
    updateTokens: (connectionId, expectedSealed, sealed, updatedAt) =>
      Promise.resolve(update.run(sealed, updatedAt, connectionId, expectedSealed).changes === 1),
    markNeedsReconnect: (connectionId, expectedSealed, reconnect) =>
      Promise.resolve(
        mark.run(reconnect.since, reconnect.reason, connectionId, expectedSealed).changes === 1,
      ),
    close: () => {
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}
