import { createHistogram, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordableHistogram } from 'node:perf_hooks';
import { Agent } from 'undici';
import { BENCH_CONNECTOR } from './support/bench-config';
import { startBenchStack } from './support/bench-stack';
import type { BenchStack } from './support/bench-stack';
import type { ChildHandle } from './support/child-process';
import { createFloorRun } from './support/floor-run';
import { generateLoad, summariseHistogram } from './support/load';
import type { LatencySummary } from './support/load';
import { formatMs } from './support/report';
import { startSkeleton } from './support/skeleton-run';
import type { SkeletonSide } from './support/skeleton-run';
import type { Benchmark, BenchmarkReport } from './support/report';
import type { CpuAnswer } from './support/process-cpu';

/**
 * CPU time per run, against the floor. A: a full connector run through the server (load the
 * ticket, call the upstream, write back, log the run). B, the floor: this process (the load
 * generator) making the same three HTTP calls per run with undici directly. Same fakes, same run
 * of the script, slices of A and B interleaved so that the machine's other work hits both alike.
 * C, the skeleton server, and D, the skeleton with the design's must-haves
 * (bench/support/skeleton-child.ts), show what any server of this design spends and what the
 * needs the issue names add to it.
 *
 * The measure is process CPU time (user + system, `process.cpuUsage()`, which counts V8's and
 * libuv's helper threads too) per run: the server process's during A slices against this
 * process's during B slices. Throughput would mostly measure who got the 2 shared cores; CPU time
 * per run is what a run costs, whoever else is on the machine.
 */
// BENCH_CPU_CONCURRENCIES=100 measures one concurrency only (half the time, for A/B trials).
const CONCURRENCIES = (process.env.BENCH_CPU_CONCURRENCIES ?? '10,100').split(',').map(Number);
/** Each side's warm-up: slices of this many ms until it has made WARMUP_RUNS runs. */
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1_000);
/** As many runs as instructions-per-run's warm-up; BENCH_WARMUP_RUNS=0 warms up by time alone. */
const WARMUP_RUNS = Number(process.env.BENCH_WARMUP_RUNS ?? 3_000);
const ROUNDS = 5;
const SLICE_MS = 2_000;
const TICKETS = 10_000;
/** Server CPU per run ÷ floor CPU per run (issue 16). */
const TARGET_RATIO = 2.5;

