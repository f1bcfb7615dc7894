import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema } from '../test-support/postgres-test-schema';
import type { TestSchema } from '../test-support/postgres-test-schema';
import { describeRunLogStoreContract } from '../storage/contracts/run-log-store-contract';
import { openStorage } from '../storage/open-storage';
import { buildTestRun } from './build-test-run';
import { buildRunQuery, createPostgresRunLogStore } from './postgres-run-log-store';
import type { PostgresRunLogStoreOptions } from './postgres-run-log-store';
import { createRunId } from './run-record';
import type { ConnectorRunRecord, RunLogStore, RunQuery } from './run-record';
import type { CorruptRunRowReport } from './stored-run';

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const DAY = 86_400_000;

const schemas: TestSchema[] = [];
const stores: RunLogStore[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(schemas.splice(0).map((schema) => schema.drop()));
});

async function freshSchema(): Promise<TestSchema> {
  const schema = await createTestSchema('runlog');
  schemas.push(schema);
  return schema;
}

function open(schema: TestSchema, options: Partial<PostgresRunLogStoreOptions> = {}): RunLogStore {
  const store = createPostgresRunLogStore({
    pool: schema.pool,
    instanceId: 'instance-a',
    retentionDays: 7,
    pruneIntervalMs: 0,
    ...options,
  });
  stores.push(store);
  return store;
}

function runAt(ms: number, overrides: Partial<ConnectorRunRecord> = {}): ConnectorRunRecord {
  return buildTestRun({ id: createRunId(ms), startedAt: new Date(ms).toISOString(), ...overrides });
}

// Each contract test gets a schema of its own; the store's close (by the contract) comes first.
describeRunLogStoreContract('PostgreSQL', async () => open(await freshSchema()));

describe('PostgreSQL: several instances on one database', () => {
  it('shows a run recorded by one instance to the other', async () => {
    const schema = await freshSchema();
    const first = open(schema, { instanceId: 'instance-a' });
    const second = open(schema, { instanceId: 'instance-b' });
    const run = runAt(T0);
    await first.record(run);
    expect(await second.get(run.id)).toEqual(run);
    expect((await second.lastRunsFor(run.target))['order-lookup']?.id).toBe(run.id);
  });

  it('prunes once: the instance that takes the lease prunes, the other skips', async () => {
    const schema = await freshSchema();
    const writer = open(schema);
    await writer.record(runAt(Date.now() - 8 * DAY));
    await writer.record(runAt(Date.now()));

    const outcomes: string[] = [];
    let settled = 0;
    let done: () => void = () => {};
    const bothTried = new Promise<void>((resolve) => {
      done = resolve;
    });
    const note = (outcome: string) => {
      outcomes.push(outcome);
      settled += 1;
      if (settled === 2) done();
    };
    for (const instanceId of ['instance-a', 'instance-b']) {
      open(schema, {
        instanceId,
        pruneIntervalMs: 60_000,
        onPruned: ({ deleted }) => note(`${instanceId} pruned ${deleted}`),
        onPruneSkipped: () => note(`${instanceId} skipped`),
        onPruneFailed: (error) => note(`${instanceId} failed: ${String(error)}`),
      });
    }
    await bothTried;
    expect(outcomes.sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^instance-. pruned 1$/)]),
    );
    expect(outcomes.filter((outcome) => outcome.endsWith('skipped'))).toHaveLength(1);
    expect(await writer.count()).toBe(1);
  });
});

describe('PostgreSQL: prune', () => {
  it('prunes on its own timer using the retention period and the injected clock', async () => {
    const schema = await freshSchema();
    const deleted: number[] = [];
    let done: () => void = () => {};
    const pruned = new Promise<void>((resolve) => {
      done = resolve;
    });
    const writer = open(schema);
    await writer.record(runAt(T0 - 8 * DAY));
    await writer.record(runAt(T0 - 6 * DAY));
    open(schema, {
      pruneIntervalMs: 60_000,
      now: () => new Date(T0),
      onPruned: (report) => {
        deleted.push(report.deleted);
        done();
      },
    });
    await pruned;
    expect(deleted).toEqual([1]);
    expect(await writer.count()).toBe(1);
  });

  it('deletes in batches of the size given', async () => {
    const schema = await freshSchema();
    const store = open(schema, { pruneBatchSize: 3 });
    for (let i = 0; i < 10; i++) await store.record(runAt(T0 + i));
    expect(await store.prune(new Date(T0 + DAY))).toBe(10);
    expect(await store.count()).toBe(0);
  });

  it('refuses work once closed', async () => {
    const store = open(await freshSchema());
    await store.close();
    await expect(store.count()).rejects.toThrow(/closed/);
    await expect(store.record(runAt(T0))).rejects.toThrow(/closed/);
  });

  it('lets close wait for a running prune, which stops after its current batch', async () => {
    const store = open(await freshSchema(), { pruneBatchSize: 2 });
    for (let i = 0; i < 10; i++) await store.record(runAt(T0 + i));
    const pruning = store.prune(new Date(T0 + DAY));
    await store.close();
    expect(await pruning).toBeGreaterThanOrEqual(2);
    expect(await pruning).toBeLessThan(10);
  });
});

