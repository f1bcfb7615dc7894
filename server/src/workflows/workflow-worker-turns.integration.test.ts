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
    let claims = 0;
    const counted = {
      ...queue,
      claimNext: (leaseMs: number) => ((claims += 1), queue.claimNext(leaseMs)),
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
