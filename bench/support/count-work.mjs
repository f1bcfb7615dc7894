// Counts what a process creates per request: promises (v8.promiseHooks) and bytes allocated
// (the sampling heap profiler, collected objects included), over a window of requests after a
// warm-up. Preloaded into a benchmark child by bench/work-per-run.ts:
//   --import ./bench/support/count-work.mjs, with COUNT_WORK_FILE, COUNT_WORK_WARMUP and
//   COUNT_WORK_REQUESTS in its environment. It writes `{ requests, promises, bytes }` as JSON to
//   COUNT_WORK_FILE once the window's last request has arrived.
// Unlike CPU time, these counts barely move with the machine's other load, so they show changes
// of a few percent that the CPU figures of overhead-vs-floor cannot (docs/performance.md).
import { subscribe } from 'node:diagnostics_channel';
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import process from 'node:process';
import { promiseHooks } from 'node:v8';

const file = process.env.COUNT_WORK_FILE;
const warmup = Number(process.env.COUNT_WORK_WARMUP ?? 1000);
const requests = Number(process.env.COUNT_WORK_REQUESTS ?? 3000);
/** Small enough that a few thousand requests give a sum within a percent or so. */
const SAMPLING_INTERVAL_BYTES = 1024;

if (file) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  let seen = 0;
  let promises = 0;
  let stopHook;
  subscribe('http.server.request.start', () => {
    seen += 1;
    if (seen === warmup) {
      stopHook = promiseHooks.onInit(() => {
        promises += 1;
      });
      session.post('HeapProfiler.startSampling', {
        samplingInterval: SAMPLING_INTERVAL_BYTES,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    } else if (seen === warmup + requests) {
      stopHook?.();
      // The main thread's own session answers synchronously.
      session.post('HeapProfiler.stopSampling', (error, result) => {
        const bytes = error ? NaN : result.profile.samples.reduce((sum, s) => sum + s.size, 0);
        // Whole or not at all: the parent reads it as soon as it exists.
        writeFileSync(`${file}.part`, JSON.stringify({ requests, promises, bytes }));
        renameSync(`${file}.part`, file);
      });
    }
  });
}
