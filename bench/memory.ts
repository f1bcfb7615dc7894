import { readFileSync } from 'node:fs';
import { BENCH_CONNECTOR, HUGE_CONNECTOR } from './support/bench-config';
import { startBenchStack } from './support/bench-stack';
import { HUGE_BYTES } from './support/instant-fakes';
import { generateLoad } from './support/load';
import { formatMiB } from './support/report';
import type { Benchmark, BenchmarkReport } from './support/report';

/**
 * The server's resident memory (its own process; the load generator's heap is elsewhere), read
 * from /proc every 25 ms: at idle, under 200 concurrent runs, and while upstreams stream 50 MiB
 * bodies that the 1 MiB response cap must cut without buffering them.
 */
const CONCURRENT_RUNS = 200;
const LOAD_MS = 8_000;
// The issue asks about one upstream sending 50 MiB; more at once only adds collectable garbage.
const HUGE_PARALLEL = 1;
const HUGE_ROUNDS = 3;
const TARGET_RSS_MB = 200;
const SAMPLE_MS = 25;

function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib) * 1024;
}

async function peakRssDuring(pid: number, work: () => Promise<unknown>): Promise<number> {
  let peak = readRss(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, readRss(pid));
  }, SAMPLE_MS);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, readRss(pid));
}

export const memory: Benchmark = {
  name: 'memory',
  async run(): Promise<BenchmarkReport> {
    const stack = await startBenchStack({ exposeGc: true });
    const pid = stack.server.pid;
    try {
      await stack.server.ask({ type: 'gc' });
      const idleAtBoot = readRss(pid);
      // Warm the run path first (modules, JIT, SQLite pages, sockets), so the growth measured
      // next is what the 50 MiB stream costs, not what any first run costs.
      for (let i = 0; i < 50; i++) await stack.runConnector(BENCH_CONNECTOR, 1 + (i % 10));
      await stack.runAutomation(HUGE_CONNECTOR, 1);
      await stack.server.ask({ type: 'gc' });
      const warm = readRss(pid);
      const outcomes = new Map<string, number>();
      const hugePeak = await peakRssDuring(pid, async () => {
        for (let round = 0; round < HUGE_ROUNDS; round++) {
          const answers = await Promise.all(
            Array.from({ length: HUGE_PARALLEL }, () => stack.runAutomation(HUGE_CONNECTOR, 1)),
          );
          for (const answer of answers) {
            const body = answer.body as { error?: { code?: string } };
            const code = `${answer.status} ${body.error?.code ?? 'no error'}`;
            outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
          }
        }
      });
      const hugeGrowth = hugePeak - warm;
      const underLoad = await peakRssDuring(pid, () =>
        generateLoad({
          concurrency: CONCURRENT_RUNS,
          durationMs: LOAD_MS,
          request: (_worker, sequence) =>
            stack.runConnector(BENCH_CONNECTOR, 1 + (sequence % 10_000)),
        }),
      );
      await stack.server.ask({ type: 'gc' });
      const idleAfterLoad = readRss(pid);

      const rows = [
        { state: 'idle after boot', rss: formatMiB(idleAtBoot) },
        { state: 'idle after 50 runs and one cut response (after GC)', rss: formatMiB(warm) },
        {
          state: `peak while an upstream streams ${formatMiB(HUGE_BYTES)} (${HUGE_ROUNDS} times)`,
          rss: `${formatMiB(hugePeak)} (+${formatMiB(hugeGrowth)})`,
        },
        { state: `peak under ${CONCURRENT_RUNS} concurrent runs`, rss: formatMiB(underLoad) },
        { state: 'idle after the load (after GC)', rss: formatMiB(idleAfterLoad) },
      ];
      const hugeOutcomes = Object.fromEntries(outcomes);
      return {
        name: 'memory',
        title: 'Server memory (RSS)',
        rows,
        notes: [`huge-response runs answered: ${JSON.stringify(hugeOutcomes)}`],
        targets: [
          {
            name: `RSS under ${CONCURRENT_RUNS} concurrent runs`,
            target: `<= ${TARGET_RSS_MB} MB`,
            measured: formatMiB(underLoad),
            met: underLoad <= TARGET_RSS_MB * 1024 * 1024,
          },
          {
            name: `RSS growth while ${HUGE_PARALLEL} x 50 MiB responses are cut at the 1 MiB cap`,
            target: `< ${formatMiB(HUGE_BYTES)} (not buffered)`,
            measured: formatMiB(hugeGrowth),
            met:
              hugeGrowth < HUGE_BYTES &&
              outcomes.get('200 UPSTREAM_RESPONSE_TOO_LARGE') === HUGE_PARALLEL * HUGE_ROUNDS,
          },
        ],
        data: { idleAtBoot, warm, underLoad, idleAfterLoad, hugePeak, hugeGrowth, hugeOutcomes },
      };
    } finally {
      await stack.close();
    }
  },
};
