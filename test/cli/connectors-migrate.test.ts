import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentKeys } from '../../server/src/agents/agent-keys';
import { openPostgresAgentKeyStore } from '../../server/src/agents/postgres-agent-key-store';
import { openPostgresAlertStore } from '../../server/src/alerts/postgres-alert-store';
import { openPostgresBackfillStore } from '../../server/src/backfills/postgres-backfill-store';
import { openPostgresConfigVersionStore } from '../../server/src/config-versions/postgres-config-version-store';
import { openPostgresOAuthTokenStore } from '../../server/src/oauth/postgres-oauth-token-store';
import { createPostgresRunLogStore } from '../../server/src/run-log/postgres-run-log-store';
import { openPostgresIdempotencyStore } from '../../server/src/runs/postgres-idempotency-store';
import { openPostgresVerificationStore } from '../../server/src/verification/postgres-verification-store';
import { DELIVERIES_FILE } from '../../server/src/storage/open-sqlite-storage';
import { createPostgresZendeskTokenStore } from '../../server/src/helpdesks/zendesk/postgres-zendesk-token-store';
import { openPostgresDeliveryQueue } from '../../server/src/workflows/postgres-delivery-queue';
import { createTestSchema } from '../../server/src/test-support/postgres-test-schema';
import type { TestSchema } from '../../server/src/test-support/postgres-test-schema';
import { runConnectorsCliWith } from './cli-support';
import { writeSqliteInstallation } from './sqlite-installation';
import type { SqliteInstallation } from './sqlite-installation';

/**
 * `npm run connectors -- migrate` as an admin runs it when moving to several instances: the real
 * CLI in a child process, from a data folder the SQLite stores wrote to a fresh PostgreSQL schema.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'dc-cli-migrate-'));
let target: TestSchema;
let installation: SqliteInstallation;
let port: number;

/** A port nothing listens on (the server's PORT, so the check finds no server). */
function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const migrate = (...args: string[]) =>
  runConnectorsCliWith(
    {
      dataDir,
      env: {
        DATABASE_URL: target.url,
        DATABASE_SCHEMA: target.schema,
        PORT: String(port),
      },
    },
    'migrate',
    ...args,
  );

