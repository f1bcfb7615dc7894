import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { BENCH_CONNECTOR } from './support/bench-config';
import { startBenchStack } from './support/bench-stack';
import { createFloorRun } from './support/floor-run';
import type { Benchmark, BenchmarkReport } from './support/report';
import { startSkeleton } from './support/skeleton-run';
import { startWorkCount } from './support/work-count';
import type { WorkCount } from './support/work-count';

/**
 * Promises created and bytes allocated per run: the server (A), the floor's three calls (B) and
 * the skeleton server (C), at concurrency 100. CPU time on this shared 2-core machine moves ±10%
 * from one run to the next; these counts do not, so they show the changes of a few percent that
 * overhead-vs-floor cannot (docs/performance.md, "CPU per run"). Allocation is what feeds the
 * collector (a quarter of the server's CPU), and each promise is an allocation and a microtask.
 */
const CONCURRENCY = 100;
const WARMUP = 1_000;
const COUNTED = 3_000;
const TICKETS = 5_000;
const ticketOf = (sequence: number) => 1 + (sequence % TICKETS);

type Counts = WorkCount & { requests: number };

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
  };
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
    const stack = await startBenchStack({ serverEnv: countEnv('server') });
    const agent = new Agent({ connections: 512, keepAliveTimeout: 60_000 });
    const skeleton = await startSkeleton(stack.fakesUrl, agent, { env: countEnv('skeleton') });
    try {
      const server = await countInChild(countEnv('server').COUNT_WORK_FILE, (sequence) =>
        stack.runConnector(BENCH_CONNECTOR, ticketOf(sequence)),
      );
      const floorRun = createFloorRun(stack.fakesUrl, agent);
      const floor = await countFloor(async (sequence) => (await floorRun(ticketOf(sequence))).ok);
      const bare = await countInChild(countEnv('skeleton').COUNT_WORK_FILE, (sequence) =>
        skeleton.run(ticketOf(sequence)),
      );
      return {
        name: 'work-per-run',
        title: `Promises and allocation per run (concurrency ${CONCURRENCY}, after ${WARMUP} runs)`,
        rows: [
          rowOf('A: server run', server),
          rowOf('B: floor (3 calls)', floor),
          rowOf('C: skeleton server', bare),
        ],
        notes: [
          'bytes from the sampling heap profiler at 1 KiB, collected objects included; the floor counted in the load generator, its own driving included',
        ],
        targets: [],
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
