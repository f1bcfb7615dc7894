import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestRun } from '../../server/src/run-log/build-test-run';
import { createPostgresRunLogStore } from '../../server/src/run-log/postgres-run-log-store';
import { createTestSchema } from '../../server/src/test-support/postgres-test-schema';
import type { TestSchema } from '../../server/src/test-support/postgres-test-schema';
import { runConnectorsCliWith } from './cli-support';

/**
 * `npm run connectors -- logs | show` on a deployment whose instances share PostgreSQL
 * (DATABASE_URL): the CLI reads their run log there, not a SQLite file in DATA_DIR.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'dc-cli-pg-'));
let database: TestSchema;
const now = Date.now();
const runs = [
  buildTestRun({
    connectorId: 'jira_create_issue',
    startedAt: new Date(now - 60_000).toISOString(),
    target: { system: 'zendesk', type: 'ticket', id: '4' },
    outcome: 'failed',
    errorCode: 'UPSTREAM_TIMEOUT',
    message: 'Jira did not answer within 10000 ms',
  }),
  buildTestRun({
    connectorId: 'shopify_order_lookup',
    startedAt: new Date(now - 30_000).toISOString(),
    target: { system: 'zendesk', type: 'ticket', id: '1' },
  }),
];

beforeAll(async () => {
  database = await createTestSchema('cli');
  const store = createPostgresRunLogStore({
    pool: database.pool,
    instanceId: 'server-1',
    retentionDays: 7,
    pruneIntervalMs: 0,
  });
  for (const run of runs) await store.record(run);
  await store.close();
});

afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const connectors = (schema: string, ...args: string[]) =>
  runConnectorsCliWith(
    { dataDir, env: { DATABASE_URL: database.url, DATABASE_SCHEMA: schema } },
    ...args,
  );

describe('connectors logs with DATABASE_URL', () => {
  it('lists the runs the servers recorded in PostgreSQL, filtered as usual', () => {
    const all = connectors(database.schema, 'logs');
    expect(all.err).toBe('');
    expect(all.code).toBe(0);
    for (const run of runs) expect(all.out).toContain(run.id);

    const failed = connectors(database.schema, 'logs', '--failed', '--format', 'ndjson');
    expect(failed.code).toBe(0);
    expect(failed.out.trim().split('\n')).toHaveLength(1);
    expect(failed.out).toContain(runs[0]?.id);
  });

  it('shows one run in full from PostgreSQL', () => {
    const run = runs[1];
    const shown = connectors(database.schema, 'show', run?.id ?? '');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toEqual(run);
  });

  it('says it cannot reach the database, with its error, and exits 1', () => {
    const unreachable = runConnectorsCliWith(
      { dataDir, env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } },
      'logs',
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toContain('Could not read the run log in PostgreSQL');
    expect(unreachable.err).toContain('ECONNREFUSED');
    expect(unreachable.err).not.toMatch(/\n\s+at /);
  });

  it('says no runs are recorded yet in a schema no server has started on', () => {
    const empty = connectors('no_server_here', 'logs');
    expect(empty.code).toBe(0);
    expect(empty.out).toContain('No runs recorded yet');
    expect(empty.out).toContain('no_server_here');
  });
});
