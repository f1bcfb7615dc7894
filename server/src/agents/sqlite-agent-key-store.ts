import Database from 'better-sqlite3';
import type { AgentKeyStore } from './agent-key-store';
import { recordOf } from './stored-agent-key';
import type { Row } from './stored-agent-key';

/**
 * Agent keys in one SQLite file in DATA_DIR. The server and the CLI open it together (WAL), so a
 * key the CLI revokes is refused by the running server on its next request.
 */
export function openSqliteAgentKeyStore(options: { path: string }): AgentKeyStore {
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS agent_keys (
    name TEXT PRIMARY KEY COLLATE NOCASE, secret_hash TEXT NOT NULL UNIQUE,
    connector_ids TEXT NOT NULL, prefix TEXT NOT NULL, created_at TEXT NOT NULL,
    revoked_at TEXT, last_used_at TEXT)`);
  const insert = db.prepare(
    'INSERT INTO agent_keys (name, secret_hash, connector_ids, prefix, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const byHash = db.prepare<[string], Row>('SELECT * FROM agent_keys WHERE secret_hash = ?');
  const byName = db.prepare<[string], Row>('SELECT * FROM agent_keys WHERE name = ?');
  const all = db.prepare<[], Row>('SELECT * FROM agent_keys ORDER BY created_at, name');
  const revoke = db.prepare(
    'UPDATE agent_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL',
  );
  const touch = db.prepare('UPDATE agent_keys SET last_used_at = ? WHERE name = ?');

  return {
    insert: async (record, secretHash) => {
      if (byName.get(record.name)) {
        return {
          ok: false,
          error: {
            code: 'AGENT_KEY_NAME_TAKEN',
            message: `An agent key named "${record.name}" exists already (revoked keys keep their name, so old runs stay unambiguous). Pick another name.`,
          },
        };
      }
      insert.run(
        record.name,
        secretHash,
        JSON.stringify(record.connectorIds),
        record.prefix,
        record.createdAt,
      );
      return { ok: true };
    },
    findByHash: async (secretHash) => {
      const row = byHash.get(secretHash);
      return row ? recordOf(row) : undefined;
    },
    list: async () => all.all().map(recordOf),
    revoke: async (name, at) => {
      const row = byName.get(name);
      if (!row) {
        return {
          ok: false,
          error: { code: 'AGENT_KEY_NOT_FOUND', message: `There is no agent key named "${name}".` },
        };
      }
      revoke.run(at, row.name);
      return { ok: true };
    },
    touch: async (name, at) => {
      touch.run(at, name);
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}
