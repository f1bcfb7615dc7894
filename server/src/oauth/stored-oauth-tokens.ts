import type { StoredConnectionTokens } from './oauth-token-store';

/** An OAuth connection's row as both stores keep it (SQLite and PostgreSQL have the same columns). */
export interface TokenRow {
  connection_id: string;
  client_key: string;
  state: string;
  sealed: string;
  connected_at: string;
  connected_by: string;
  connected_as: string | null;
  reconnect_since: string | null;
  reconnect_reason: string | null;
  updated_at: string;
}

export function rowOf(row: TokenRow): StoredConnectionTokens {
  return {
    connectionId: row.connection_id,
    clientKey: row.client_key,
    state: row.state === 'needs_reconnect' ? 'needs_reconnect' : 'connected',
    sealed: row.sealed,
    connectedAt: row.connected_at,
    connectedBy: row.connected_by,
    connectedAs: row.connected_as ?? undefined,
    reconnect:
      row.reconnect_since === null
        ? undefined
        : { since: row.reconnect_since, reason: row.reconnect_reason ?? '' },
    updatedAt: row.updated_at,
  };
}
