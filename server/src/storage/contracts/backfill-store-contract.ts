import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackfillId } from '../../backfills/backfill-store';
import type { Backfill, BackfillStore } from '../../backfills/backfill-store';

/**
 * What every BackfillStore must do, whatever the database: run by each implementation's test
 * file with a factory that opens an empty store.
 */
export function describeBackfillStoreContract(
  name: string,
  open: () => Promise<BackfillStore>,
): void {
  let store: BackfillStore | undefined;
  const openStore = async () => (store = await open());
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const backfill = (ms: number, overrides: Partial<Backfill> = {}): Backfill => ({
    id: createBackfillId(ms),
    connectorId: 'shopify_order_lookup',
    system: 'zendesk',
    query: { kind: 'search', text: 'tags:order status<solved', targetType: 'ticket' },
    state: 'running',
    cursor: undefined,
    enumerated: false,
    total: 300,
    createdAt: new Date(ms).toISOString(),
    updatedAt: new Date(ms).toISOString(),
    finishedAt: undefined,
    error: undefined,
    ...overrides,
  });

  describe(`${name}: the backfill store contract`, () => {
    it('keeps a backfill as it was created', async () => {
      const backfills = await openStore();
      const created = backfill(Date.parse('2026-12-01T09:00:00Z'));
      await backfills.create(created);
      expect(await backfills.get(created.id)).toEqual(created);
      expect(await backfills.get(createBackfillId())).toBeUndefined();
    });

    it('saves where the enumeration got to', async () => {
      const backfills = await openStore();
      const created = backfill(Date.parse('2026-12-01T09:00:00Z'));
      await backfills.create(created);
      expect(await backfills.claimReader(created.id, 'reader-a', 60_000)).toBe(true);
      expect(
        await backfills.savePage(
          created.id,
          'reader-a',
          'cursor-2',
          false,
          '2026-12-01T09:01:00.000Z',
        ),
      ).toBe(true);
      expect(await backfills.get(created.id)).toMatchObject({
        cursor: 'cursor-2',
        enumerated: false,
        updatedAt: '2026-12-01T09:01:00.000Z',
      });
      await backfills.savePage(created.id, 'reader-a', undefined, true, '2026-12-01T09:02:00.000Z');
      expect(await backfills.get(created.id)).toMatchObject({
        cursor: undefined,
        enumerated: true,
      });
    });

    it('lets one reader at a time save pages, until its lease runs out or it gives up', async () => {
      const backfills = await openStore();
      const created = backfill(Date.parse('2026-12-01T09:00:00Z'));
      await backfills.create(created);
      const at = '2026-12-01T09:01:00.000Z';
      // Leases run on the store's clock (the database's, with several instances), so this test
      // waits in real time: a first lease of 500 ms, renewed for 1,000 ms after 300 ms.
      // Nobody reads it yet: a page is not saved without the reading.
      expect(await backfills.savePage(created.id, 'reader-a', 'c1', false, at)).toBe(false);
      expect(await backfills.claimReader(created.id, 'reader-a', 500)).toBe(true);
      // Another instance, while A's lease runs: refused, and its page is not saved.
      expect(await backfills.claimReader(created.id, 'reader-b', 60_000)).toBe(false);
      expect(await backfills.savePage(created.id, 'reader-b', 'c2', false, at)).toBe(false);
      // A renews its own; past the first lease's end, B is still refused.
      await delay(300);
      expect(await backfills.claimReader(created.id, 'reader-a', 1_000)).toBe(true);
      await delay(300);
      expect(await backfills.claimReader(created.id, 'reader-b', 60_000)).toBe(false);
      // A's lease ran out: B takes over, and A can no longer save.
      await delay(1_100);
      expect(await backfills.claimReader(created.id, 'reader-b', 60_000)).toBe(true);
      expect(await backfills.savePage(created.id, 'reader-a', 'c3', false, at)).toBe(false);
      expect(await backfills.savePage(created.id, 'reader-b', 'c4', false, at)).toBe(true);
      expect(await backfills.get(created.id)).toMatchObject({ cursor: 'c4' });
      // B gives it up (paused, or shutting down): A takes it at once. A's release of what it
      // does not hold changes nothing.
      await backfills.releaseReader(created.id, 'reader-a');
      expect(await backfills.claimReader(created.id, 'reader-a', 60_000)).toBe(false);
      await backfills.releaseReader(created.id, 'reader-b');
      expect(await backfills.claimReader(created.id, 'reader-a', 60_000)).toBe(true);
    });

    it('changes state only from the states it is asked to change from', async () => {
      const backfills = await openStore();
      const created = backfill(Date.parse('2026-12-01T09:00:00Z'));
      await backfills.create(created);
      const at = '2026-12-01T09:05:00.000Z';
      expect(await backfills.setState(created.id, ['paused'], 'running', at)).toBeUndefined();
      expect(await backfills.setState(created.id, ['running'], 'paused', at)).toMatchObject({
        state: 'paused',
        finishedAt: undefined,
      });
      expect(await backfills.setState(created.id, ['running', 'paused'], 'done', at)).toMatchObject(
        { state: 'done', finishedAt: at },
      );
    });

    it('keeps why it failed while it is stopped, and forgets it once it runs again', async () => {
      const backfills = await openStore();
      const created = backfill(Date.parse('2026-12-01T09:00:00Z'));
      await backfills.create(created);
      const reason =
        "The Salesforce helpdesk refused the backfill's query: No such column 'Tier__c'";
      const failedAt = '2026-12-01T09:05:00.000Z';
      expect(
        await backfills.setState(created.id, ['running'], 'failed', failedAt, reason),
      ).toMatchObject({ state: 'failed', finishedAt: failedAt, error: reason });
      expect(
        await backfills.setState(created.id, ['failed'], 'paused', '2026-12-01T09:06:00.000Z'),
      ).toMatchObject({ state: 'paused', finishedAt: undefined, error: reason });
      expect(await backfills.get(created.id)).toMatchObject({ error: reason });
      expect(
        await backfills.setState(created.id, ['paused'], 'running', '2026-12-01T09:07:00.000Z'),
      ).toMatchObject({ state: 'running', error: undefined });
      expect(await backfills.get(created.id)).toMatchObject({ state: 'running', error: undefined });
    });

    it('lists newest first, and by state oldest first', async () => {
      const backfills = await openStore();
      const first = backfill(Date.parse('2026-12-01T09:00:00Z'));
      const second = backfill(Date.parse('2026-12-01T10:00:00Z'), { state: 'paused' });
      const third = backfill(Date.parse('2026-12-01T11:00:00Z'));
      for (const each of [first, second, third]) await backfills.create(each);
      expect((await backfills.list(2)).map((each) => each.id)).toEqual([third.id, second.id]);
      expect((await backfills.listInState('running')).map((each) => each.id)).toEqual([
        first.id,
        third.id,
      ]);
    });
  });
}
