/**
 * Gathers background writes into batches: one helpdesk call for many tickets or records, where
 * one call each would spend the helpdesk's per-minute limits a hundred times faster.
 *
 * - A batch leaves when it is full or when its first write has waited `lingerMs`, so a lone
 *   delivery pays at most that much for the batching.
 * - Writes to the same key (ticket) are coalesced into one write when `merge` allows: both
 *   callers get that write's outcome. A write that cannot merge (two internal notes) waits for
 *   the next batch, so one batch never holds two writes to one ticket.
 * - At most `maxInFlight` batches run at once (Zendesk queues at most 30 jobs per account).
 * - A finished batch releases its writers a few at a time, a turn of the event loop apart. Each
 *   writer goes on to finish its run (run record, delivery state) before it next waits, so a
 *   hundred released at once held the loop for a quarter of a second in the burst benchmark,
 *   and an agent's sidebar run arriving then waited as long (docs/performance.md, "Bursts and
 *   backfills", agents during the burst).
 */
export interface WriteBatcherOptions<Item, Outcome> {
  maxBatch: number;
  lingerMs: number;
  maxInFlight: number;
  keyOf(item: Item): string;
  /** One write doing both, or undefined when they cannot share one. */
  merge(earlier: Item, later: Item): Item | undefined;
  /** Writes a batch and says what became of each item, in order. Never rejects. */
  flush(items: readonly Item[]): Promise<Outcome[]>;
  /** Writers released per event-loop turn when a batch finishes (default 4). */
  releasePerTurn?: number;
}

export interface WriteBatcher<Item, Outcome> {
  submit(item: Item): Promise<Outcome>;
  /** Writes waiting for a batch, and batches running (for /health and tests). */
  readonly pending: number;
  readonly inFlight: number;
}

interface Entry<Item, Outcome> {
  key: string;
  item: Item;
  waiters: ((outcome: Outcome) => void)[];
}

/** The next turn of the event loop, after the I/O that is ready now. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createWriteBatcher<Item, Outcome>(
  options: WriteBatcherOptions<Item, Outcome>,
): WriteBatcher<Item, Outcome> {
  const releasePerTurn = options.releasePerTurn ?? 4;
  /** The batch being gathered: at most one entry per key. */
  let gathering = new Map<string, Entry<Item, Outcome>>();
  /** Writes that could not join the batch being gathered (same key, no merge), oldest first. */
  const later: Entry<Item, Outcome>[] = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;

  function add(entry: Entry<Item, Outcome>): boolean {
    const existing = gathering.get(entry.key);
    if (!existing) {
      if (gathering.size >= options.maxBatch) return false;
      gathering.set(entry.key, entry);
      return true;
    }
    const merged = options.merge(existing.item, entry.item);
    if (merged === undefined) return false;
    existing.item = merged;
    existing.waiters.push(...entry.waiters);
    return true;
  }

  function schedule(): void {
    if (gathering.size >= options.maxBatch) {
      send();
      return;
    }
    if (gathering.size > 0 && !timer) {
      timer = setTimeout(() => {
        timer = undefined;
        send();
      }, options.lingerMs);
      timer.unref();
    }
  }

  function send(): void {
    if (gathering.size === 0 || inFlight >= options.maxInFlight) return;
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const batch = [...gathering.values()];
    gathering = new Map();
    // Writes held back for an earlier one on their ticket may now join the next batch.
    const waiting = later.splice(0);
    for (const entry of waiting) if (!add(entry)) later.push(entry);
    inFlight += 1;
    const flown = options.flush(batch.map((entry) => entry.item)).finally(() => {
      // The helpdesk is done with this batch: its slot frees before its writers are released.
      inFlight -= 1;
      schedule();
      if (gathering.size > 0 && inFlight < options.maxInFlight && !timer) send();
    });
    void flown.then(async (outcomes) => {
      for (const [index, entry] of batch.entries()) {
        const outcome = outcomes[index];
        if (outcome === undefined) throw new Error('write batcher: flush lost an outcome');
        if (index > 0 && index % releasePerTurn === 0) await nextTurn();
        for (const resolve of entry.waiters) resolve(outcome);
      }
    });
    schedule();
  }

  return {
    submit(item) {
      return new Promise<Outcome>((resolve) => {
        const entry: Entry<Item, Outcome> = { key: options.keyOf(item), item, waiters: [resolve] };
        if (!add(entry)) later.push(entry);
        schedule();
      });
    },
    get pending() {
      return gathering.size + later.length;
    },
    get inFlight() {
      return inFlight;
    },
  };
}
