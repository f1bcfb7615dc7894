import type { RateBudget } from './rate-budget';

/**
 * Whether an automation write should wait for a bulk call or go alone. A bulk call saves the
 * helpdesk's limits but costs the write a few hundred milliseconds (the batch window, and for
 * Zendesk the job poll), which buys nothing when only a few writes are going on and the limit
 * is far away. So a write joins a batch when enough others are in flight to share it, or when the
 * limit its single call would spend is more than half used.
 */
export interface BatchChooser {
  /** Call when a write starts; `leave` when it is done. */
  enter(): { batch: boolean; leave(): void };
}

export function createBatchChooser(options: {
  budget: RateBudget | undefined;
  /** The limit a single write spends (Zendesk's Update Ticket, Salesforce's daily calls). */
  bucket: string;
  /** Writes in flight, this one included, from which a batch is worth it (default 4). */
  minConcurrent?: number;
}): BatchChooser {
  const minConcurrent = options.minConcurrent ?? 4;
  let inFlight = 0;
  return {
    enter() {
      inFlight += 1;
      const left = options.budget?.snapshot().buckets[options.bucket];
      const tight =
        left?.limit !== undefined &&
        left.remaining !== undefined &&
        left.remaining < left.limit / 2;
      let done = false;
      return {
        batch: inFlight >= minConcurrent || tight,
        leave() {
          if (done) return;
          done = true;
          inFlight -= 1;
        },
      };
    },
  };
}
