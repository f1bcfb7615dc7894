import type pg from 'pg';
import type { AgentKeyError, AgentKeyStore } from './agent-key-store';
import { recordOf } from './stored-agent-key';
import type { Row } from './stored-agent-key';

function nameTaken(name: string): AgentKeyError {
  return {
    code: 'AGENT_KEY_NAME_TAKEN',
    message: `An agent key named "${name}" exists already (revoked keys keep their name, so old runs stay unambiguous). Pick another name.`,
  };
}

/**
 * Agent keys on PostgreSQL, shared by every instance: a key created or revoked through one (or
 * the CLI) holds on all of them at their next request. Names compare without case, as in SQLite.
 */
export function openPostgresAgentKeyStore(options: { pool: pg.Pool }): AgentKeyStore {
  const { pool } = options;
  return {
    insert: async (record, secretHash) => {
      // The unique index decides, so two instances creating one name cannot both succeed.
      const inserted = await pool.query(
        `INSERT INTO agent_keys (name, secret_hash, connector_ids, prefix, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ((lower(name))) DO NOTHING`,
        [
          record.name,
          secretHash,
          JSON.stringify(record.connectorIds),
          record.prefix,
          record.createdAt,
        ],
      );
      return inserted.rowCount === 1 ? { ok: true } : { ok: false, error: nameTaken(record.name) };
    },
    findByHash: async (secretHash) => {
      const found = await pool.query<Row>('SELECT * FROM agent_keys WHERE secret_hash = $1', [
        secretHash,
      ]);
      const row = found.rows[0];
      return row ? recordOf(row) : undefined;
    },
    list: async () =>
      (
        await pool.query<Row>(
          'SELECT * FROM agent_keys ORDER BY created_at COLLATE "C", lower(name)',
        )
      ).rows.map(recordOf),
    revoke: async (name, at) => {
      const found = await pool.query(
        `UPDATE agent_keys SET revoked_at = COALESCE(revoked_at, $2)
         WHERE lower(name) = lower($1) RETURNING name`,
        [name, at],
      );
      if (found.rowCount === 0) {
        return {
          ok: false,
          error: { code: 'AGENT_KEY_NOT_FOUND', message: `There is no agent key named "${name}".` },
        };
      }
      return { ok: true };
    },
    touch: async (name, at) => {
      await pool.query('UPDATE agent_keys SET last_used_at = $1 WHERE lower(name) = lower($2)', [
        at,
        name,
      ]);
    },
    // The pool belongs to the storage (open-postgres-storage.ts), which ends it.
    close: async () => undefined,
  };
}
