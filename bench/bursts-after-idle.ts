import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_CONNECTOR } from './support/bench-config';
import { startBenchStack } from './support/bench-stack';
import type { BenchStack } from './support/bench-stack';
import { formatMs } from './support/report';
import type { Benchmark, BenchmarkReport } from './support/report';

/**
 * Where the p99 tail at concurrency 100 comes from (issue 16): bursts of 100 concurrent runs,
 * 2 s each, separated by idle gaps longer than Node's default keep-alive (5 s). The first burst
 * is the server's first work after start (JIT, lazy setup); the later ones show whether a burst
 * after a pause pays for anything a steady load does not (new connections, in the case found).
 * For each burst: p50/p99/max as the client sees them, server CPU per run, and how many of the
 * slowest 1% started in the burst's first 250 ms.
 */
const CONCURRENCY = 100;
const BURST_MS = 2_000;
const GAP_MS = Number(process.env.BENCH_IDLE_GAP_MS ?? 6_000);
const BURSTS = 5;

interface BurstResult {
  burst: number;
  runs: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
  cpuMsPerRun: number;
  slowestInFirst250Ms: number;
  slowest: number;
}

async function runBurst(stack: BenchStack, burst: number): Promise<BurstResult> {
  const before = await stack.server.ask<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' });
  const startedAt = performance.now();
  const endAt = startedAt + BURST_MS;
  const runs: { startMs: number; ms: number }[] = [];
  let failed = 0;
  let sequence = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < endAt) {
        const start = performance.now();
        const ok = await stack.runConnector(BENCH_CONNECTOR, 1 + (sequence++ % 10_000));
        if (!ok) failed += 1;
        runs.push({ startMs: start - startedAt, ms: performance.now() - start });
      }
    }),
  );
  const after = await stack.server.ask<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' });
  const sorted = runs.map((run) => run.ms).sort((a, b) => a - b);
  const at = (share: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
  const p99 = at(0.99);
  const slowest = runs.filter((run) => run.ms >= p99);
  const cpuUs = (usage: NodeJS.CpuUsage) => usage.user + usage.system;
  return {
    burst,
    runs: runs.length,
    failed,
    p50: at(0.5),
    p99,
    max: sorted.at(-1)!,
    cpuMsPerRun: (cpuUs(after.cpu) - cpuUs(before.cpu)) / 1000 / Math.max(1, runs.length),
    slowestInFirst250Ms: slowest.filter((run) => run.startMs < 250).length,
    slowest: slowest.length,
  };
}

export const burstsAfterIdle: Benchmark = {
  name: 'bursts-after-idle',
  async run(): Promise<BenchmarkReport> {
    const stack = await startBenchStack();
    const results: BurstResult[] = [];
    try {
      for (let burst = 1; burst <= BURSTS; burst++) {
        results.push(await runBurst(stack, burst));
        if (burst < BURSTS) await sleep(GAP_MS);
      }
    } finally {
      await stack.close();
    }
    const warm = results.slice(2);
    return {
      name: 'bursts-after-idle',
      title: `Bursts of ${CONCURRENCY} concurrent runs, ${BURST_MS / 1000} s each, ${GAP_MS / 1000} s idle between`,
      rows: results.map((result) => ({
        burst: result.burst === 1 ? '1 (first after start)' : String(result.burst),
        runs: result.runs,
        failed: result.failed,
        p50: formatMs(result.p50),
        p99: formatMs(result.p99),
        max: formatMs(result.max),
        'p99/p50': Math.round((result.p99 / result.p50) * 100) / 100,
        'server CPU/run': formatMs(result.cpuMsPerRun),
        'slowest 1% started in first 250 ms': `${result.slowestInFirst250Ms} of ${result.slowest}`,
      })),
      notes: [
        `bursts 3-${BURSTS}: p99/p50 ${warm.map((result) => (result.p99 / result.p50).toFixed(2)).join(', ')}`,
      ],
      targets: [],
      data: results,
    };
  },
};
