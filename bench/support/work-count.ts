import { subscribe } from 'node:diagnostics_channel';
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { promiseHooks } from 'node:v8';
import { markHiddenClassWindow } from './hidden-classes';

/**
 * What a process creates while it runs: promises (v8.promiseHooks) and bytes allocated (the
 * sampling heap profiler, collected objects included). Unlike CPU time, these counts barely move
 * with the machine's other load, so they show changes of a few percent that the CPU figures of
 * overhead-vs-floor cannot (bench/work-per-run.ts, docs/performance.md).
 */
export interface WorkCount {
  promises: number;
  bytes: number;
}

/** Small enough that a few thousand runs give a sum within a percent or so. */
const SAMPLING_INTERVAL_BYTES = 1024;

/** Starts counting in this process; `stop` answers what was created since. */
export function startWorkCount(): { stop(): WorkCount } {
  const session = new Session();
  session.connect();
  // The main thread's own session answers synchronously, so each post is done when it returns.
  session.post('HeapProfiler.enable');
  let promises = 0;
  const stopHook = promiseHooks.onInit(() => {
    promises += 1;
  });
  session.post('HeapProfiler.startSampling', {
    samplingInterval: SAMPLING_INTERVAL_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    stop() {
      stopHook();
      let bytes = NaN;
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (error) return;
        // Node's protocol types leave out the samples the profiler does return.
        const { samples } = result.profile as unknown as { samples: { size: number }[] };
        bytes = samples.reduce((sum, sample) => sum + sample.size, 0);
      });
      session.disconnect();
      return { promises, bytes };
    },
  };
}

/**
 * For a benchmark child (server-child.ts, skeleton-child.ts): with COUNT_WORK_FILE set, counts
 * from its COUNT_WORK_WARMUP-th request to COUNT_WORK_REQUESTS requests later, then writes
 * `{ requests, promises, bytes }` there as JSON.
 */
export function countWorkFromEnv(): void {
  const file = process.env.COUNT_WORK_FILE;
  if (!file) return;
  const warmup = Number(process.env.COUNT_WORK_WARMUP ?? 1000);
  const requests = Number(process.env.COUNT_WORK_REQUESTS ?? 3000);
  let seen = 0;
  let counting: ReturnType<typeof startWorkCount> | undefined;
  subscribe('http.server.request.start', () => {
    seen += 1;
    if (seen === warmup) {
      markHiddenClassWindow('start');
      counting = startWorkCount();
    } else if (seen === warmup + requests && counting) {
      markHiddenClassWindow('end');
      // Whole or not at all: the parent reads it as soon as it exists.
      writeFileSync(`${file}.part`, JSON.stringify({ requests, ...counting.stop() }));
      renameSync(`${file}.part`, file);
    }
  });
}
