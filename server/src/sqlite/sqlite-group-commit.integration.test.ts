import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteGroupCommit } from './sqlite-group-commit';

const opened: Database.Database[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A WAL file with a writer and a second connection that sees only what is committed. */
function openPair() {
  const dir = mkdtempSync(join(tmpdir(), 'dc-group-commit-'));
  dirs.push(dir);
  const path = join(dir, 'queue.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.exec(`
    CREATE TABLE parents (id INTEGER PRIMARY KEY);
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
      parent INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);
  `);
  const reader = new Database(path, { readonly: true });
  opened.push(reader, db);
  const insert = db.prepare('INSERT INTO items (name, parent) VALUES (?, ?)');
  const committed = () =>
    (reader.prepare('SELECT name FROM items ORDER BY id').all() as { name: string }[]).map(
      (row) => row.name,
    );
  return { db, insert, committed, group: createSqliteGroupCommit(db) };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createSqliteGroupCommit', () => {
  it('settles each write only once it is committed, and commits a turn’s writes together', async () => {
    const { insert, committed, group } = openPair();
    const first = group.write(() => insert.run('a', null).lastInsertRowid);
    const second = group.write(() => insert.run('b', null).lastInsertRowid);
    let settled = false;
    void first.then(() => (settled = true));
    await Promise.resolve();
    // Written, not yet committed: another connection sees nothing, and no one was told otherwise.
    expect(committed()).toEqual([]);
    expect(settled).toBe(false);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('undoes a write that throws alone, and commits the others of its turn', async () => {
    const { insert, committed, group } = openPair();
    const kept = group.write(() => insert.run('a', null));
    const refused = group.write(() => {
      insert.run('b', null);
      insert.run('a', null); // UNIQUE: this write's first insert must go too.
    });
    await expect(refused).rejects.toThrow(/UNIQUE constraint failed/);
    await kept;
    expect(committed()).toEqual(['a']);
  });

  it('rejects every write of a turn whose commit fails, keeps none of them, and goes on', async () => {
    const { db, insert, committed, group } = openPair();
    // A deferred foreign key is checked at COMMIT: the commit itself fails.
    const good = group.write(() => insert.run('a', null));
    const orphan = group.write(() => insert.run('b', 42));
    await expect(good).rejects.toThrow(/FOREIGN KEY constraint failed/);
    await expect(orphan).rejects.toThrow(/FOREIGN KEY constraint failed/);
    expect(db.inTransaction).toBe(false);
    expect(committed()).toEqual([]);
    await group.write(() => insert.run('c', null));
    expect(committed()).toEqual(['c']);
  });

  it('rejects the earlier writes of a turn whose transaction SQLite rolled back by itself', async () => {
    const { db, insert, committed, group } = openPair();
    const earlier = group.write(() => insert.run('a', null));
    // What SQLite does on a full disk or an I/O error in the middle of a transaction.
    const failing = group.write(() => {
      db.exec('ROLLBACK');
      throw new Error('disk I/O error');
    });
    await expect(failing).rejects.toThrow();
    await expect(earlier).rejects.toThrow();
    expect(db.inTransaction).toBe(false);
    await group.write(() => insert.run('b', null));
    expect(committed()).toEqual(['b']);
  });

  it('rejects a write, without throwing, when another process holds the file locked', async () => {
    const { db, insert, committed, group } = openPair();
    const other = new Database(db.name, { timeout: 0 });
    opened.push(other);
    db.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    let write: Promise<unknown> | undefined;
    expect(() => (write = group.write(() => insert.run('a', null)))).not.toThrow();
    await expect(write).rejects.toThrow(/locked/);
    other.exec('ROLLBACK');
    await group.write(() => insert.run('b', null));
    expect(committed()).toEqual(['b']);
  });

  it('opens a new transaction for the next turn', async () => {
    const { insert, committed, group } = openPair();
    await group.write(() => insert.run('a', null));
    await nextTurn();
    const later = group.write(() => insert.run('b', null));
    expect(committed()).toEqual(['a']);
    await later;
    expect(committed()).toEqual(['a', 'b']);
  });

  it('commits the open turn when flushed, before the database is closed', async () => {
    const { db, insert, committed, group } = openPair();
    const write = group.write(() => insert.run('a', null));
    group.flush();
    expect(db.inTransaction).toBe(false);
    expect(committed()).toEqual(['a']);
    await write;
  });
});
