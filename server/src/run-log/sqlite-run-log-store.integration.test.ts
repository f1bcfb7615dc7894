import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestRun } from './build-test-run';
import { createRunId } from './run-record';
import type { ConnectorRunRecord, RunQuery, RunRecord } from './run-record';
import { RUN_LOG_SCHEMA_VERSION, migrateRunLogSchema } from './sqlite-run-log-schema';
import { buildRunQuery, openSqliteRunLogStore } from './sqlite-run-log-store';
import { describeRunLogStoreContract } from '../storage/contracts/run-log-store-contract';
import type {
  CorruptRunRowReport,
  SqliteRunLogStore,
  SqliteRunLogStoreOptions,
} from './sqlite-run-log-store';

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const DAY = 86_400_000;

const openStores: SqliteRunLogStore[] = [];
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-log-'));
});

afterEach(async () => {
  await Promise.all(openStores.splice(0).map((store) => store.close()));
  rmSync(dir, { recursive: true, force: true });
});

function open(options: Partial<SqliteRunLogStoreOptions> = {}): SqliteRunLogStore {
  const opened = openSqliteRunLogStore({
    path: ':memory:',
    retentionDays: 7,
    pruneIntervalMs: 0,
    ...options,
  });
  if (!opened.ok) throw new Error(opened.error.message);
  openStores.push(opened.value);
  return opened.value;
}

function runAt(ms: number, overrides: Partial<ConnectorRunRecord> = {}): ConnectorRunRecord {
  const startedAt = new Date(ms).toISOString();
  return buildTestRun({ id: createRunId(ms), startedAt, ...overrides });
}

async function recordAll(store: SqliteRunLogStore, runs: RunRecord[]): Promise<void> {
  for (const run of runs) await store.record(run);
}

const ids = (runs: RunRecord[]): string[] => runs.map((run) => run.id);

describeRunLogStoreContract('SQLite', async () => open());

describe('SQLite: bulk imports', () => {
  it('stores runs in bulk in one transaction', async () => {
    const store = open();
    const runs = [runAt(T0), runAt(T0 + 1), runAt(T0 + 2)];
    expect(await store.recordMany(runs)).toBe(3);
    expect(await store.count()).toBe(3);
    await expect(
      store.recordMany([runAt(T0 + 3), { ...runAt(T0 + 4), attempts: -1 }]),
    ).rejects.toThrow();
    expect(await store.count()).toBe(3);
  });
});

describe('prune', () => {
  it('prunes on its own timer using the retention period and the injected clock', async () => {
    let now = T0;
    // Counted from the first prune: a timer prune can land between two awaits of the test, so a
    // waiter installed after the fact would miss it and wait forever.
    let deletedSoFar = 0;
    let onPruned: () => void = () => {};
    const store = open({
      retentionDays: 7,
      pruneIntervalMs: 2,
      now: () => new Date(now),
      onPruned: ({ deleted }) => {
        deletedSoFar += deleted;
        onPruned();
      },
    });
    const untilDeleted = (total: number): Promise<void> =>
      new Promise((resolve) => {
        onPruned = () => {
          if (deletedSoFar >= total) resolve();
        };
        onPruned();
      });

    const sixDaysOld = runAt(T0 - 6 * DAY);
    await recordAll(store, [runAt(T0 - 8 * DAY), sixDaysOld, runAt(T0)]);
    await untilDeleted(1);
    expect(await store.count()).toBe(2);

    now = T0 + 2 * DAY;
    await untilDeleted(2);
    expect(await store.get(sixDaysOld.id)).toBeUndefined();
    expect(await store.count()).toBe(1);
    expect(deletedSoFar).toBe(2);
  });

  it('refuses work once closed', async () => {
    const store = open({ pruneIntervalMs: 1 });
    await store.close();
    await expect(store.count()).rejects.toThrow(/closed/);
    await expect(store.record(runAt(T0))).rejects.toThrow(/closed/);
  });

  it('lets close wait for a running prune, which stops after its current batch', async () => {
    const store = open({ pruneBatchSize: 2 });
    await recordAll(
      store,
      Array.from({ length: 10 }, (_, i) => runAt(T0 + i)),
    );
    const pruning = store.prune(new Date(T0 + DAY));
    await store.close();
    expect(await pruning).toBe(2);
  });
});

