import Database from 'better-sqlite3';
import type { ConfigVersion, ConfigVersionFile, ConfigVersionStore } from './config-version-store';
import { hashConfigFiles } from './hash-config-files';
import { summaryOf } from './stored-config-version';
import type { Row } from './stored-config-version';

/**
 * Config versions in one SQLite file in DATA_DIR. The server records what it accepts; the CLI
 * reads the list and records its rollbacks, in the same file (WAL).
 */
export function openSqliteConfigVersionStore(options: {
  path: string;
  now?: () => number;
}): ConfigVersionStore {
  const now = options.now ?? Date.now;
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS config_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, author TEXT NOT NULL,
    hash TEXT NOT NULL, connectors INTEGER NOT NULL, files TEXT NOT NULL)`);
  const newest = db.prepare<[], Row>('SELECT * FROM config_versions ORDER BY id DESC LIMIT 1');
  const insert = db.prepare(
    'INSERT INTO config_versions (at, author, hash, connectors, files) VALUES (?, ?, ?, ?, ?)',
  );
  const list = db.prepare<[number], Row>('SELECT * FROM config_versions ORDER BY id DESC LIMIT ?');
  const byId = db.prepare<[number], Row>('SELECT * FROM config_versions WHERE id = ?');

  const record = db.transaction(
    (entry: { author: string; connectors: number; files: ConfigVersionFile[] }) => {
      const hash = hashConfigFiles(entry.files);
      const latest = newest.get();
      if (latest && latest.hash === hash) return { version: summaryOf(latest), added: false };
      const at = new Date(now()).toISOString();
      const result = insert.run(
        at,
        entry.author,
        hash,
        entry.connectors,
        JSON.stringify(entry.files),
      );
      const id = Number(result.lastInsertRowid);
      return {
        version: { id, at, author: entry.author, hash, connectors: entry.connectors },
        added: true,
      };
    },
  );

  return {
    record: async (entry) => record(entry),
    list: async (limit) => list.all(limit).map(summaryOf),
    get: async (id): Promise<ConfigVersion | undefined> => {
      const row = byId.get(id);
      return row
        ? { ...summaryOf(row), files: JSON.parse(row.files) as ConfigVersionFile[] }
        : undefined;
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}
