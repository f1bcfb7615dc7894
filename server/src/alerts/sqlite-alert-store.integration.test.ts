import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { describeAlertStoreContract } from '../storage/contracts/alert-store-contract';
import { openSqliteAlertStore } from './sqlite-alert-store';

const dir = mkdtempSync(join(tmpdir(), 'dc-alerts-'));
let files = 0;
const nextPath = () => join(dir, `alerts-${++files}.sqlite`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeAlertStoreContract('SQLite', async () => openSqliteAlertStore({ path: nextPath() }));

describe('the SQLite alert store', () => {
  it('counts a success that changes nothing without the write lock, and anything else with it', async () => {
    const path = nextPath();
    const store = openSqliteAlertStore({ path });
    const failure = {
      runId: 'run_1',
      errorCode: 'X',
      message: 'failed',
      at: '2026-01-01T00:00:00.000Z',
    };
    await store.countRun('orders', { atMs: 1, failure: undefined }, undefined);
    // Another process (the CLI) holds the write lock; a writer would wait for it.
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const startedAt = Date.now();
    const counted = await store.countRun('orders', { atMs: 2, failure: undefined }, undefined);
    expect(counted).toEqual({
      state: expect.objectContaining({ failuresInARow: 0 }),
      window: undefined,
    });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    other.exec('COMMIT');

    // A failure, then the success after it (a reset) and a run under a rate rule are written.
    await store.countRun('orders', { atMs: 3, failure }, undefined);
    expect(
      (await store.countRun('orders', { atMs: 4, failure: undefined }, undefined)).state
        .failuresInARow,
    ).toBe(0);
    expect((await store.countRun('orders', { atMs: 5, failure: undefined }, 0)).window).toEqual({
      runs: 1,
      failures: 0,
    });
    // The rate rule gone: its kept runs are forgotten by the next success, not skipped.
    await store.countRun('orders', { atMs: 6, failure: undefined }, undefined);
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare('SELECT COUNT(*) AS n FROM alert_runs').get()).toEqual({ n: 0 });
    reader.close();
    other.close();
    await store.close();
  });

  it("answers a healthy connector's successes without reading the file, until it writes the row", async () => {
    const path = nextPath();
    const store = openSqliteAlertStore({ path });
    const success = { atMs: 1, failure: undefined };
    // The first success writes the connector's row; the second reads it healthy.
    await store.countRun('orders', success, undefined);
    await store.countRun('orders', success, undefined);
    // Changed behind the store's back, as only a second writer could: the successes that follow
    // are answered from memory, so they do not see it.
    const other = new Database(path);
    other
      .prepare("UPDATE alert_state SET failures_in_a_row = 5 WHERE connector_id = 'orders'")
      .run();
    expect((await store.countRun('orders', success, undefined)).state.failuresInARow).toBe(0);
    // Anything that writes the row forgets the copy first: a failure is counted from the file.
    const failure = { runId: 'run_1', errorCode: 'X', message: 'failed', at: 's' };
    expect(
      (await store.countRun('orders', { atMs: 2, failure }, undefined)).state.failuresInARow,
    ).toBe(6);

    // A success after an incident opened on a healthy connector still sees the incident.
    await store.countRun('orders', success, undefined);
    await store.countRun('orders', success, undefined);
    await store.openIncident('orders', { since: 's', reason: 'r' }, true);
    const afterIncident = await store.countRun('orders', success, undefined);
    expect(afterIncident.state).toMatchObject({ incident: { since: 's' }, paused: { since: 's' } });
    // In an incident or paused, nothing is kept in memory: the CLI may lift the pause meanwhile.
    other.prepare("UPDATE alert_state SET paused_since = NULL WHERE connector_id = 'orders'").run();
    expect((await store.countRun('orders', success, undefined)).state.paused).toBeUndefined();
    await store.closeIncident('orders');
    expect((await store.countRun('orders', success, undefined)).state.incident).toBeUndefined();
    other.close();
    await store.close();
  });

  it('keeps incidents, pauses and counters across a restart', async () => {
    const path = nextPath();
    const first = openSqliteAlertStore({ path });
    await first.countRun(
      'orders',
      {
        atMs: 1,
        failure: {
          runId: 'run_1',
          errorCode: 'X',
          message: 'failed',
          at: '2026-01-01T00:00:00.000Z',
        },
      },
      undefined,
    );
    await first.openIncident('orders', { since: '2026-01-01T00:00:00.000Z', reason: 'r' }, true);
    await first.close();
    const second = openSqliteAlertStore({ path });
    expect(await second.get('orders')).toEqual({
      connectorId: 'orders',
      failuresInARow: 1,
      incident: { since: '2026-01-01T00:00:00.000Z', reason: 'r' },
      paused: { since: '2026-01-01T00:00:00.000Z' },
      lastFailure: {
        runId: 'run_1',
        errorCode: 'X',
        message: 'failed',
        at: '2026-01-01T00:00:00.000Z',
      },
    });
    await second.close();
  });

  it('reads a damaged last failure as none, keeping the rest of the row', async () => {
    const path = nextPath();
    const store = openSqliteAlertStore({ path });
    await store.openIncident('orders', { since: 's', reason: 'r' }, false);
    const db = new Database(path);
    db.prepare(
      "UPDATE alert_state SET last_failure = '{not json' WHERE connector_id = 'orders'",
    ).run();
    db.close();
    expect(await store.get('orders')).toMatchObject({
      incident: { since: 's', reason: 'r' },
      lastFailure: undefined,
    });
    await store.close();
  });

  it('drops the kept runs of a connector that no longer has a rate rule', async () => {
    const path = nextPath();
    const store = openSqliteAlertStore({ path });
    await store.countRun('orders', { atMs: 10, failure: undefined }, 0);
    await store.countRun('orders', { atMs: 20, failure: undefined }, undefined);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM alert_runs').get()).toEqual({ n: 0 });
    db.close();
    await store.close();
  });
});