describe('file databases', () => {
  it('keeps runs across a close and reopen', async () => {
    const path = join(dir, 'runs.sqlite');
    const first = open({ path });
    const run = runAt(T0);
    await first.record(run);
    await first.close();

    const second = open({ path });
    expect(await second.get(run.id)).toEqual(run);
    expect(await second.count()).toBe(1);
  });

  it('applies migrations once, however often the file is opened', async () => {
    const path = join(dir, 'runs.sqlite');
    await open({ path }).close();
    await open({ path }).close();

    const db = new Database(path);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(RUN_LOG_SCHEMA_VERSION);
      expect(migrateRunLogSchema(db)).toEqual({
        ok: true,
        value: { fromVersion: RUN_LOG_SCHEMA_VERSION, toVersion: RUN_LOG_SCHEMA_VERSION },
      });
      const indexes = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'runs_by_%'")
        .pluck()
        .all();
      expect(indexes.sort()).toEqual([
        'runs_by_actor',
        'runs_by_connector',
        'runs_by_error_code',
        'runs_by_outcome',
        'runs_by_source',
        'runs_by_started_at',
        'runs_by_target',
      ]);
    } finally {
      db.close();
    }
  });

  it('upgrades a version 1 file: error codes of earlier runs become filterable, damaged rows do not stop it', async () => {
    const path = join(dir, 'runs.sqlite');
    const failed = buildTestRun({
      startedAt: new Date().toISOString(),
      outcome: 'failed',
      errorCode: 'UPSTREAM_TIMEOUT',
    });
    const db = new Database(path);
    // The shipped version 1 layout, as files written before error codes had a column.
    db.exec(`
      CREATE TABLE runs (
        id TEXT PRIMARY KEY NOT NULL, connector_id TEXT NOT NULL, target_system TEXT NOT NULL,
        target_id TEXT NOT NULL, outcome TEXT NOT NULL, started_at INTEGER NOT NULL,
        details TEXT NOT NULL
      ) STRICT;
    `);
    db.pragma('user_version = 1');
    const { id, connectorId, target, outcome, startedAt, kind: _kind, ...rest } = failed;
    const insert = db.prepare('INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)');
    insert.run(
      id,
      connectorId,
      target.system,
      target.id,
      outcome,
      Date.parse(startedAt),
      JSON.stringify({ ...rest, target: { type: target.type } }),
    );
    insert.run(createRunId(), 'c', 'zendesk', '1', 'failed', Date.now(), '{not json');
    db.close();

    const store = open({ path, onCorruptRow: () => {} });
    const page = await store.query({ errorCode: 'UPSTREAM_TIMEOUT' });
    expect(page.runs.map((run) => run.id)).toEqual([id]);
    // Version 3 backfills where and who from the details too.
    expect((await store.query({ source: 'zendesk' })).runs.map((run) => run.id)).toEqual([id]);
    const byActor = await store.query({ actor: { kind: 'agent', id: '42' } });
    expect(byActor.runs.map((run) => run.id)).toEqual([id]);
  });

  it('refuses a file written by a newer schema version', () => {
    const path = join(dir, 'runs.sqlite');
    const db = new Database(path);
    db.pragma(`user_version = ${RUN_LOG_SCHEMA_VERSION + 1}`);
    db.close();
    const opened = openSqliteRunLogStore({ path, retentionDays: 7, pruneIntervalMs: 0 });
    expect(opened.ok).toBe(false);
    expect(!opened.ok && opened.error.code).toBe('RUN_LOG_SCHEMA_TOO_NEW');
  });

  it('reports a path it cannot open as a value', () => {
    const opened = openSqliteRunLogStore({
      path: join(dir, 'missing-dir', 'runs.sqlite'),
      retentionDays: 7,
    });
    expect(!opened.ok && opened.error.code).toBe('RUN_LOG_OPEN_FAILED');
  });

  it('uses WAL journaling', async () => {
    const path = join(dir, 'runs.sqlite');
    await open({ path }).close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});

describe('corrupt rows', () => {
  it('are skipped and reported, and paging continues past them', async () => {
    const path = join(dir, 'runs.sqlite');
    const reports: CorruptRunRowReport[] = [];
    const store = open({ path, onCorruptRow: (report) => reports.push(report) });
    const good = [
      runAt(T0, { target: { system: 'zendesk', type: 'ticket', id: '5' } }),
      runAt(T0 + 3),
    ];
    await recordAll(store, good);

    const notJson = createRunId(T0 + 1);
    const wrongShape = createRunId(T0 + 2);
    const raw = new Database(path);
    const insert = raw.prepare(
      "INSERT INTO runs (id, connector_id, target_system, target_id, outcome, started_at, details) VALUES (?, 'order-lookup', 'zendesk', '5', 'success', ?, ?)",
    );
    insert.run(notJson, T0 + 1, '{"source": "zendesk", ');
    insert.run(wrongShape, T0 + 2, JSON.stringify({ source: 'zendesk', surprise: true }));
    raw.close();

    const page1 = await store.query({ limit: 2 });
    const page2 = await store.query({ limit: 2, cursor: page1.nextCursor });
    expect(ids([...page1.runs, ...page2.runs])).toEqual(ids(good).reverse());
    expect(await store.get(notJson)).toBeUndefined();
    expect((await store.lastRunsFor({ system: 'zendesk', id: '5' }))['order-lookup']?.id).toBe(
      good[0]?.id,
    );

    expect(reports.map((report) => report.id)).toContain(notJson);
    expect(reports.map((report) => report.id)).toContain(wrongShape);
    expect(reports.find((report) => report.id === notJson)?.reason).toMatch(/not JSON/);
  });
});

describe('query plans', () => {
  const cases: Array<[RunQuery, string]> = [
    [{ connectorId: 'c' }, 'runs_by_connector'],
    [{ targetSystem: 'zendesk', targetId: '1' }, 'runs_by_target'],
    [{ targetId: '1' }, 'runs_by_target'],
    [{ outcome: 'failed' }, 'runs_by_outcome'],
    [{ since: '2025-01-01T00:00:00Z', until: '2025-01-02T00:00:00Z' }, 'runs_by_started_at'],
    [{}, 'runs_by_started_at'],
    [{ targetSystem: 'salesforce' }, 'runs_by_started_at'],
    [{ connectorId: 'c', outcome: 'failed' }, 'runs_by_connector'],
    [{ errorCode: 'UPSTREAM_TIMEOUT' }, 'runs_by_error_code'],
    [
      { errorCode: 'UPSTREAM_TIMEOUT', outcome: 'failed', since: '2025-01-01T00:00:00Z' },
      'runs_by_error_code',
    ],
    [{ errorCode: 'UPSTREAM_TIMEOUT', connectorId: 'c' }, 'runs_by_connector'],
    [
      { connectorId: 'c', targetSystem: 'zendesk', targetId: '1', outcome: 'empty' },
      'runs_by_target',
    ],
    [{ source: 'mcp' }, 'runs_by_source'],
    [{ source: 'mcp', outcome: 'failed' }, 'runs_by_source'],
    [{ actor: { kind: 'agent', id: '42' } }, 'runs_by_actor'],
    [{ actor: { kind: 'ai_agent' }, source: 'mcp' }, 'runs_by_actor'],
    [{ actor: { kind: 'agent' }, connectorId: 'c' }, 'runs_by_connector'],
    [{ source: 'automation', targetId: '1' }, 'runs_by_target'],
  ];

  it.each(cases)('%j reads through %s, never a full table scan', async (q, index) => {
    const path = join(dir, 'runs.sqlite');
    await open({ path }).close();
    const db = new Database(path, { readonly: true });
    try {
      const { sql, params } = buildRunQuery(q, 51);
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((row) => (row as { detail: string }).detail)
        .join('\n');
      expect(plan).toContain(`INDEX ${index}`);
      expect(plan).not.toMatch(/SCAN runs(?! USING)/);
    } finally {
      db.close();
    }
  });
});
