import { BENCH_CONNECTOR, BIG_CONNECTOR, HUGE_CONNECTOR } from './support/bench-config';
import { startBenchStack } from './support/bench-stack';
import { BIG_BYTES, HUGE_BYTES } from './support/instant-fakes';
import { generateLoad } from './support/load';
import { formatMiB } from './support/report';
import { peakRssDuring, readRss } from './support/rss';
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
// The "200 MB", read strictly: 200,000,000 bytes (190.7 MiB).
const TARGET_RSS_BYTES = 200 * 1000 * 1000;

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
      // Every run receives a valid ~1 MiB answer, slowly: 200 at once would hold ~190 MiB of
      // bodies; the server-wide budget (RESPONSE_BUFFER_LIMIT_MB, 64) drops what does not fit.
      const bigOutcomes = new Map<string, number>();
      const bigPeak = await peakRssDuring(pid, () =>
        generateLoad({
          concurrency: CONCURRENT_RUNS,
          durationMs: LOAD_MS,
          request: async (_worker, sequence) => {
            const answer = await stack.runAutomation(BIG_CONNECTOR, 1 + (sequence % 10_000));
            const body = answer.body as { outcome?: string; error?: { code?: string } };
            const key = body.error?.code ?? body.outcome ?? String(answer.status);
            bigOutcomes.set(key, (bigOutcomes.get(key) ?? 0) + 1);
            // Dropped runs count as done: dropping them is the behaviour measured here.
            return answer.status === 200;
          },
        }),
      );

      const rows = [
        { state: 'idle after boot', rss: formatMiB(idleAtBoot) },
        { state: 'idle after 50 runs and one cut response (after GC)', rss: formatMiB(warm) },
        {
          state: `peak while an upstream streams ${formatMiB(HUGE_BYTES)} (${HUGE_ROUNDS} times)`,
          rss: `${formatMiB(hugePeak)} (+${formatMiB(hugeGrowth)})`,
        },
        { state: `peak under ${CONCURRENT_RUNS} concurrent runs`, rss: formatMiB(underLoad) },
        { state: 'idle after the load (after GC)', rss: formatMiB(idleAfterLoad) },
        {
          state: `peak under ${CONCURRENT_RUNS} concurrent runs with ${formatMiB(BIG_BYTES)} answers`,
          rss: formatMiB(bigPeak),
        },
      ];
      const hugeOutcomes = Object.fromEntries(outcomes);
      const bigRunOutcomes = Object.fromEntries(bigOutcomes);
      return {
        name: 'memory',
        title: 'Server memory (RSS)',
        rows,
        notes: [
          `huge-response runs answered: ${JSON.stringify(hugeOutcomes)}`,
          `big-answer runs ended: ${JSON.stringify(bigRunOutcomes)} (not a target: it shows the bound, the heap limit plus RESPONSE_BUFFER_LIMIT_MB plus native memory)`,
        ],
        targets: [
          {
            name: `RSS under ${CONCURRENT_RUNS} concurrent runs`,
            target: `<= 200 MB (${formatMiB(TARGET_RSS_BYTES)})`,
            measured: formatMiB(underLoad),
            met: underLoad <= TARGET_RSS_BYTES,
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
        data: {
          idleAtBoot,
          warm,
          underLoad,
          idleAfterLoad,
          hugePeak,
          hugeGrowth,
          hugeOutcomes,
          bigPeak,
          bigRunOutcomes,
        },
      };
    } finally {
      await stack.close();
    }
  },
};
