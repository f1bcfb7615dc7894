import type { AgentKeyRecord } from './agent-key-store';

/** An AI agent key's row as both stores keep it (SQLite and PostgreSQL have the same columns). */
export interface Row {
  name: string;
  connector_ids: string;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export function recordOf(row: Row): AgentKeyRecord {
  return {
    name: row.name,
    connectorIds: JSON.parse(row.connector_ids) as string[],
    prefix: row.prefix,
    createdAt: row.created_at,
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
    ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
  };
}
