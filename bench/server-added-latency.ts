import { BENCH_CONNECTOR } from './support/bench-config';
import { startBenchStack } from './support/bench-stack';
import type { ServerTimings } from './support/bench-stack';
import { generateLoad } from './support/load';
import { formatMs } from './support/report';
import type { Benchmark, BenchmarkReport } from './support/report';

/**
 * Time inside the server that is not spent waiting on Zendesk or the upstream, per API request:
 * measured in the server process (see support/server-child.ts): 'request' event → response
 * 'finish', minus what the other systems report they spent on each outbound call.
 *
 * Three times: with systems that answer instantly (the server is then saturated at any
 * concurrency above a few, and the figure is mostly queueing); with systems that take exactly
 * 50 ms per call, as remote APIs do (the same concurrency then offers a load the server can
 * carry); and with 25–75 ms per call. Exactly 50 ms keeps a closed loop's workers in lockstep,
 * so their answers reach the server in bursts; remote APIs' latency varies, which spreads them.
 */
const CONCURRENCIES = [1, 10, 100];
const OTHER_SYSTEMS = [
  { delayMs: 0, jitter: 0, label: '0 ms/call' },
  { delayMs: 50, jitter: 0, label: '50 ms/call' },
  { delayMs: 50, jitter: 0.5, label: '25–75 ms/call' },
];
const WARMUP_MS = 1_000;
const DURATION_MS = 6_000;
const TARGET = { p50: 2, p99: 10 };

export const serverAddedLatency: Benchmark = {
  name: 'server-added-latency',
  async run(): Promise<BenchmarkReport> {
    const stack = await startBenchStack({ timing: true });
    const rows: Record<string, string | number>[] = [];
    const results: {
      otherSystems: string;
      fakeDelayMs: number;
      jitter: number;
      concurrency: number;
      timings: ServerTimings;
      runsPerSecond: number;
    }[] = [];
    try {
      for (const { delayMs: fakeDelayMs, jitter, label: otherSystems } of OTHER_SYSTEMS) {
        await stack.setFakeDelay(fakeDelayMs, jitter);
        for (const concurrency of CONCURRENCIES) {
          const request = (_worker: number, sequence: number) =>
            stack.runConnector(BENCH_CONNECTOR, 1 + (sequence % 10_000));
          await generateLoad({ concurrency, durationMs: WARMUP_MS, request });
          await stack.server.ask({ type: 'timings' });
          const load = await generateLoad({ concurrency, durationMs: DURATION_MS, request });
          const timings = await stack.server.ask<ServerTimings>({ type: 'timings' });
          results.push({
            otherSystems,
            fakeDelayMs,
            jitter,
            concurrency,
            timings,
            runsPerSecond: load.runsPerSecond,
          });
          rows.push({
            'other systems': otherSystems,
            concurrency,
            runs: timings.count,
            'runs/s': load.runsPerSecond,
            'server-added p50': formatMs(timings.serverAddedMs.p50),
            'server-added p99': formatMs(timings.serverAddedMs.p99),
            'in server p50': formatMs(timings.inServerMs.p50),
            'in server p99': formatMs(timings.inServerMs.p99),
            'client p50': formatMs(load.latencyMs.p50),
            'client p99': formatMs(load.latencyMs.p99),
          });
        }
      }
    } finally {
      await stack.close();
    }
    const targets = results
      .filter((result) => result.concurrency === 100)
      .flatMap((result) => {
        const measured = result.timings.serverAddedMs;
        const label = `at concurrency 100, other systems ${result.otherSystems}`;
        return [
          {
            name: `server-added p50 ${label}`,
            target: `<= ${TARGET.p50} ms`,
            measured: formatMs(measured.p50),
            met: measured.p50 <= TARGET.p50,
          },
          {
            name: `server-added p99 ${label}`,
            target: `<= ${TARGET.p99} ms`,
            measured: formatMs(measured.p99),
            met: measured.p99 <= TARGET.p99,
          },
        ];
      });
    return {
      name: 'server-added-latency',
      title: 'Server-added latency (in-server time not spent waiting on other systems)',
      rows,
      targets,
      data: results,
    };
  },
};
