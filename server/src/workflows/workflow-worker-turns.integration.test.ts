import { describe, expect, it } from 'vitest';
import type { Logger } from '../logging/logger';
import type { RunDeps } from '../runs/run-connector';
import { delivery } from '../storage/contracts/delivery-queue-contract';
import type { DeliveryQueue } from './delivery-queue';
import { openSqliteDeliveryQueue } from './sqlite-delivery-queue';
import { createWorkflowWorker } from './workflow-worker';

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quiet,
};

/**
 * A worker without configuration: each attempt puts its delivery back for later (a write to the
 * queue) without calling out, which is all these tests need.
 */
function createUnconfiguredWorker(queue: DeliveryQueue, concurrency: number) {
  return createWorkflowWorker({
    queue,
    config: () => undefined,
    run: { helpdesks: new Map() } as unknown as RunDeps,
    logger: quiet,
    concurrency,
  });
}

describe('the workflow worker with many free slots', () => {
  it('starts a few attempts per turn of the event loop, so other I/O is not held up', async () => {
    const opened = openSqliteDeliveryQueue({ path: ':memory:' });
    if (!opened.ok) throw new Error(opened.error.message);
    const queue = opened.value;
    for (let index = 0; index < 12; index += 1) {
      await queue.enqueue(delivery({ dedupeKey: `turns:${index}` }));
    }
    // Claimed ahead and handed out without a commit in between: the SQLite queue's own claims
    // wait for its group commit (a turn each), the worker's yield is for queues that answer
    // sooner, and this test is about the worker.
    const claimed: Awaited<ReturnType<typeof queue.claimNext>>[] = [];
    for (let index = 0; index < 12; index += 1) claimed.push(await queue.claimNext(60_000));
    let claims = 0;
    const counted = {
      ...queue,
      claimNext: async () => ((claims += 1), claimed.shift()),
    };
    const worker = createUnconfiguredWorker(counted, 12);
    // Stands for an agent's request that is ready when the worker starts filling its slots.
    const claimsBeforeOtherIo = new Promise<number>((resolve) =>
      setImmediate(() => resolve(claims)),
    );
    await worker.start();
    expect(await claimsBeforeOtherIo).toBe(4);
    await worker.stop();
    await queue.close();
  });
});

describe('stopping the workflow worker', () => {
  it('waits for an attempt whose claim was answered after the stop began', async () => {
    const opened = openSqliteDeliveryQueue({ path: ':memory:' });
    if (!opened.ok) throw new Error(opened.error.message);
    const queue = opened.value;
    const enqueued = await queue.enqueue(delivery({ dedupeKey: 'stop:1' }));
    if (!enqueued.ok) throw new Error(enqueued.error.message);
    // The claim is held until the stop has begun, as a claim waiting for its commit is.
    let answerClaim: () => void = () => undefined;
    const claimAnswered = new Promise<void>((resolve) => (answerClaim = resolve));
    const slow = {
      ...queue,
      claimNext: async (leaseMs: number) => {
        await claimAnswered;
        return queue.claimNext(leaseMs);
      },
    };
    const worker = createUnconfiguredWorker(slow, 1);
    await worker.start();
    const stopped = worker.stop();
    answerClaim();
    await stopped;
    // Settled before the stop answered: queued again with its attempt counted, not left leased
    // (and run a second time once the lease ran out after a restart).
    expect(await queue.get(enqueued.delivery.id)).toMatchObject({
      state: 'queued',
      attempts: 1,
      lastError: { code: 'CONFIG_UNAVAILABLE' },
    });
    await queue.close();
  });
});