describe('PostgreSQL: corrupt rows', () => {
  it('are skipped and reported, and paging continues past them', async () => {
    const schema = await freshSchema();
    const reports: CorruptRunRowReport[] = [];
    const store = open(schema, { onCorruptRow: (report) => reports.push(report) });
    const ticket = { system: 'zendesk', type: 'ticket', id: '5' } as const;
    const good = [runAt(T0, { target: ticket }), runAt(T0 + 3, { target: ticket })];
    for (const run of good) await store.record(run);

    const notJson = createRunId(T0 + 1);
    const wrongShape = createRunId(T0 + 4);
    const insert = `INSERT INTO runs (id, connector_id, target_system, target_id, outcome, started_at, source, actor, dry_run, details)
      VALUES ($1, 'order-lookup', 'zendesk', '5', 'success', $2, 'zendesk', 'agent:42', false, $3)`;
    await schema.pool.query(insert, [notJson, new Date(T0 + 1), '{"source": "zendesk", ']);
    await schema.pool.query(insert, [
      wrongShape,
      new Date(T0 + 4),
      JSON.stringify({ source: 'zendesk', surprise: true }),
    ]);

    const page1 = await store.query({ limit: 2 });
    const page2 = await store.query({ limit: 2, cursor: page1.nextCursor });
    expect([...page1.runs, ...page2.runs].map((run) => run.id)).toEqual(
      good.map((run) => run.id).reverse(),
    );
    expect(await store.get(notJson)).toBeUndefined();
    // The newest run on the ticket is corrupt: the sidebar shows the newest readable one.
    expect((await store.lastRunsFor({ system: 'zendesk', id: '5' }))['order-lookup']?.id).toBe(
      good[1]?.id,
    );
    expect(reports.map((report) => report.id)).toEqual(
      expect.arrayContaining([notJson, wrongShape]),
    );
    expect(reports.find((report) => report.id === notJson)?.reason).toMatch(/not JSON/);
  });
});

describe('PostgreSQL: query plans', () => {
  const cases: Array<[RunQuery, string]> = [
    [{ connectorId: 'c' }, 'runs_by_connector'],
    [{ targetSystem: 'zendesk', targetId: '1' }, 'runs_by_target'],
    [{ targetId: '1' }, 'runs_by_target'],
    [{ outcome: 'failed' }, 'runs_by_outcome'],
    [{ errorCode: 'UPSTREAM_TIMEOUT' }, 'runs_by_error_code'],
    [{ source: 'mcp' }, 'runs_by_source'],
    [{ actor: { kind: 'agent', id: '42' } }, 'runs_by_actor'],
    [{}, 'runs_by_started_at'],
  ];

  // One log for every case (filling it is most of the time): many runs, spread over values, so
  // the planner's statistics are as on a real log.
  let planned: TestSchema;
  beforeAll(async () => {
    planned = await createTestSchema('runlog');
    await planned.pool.query(`
      INSERT INTO runs (id, connector_id, target_system, target_id, outcome, started_at, error_code, source, actor, dry_run, details)
      SELECT 'run_' || lpad(i::text, 26, '0'), 'c' || (i % 30), CASE WHEN i % 5 = 0 THEN 'salesforce' ELSE 'zendesk' END,
             (i % 5000)::text, CASE WHEN i % 17 = 0 THEN 'failed' WHEN i % 7 = 0 THEN 'empty' ELSE 'success' END,
             timestamptz '2025-03-01' + i * interval '1 second',
             CASE WHEN i % 17 = 0 THEN CASE WHEN i % 3 = 0 THEN 'UPSTREAM_TIMEOUT' ELSE 'E' || (i % 40) END END,
             CASE WHEN i % 50 = 0 THEN 'mcp' WHEN i % 5 = 0 THEN 'automation' ELSE 'zendesk' END,
             'agent:' || (i % 200), false, '{}'
      FROM generate_series(1, 50000) AS i`);
    await planned.pool.query('ANALYZE runs');
  });
  afterAll(async () => {
    await planned?.drop();
  });

  it.each(cases)('%j reads through %s, never a full table scan', async (q, index) => {
    const { sql, params } = buildRunQuery(q, 51);
    const plan = await planned.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
    const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toContain(index);
    expect(text).not.toMatch(/Seq Scan on runs/);
  });
});

describe('openStorage with DATABASE_URL', () => {
  it('puts the run log in PostgreSQL, shared by instances with their own data folders', async () => {
    const schema = await freshSchema();
    const instances = await Promise.all(
      [1, 2].map(async () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'dc-pg-storage-'));
        const opened = await openStorage({
          dataDir,
          runLogRetentionDays: 7,
          database: { url: schema.url, schema: schema.schema },
        });
        if (!opened.ok) throw new Error(opened.error.message);
        return { dataDir, storage: opened.value };
      }),
    );
    try {
      const [first, second] = instances.map((instance) => instance.storage);
      const run = runAt(Date.now());
      await first?.runLog.record(run);
      expect(await second?.runLog.get(run.id)).toEqual(run);
    } finally {
      for (const { dataDir, storage } of instances) {
        await storage.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  });
});
