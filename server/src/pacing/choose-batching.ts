import type { RateBudget } from './rate-budget';

/**
 * Whether an automation write should wait for a bulk call or go alone. A bulk call saves the
 * helpdesk's limits but costs the write a few hundred milliseconds (the batch window, and for
 * Zendesk the job poll), which buys nothing when only a few writes are going on and the limit
 * is far away. So a write joins a batch when enough others are in flight to share it, when the
 * limit its single call would spend is more than half used, or when the pacing would hold a
 * single call back anyway: under a per-minute limit (Zendesk's Update Ticket, 100 a minute) one
 * single write at a time, since a second one would wait its 0.6 s turn behind the first.
 */
export interface BatchChooser {
  /** Call when a write starts; `leave` when it is done. */
  enter(): { batch: boolean; leave(): void };
  /** Writes in flight. */
  readonly inFlight: number;
}

export function createBatchChooser(options: {
  budget: RateBudget | undefined;
  /** The limit a single write spends (Zendesk's Update Ticket, Salesforce's daily calls). */
  bucket: string;
  /** Writes in flight, this one included, from which a batch is worth it (default 16: a burst). */
  minConcurrent?: number;
}): BatchChooser {
  const minConcurrent = options.minConcurrent ?? 16;
  const { budget, bucket } = options;
  let inFlight = 0;
  let singles = 0;
  return {
    get inFlight() {
      return inFlight;
    },
    enter() {
      inFlight += 1;
      const left = budget?.bucket(bucket);
      const halfUsed =
        left?.limit !== undefined &&
        left.remaining !== undefined &&
        left.remaining < left.limit / 2;
      const singleWouldWait =
        budget !== undefined &&
        (budget.waitOf([bucket]) > 0 || (singles > 0 && budget.spreads(bucket)));
      const batch = inFlight >= minConcurrent || halfUsed || singleWouldWait;
      if (!batch) singles += 1;
      let done = false;
      return {
        batch,
        leave() {
          if (done) return;
          done = true;
          inFlight -= 1;
          if (!batch) singles -= 1;
        },
      };
    },
  };
}
