import { getHeapStatistics } from 'node:v8';

/**
 * Worst-case JavaScript heap per byte of a body, measured on Node 20 (`JSON.parse` then a forced
 * GC): ordinary API JSON takes 1.2-5 times its size, but `[{},{},...]` takes 21 times and
 * `[[[]],...]` 19, and the decoded text adds up to 2 more (two bytes per character once one
 * character is outside Latin-1). Upstreams are trusted to be reachable, not to be well-behaved.
 */
const JSON_HEAP_FACTOR = 24;
const TEXT_HEAP_FACTOR = 2;
/** Below this the check is skipped: 256 KiB × 24 is 6 MiB, less than V8 keeps in reserve anyway. */
const HEAP_CHECK_FROM_BYTES = 256 * 1024;

/** `1.5 MiB`: byte counts in the messages about response sizes. */
export function formatMiB(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

/**
 * The largest JSON body the heap could take in the worst case right now (at boot: the heap is
 * nearly empty, so under load the real limit is a little lower). For config warnings.
 */
export function estimateMaxJsonBodyBytes(
  heapAvailable: () => number = () => getHeapStatistics().total_available_size,
): number {
  return Math.max(HEAP_CHECK_FROM_BYTES, Math.floor(heapAvailable() / JSON_HEAP_FACTOR));
}

/**
 * One budget, across all runs, for the bytes of upstream response bodies that are being received.
 *
 * Each response is already capped by its connection's `maxResponseBytes`, but the caps add up:
 * connections × `maxConcurrency` × `maxResponseBytes` can reach gigabytes (one connection may allow
 * 1,000 runs at once of 50 MiB each). The budget bounds the sum, so memory stays bounded whatever
 * the config says. A response whose next chunk does not fit fails its run at once with
 * `UPSTREAM_RESPONSE_BUDGET_EXCEEDED` (the connector's fail path, recorded like any failure)
 * instead of pausing: paused half-read bodies would hold the budget they wait for.
 *
 * Received bytes are Buffers, outside V8's heap; decoding and parsing a body is what uses the heap,
 * one body at a time (it is synchronous). `fitsInHeap` refuses a body whose worst case does not fit
 * in what the heap has left, so a heap limit (`npm start` sets 256 MiB) cannot be hit by a big
 * answer: the run fails with the same code instead of the process dying.
 */
export interface ResponseBufferBudget {
  /** Takes `bytes` from the budget; false, with nothing taken, when they do not fit. */
  take(bytes: number): boolean;
  /** Returns bytes taken earlier. */
  give(bytes: number): void;
  /** Whether decoding (and, for JSON, parsing) a body of `bytes` is sure to fit in the heap. */
  fitsInHeap(bytes: number, json: boolean): boolean;
  /** Bytes currently taken. */
  readonly used: number;
  readonly limit: number;
}

export function createResponseBufferBudget(
  limitBytes: number,
  options: { heapAvailable?: () => number } = {},
): ResponseBufferBudget {
  const heapAvailable = options.heapAvailable ?? (() => getHeapStatistics().total_available_size);
  if (!Number.isSafeInteger(limitBytes) || limitBytes < 1) {
    throw new RangeError(`limitBytes must be a positive integer, got ${limitBytes}`);
  }
  let used = 0;
  return {
    take(bytes) {
      if (used + bytes > limitBytes) return false;
      used += bytes;
      return true;
    },
    give(bytes) {
      used -= bytes;
      if (used < 0) throw new Error(`response buffer budget: gave back ${-used} bytes too many`);
    },
    fitsInHeap(bytes, json) {
      if (bytes < HEAP_CHECK_FROM_BYTES) return true;
      return bytes * (json ? JSON_HEAP_FACTOR : TEXT_HEAP_FACTOR) <= heapAvailable();
    },
    get used() {
      return used;
    },
    limit: limitBytes,
  };
}
