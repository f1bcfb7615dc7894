import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  delivery,
  describeDeliveryQueueContract,
} from '../storage/contracts/delivery-queue-contract';
import { createPostgresPool } from '../storage/postgres/connect-postgres';
import { createTestSchema } from '../test-support/postgres-test-schema';
import type { TestSchema } from '../test-support/postgres-test-schema';
import type { DeliveryQueue } from './delivery-queue';
import { createPostgresDeliveryQueue } from './postgres-delivery-queue';

const schemas: TestSchema[] = [];
afterAll(async () => {
  for (const schema of schemas.splice(0)) await schema.drop();
});

// A schema per queue the contract opens: each test starts empty.
describeDeliveryQueueContract('PostgreSQL', async (now) => {
  const schema = await createTestSchema('dq');
  schemas.push(schema);
  return createPostgresDeliveryQueue({ pool: schema.pool, now });
});

describe('the PostgreSQL delivery queue shared by instances', () => {
  const opened: { queues: DeliveryQueue[]; schema: TestSchema }[] = [];
  afterEach(async () => {
    for (const { queues, schema } of opened.splice(0)) {
      for (const queue of queues) await queue.close();
      await schema.drop();
    }
  });

  /** Two queues on one schema, each with its own pool, as two instances have. */
  async function openTwo(now: () => number = Date.now) {
    const schema = await createTestSchema('dq');
    const other = createPostgresPool({ url: schema.url, schema: schema.schema, max: 4 });
    const a = createPostgresDeliveryQueue({ pool: schema.pool, now });
    const b = createPostgresDeliveryQueue({ pool: other, now, ownsPool: true });
    opened.push({ queues: [a, b], schema });
    return { a, b };
  }

  it('hands each of 500 deliveries to one of 2×4 concurrent claimers exactly once', async () => {
    const { a, b } = await openTwo();
    for (let i = 0; i < 500; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          (j % 2 ? a : b).enqueue(delivery({ dedupeKey: `k${i + j}` })),
        ),
      );
    }
    const claimedBy = new Map<string, number>();
    const claimer = async (queue: DeliveryQueue) => {
      for (;;) {
        const claimed = await queue.claimNext(60_000);
        if (!claimed) return;
        claimedBy.set(claimed.id, (claimedBy.get(claimed.id) ?? 0) + 1);
        expect(
          await queue.complete(claimed.id, claimed.lease.token, {
            outcome: 'success',
            message: 'ok',
          }),
        ).toBeDefined();
      }
    };
    await Promise.all([a, a, a, a, b, b, b, b].map(claimer));
    expect(claimedBy.size).toBe(500);
    expect([...claimedBy.values()].every((n) => n === 1)).toBe(true);
    expect(await a.countByState()).toEqual({ queued: 0, running: 0, completed: 500, dead: 0 });
  });

  it('hands a delivery whose lease ran out to the other instance and refuses the stale holder', async () => {
    let clock = Date.parse('2026-03-01T10:00:00Z');
    const { a, b } = await openTwo(() => clock);
    await a.enqueue(delivery());
    const first = await a.claimNext(5_000);
    if (!first) throw new Error('nothing claimed');
    expect(await b.claimNext(5_000)).toBeUndefined();
    clock += 5_000;
    const second = await b.claimNext(5_000);
    expect(second).toMatchObject({ id: first.id, attempts: 2 });
    if (!second) throw new Error('nothing claimed');
    expect(await a.renewLease(first.id, first.lease.token, 5_000)).toBe(false);
    expect(
      await a.complete(first.id, first.lease.token, { outcome: 'success', message: 'x' }),
    ).toBeUndefined();
    expect(
      await a.retryLater(first.id, first.lease.token, { code: 'E', message: 'e' }, clock),
    ).toBeUndefined();
    expect(await a.bury(first.id, first.lease.token, { code: 'E', message: 'e' })).toBeUndefined();
    expect(
      await b.complete(second.id, second.lease.token, { outcome: 'success', message: 'ok' }),
    ).toMatchObject({ state: 'completed' });
  });

  it('takes a delivery enqueued twice at once on two instances once', async () => {
    const { a, b } = await openTwo();
    const [x, y] = await Promise.all([a.enqueue(delivery()), b.enqueue(delivery())]);
    if (!x.ok || !y.ok) throw new Error('not enqueued');
    expect(x.delivery.id).toBe(y.delivery.id);
    expect([x.duplicate, y.duplicate].sort()).toEqual([false, true]);
  });
});
