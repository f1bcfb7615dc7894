import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimedDelivery, DeliveryQueue, NewDelivery } from '../../workflows/delivery-queue';

/** A new delivery for queue tests: a Zendesk feature-request webhook for ticket 4. */
export function delivery(overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    system: 'zendesk',
    workflowId: 'feature_request_to_jira',
    dedupeKey: 'zendesk:feature_request_to_jira:invocation:1',
    target: { type: 'ticket', id: '4' },
    payload: { ticket_id: '4' },
    ...overrides,
  };
}

/**
 * What every DeliveryQueue must do, whatever the database: run by each implementation's test
 * file with a factory that opens an empty queue on the given clock.
 */
export function describeDeliveryQueueContract(
  name: string,
  openEmpty: (now: () => number) => Promise<DeliveryQueue>,
): void {
  const LEASE_MS = 30_000;
  let clock = 0;
  const opened: DeliveryQueue[] = [];

  beforeEach(() => {
    clock = Date.parse('2026-03-01T10:00:00Z');
  });
  afterEach(async () => {
    for (const queue of opened.splice(0)) await queue.close();
  });

  async function open(): Promise<DeliveryQueue> {
    const queue = await openEmpty(() => clock);
    opened.push(queue);
    return queue;
  }

  async function claim(queue: DeliveryQueue): Promise<ClaimedDelivery> {
    const claimed = await queue.claimNext(LEASE_MS);
    if (!claimed) throw new Error('nothing to claim');
    return claimed;
  }

  describe(`${name}: the delivery queue contract`, () => {
    it('answers a second delivery with the same key with the first one', async () => {
      const queue = await open();
      const first = await queue.enqueue(delivery());
      const second = await queue.enqueue(delivery({ payload: { ticket_id: '4', other: 'x' } }));
      expect(first).toMatchObject({ ok: true, duplicate: false });
      expect(second).toMatchObject({ ok: true, duplicate: true });
      if (!first.ok || !second.ok) throw new Error('not enqueued');
      expect(second.delivery.id).toBe(first.delivery.id);
      expect((await queue.countByState()).queued).toBe(1);
    });

    it('treats the same signature as the same delivery, and refuses it for another workflow', async () => {
      const queue = await open();
      const guard = { signature: 'sig-1', expiresAtMs: clock + 60_000 };
      const first = await queue.enqueue(delivery({ replayGuard: guard }));
      const sameWorkflow = await queue.enqueue(
        delivery({ dedupeKey: 'zendesk:feature_request_to_jira:invocation:2', replayGuard: guard }),
      );
      const otherWorkflow = await queue.enqueue(
        delivery({ workflowId: 'handover', dedupeKey: 'zendesk:handover:x', replayGuard: guard }),
      );
      if (!first.ok || !sameWorkflow.ok) throw new Error('not enqueued');
      expect(sameWorkflow).toMatchObject({ duplicate: true, delivery: { id: first.delivery.id } });
      expect(otherWorkflow).toMatchObject({ ok: false, error: { code: 'DELIVERY_REPLAYED' } });
    });

    it('hands a due delivery to one claimer only, and counts the attempt', async () => {
      const queue = await open();
      await queue.enqueue(delivery());
      const [a, b] = await Promise.all([queue.claimNext(LEASE_MS), queue.claimNext(LEASE_MS)]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      expect(a ?? b).toMatchObject({ state: 'running', attempts: 1 });
    });

    it('hands out deliveries in the order they became due', async () => {
      const queue = await open();
      const ids: string[] = [];
      for (const ticket of ['1', '2', '3']) {
        const enqueued = await queue.enqueue(
          delivery({ dedupeKey: `order:${ticket}`, target: { type: 'ticket', id: ticket } }),
        );
        if (!enqueued.ok) throw new Error('not enqueued');
        ids.push(enqueued.delivery.id);
        clock += 1;
      }
      const first = await claim(queue);
      expect(first.id).toBe(ids[0]);
      // The first is retried a little later than the other two became due: it goes last.
      await queue.retryLater(first.id, first.lease.token, { code: 'X', message: 'later' }, clock);
      clock += 1;
      expect([(await claim(queue)).id, (await claim(queue)).id, (await claim(queue)).id]).toEqual([
        ids[1],
        ids[2],
        ids[0],
      ]);
      expect(await queue.claimNext(LEASE_MS)).toBeUndefined();
    });

    it('waits until a retried delivery is due', async () => {
      const queue = await open();
      const enqueued = await queue.enqueue(delivery());
      if (!enqueued.ok) throw new Error('not enqueued');
      const claimed = await claim(queue);
      await queue.retryLater(
        enqueued.delivery.id,
        claimed.lease.token,
        { code: 'X', message: 'later' },
        clock + 5_000,
      );
      expect(await queue.claimNext(LEASE_MS)).toBeUndefined();
      expect(await queue.nextDueAtMs()).toBe(clock + 5_000);
      clock += 5_000;
      expect(await queue.claimNext(LEASE_MS)).toMatchObject({ attempts: 2 });
    });

    it('re-runs a dead delivery with fresh attempts and keeps its finished steps', async () => {
      const queue = await open();
      const enqueued = await queue.enqueue(delivery());
      if (!enqueued.ok) throw new Error('not enqueued');
      const id = enqueued.delivery.id;
      expect(await queue.requeueDead(id)).toBeUndefined();
      const claimed = await claim(queue);
      await queue.recordStep(id, 'read_ticket', 'done', {
        type: 'collect',
        outcome: 'success',
        message: 'Collected.',
      });
      await queue.bury(id, claimed.lease.token, { code: 'HELPDESK_UNAVAILABLE', message: 'down' });
      expect(await queue.get(id)).toMatchObject({
        state: 'dead',
        lastError: { code: 'HELPDESK_UNAVAILABLE' },
      });
      expect(await queue.requeueDead(id)).toMatchObject({ state: 'queued', attempts: 0 });
      expect(await queue.steps(id)).toHaveLength(1);
    });

    it('lists newest first, filtered and paged', async () => {
      const queue = await open();
      for (const n of [1, 2, 3]) {
        clock += 1;
        await queue.enqueue(
          delivery({ dedupeKey: `k${n}`, target: { type: 'ticket', id: String(n) } }),
        );
      }
      const page = await queue.list({ limit: 2 });
      expect(page.deliveries.map((d) => d.target.id)).toEqual(['3', '2']);
      const next = await queue.list({
        limit: 2,
        ...(page.nextBefore ? { before: page.nextBefore } : {}),
      });
      expect(next.deliveries.map((d) => d.target.id)).toEqual(['1']);
      expect(next.nextBefore).toBeUndefined();
      expect((await queue.list({ limit: 10, targetId: '2' })).deliveries).toHaveLength(1);
    });

    it('keeps a claimed delivery from other claimers while its lease holds, and renews it', async () => {
      const queue = await open();
      await queue.enqueue(delivery());
      const first = await claim(queue);
      expect(first.lease.expiresAtMs).toBe(clock + LEASE_MS);
      clock += LEASE_MS - 1;
      expect(await queue.claimNext(LEASE_MS)).toBeUndefined();
      expect(await queue.renewLease(first.id, first.lease.token, LEASE_MS)).toBe(true);
      clock += LEASE_MS - 1;
      expect(await queue.claimNext(LEASE_MS)).toBeUndefined();
      expect(await queue.nextDueAtMs()).toBe(clock + 1);
    });

    it('hands a delivery whose lease ran out to the next claimer, and refuses the old holder', async () => {
      const queue = await open();
      await queue.enqueue(delivery());
      const first = await claim(queue);
      clock += LEASE_MS;
      const second = await claim(queue);
      expect(second).toMatchObject({ id: first.id, state: 'running', attempts: 2 });
      expect(second.lease.token).not.toBe(first.lease.token);
      // The first worker comes back (it was hung): nothing it says about the delivery counts.
      expect(await queue.renewLease(first.id, first.lease.token, LEASE_MS)).toBe(false);
      expect(
        await queue.complete(first.id, first.lease.token, { outcome: 'success', message: 'late' }),
      ).toBeUndefined();
      expect(
        await queue.bury(first.id, first.lease.token, { code: 'X', message: 'late' }),
      ).toBeUndefined();
      expect(
        await queue.complete(second.id, second.lease.token, {
          outcome: 'success',
          message: 'Done.',
        }),
      ).toMatchObject({ state: 'completed', outcome: 'success', message: 'Done.' });
      expect(await queue.claimNext(LEASE_MS)).toBeUndefined();
    });

    it("counts one workflow's deliveries by state and those finished since a time", async () => {
      const queue = await open();
      await queue.enqueue(delivery({ workflowId: 'backfill:a', dedupeKey: 'a:1' }));
      const first = await claim(queue);
      await queue.complete(first.id, first.lease.token, { outcome: 'success', message: 'Done.' });
      await queue.enqueue(delivery({ workflowId: 'backfill:a', dedupeKey: 'a:2' }));
      await queue.enqueue(delivery({ workflowId: 'other', dedupeKey: 'o:1' }));
      expect(await queue.countByState('backfill:a')).toEqual({
        queued: 1,
        running: 0,
        completed: 1,
        dead: 0,
      });
      expect((await queue.countByState()).queued).toBe(2);
      expect(await queue.countFinishedSince('backfill:a', clock)).toBe(1);
      expect(await queue.countFinishedSince('backfill:a', clock + 1)).toBe(0);
    });

    it("holds a workflow's queued deliveries until they are released", async () => {
      const queue = await open();
      await queue.enqueue(delivery({ workflowId: 'backfill:a', dedupeKey: 'a:1' }));
      await queue.enqueue(delivery({ workflowId: 'other', dedupeKey: 'o:1' }));
      expect(await queue.holdWorkflow('backfill:a', true)).toBe(1);
      const other = await claim(queue);
      expect(other.workflowId).toBe('other');
      expect(await queue.claimNext(LEASE_MS)).toBeUndefined();
      expect(await queue.holdWorkflow('backfill:a', false)).toBe(1);
      expect((await claim(queue)).workflowId).toBe('backfill:a');
    });
  });
}
