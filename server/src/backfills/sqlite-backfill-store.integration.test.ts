import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { describeBackfillStoreContract } from '../storage/contracts/backfill-store-contract';
import { openSqliteBackfillStore } from './sqlite-backfill-store';

const dir = mkdtempSync(join(tmpdir(), 'dc-backfill-store-'));
let files = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeBackfillStoreContract('SQLite', async () =>
  openSqliteBackfillStore({ path: join(dir, `backfills-${++files}.sqlite`) }),
);

describe('a backfills file from before the failed state', () => {
  it('opens with its backfills as they were, none failed, and can record a failure', async () => {
    const path = join(dir, 'before-errors.sqlite');
    // The file as the server before `error` left it.
    const old = new Database(path);
    old.exec(`
      CREATE TABLE backfills (id TEXT PRIMARY KEY, connector_id TEXT NOT NULL, system TEXT NOT NULL,
        target_type TEXT NOT NULL, query_kind TEXT NOT NULL, query_text TEXT NOT NULL,
        state TEXT NOT NULL, cursor TEXT, enumerated INTEGER NOT NULL, total INTEGER,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, finished_at TEXT, reader_id TEXT,
        reader_until INTEGER) STRICT;
      INSERT INTO backfills VALUES ('bf_01KE0000000000000000000001', 'lookup', 'zendesk', 'ticket',
        'search', 'tags:order', 'running', '100', 0, 250, '2026-12-01T09:00:00.000Z',
        '2026-12-01T09:01:00.000Z', NULL, NULL, NULL);`);
    old.close();
    const store = openSqliteBackfillStore({ path });
    try {
      const id = 'bf_01KE0000000000000000000001';
      expect(await store.get(id)).toMatchObject({
        state: 'running',
        cursor: '100',
        error: undefined,
      });
      expect(
        await store.setState(id, ['running'], 'failed', '2026-12-01T09:02:00.000Z', 'refused'),
      ).toMatchObject({ state: 'failed', error: 'refused' });
    } finally {
      await store.close();
    }
  });
});
