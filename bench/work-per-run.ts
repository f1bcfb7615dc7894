import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { BENCH_CONNECTOR } from './support/bench-config';
import { startBenchStack } from './support/bench-stack';
import { createFloorRun } from './support/floor-run';
import { countHiddenClasses, hiddenClassLogFlags } from './support/hidden-classes';
import type { HiddenClassCount, HiddenClassSite } from './support/hidden-classes';
import type { Benchmark, BenchmarkReport } from './support/report';
import { startSkeleton } from './support/skeleton-run';
import { startWorkCount } from './support/work-count';
import type { WorkCount } from './support/work-count';

/**
 * Promises created, bytes allocated and hidden classes made per run: the server (A), the floor's
 * three calls (B) and the skeleton server (C), at concurrency 100. CPU time on this shared
 * 2-core machine moves ±10% from one run to the next; these counts do not, so they show the
 * changes of a few percent that overhead-vs-floor cannot (docs/performance.md, "CPU per run").
 * Allocation is what feeds the collector, and each promise is an allocation and a microtask. A
 * hidden class made per run is a map in old space and a slow property read wherever the object
 * goes (hidden-classes.ts); once warm, a run should make none.
 */
const CONCURRENCY = 100;
const WARMUP = 1_000;
const COUNTED = 3_000;
const TICKETS = 5_000;
const ticketOf = (sequence: number) => 1 + (sequence % TICKETS);

type Counts = WorkCount & { requests: number; hiddenClasses?: HiddenClassCount };

/** Runs `count` runs, `CONCURRENCY` at a time; how many failed. */
async function runBatches(
  first: number,
  count: number,
  run: (sequence: number) => Promise<boolean>,
): Promise<number> {
  let failed = 0;
  for (let start = first; start < first + count; start += CONCURRENCY) {
    const batch = Array.from({ length: CONCURRENCY }, (_, index) => run(start + index));
    failed += (await Promise.all(batch)).filter((ok) => !ok).length;
  }
  return failed;
}

/** Drives runs until the child has counted its window and written its file (work-count.ts). */
async function countInChild(
  file: string,
  run: (sequence: number) => Promise<boolean>,
): Promise<Counts> {
  let sequence = 0;
  let failed = 0;
  while (!existsSync(file)) {
    if (sequence > (WARMUP + COUNTED) * 3) throw new Error(`${file} was never written`);
    failed += await runBatches(sequence, CONCURRENCY, run);
    sequence += CONCURRENCY;
  }
  if (failed > 0) throw new Error(`${failed} runs failed while counting`);
  return JSON.parse(readFileSync(file, 'utf8')) as Counts;
}

/** The floor runs in this process: the same counts, taken here around its runs. */
async function countFloor(run: (sequence: number) => Promise<boolean>): Promise<Counts> {
  let failed = await runBatches(0, WARMUP, run);
  const counting = startWorkCount();
  failed += await runBatches(WARMUP, COUNTED, run);
  const counted = counting.stop();
  if (failed > 0) throw new Error(`${failed} floor runs failed while counting`);
  return { requests: COUNTED, ...counted };
}

function rowOf(what: string, counts: Counts): Record<string, string | number> {
  return {
    what,
    'runs counted': counts.requests,
    'promises/run': Math.round((counts.promises / counts.requests) * 10) / 10,
    'KB allocated/run': Math.round(counts.bytes / counts.requests / 1024),
    'new hidden classes/run': counts.hiddenClasses
      ? Math.round((counts.hiddenClasses.created / counts.requests) * 100) / 100
      : 'not counted',
  };
}

/**
 * The sites that make a hidden class in one run in ten or more: what a run's own code does, not
 * what a new connection or a timer now and then does.
 */
function runSites(counts: Counts): HiddenClassSite[] {
  return counts.hiddenClasses?.sites.filter((site) => site.count >= counts.requests / 10) ?? [];
}

/** Where a child made hidden classes in its window, the most first. */
function hiddenClassNotes(what: string, counts: Counts): string[] {
  return runSites(counts)
    .slice(0, 8)
    .map(
      (site) =>
        `${what} makes a hidden class at ${site.code} (line:column ${site.position}, ${site.what}): ${site.count} in ${counts.requests} runs`,
    );
}

export const workPerRun: Benchmark = {
  name: 'work-per-run',
  async run(): Promise<BenchmarkReport> {
    const dir = mkdtempSync(join(tmpdir(), 'dc-work-'));
    const countEnv = (name: string) => ({
      COUNT_WORK_FILE: join(dir, `${name}.json`),
      COUNT_WORK_WARMUP: String(WARMUP),
      COUNT_WORK_REQUESTS: String(COUNTED),
    });
    const serverLog = join(dir, 'server-v8.log');
    const skeletonLog = join(dir, 'skeleton-v8.log');
    const stack = await startBenchStack({
      serverEnv: countEnv('server'),
      serverNodeFlags: hiddenClassLogFlags(serverLog),
    });
    const agent = new Agent({ connections: 512, keepAliveTimeout: 60_000 });
    const skeleton = await startSkeleton(stack.fakesUrl, agent, {
      env: countEnv('skeleton'),
      execArgv: hiddenClassLogFlags(skeletonLog),
    });
    try {
      const server = await countInChild(countEnv('server').COUNT_WORK_FILE, (sequence) =>
        stack.runConnector(BENCH_CONNECTOR, ticketOf(sequence)),
      );
      server.hiddenClasses = await countHiddenClasses(serverLog);
      const floorRun = createFloorRun(stack.fakesUrl, agent);
      const floor = await countFloor(async (sequence) => (await floorRun(ticketOf(sequence))).ok);
      const bare = await countInChild(countEnv('skeleton').COUNT_WORK_FILE, (sequence) =>
        skeleton.run(ticketOf(sequence)),
      );
      bare.hiddenClasses = await countHiddenClasses(skeletonLog);
      return {
        name: 'work-per-run',
        title: `Promises, allocation and hidden classes per run (concurrency ${CONCURRENCY}, after ${WARMUP} runs)`,
        rows: [
          rowOf('A: server run', server),
          rowOf('B: floor (3 calls)', floor),
          rowOf('C: skeleton server', bare),
        ],
        notes: [
          'bytes from the sampling heap profiler at 1 KiB, collected objects included; the floor counted in the load generator, its own driving included',
          "hidden classes from V8's log (--log-maps), made between the window's first and last run; the floor's are not counted (the load generator drives it)",
          ...hiddenClassNotes('A', server),
          ...hiddenClassNotes('C', bare),
        ],
        targets: [
          {
            name: 'A: places in the code that make a hidden class in one run in ten or more',
            target: '0',
            measured: server.hiddenClasses ? String(runSites(server).length) : 'not counted',
            met: server.hiddenClasses !== undefined && runSites(server).length === 0,
          },
        ],
        data: { server, floor, skeleton: bare },
      };
    } finally {
      await skeleton.handle.stop();
      await agent.close();
      await stack.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
