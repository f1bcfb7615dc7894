import type { Migration } from './migrations';

/**
 * Agent keys by the hash of their secret (agents/postgres-agent-key-store.ts). Names are unique
 * whatever their case, as in SQLite (COLLATE NOCASE): "Bot" and "BOT" are one name.
 */
export const m005AgentKeys: Migration = {
  version: 5,
  name: 'agent keys',
  sql: `
CREATE TABLE agent_keys (
  name text NOT NULL,
  secret_hash text NOT NULL UNIQUE,
  connector_ids text NOT NULL,
  prefix text NOT NULL,
  created_at text NOT NULL,
  revoked_at text,
  last_used_at text
);
CREATE UNIQUE INDEX agent_keys_by_name ON agent_keys (lower(name));
`,
};
