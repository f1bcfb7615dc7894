import { afterEach, describe, expect, it } from 'vitest';
import type { AlertFailure, AlertStore } from '../../alerts/alert-store';

/**
 * What every AlertStore must do, whatever the database: run by each implementation's test file
 * with a factory that opens an empty store.
 */
export function describeAlertStoreContract(name: string, open: () => Promise<AlertStore>): void {
  const T0 = Date.UTC(2026, 0, 1, 9);
  const MINUTE = 60_000;
  let store: AlertStore | undefined;

  async function openStore(): Promise<AlertStore> {
    store = await open();
    return store;
  }

  const failure = (runId: string, atMs: number): AlertFailure => ({
    runId,
    errorCode: 'UPSTREAM_TIMEOUT',
    message: 'The other system did not answer in time.',
    at: new Date(atMs).toISOString(),
  });
  const incident = { since: new Date(T0).toISOString(), reason: '3 failures in a row' };

  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  describe(`${name}: the alert store contract`, () => {
    it('counts failures in a row, and a healthy run starts them again', async () => {
      const alerts = await openStore();
      await alerts.countRun('orders', { atMs: T0, failure: failure('run_1', T0) }, undefined);
      const second = await alerts.countRun(
        'orders',
        { atMs: T0 + 1, failure: failure('run_2', T0 + 1) },
        undefined,
      );
      expect(second.state).toMatchObject({ connectorId: 'orders', failuresInARow: 2 });
      expect(second.state.lastFailure).toEqual(failure('run_2', T0 + 1));
      expect(second.window).toBeUndefined();
      const healthy = await alerts.countRun(
        'orders',
        { atMs: T0 + 2, failure: undefined },
        undefined,
      );
      expect(healthy.state.failuresInARow).toBe(0);
      // The last failure stays known after a healthy run, for the admin's list.
      expect(healthy.state.lastFailure?.runId).toBe('run_2');
    });

    it('keeps connectors apart', async () => {
      const alerts = await openStore();
      await alerts.countRun('orders', { atMs: T0, failure: failure('run_1', T0) }, undefined);
      const other = await alerts.countRun('issues', { atMs: T0, failure: undefined }, undefined);
      expect(other.state.failuresInARow).toBe(0);
      expect((await alerts.list()).map((state) => state.connectorId)).toEqual(['issues', 'orders']);
    });

    it('counts the runs and failures of a window, forgetting the older ones', async () => {
      const alerts = await openStore();
      const windowStart = (atMs: number) => atMs - 60 * MINUTE;
      for (const [minute, failed] of [
        [0, true],
        [10, false],
        [50, true],
      ] as const) {
        const atMs = T0 + minute * MINUTE;
        await alerts.countRun(
          'orders',
          { atMs, failure: failed ? failure(`run_${minute}`, atMs) : undefined },
          windowStart(atMs),
        );
      }
      const atMs = T0 + 65 * MINUTE;
      const counted = await alerts.countRun(
        'orders',
        { atMs, failure: undefined },
        windowStart(atMs),
      );
      // The failure at minute 0 left the window; 10, 50 and 65 are in it.
      expect(counted.window).toEqual({ runs: 3, failures: 1 });
    });

    it('opens an incident once: a second open while it is open does nothing', async () => {
      const alerts = await openStore();
      expect(await alerts.openIncident('orders', incident, false)).toBe(true);
      expect(await alerts.openIncident('orders', { since: 'later', reason: 'again' }, false)).toBe(
        false,
      );
      expect((await alerts.get('orders'))?.incident).toEqual(incident);
      expect((await alerts.get('orders'))?.paused).toBeUndefined();
    });

    it('closes an open incident once, and can open a new one after', async () => {
      const alerts = await openStore();
      await alerts.openIncident('orders', incident, false);
      expect(await alerts.closeIncident('orders')).toEqual(incident);
      expect(await alerts.closeIncident('orders')).toBeUndefined();
      expect((await alerts.get('orders'))?.incident).toBeUndefined();
      expect(await alerts.openIncident('orders', incident, false)).toBe(true);
    });

    it('pauses with the incident when asked, and the pause outlives the incident until resumed', async () => {
      const alerts = await openStore();
      await alerts.openIncident('orders', incident, true);
      expect((await alerts.get('orders'))?.paused).toEqual({ since: incident.since });
      await alerts.closeIncident('orders');
      expect((await alerts.get('orders'))?.paused).toEqual({ since: incident.since });
      expect(await alerts.resume('orders')).toBe(true);
      expect(await alerts.resume('orders')).toBe(false);
      expect((await alerts.get('orders'))?.paused).toBeUndefined();
    });

    it('resumes without closing the incident: only a healthy run does that', async () => {
      const alerts = await openStore();
      await alerts.openIncident('orders', incident, true);
      await alerts.resume('orders');
      expect((await alerts.get('orders'))?.incident).toEqual(incident);
    });

    it('knows nothing of a connector it never saw', async () => {
      const alerts = await openStore();
      expect(await alerts.get('unknown')).toBeUndefined();
      expect(await alerts.resume('unknown')).toBe(false);
      expect(await alerts.closeIncident('unknown')).toBeUndefined();
      expect(await alerts.list()).toEqual([]);
    });
  });
}
