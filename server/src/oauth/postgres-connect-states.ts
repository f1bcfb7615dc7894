import type pg from 'pg';
import { readOrCreateServerSecret } from '../postgres/read-or-create-server-secret';
import { createConnectStates, MAX_PENDING_CONNECTS } from './connect-states';
import type { ConnectStates, PendingConnect, PendingConnectTable } from './connect-states';

interface Row {
  connection_id: string;
  session_id: string;
  user_name: string;
  code_verifier: string | null;
  redirect_uri: string;
  expires_at: string;
}

/**
 * The pending connect flows in PostgreSQL. Taking one is a single DELETE … RETURNING, so a
 * callback replayed on two instances at once is answered on one only.
 */
export function createPostgresPendingConnects(pool: pg.Pool): PendingConnectTable {
  return {
    put: async (nonce, entry, nowMs) => {
      await pool.query('DELETE FROM oauth_connect_states WHERE expires_at <= $1', [nowMs]);
      await pool.query(
        `INSERT INTO oauth_connect_states
           (nonce, connection_id, session_id, user_name, code_verifier, redirect_uri, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          nonce,
          entry.connectionId,
          entry.sessionId,
          entry.user,
          entry.codeVerifier ?? null,
          entry.redirectUri,
          entry.expiresAt,
        ],
      );
      // Past the cap, the oldest go (a flood of starts cannot grow the table without bound).
      await pool.query(
        `DELETE FROM oauth_connect_states WHERE nonce IN (
           SELECT nonce FROM oauth_connect_states ORDER BY expires_at DESC OFFSET $1)`,
        [MAX_PENDING_CONNECTS],
      );
    },
    take: async (nonce): Promise<PendingConnect | undefined> => {
      const row = (
        await pool.query<Row>('DELETE FROM oauth_connect_states WHERE nonce = $1 RETURNING *', [
          nonce,
        ])
      ).rows[0];
      return row
        ? {
            connectionId: row.connection_id,
            sessionId: row.session_id,
            user: row.user_name,
            codeVerifier: row.code_verifier ?? undefined,
            redirectUri: row.redirect_uri,
            expiresAt: Number(row.expires_at),
          }
        : undefined;
    },
  };
}

/**
 * Connect states every instance on the database can take: pending flows in PostgreSQL, and the
 * key that signs states and binding cookies shared (server_secrets), so a state one instance
 * issued checks on another.
 */
export async function createSharedConnectStates(
  pool: pg.Pool,
  options: { now?: () => number } = {},
): Promise<ConnectStates> {
  const key = await readOrCreateServerSecret(pool, 'oauth-state-key');
  return createConnectStates({ ...options, key, table: createPostgresPendingConnects(pool) });
}
