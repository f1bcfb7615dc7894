import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentKeys } from '../../agents/agent-keys';
import { openPostgresAgentKeyStore } from '../../agents/postgres-agent-key-store';
import { openPostgresAlertStore } from '../../alerts/postgres-alert-store';
import { openPostgresConfigVersionStore } from '../../config-versions/postgres-config-version-store';
import { buildTestRun } from '../../run-log/build-test-run';
import { createPostgresRunLogStore } from '../../run-log/postgres-run-log-store';
import { delivery } from '../contracts/delivery-queue-contract';
import { openPostgresDeliveryQueue } from '../../workflows/postgres-delivery-queue';
import { createTestSchema, TEST_DATABASE_URL } from '../../test-support/postgres-test-schema';
import type { TestSchema } from '../../test-support/postgres-test-schema';
import { createPostgresPool } from './connect-postgres';
import { runMigrations } from './run-migrations';

/**
 * The backup and restore of docs/deploy.md ("Several instances on PostgreSQL"), as written there:
 * pg_dump -Fc of the instances' schema, pg_restore into a new database, and the stores read
 * back what they wrote: a run, a queued delivery, an agent key, a config version, a pause.
 */

const folder = mkdtempSync(join(tmpdir(), 'dc-pg-backup-'));
const restoredDatabase = `restore_${randomBytes(4).toString('hex')}`;
const restoredUrl = new URL(TEST_DATABASE_URL);
restoredUrl.pathname = `/${restoredDatabase}`;
let source: TestSchema;
let agentKey: string;
let deliveryId: string;
const run = buildTestRun({ connectorId: 'shopify_order_lookup' });
const runLogOn = (pool: pg.Pool) =>
  createPostgresRunLogStore({ pool, instanceId: 'test', retentionDays: 7, pruneIntervalMs: 0 });

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  source = await createTestSchema('backup');
  const keys = createAgentKeys(openPostgresAgentKeyStore({ pool: source.pool }));
  const created = await keys.create({ name: 'Support bot', connectorIds: ['*'] });
  if (!created.ok) throw new Error(created.error.message);
  agentKey = created.value.key;
  await runLogOn(source.pool).record(run);
  const enqueued = await openPostgresDeliveryQueue({ pool: source.pool }).enqueue(delivery());
  if (!enqueued.ok) throw new Error(enqueued.error.message);
  deliveryId = enqueued.delivery.id;
  const versions = openPostgresConfigVersionStore({ pool: source.pool });
  await versions.record({
    author: 'admin',
    connectors: 1,
    files: [{ file: 'connectors.json', text: '{"connectors":[]}' }],
  });
  await openPostgresAlertStore({ pool: source.pool }).openIncident(
    'shopify_order_lookup',
    { since: '2026-12-04T09:00:00.000Z', reason: '3 failures in a row' },
    true,
  );
  await admin((client) => client.query(`CREATE DATABASE ${restoredDatabase}`));
});

afterAll(async () => {
  await source?.drop();
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${restoredDatabase}`));
  rmSync(folder, { recursive: true, force: true });
});

describe('backup with pg_dump and restore with pg_restore', () => {
  it('restores the schema into another database, where the stores read it back', async () => {
    const dump = join(folder, 'connectors.dump');
    execFileSync('pg_dump', [
      '--format=custom',
      `--schema=${source.schema}`,
      '--no-owner',
      `--file=${dump}`,
      TEST_DATABASE_URL,
    ]);
    execFileSync('pg_restore', ['--no-owner', `--dbname=${restoredUrl.href}`, dump]);

    const pool = createPostgresPool({ url: restoredUrl.href, schema: source.schema, max: 2 });
    try {
      // The migrations table came along: a server starting on the copy has nothing to apply.
      const migrated = await runMigrations(pool, source.schema);
      expect(migrated.ok && migrated.value.applied).toEqual([]);
      expect(await runLogOn(pool).get(run.id)).toEqual(run);
      const queue = openPostgresDeliveryQueue({ pool });
      expect((await queue.claimNext(60_000))?.id).toBe(deliveryId);
      const keys = createAgentKeys(openPostgresAgentKeyStore({ pool }));
      expect((await keys.verify(agentKey))?.name).toBe('Support bot');
      const versions = openPostgresConfigVersionStore({ pool });
      expect((await versions.get(1))?.author).toBe('admin');
      // The identity sequence came along too: the next version is 2, not a clash with 1.
      expect((await versions.record({ author: 'CLI', connectors: 0, files: [] })).version.id).toBe(
        2,
      );
      expect((await openPostgresAlertStore({ pool }).get('shopify_order_lookup'))?.paused).toEqual({
        since: '2026-12-04T09:00:00.000Z',
      });
    } finally {
      await pool.end();
    }
  });
});