const count = async (table: string, where = 'true') =>
  Number(
    (await target.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`))
      .rows[0]?.n,
  );

beforeAll(async () => {
  installation = await writeSqliteInstallation(dataDir);
  target = await createTestSchema('migrate');
  port = await freePort();
}, 60_000);

afterAll(async () => {
  await target?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('connectors migrate', () => {
  it('asks for DATABASE_URL when it is not set', () => {
    const result = runConnectorsCliWith({ dataDir }, 'migrate');
    expect(result.code).toBe(2);
    expect(result.err).toContain('set DATABASE_URL to the PostgreSQL to move to');
  });

  it('refuses while a server answers on PORT, and copies nothing', async () => {
    const server: Server = createServer(() => undefined);
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    try {
      const result = migrate();
      expect(result.code).toBe(1);
      expect(result.err).toContain(`Something answers on port ${port} (PORT): stop the server`);
      expect(result.err).toContain('Nothing was copied.');
    } finally {
      await new Promise((done) => server.close(done));
    }
    expect(await count('config_versions')).toBe(0);
  });

  it('refuses while another process has one of the SQLite files open', async () => {
    const path = join(dataDir, DELIVERIES_FILE);
    const holder = spawn(
      process.execPath,
      [
        '-e',
        "require('fs').openSync(process.argv[1], 'r'); console.log('open'); setInterval(() => {}, 1000)",
        path,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(holder.stdout, 'data');
      const result = migrate();
      expect(result.code).toBe(1);
      expect(result.err).toContain(`Process ${holder.pid} has ${path} open`);
    } finally {
      holder.kill();
    }
    await once(holder, 'exit');
  });

  it('copies every store and says how many rows each had', async () => {
    const result = migrate();
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`schema "${target.schema}"`);
    expect(result.out).toMatch(/run log \(runs\.sqlite\)\s+runs: 3$/m);
    expect(result.out).toMatch(
      /delivery queue \(workflows\.sqlite\)\s+queued deliveries: 1, interrupted deliveries \(due again\): 1, dead letters: 1, finished deliveries: 1, step marks: 3, replay guards: 0$/m,
    );
    expect(result.out).toMatch(/idempotency keys \(idempotency\.sqlite\)\s+keys: 1$/m);
    expect(result.out).toMatch(/agent keys \(agent-keys\.sqlite\)\s+keys: 2$/m);
    expect(result.out).toMatch(/config versions \(config-versions\.sqlite\)\s+versions: 2$/m);
    expect(result.out).toMatch(/OAuth tokens \(oauth-tokens\.sqlite\)\s+connections: 1$/m);
    expect(result.out).toMatch(/backfills \(backfills\.sqlite\)\s+backfills: 1$/m);
    expect(result.out).toContain(
      'Done. Start the server with DATABASE_URL and DATABASE_SCHEMA set',
    );
  });

  it('keeps every run as the run log reads it, filters included', async () => {
    const runLog = createPostgresRunLogStore({
      pool: target.pool,
      instanceId: 'test',
      retentionDays: 7,
      pruneIntervalMs: 0,
    });
    expect(await runLog.count()).toBe(3);
    for (const run of installation.runs) expect(await runLog.get(run.id)).toEqual(run);
    const failed = await runLog.query({ outcome: 'failed', limit: 10 });
    expect(failed.runs.map((run) => run.id)).toEqual([installation.runs[1]?.id]);
  });

  it('keeps the agent keys by hash: the key an agent holds still works, a revoked one does not', async () => {
    const keys = createAgentKeys(openPostgresAgentKeyStore({ pool: target.pool }));
    expect((await keys.verify(installation.agentKey))?.name).toBe('Support bot');
    const listed = await keys.list();
    expect(listed.map((key) => [key.name, key.revokedAt !== undefined]).sort()).toEqual([
      ['Old bot', true],
      ['Support bot', false],
    ]);
  });

  it('keeps the config version numbers, and the next one follows them', async () => {
    const versions = openPostgresConfigVersionStore({ pool: target.pool });
    expect((await versions.list(10)).map((version) => [version.id, version.author])).toEqual([
      [2, 'CLI'],
      [1, 'admin'],
    ]);
    expect((await versions.get(1))?.files).toEqual([{ file: 'connectors.json', text: '{"v":1}' }]);
    const next = await versions.record({ author: 'test', connectors: 0, files: [] });
    expect(next.version.id).toBe(3);
    await target.pool.query('DELETE FROM config_versions WHERE id = 3');
  });

  it('keeps the pause, the verified requester, the answered request and the OAuth connection', async () => {
    const alerts = openPostgresAlertStore({ pool: target.pool });
    expect((await alerts.get('jira_create_issue'))?.paused).toEqual({
      since: installation.runs[1]?.startedAt,
    });
    const verification = await openPostgresVerificationStore({
      pool: target.pool,
      schema: target.schema,
    });
    expect(await verification.verifiedUntil(installation.subject)).toBe(installation.verifiedUntil);
    // The same hashing key: a code sent before the move still checks after it.
    expect(await verification.hashCode(installation.subject, '123456')).toEqual(
      installation.codeHash,
    );
    const idempotency = openPostgresIdempotencyStore({ pool: target.pool });
    expect(await idempotency.begin('zendesk:shopify_order_lookup', 'key-1', 'fp-1')).toEqual({
      state: 'done',
      result: { outcome: 'success' },
    });
    const tokens = openPostgresOAuthTokenStore({ pool: target.pool });
    expect(await tokens.get('google_calendar')).toMatchObject({
      state: 'connected',
      sealed: 'v1.sealed-tokens',
      connectedAs: 'ops@example.com',
    });
  });

  it('keeps every delivery: queued, interrupted (due again, its steps kept), dead and finished', async () => {
    const queue = openPostgresDeliveryQueue({ pool: target.pool });
    const { queued, running, dead, completed } = installation.deliveries;
    expect(await queue.countByState()).toEqual({ queued: 2, running: 0, completed: 1, dead: 1 });
    expect(await queue.get(dead)).toMatchObject({
      state: 'dead',
      lastError: { code: 'UPSTREAM_REFUSED', message: 'Jira said 400' },
      payload: { ticket_id: '4' },
    });
    expect((await queue.get(completed))?.outcome).toBe('success');
    expect((await queue.steps(running)).map((step) => [step.stepId, step.state])).toEqual([
      ['create_issue', 'done'],
      ['write_back', 'started'],
    ]);
    expect((await queue.steps(running))[0]?.result.values).toEqual({ issueKey: 'JIRA-7' });
    // Both are due: the queued one since it came, the interrupted one from the copy on.
    const first = await queue.claimNext(60_000);
    const second = await queue.claimNext(60_000);
    expect([first?.id, second?.id]).toEqual([queued, running]);
    expect(await queue.claimNext(60_000)).toBeUndefined();
  });

  it('keeps a stopped backfill with its cursor and why it failed, and no reader lease: any instance reads on', async () => {
    const backfills = openPostgresBackfillStore({ pool: target.pool });
    expect(await backfills.get(installation.backfill.id)).toEqual(installation.backfill);
    expect(await backfills.claimReader(installation.backfill.id, 'a-new-instance', 1_000)).toBe(
      true,
    );
  });

  it('keeps the session key and the rotated Zendesk refresh token, sealed as they were', async () => {
    const secret = await target.pool.query<{ value: string }>(
      "SELECT value FROM server_secrets WHERE name = 'session-key'",
    );
    expect(secret.rows[0]?.value).toBe(installation.sessionKey);
    const zendesk = createPostgresZendeskTokenStore(target.pool, installation.cipher);
    const loaded = await zendesk.load();
    expect(loaded.ok ? loaded.value : loaded.error.message).toEqual(installation.zendeskTokens);
  });

  it('refuses a second run into a schema that has data, and adds nothing with --force', async () => {
    const again = migrate();
    expect(again.code).toBe(1);
    expect(again.err).toContain(`The PostgreSQL schema "${target.schema}" already holds data`);
    expect(again.err).toContain('run it again with --force');
    const forced = migrate('--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(
      /config versions \(config-versions\.sqlite\)\s+versions: 0 new, 2 there already$/m,
    );
    expect(await count('config_versions')).toBe(2);
    expect(await count('agent_keys')).toBe(2);
    expect(await count('alert_runs')).toBe(1);
  });
});
