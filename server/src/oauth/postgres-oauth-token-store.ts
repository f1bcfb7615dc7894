import type pg from 'pg';
import { inTransaction } from '../postgres/in-transaction';
import type { ConnectionTokenState, OAuthTokenStore } from './oauth-token-store';
import { rowOf } from './stored-oauth-tokens';
import type { TokenRow } from './stored-oauth-tokens';

/**
 * The OAuth connections' tokens on PostgreSQL, one row per connection for every instance. Rows
 * hold sealed tokens only (secrets/token-cipher.ts). Refreshes are compare-and-set on the sealed
 * value, so when two instances refresh one connection together only the first rotated refresh
 * token is kept; the other instance reads the row again instead of overwriting it.
 */
export function openPostgresOAuthTokenStore(options: { pool: pg.Pool }): OAuthTokenStore {
  const { pool } = options;
  return {
    get: async (connectionId) => {
      const row = (
        await pool.query<TokenRow>('SELECT * FROM oauth_tokens WHERE connection_id = $1', [
          connectionId,
        ])
      ).rows[0];
      return row ? rowOf(row) : undefined;
    },
    list: async () =>
      (
        await pool.query<TokenRow>('SELECT * FROM oauth_tokens ORDER BY connection_id COLLATE "C"')
      ).rows.map(rowOf),
    connect: (row) =>
      inTransaction(pool, async (client) => {
        const previous = (
          await client.query<{ state: string }>(
            'SELECT state FROM oauth_tokens WHERE connection_id = $1 FOR UPDATE',
            [row.connectionId],
          )
        ).rows[0];
        await client.query(
          `INSERT INTO oauth_tokens (connection_id, client_key, state, sealed, connected_at,
             connected_by, connected_as, reconnect_since, reconnect_reason, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8)
           ON CONFLICT (connection_id) DO UPDATE SET client_key = EXCLUDED.client_key,
             state = EXCLUDED.state, sealed = EXCLUDED.sealed, connected_at = EXCLUDED.connected_at,
             connected_by = EXCLUDED.connected_by, connected_as = EXCLUDED.connected_as,
             reconnect_since = NULL, reconnect_reason = NULL, updated_at = EXCLUDED.updated_at`,
          [
            row.connectionId,
            row.clientKey,
            row.state,
            row.sealed,
            row.connectedAt,
            row.connectedBy,
            row.connectedAs ?? null,
            row.updatedAt,
          ],
        );
        const state: ConnectionTokenState | undefined = previous
          ? previous.state === 'needs_reconnect'
            ? 'needs_reconnect'
            : 'connected'
          : undefined;
        return { previous: state };
      }),
    updateTokens: async (connectionId, expectedSealed, sealed, updatedAt) =>
      (
        await pool.query(
          `UPDATE oauth_tokens SET sealed = $1, updated_at = $2
           WHERE connection_id = $3 AND sealed = $4 AND state = 'connected'`,
          [sealed, updatedAt, connectionId, expectedSealed],
        )
      ).rowCount === 1,
    markNeedsReconnect: async (connectionId, expectedSealed, reconnect) =>
      (
        await pool.query(
          `UPDATE oauth_tokens SET state = 'needs_reconnect', reconnect_since = $1, reconnect_reason = $2
           WHERE connection_id = $3 AND sealed = $4 AND state = 'connected'`,
          [reconnect.since, reconnect.reason, connectionId, expectedSealed],
        )
      ).rowCount === 1,
    // The pool belongs to the storage (open-postgres-storage.ts), which ends it.
    close: async () => undefined,
  };
}
