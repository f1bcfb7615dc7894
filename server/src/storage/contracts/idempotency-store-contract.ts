import { afterEach, describe, expect, it } from 'vitest';
import type { IdempotencyStore } from '../../runs/idempotency-store';

/**
 * What every IdempotencyStore must do, whatever the database: run by each implementation's test
 * file with a factory that opens an empty store on the given clock.
 */
export function describeIdempotencyStoreContract(
  name: string,
  open: (now: () => number) => Promise<IdempotencyStore>,
): void {
  const HOUR = 60 * 60 * 1000;
  let clock = 0;
  let store: IdempotencyStore | undefined;

  async function openStore(): Promise<IdempotencyStore> {
    clock = Date.UTC(2026, 0, 1);
    store = await open(() => clock);
    return store;
  }

  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  describe(`${name}: the idempotency store contract`, () => {
    it('starts a new key, then reports it in progress until it completes', async () => {
      const keys = await openStore();
      expect(await keys.begin('agent:1', 'k1', 'fp')).toEqual({ state: 'new' });
      expect(await keys.begin('agent:1', 'k1', 'fp')).toEqual({ state: 'in_progress' });
      await keys.complete('agent:1', 'k1', { runId: 'r1', outcome: 'success' });
      expect(await keys.begin('agent:1', 'k1', 'fp')).toEqual({
        state: 'done',
        result: { runId: 'r1', outcome: 'success' },
      });
    });

    it('refuses the same key with a different request', async () => {
      const keys = await openStore();
      await keys.begin('agent:1', 'k1', 'fp-a');
      expect(await keys.begin('agent:1', 'k1', 'fp-b')).toEqual({ state: 'mismatch' });
    });

    it('scopes keys to the caller', async () => {
      const keys = await openStore();
      await keys.begin('agent:1', 'k1', 'fp');
      expect(await keys.begin('agent:2', 'k1', 'other')).toEqual({ state: 'new' });
    });

    it('lets a refused request be retried after it is abandoned', async () => {
      const keys = await openStore();
      await keys.begin('agent:1', 'k1', 'fp');
      await keys.abandon('agent:1', 'k1');
      expect(await keys.begin('agent:1', 'k1', 'fp-new')).toEqual({ state: 'new' });
    });

    it('reports a sent request in progress while it runs, and never frees it', async () => {
      const keys = await openStore();
      await keys.begin('admin', 'k-sent-0001', 'fp');
      await keys.markSent('admin', 'k-sent-0001', 'run_a');
      expect(await keys.begin('admin', 'k-sent-0001', 'fp')).toEqual({ state: 'in_progress' });
      await keys.abandon('admin', 'k-sent-0001');
      expect(await keys.begin('admin', 'k-sent-0001', 'fp')).toEqual({ state: 'in_progress' });
    });

    it('treats a request stuck in progress for minutes as dead', async () => {
      const keys = await openStore();
      await keys.begin('agent:1', 'k1', 'fp');
      clock += 4 * 60 * 1000;
      expect(await keys.begin('agent:1', 'k1', 'fp')).toEqual({ state: 'in_progress' });
      clock += 2 * 60 * 1000;
      expect(await keys.begin('agent:1', 'k1', 'fp')).toEqual({ state: 'new' });
    });

    it('never re-runs a request that sent and then hung past every timeout', async () => {
      const keys = await openStore();
      await keys.begin('agent:1', 'k2', 'fp');
      await keys.markSent('agent:1', 'k2', 'run_hung');
      clock += 6 * 60 * 1000;
      expect(await keys.begin('agent:1', 'k2', 'fp')).toEqual({
        state: 'unknown',
        runId: 'run_hung',
      });
    });

    it('forgets a completed key after 24 hours', async () => {
      const keys = await openStore();
      await keys.begin('agent:1', 'k1', 'fp');
      await keys.complete('agent:1', 'k1', { runId: 'r1' });
      clock += 23 * HOUR;
      expect(await keys.begin('agent:1', 'k1', 'fp')).toMatchObject({ state: 'done' });
      clock += 2 * HOUR;
      expect(await keys.begin('agent:1', 'k1', 'other')).toEqual({ state: 'new' });
    });

    it('replays a completed result with nothing in it', async () => {
      const keys = await openStore();
      await keys.begin('agent:1', 'k1', 'fp');
      await keys.complete('agent:1', 'k1', undefined);
      expect(await keys.begin('agent:1', 'k1', 'fp')).toEqual({ state: 'done', result: null });
    });
  });
}
