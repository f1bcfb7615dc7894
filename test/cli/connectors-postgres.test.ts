import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresAgentKeyStore } from '../../server/src/agents/postgres-agent-key-store';
import { openPostgresAlertStore } from '../../server/src/alerts/postgres-alert-store';
import { createTestSchema } from '../../server/src/test-support/postgres-test-schema';
import type { TestSchema } from '../../server/src/test-support/postgres-test-schema';
import { runConnectorsCliWith } from './cli-support';

/**
 * With DATABASE_URL the CLI's agent keys, alerts and config history are the rows the running
 * instances share, not SQLite files in DATA_DIR that no instance reads.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'dc-cli-postgres-'));
let database: TestSchema;

beforeAll(async () => {
  database = await createTestSchema('cli');
});
afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  runConnectorsCliWith(
    { dataDir, env: { DATABASE_URL: database.url, DATABASE_SCHEMA: database.schema } },
    ...args,
  );

describe('the connectors CLI on PostgreSQL', () => {
  it('creates and revokes an agent key the instances see', async () => {
    const created = cli('agent-keys', 'create', 'Fin bot', '--connectors', '*');
    expect(created).toMatchObject({ code: 0, err: '' });
    const keys = openPostgresAgentKeyStore({ pool: database.pool });
    expect((await keys.list()).map((key) => key.name)).toEqual(['Fin bot']);
    expect(cli('agent-keys', 'revoke', 'Fin bot')).toMatchObject({ code: 0, err: '' });
    expect((await keys.list())[0]?.revokedAt).toBeDefined();
  });

  it('resumes a connector an instance paused', async () => {
    const alerts = openPostgresAlertStore({ pool: database.pool });
    await alerts.openIncident(
      'shopify_order_lookup',
      { since: '2026-01-07T09:00:00.000Z', reason: 'r' },
      true,
    );
    const resumed = cli('resume', 'shopify_order_lookup');
    expect(resumed).toMatchObject({ code: 0, err: '' });
    expect(resumed.out).toContain('Resumed "shopify_order_lookup"');
    expect((await alerts.get('shopify_order_lookup'))?.paused).toBeUndefined();
  });

  it('reads the config history from the database and writes no SQLite file for these', () => {
    expect(cli('history')).toMatchObject({ code: 0, err: '' });
    expect(
      readdirSync(dataDir).filter((file) => /agent-keys|alerts|config-versions/.test(file)),
    ).toEqual([]);
  });
});
