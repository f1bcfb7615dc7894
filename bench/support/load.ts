import { createHistogram } from 'node:perf_hooks';
import type { RecordableHistogram } from 'node:perf_hooks';

/**
 * A closed-loop load generator: N workers, each issuing its next request as soon as the previous
 * one finished, for a fixed duration. Latencies go into an HDR-style histogram (nanoseconds), so
 * p99 at 100,000 samples costs no sorting and no memory growth.
 *
 * Closed-loop means throughput and latency are coupled (a slower server gets fewer requests);
 * that is what "runs per second at concurrency N" means, and it is the same for the server and
 * for the floor script, so their ratio compares like with like.
 */
export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  /** Requests before this many ms are not counted (connection pools, JIT). */
  warmupMs?: number;
  /** One request. Resolves to false for a failed request (counted, not timed). */
  request: (worker: number, sequence: number) => Promise<boolean>;
  /** Record into this histogram (to merge several slices of load); a new one otherwise. */
  histogram?: RecordableHistogram;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  concurrency: number;
  completed: number;
  failed: number;
  runsPerSecond: number;
  latencyMs: LatencySummary;
}

/** Milliseconds with three decimals, from a nanosecond histogram. */
export function summariseHistogram(histogram: RecordableHistogram): LatencySummary {
  const ms = (ns: number) => Math.round(ns / 1000) / 1000;
  if (histogram.count === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  return {
    p50: ms(histogram.percentile(50)),
    p90: ms(histogram.percentile(90)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    mean: ms(histogram.mean),
  };
}

/** The nearest-rank percentile (`q` from 0 to 1) of samples sorted ascending; NaN for none. */
export function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

export async function generateLoad(options: LoadOptions): Promise<LoadResult> {
  const warmupMs = options.warmupMs ?? 0;
  const histogram = options.histogram ?? createHistogram();
  const startedAt = performance.now();
  const measureFrom = startedAt + warmupMs;
  const endAt = measureFrom + options.durationMs;
  let completed = 0;
  let failed = 0;
  let sequence = 0;

  const worker = async (index: number) => {
    while (performance.now() < endAt) {
      const began = process.hrtime.bigint();
      const beganMs = performance.now();
      let ok = false;
      try {
        ok = await options.request(index, sequence++);
      } catch {
        ok = false;
      }
      if (beganMs < measureFrom) continue;
      if (!ok) {
        failed += 1;
        continue;
      }
      completed += 1;
      histogram.record(Math.max(1, Number(process.hrtime.bigint() - began)));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
  return {
    concurrency: options.concurrency,
    completed,
    failed,
    runsPerSecond: Math.round((completed / options.durationMs) * 1000),
    latencyMs: summariseHistogram(histogram),
  };
}

/**
 * Alternates short slices of several loads (A, B, A, B, ...) and merges each one's slices, so
 * that whatever else the machine is doing affects all of them alike. Shared machines (CI, this
 * one) are noisy over tens of seconds; alternation keeps the comparison fair.
 */
export async function generateInterleavedLoad(
  loads: Record<string, Omit<LoadOptions, 'histogram' | 'durationMs'>>,
  options: { rounds: number; sliceMs: number },
): Promise<Record<string, LoadResult>> {
  const merged: Record<
    string,
    { histogram: RecordableHistogram; completed: number; failed: number }
  > = {};
  for (const name of Object.keys(loads)) {
    merged[name] = { histogram: createHistogram(), completed: 0, failed: 0 };
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, load] of Object.entries(loads)) {
      const target = merged[name] as (typeof merged)[string];
      const slice = await generateLoad({
        ...load,
        durationMs: options.sliceMs,
        histogram: target.histogram,
      });
      target.completed += slice.completed;
      target.failed += slice.failed;
    }
  }
  const totalMs = options.rounds * options.sliceMs;
  return Object.fromEntries(
    Object.entries(merged).map(([name, result]) => [
      name,
      {
        concurrency: loads[name]?.concurrency ?? 0,
        completed: result.completed,
        failed: result.failed,
        runsPerSecond: Math.round((result.completed / totalMs) * 1000),
        latencyMs: summariseHistogram(result.histogram),
      },
    ]),
  );
}
