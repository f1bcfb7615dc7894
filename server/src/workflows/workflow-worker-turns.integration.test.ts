import { describe, expect, it } from 'vitest';
import type { Logger } from '../logging/logger';
import type { RunDeps } from '../runs/run-connector';
import { delivery } from '../storage/contracts/delivery-queue-contract';
import { openSqliteDeliveryQueue } from './sqlite-delivery-queue';
import { createWorkflowWorker } from './workflow-worker';

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quiet,
};

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
    const worker = createWorkflowWorker({
      queue: counted,
      // No configuration: each attempt ends without a call out, which is all this test needs.
      config: () => undefined,
      run: { helpdesks: new Map() } as unknown as RunDeps,
      logger: quiet,
      concurrency: 12,
    });
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
