import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteAlertStore } from '../../server/src/alerts/sqlite-alert-store';
import { ALERTS_FILE } from '../../server/src/storage/open-sqlite-storage';
import { runConnectorsCli } from './cli-support';

/**
 * `npm run connectors -- alerts | resume` as an admin runs them: the real CLI in a child
 * process, on an alert store a server left with the order lookup in an incident and paused
 * (the example config's rule, 3 failures in a row by email, does not pause; say an admin had
 * "pause": true then).
 */

const dataDir = mkdtempSync(join(tmpdir(), 'dc-cli-alerts-'));

beforeAll(async () => {
  const store = openSqliteAlertStore({ path: join(dataDir, ALERTS_FILE) });
  await store.countRun(
    'shopify_order_lookup',
    {
      atMs: Date.UTC(2026, 0, 7, 9),
      failure: {
        runId: 'run_01KE0000000000000000000000',
        errorCode: 'UPSTREAM_TIMEOUT',
        message: 'The other system did not answer in time.',
        at: '2026-01-07T09:00:00.000Z',
      },
    },
    undefined,
  );
  await store.openIncident(
    'shopify_order_lookup',
    { since: '2026-01-07T09:00:00.000Z', reason: '1 failure in a row' },
    true,
  );
  await store.close();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('connectors alerts and resume', () => {
  it('lists a paused connector with its incident and last failure', () => {
    const result = runConnectorsCli(dataDir, 'alerts');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('shopify_order_lookup  "Look up Shopify order"');
    expect(result.out).toContain('rule:  3 failures in a row → ops@sandbox.local');
    expect(result.out).toContain(
      'state: INCIDENT since 2026-01-07 09:00:00 UTC (1 failure in a row), PAUSED since 2026-01-07 09:00:00 UTC, 1 failed in a row; last failure 2026-01-07 09:00:00 UTC: UPSTREAM_TIMEOUT The other system did not answer in time.',
    );
  });

  it('resumes it once, and says so the second time', () => {
    const first = runConnectorsCli(dataDir, 'resume', 'shopify_order_lookup');
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain('Resumed "shopify_order_lookup"');
    expect(runConnectorsCli(dataDir, 'resume', 'shopify_order_lookup').out).toBe(
      '"shopify_order_lookup" was not paused.\n',
    );
    expect(runConnectorsCli(dataDir, 'alerts').out).not.toContain('PAUSED');
  });

  it('refuses a connector nobody knows', () => {
    expect(runConnectorsCli(dataDir, 'resume', 'nope')).toMatchObject({
      code: 1,
      err: 'There is no connector "nope".\n',
    });
  });
});