interface SideTotals {
  runs: number;
  failed: number;
  histogram: RecordableHistogram;
  /** Microseconds of CPU, per process, during this side's slices. */
  serverUs: number;
  serverMainThreadUs: number;
  loadUs: number;
  fakesUs: number;
  /** Main-thread GC pauses, as PerformanceObserver('gc') reports them. */
  serverGcMs: number;
  serverGcPauses: number;
  serverGcLongestMs: number;
  loadGcMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** One side's runs, latency and CPU per run (ms) over its slices. */
interface SideFigures {
  runs: number;
  failed: number;
  runsPerSecond: number;
  latencyMs: LatencySummary;
  cpuMsPerRun: number;
  /** Share of that CPU the side's main thread spent in GC pauses. */
  gcShare: number;
}

export interface CpuPerRunResult {
  concurrency: number;
  /** Server process CPU per run, ms; the GC share is its main thread's pauses. */
  server: SideFigures & {
    /** The part of it on the main (JavaScript) thread; the rest is V8's and libuv's helpers. */
    mainThreadCpuMsPerRun: number;
    gcLongestMs: number;
    loopDelayP99Ms: number;
    loopDelayMaxMs: number;
    /** What the load generator and the fakes spent per server run. */
    loadCpuMsPerRun: number;
    fakesCpuMsPerRun: number;
    /** The server's warm-up before the rounds, not in the figures above. */
    warmUp: { runs: number; cpuMsPerRun: number; mainThreadCpuMsPerRun: number };
  };
  /** Load generator CPU per run, ms: the floor. */
  floor: SideFigures & { fakesCpuMsPerRun: number };
  /** server.cpuMsPerRun ÷ floor.cpuMsPerRun */
  ratio: number;
  /**
   * The floor again, paced to the server's runs/s. CPU per call falls as the rate rises (more
   * events per wake-up of a process), so this separates the server's own work from the rate.
   */
  floorAtServerRate: { runsPerSecond: number; cpuMsPerRun: number; fakesCpuMsPerRun: number };
  /** server.cpuMsPerRun ÷ floorAtServerRate.cpuMsPerRun */
  ratioAtServerRate: number;
  /**
   * C, the skeleton server (bench/support/skeleton-child.ts): the same run with only the parts
   * every run must have (one inbound and three outbound exchanges, a committed record).
   */
  skeleton: SideFigures & { mainThreadCpuMsPerRun: number };
  /** skeleton.cpuMsPerRun ÷ floor.cpuMsPerRun: what the design's bare parts alone cost. */
  skeletonRatio: number;
  /**
   * D, the skeleton with what issue 16 says the design keeps (SKELETON_MUST_HAVES in
   * skeleton-child.ts): a checked token, strict schemas for the body and Zendesk's answers, the
   * run's redaction. What is left of the goal's budget above it is all the rest may cost.
   */
  mustHaves: SideFigures & { mainThreadCpuMsPerRun: number };
  /** mustHaves.cpuMsPerRun ÷ floor.cpuMsPerRun */
  mustHavesRatio: number;
  /**
   * server.cpuMsPerRun ÷ mustHaves.cpuMsPerRun: for comparing two versions of the server. Both
   * sides are servers that answer over HTTP and commit a row, so a slow minute moves them alike:
   * over 13 runs of one code on 12-05 this spread 2.13–2.46 where A/B spread 3.88–5.0.
   */
  serverOverMustHaves: number;
}

function cpuUs(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

function emptyTotals(): SideTotals {
  return {
    runs: 0,
    failed: 0,
    histogram: createHistogram(),
    serverUs: 0,
    serverMainThreadUs: 0,
    loadUs: 0,
    fakesUs: 0,
    serverGcMs: 0,
    serverGcPauses: 0,
    serverGcLongestMs: 0,
    loadGcMs: 0,
    loopDelayP99Ms: 0,
    loopDelayMaxMs: 0,
  };
}

/** This process's GC pauses, summed (the floor's GC share). */
let loadGcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) loadGcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

/**
 * One slice of load with every process's CPU read before and after. No warm-up inside the slice:
 * every run started in it is counted, and generateLoad waits for the last one, so CPU and runs
 * cover the same work.
 */
async function measureSlice(
  stack: BenchStack,
  totals: SideTotals,
  options: {
    concurrency: number;
    durationMs: number;
    request: (sequence: number) => Promise<boolean>;
    /** The process whose CPU the slice charges as the server's (default: the server). */
    subject?: ChildHandle<unknown>;
  },
): Promise<void> {
  const subject = options.subject ?? stack.server;
  const [serverBefore, fakesBefore] = await Promise.all([
    subject.ask<CpuAnswer>({ type: 'cpu' }),
    stack.fakes.ask<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' }),
  ]);
  const loadBefore = process.cpuUsage();
  const loadGcBefore = loadGcMs;
  const slice = await generateLoad({
    concurrency: options.concurrency,
    durationMs: options.durationMs,
    histogram: totals.histogram,
    request: (_worker, sequence) => options.request(sequence),
  });
  const loadAfter = process.cpuUsage();
  const [serverAfter, fakesAfter] = await Promise.all([
    subject.ask<CpuAnswer>({ type: 'cpu' }),
    stack.fakes.ask<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' }),
  ]);
  totals.runs += slice.completed + slice.failed;
  totals.failed += slice.failed;
  totals.serverUs += cpuUs(serverAfter.cpu) - cpuUs(serverBefore.cpu);
  totals.serverMainThreadUs += serverAfter.mainThreadUs - serverBefore.mainThreadUs;
  totals.loadUs += cpuUs(loadAfter) - cpuUs(loadBefore);
  totals.fakesUs += cpuUs(fakesAfter.cpu) - cpuUs(fakesBefore.cpu);
  totals.serverGcMs += serverAfter.gcPauseMs - serverBefore.gcPauseMs;
  totals.serverGcPauses += serverAfter.gcPauses - serverBefore.gcPauses;
  totals.serverGcLongestMs = Math.max(totals.serverGcLongestMs, serverAfter.gcLongestMs);
  totals.loadGcMs += loadGcMs - loadGcBefore;
  totals.loopDelayP99Ms = Math.max(totals.loopDelayP99Ms, serverAfter.loopDelayMs.p99);
  totals.loopDelayMaxMs = Math.max(totals.loopDelayMaxMs, serverAfter.loopDelayMs.max);
}

/**
 * A side's warm-up: slices of `warmupMs` until it has made `warmupRuns` runs (one slice at
 * least). Returns what the slices measured, to show what a fresh process pays before it is warm.
 */
async function warmUpSide(
  stack: BenchStack,
  options: {
    concurrency: number;
    warmupMs: number;
    warmupRuns: number;
    request: (sequence: number) => Promise<boolean>;
    subject?: ChildHandle<unknown>;
  },
): Promise<SideTotals> {
  const totals = emptyTotals();
  // A side that cannot make its runs would otherwise keep the benchmark here for good.
  for (let slice = 0; slice < 60 && (slice === 0 || totals.runs < options.warmupRuns); slice++) {
    await measureSlice(stack, totals, {
      concurrency: options.concurrency,
      durationMs: options.warmupMs,
      request: options.request,
      subject: options.subject,
    });
  }
  return totals;
}

/** `run` at a fixed rate: each call waits for its slot (start + n / rate), whichever worker runs it. */
function pacedTo(
  runsPerSecond: number,
  run: (sequence: number) => Promise<boolean>,
): (sequence: number) => Promise<boolean> {
  const startedAt = performance.now();
  let slot = 0;
  return async (sequence) => {
    const wait = startedAt + (slot++ * 1000) / runsPerSecond - performance.now();
    if (wait > 0) await sleep(wait);
    return run(sequence);
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const round3 = (value: number) => Math.round(value * 1000) / 1000;

export async function measureCpuPerRun(
  stack: BenchStack,
  floorRun: (ticketId: number) => Promise<boolean>,
  skeleton: SkeletonSide,
  mustHaves: SkeletonSide,
  concurrency: number,
  options: { rounds: number; sliceMs: number; warmupMs: number; warmupRuns: number } = {
    rounds: ROUNDS,
    sliceMs: SLICE_MS,
    warmupMs: WARMUP_MS,
    warmupRuns: WARMUP_RUNS,
  },
): Promise<CpuPerRunResult> {
  const ticketOf = (sequence: number) => 1 + (sequence % TICKETS);
  const serverRequest = (sequence: number) =>
    stack.runConnector(BENCH_CONNECTOR, ticketOf(sequence));
  const floorRequest = (sequence: number) => floorRun(ticketOf(sequence));
  // Warm-up (JIT, connection pools), not counted in the rounds. Each side warms up for the same
  // number of runs, not the same time: in its first second a fresh server made about 200 runs
  // and the load generator's floor 1,000, and V8 optimises a function after so many calls, so
  // a warm-up by time left the server's optimising compiles (0.3 ms a run on V8's helper
  // threads) inside its first measured slice ("What the twentieth machine's session found").
  const warmUp = (
    request: (sequence: number) => Promise<boolean>,
    subject?: ChildHandle<unknown>,
  ) =>
    warmUpSide(stack, {
      concurrency,
      request,
      subject,
      warmupMs: options.warmupMs,
      warmupRuns: options.warmupRuns,
    });
  const serverWarmUp = await warmUp(serverRequest);
  await warmUp(floorRequest);
  const skeletonRequest = (sequence: number) => skeleton.run(ticketOf(sequence));
  await warmUp(skeletonRequest, skeleton.handle);
  const mustHavesRequest = (sequence: number) => mustHaves.run(ticketOf(sequence));
  await warmUp(mustHavesRequest, mustHaves.handle);
  const server = emptyTotals();
  const floor = emptyTotals();
  const paced = emptyTotals();
  const bare = emptyTotals();
  const kept = emptyTotals();
  for (let round = 0; round < options.rounds; round++) {
    await measureSlice(stack, server, {
      concurrency,
      durationMs: options.sliceMs,
      request: serverRequest,
    });
    await measureSlice(stack, floor, {
      concurrency,
      durationMs: options.sliceMs,
      request: floorRequest,
    });
    // Paced to the rate the server reached so far (its slices are the same length).
    await measureSlice(stack, paced, {
      concurrency,
      durationMs: options.sliceMs,
      request: pacedTo((server.runs / ((round + 1) * options.sliceMs)) * 1000, floorRequest),
    });
    await measureSlice(stack, bare, {
      concurrency,
      durationMs: options.sliceMs,
      request: skeletonRequest,
      subject: skeleton.handle,
    });
    await measureSlice(stack, kept, {
      concurrency,
      durationMs: options.sliceMs,
      request: mustHavesRequest,
      subject: mustHaves.handle,
    });
  }
  const totalMs = options.rounds * options.sliceMs;
  const perRunMs = (us: number, runs: number) => round3(us / 1000 / Math.max(1, runs));
  const serverCpu = perRunMs(server.serverUs, server.runs);
  const floorCpu = perRunMs(floor.loadUs, floor.runs);
  const skeletonCpu = perRunMs(bare.serverUs, bare.runs);
  const mustHavesCpu = perRunMs(kept.serverUs, kept.runs);
  const figuresOf = (totals: SideTotals, cpuUs: number, gcMs: number): SideFigures => ({
    runs: totals.runs,
    failed: totals.failed,
    runsPerSecond: Math.round((totals.runs / totalMs) * 1000),
    latencyMs: summariseHistogram(totals.histogram),
    cpuMsPerRun: perRunMs(cpuUs, totals.runs),
    gcShare: round2(gcMs / Math.max(1, cpuUs / 1000)),
  });
  return {
    concurrency,
    server: {
      ...figuresOf(server, server.serverUs, server.serverGcMs),
      mainThreadCpuMsPerRun: perRunMs(server.serverMainThreadUs, server.runs),
      gcLongestMs: round2(server.serverGcLongestMs),
      loopDelayP99Ms: round2(server.loopDelayP99Ms),
      loopDelayMaxMs: round2(server.loopDelayMaxMs),
      loadCpuMsPerRun: perRunMs(server.loadUs, server.runs),
      fakesCpuMsPerRun: perRunMs(server.fakesUs, server.runs),
      warmUp: {
        runs: serverWarmUp.runs,
        cpuMsPerRun: perRunMs(serverWarmUp.serverUs, serverWarmUp.runs),
        mainThreadCpuMsPerRun: perRunMs(serverWarmUp.serverMainThreadUs, serverWarmUp.runs),
      },
    },
    floor: {
      ...figuresOf(floor, floor.loadUs, floor.loadGcMs),
      fakesCpuMsPerRun: perRunMs(floor.fakesUs, floor.runs),
    },
    ratio: round2(serverCpu / floorCpu),
    floorAtServerRate: {
      runsPerSecond: Math.round((paced.runs / totalMs) * 1000),
      cpuMsPerRun: perRunMs(paced.loadUs, paced.runs),
      fakesCpuMsPerRun: perRunMs(paced.fakesUs, paced.runs),
    },
    ratioAtServerRate: round2(serverCpu / perRunMs(paced.loadUs, paced.runs)),
    skeleton: {
      ...figuresOf(bare, bare.serverUs, bare.serverGcMs),
      mainThreadCpuMsPerRun: perRunMs(bare.serverMainThreadUs, bare.runs),
    },
    skeletonRatio: round2(skeletonCpu / floorCpu),
    mustHaves: {
      ...figuresOf(kept, kept.serverUs, kept.serverGcMs),
      mainThreadCpuMsPerRun: perRunMs(kept.serverMainThreadUs, kept.runs),
    },
    mustHavesRatio: round2(mustHavesCpu / floorCpu),
    serverOverMustHaves: round2(serverCpu / mustHavesCpu),
  };
}

/** A ratio's row: the other columns left blank, in the table's order. */
function ratioRow(
  what: string,
  concurrency: number,
  ratio: number,
): Record<string, string | number> {
  return {
    what,
    concurrency,
    'CPU/run': ratio,
    'GC share': '',
    'runs/s': '',
    p50: '',
    p99: '',
    failed: '',
    'load gen CPU/run': '',
    'fakes CPU/run': '',
  };
}

function rowsOf(result: CpuPerRunResult): Record<string, string | number>[] {
  const pct = (share: number) => `${Math.round(share * 100)}%`;
  return [
    {
      what: 'A: server run',
      concurrency: result.concurrency,
      'CPU/run': formatMs(result.server.cpuMsPerRun),
      'GC share': pct(result.server.gcShare),
      'runs/s': result.server.runsPerSecond,
      p50: formatMs(result.server.latencyMs.p50),
      p99: formatMs(result.server.latencyMs.p99),
      failed: result.server.failed,
      'load gen CPU/run': formatMs(result.server.loadCpuMsPerRun),
      'fakes CPU/run': formatMs(result.server.fakesCpuMsPerRun),
    },
    {
      what: 'B: floor (3 calls)',
      concurrency: result.concurrency,
      'CPU/run': formatMs(result.floor.cpuMsPerRun),
      'GC share': pct(result.floor.gcShare),
      'runs/s': result.floor.runsPerSecond,
      p50: formatMs(result.floor.latencyMs.p50),
      p99: formatMs(result.floor.latencyMs.p99),
      failed: result.floor.failed,
      'load gen CPU/run': formatMs(result.floor.cpuMsPerRun),
      'fakes CPU/run': formatMs(result.floor.fakesCpuMsPerRun),
    },
    {
      what: "B at A's runs/s",
      concurrency: result.concurrency,
      'CPU/run': formatMs(result.floorAtServerRate.cpuMsPerRun),
      'GC share': '',
      'runs/s': result.floorAtServerRate.runsPerSecond,
      p50: '',
      p99: '',
      failed: '',
      'load gen CPU/run': formatMs(result.floorAtServerRate.cpuMsPerRun),
      'fakes CPU/run': formatMs(result.floorAtServerRate.fakesCpuMsPerRun),
    },
    ratioRow("A / (B at A's runs/s)", result.concurrency, result.ratioAtServerRate),
    ratioRow('A/B CPU per run', result.concurrency, result.ratio),
    {
      what: 'C: skeleton server',
      concurrency: result.concurrency,
      'CPU/run': formatMs(result.skeleton.cpuMsPerRun),
      'GC share': pct(result.skeleton.gcShare),
      'runs/s': result.skeleton.runsPerSecond,
      p50: formatMs(result.skeleton.latencyMs.p50),
      p99: formatMs(result.skeleton.latencyMs.p99),
      failed: result.skeleton.failed,
      'load gen CPU/run': '',
      'fakes CPU/run': '',
    },
    ratioRow('C/B CPU per run', result.concurrency, result.skeletonRatio),
    {
      what: 'D: C + must-haves',
      concurrency: result.concurrency,
      'CPU/run': formatMs(result.mustHaves.cpuMsPerRun),
      'GC share': pct(result.mustHaves.gcShare),
      'runs/s': result.mustHaves.runsPerSecond,
      p50: formatMs(result.mustHaves.latencyMs.p50),
      p99: formatMs(result.mustHaves.latencyMs.p99),
      failed: result.mustHaves.failed,
      'load gen CPU/run': '',
      'fakes CPU/run': '',
    },
    ratioRow('D/B CPU per run', result.concurrency, result.mustHavesRatio),
    ratioRow('A/D CPU per run', result.concurrency, result.serverOverMustHaves),
  ];
}

export const overheadVsFloor: Benchmark = {
  name: 'overhead-vs-floor',
  async run(): Promise<BenchmarkReport> {
    const stack = await startBenchStack();
    const agent = new Agent({ connections: 512, keepAliveTimeout: 60_000 });
    const floorRun = createFloorRun(stack.fakesUrl, agent);
    const floorOk = async (ticketId: number) => (await floorRun(ticketId)).ok;
    // BENCH_SKELETON_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof-skeleton" profiles it.
    const skeletonExecArgv =
      process.env.BENCH_SKELETON_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [];
    const skeleton = await startSkeleton(stack.fakesUrl, agent, { execArgv: skeletonExecArgv });
    const mustHaves = await startSkeleton(stack.fakesUrl, agent, {
      execArgv: skeletonExecArgv,
      mustHaves: true,
    });
    const results: CpuPerRunResult[] = [];
    try {
      for (const concurrency of CONCURRENCIES) {
        results.push(await measureCpuPerRun(stack, floorOk, skeleton, mustHaves, concurrency));
      }
    } finally {
      await mustHaves.handle.stop();
      await skeleton.handle.stop();
      await agent.close();
      await stack.close();
    }
    return {
      name: 'overhead-vs-floor',
      title: 'CPU per run against the floor (instant fakes; process CPU time, not throughput)',
      rows: results.flatMap(rowsOf),
      notes: results.map(
        (result) =>
          `concurrency ${result.concurrency}: server main thread ` +
          `${formatMs(result.server.mainThreadCpuMsPerRun)} of the CPU per run; GC ${Math.round(result.server.gcShare * 100)}% of its CPU, ` +
          `longest pause ${result.server.gcLongestMs} ms; server event-loop delay p99 ` +
          `${result.server.loopDelayP99Ms} ms, max ${result.server.loopDelayMaxMs} ms; skeleton ` +
          `main thread ${formatMs(result.skeleton.mainThreadCpuMsPerRun)}; must-haves skeleton main thread ` +
          `${formatMs(result.mustHaves.mainThreadCpuMsPerRun)}; server warm-up before the rounds ` +
          `${result.server.warmUp.runs} runs at ${formatMs(result.server.warmUp.cpuMsPerRun)} a run ` +
          `(main thread ${formatMs(result.server.warmUp.mainThreadCpuMsPerRun)})`,
      ),
      targets: results.map((result) => ({
        name: `server CPU per run ÷ floor CPU per run at concurrency ${result.concurrency}`,
        target: `<= ${TARGET_RATIO}`,
        measured: String(result.ratio),
        met: result.ratio <= TARGET_RATIO,
      })),
      data: results,
    };
  },
};
