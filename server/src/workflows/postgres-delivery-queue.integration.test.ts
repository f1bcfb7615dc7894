import { afterEach, describe, expect, it } from 'vitest';
import {
  delivery,
  describeDeliveryQueueContract,
} from '../storage/contracts/delivery-queue-contract';
import { createTestSchema } from '../test-support/postgres-test-schema';
import type { TestSchema } from '../test-support/postgres-test-schema';
import { openOnTestSchema } from '../test-support/open-on-test-schema';
import { openPostgresDeliveryQueue } from './postgres-delivery-queue';
import type { DeliveryQueue } from './delivery-queue';

describeDeliveryQueueContract('PostgreSQL', (now) =>
  openOnTestSchema(({ pool }) => openPostgresDeliveryQueue({ pool, now }), 'queue'),
);

let shared: TestSchema | undefined;
afterEach(async () => {
  await shared?.drop();
  shared = undefined;
});

/** Two instances' queues on one schema, on one clock the test moves. */
async function twoInstances(): Promise<{
  a: DeliveryQueue;
  b: DeliveryQueue;
  clock: { at: number };
}> {
  shared = await createTestSchema('queue');
  const clock = { at: Date.parse('2026-03-01T10:00:00Z') };
  const now = () => clock.at;
  return {
    a: openPostgresDeliveryQueue({ pool: shared.pool, now }),
    b: openPostgresDeliveryQueue({ pool: shared.pool, now }),
    clock,
  };
}

describe('the PostgreSQL delivery queue across instances', () => {
  it('hands each of 300 deliveries to exactly one of 2×4 concurrent claimers', async () => {
    const { a, b } = await twoInstances();
    for (let index = 0; index < 300; index += 1) {
      await (index % 2 ? a : b).enqueue(
        delivery({ dedupeKey: `flood:${index}`, target: { type: 'ticket', id: String(index) } }),
      );
    }
    const claimedBy = new Map<string, number>();
    const claimer = async (queue: DeliveryQueue, id: number) => {
      for (;;) {
        const claimed = await queue.claimNext(60_000);
        if (!claimed) return;
        expect(claimedBy.has(claimed.id)).toBe(false);
        claimedBy.set(claimed.id, id);
        await queue.complete(claimed.id, claimed.lease.token, {
          outcome: 'success',
          message: 'ok',
        });
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, index) => claimer(index < 4 ? a : b, index)));
    expect(claimedBy.size).toBe(300);
    // Both instances did part of the work.
    const byA = [...claimedBy.values()].filter((claimer) => claimer < 4).length;
    expect(byA).toBeGreaterThan(0);
    expect(byA).toBeLessThan(300);
    expect(await a.countByState()).toEqual({ queued: 0, running: 0, completed: 300, dead: 0 });
  });

  it('lets one instance take over a delivery whose holder died, and refuses the dead holder’s writes', async () => {
    const { a, b, clock } = await twoInstances();
    await a.enqueue(delivery());
    const first = await a.claimNext(30_000);
    if (!first) throw new Error('nothing claimed');
    await a.recordStep(first.id, 'create_issue', 'done', { outcome: 'success' } as never);
    // Instance a is killed: nothing renews the lease. Before it runs out, b finds nothing.
    clock.at += 29_000;
    expect(await b.claimNext(30_000)).toBeUndefined();
    clock.at += 1_000;
    const taken = await b.claimNext(30_000);
    expect(taken).toMatchObject({ id: first.id, attempts: 2 });
    // The step a finished stays finished for b.
    expect((await b.steps(first.id)).map((step) => [step.stepId, step.state])).toEqual([
      ['create_issue', 'done'],
    ]);
    // a's old lease can neither renew nor finish the delivery now.
    expect(await a.renewLease(first.id, first.lease.token, 30_000)).toBe(false);
    expect(
      await a.complete(first.id, first.lease.token, { outcome: 'failed', message: 'late' }),
    ).toBeUndefined();
    expect(
      await b.complete(first.id, taken!.lease.token, { outcome: 'success', message: 'done' }),
    ).toMatchObject({ state: 'completed', outcome: 'success', message: 'done' });
  });

  it('keeps one delivery when two instances receive the same one at once', async () => {
    const { a, b } = await twoInstances();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const input = delivery({ dedupeKey: `same:${attempt}` });
      const [one, other] = await Promise.all([a.enqueue(input), b.enqueue(input)]);
      if (!one.ok || !other.ok) throw new Error('refused');
      expect(one.delivery.id).toBe(other.delivery.id);
      expect([one.duplicate, other.duplicate].sort()).toEqual([false, true]);
    }
    expect((await a.countByState()).queued).toBe(10);
  });
});
