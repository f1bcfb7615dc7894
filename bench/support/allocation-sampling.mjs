// Samples every allocation of the process it is preloaded into, the collected ones included,
// and writes a .heapprofile (open it in Chrome DevTools' Memory tab) when the process ends:
//   BENCH_SERVER_NODE_OPTIONS="--import ./bench/support/allocation-sampling.mjs" \
//     ALLOCATION_PROFILE_DIR=/tmp/alloc npm run bench -- overhead-vs-floor
// `--heap-prof` keeps only what is still alive at the end, which hides short-lived garbage: the
// very allocations that make the GC work on the run path.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import process from 'node:process';

const dir = process.env.ALLOCATION_PROFILE_DIR ?? '/tmp/allocation-profiles';
const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});

let written = false;
function writeProfile() {
  if (written) return;
  written = true;
  // The main thread's own session answers synchronously, so this completes before exit.
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
  });
}
process.prependOnceListener('SIGTERM', writeProfile);
process.once('exit', writeProfile);
