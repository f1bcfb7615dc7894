import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent } from 'undici';
import { BENCH_CONNECTOR } from './support/bench-config';
import { startBenchStack } from './support/bench-stack';
import type { BenchStack } from './support/bench-stack';
import {
  INSTRUCTION_CATEGORIES,
  parseAnnotatedFunctions,
  readCallgrindSummary,
  sumByCategory,
} from './support/callgrind-categories';
import type { InstructionCategory } from './support/callgrind-categories';
import type { Benchmark, BenchmarkReport } from './support/report';
import { startSkeleton } from './support/skeleton-run';
import type { SkeletonSide } from './support/skeleton-run';

const run = promisify(execFile);

/**
 * Instructions per run, counted by valgrind's callgrind: the server (A) against the must-haves
 * skeleton (D), at concurrency 10. CPU time on this 2-core machine moves ±7% between runs of the
 * same code (overhead-vs-floor's A/D), so a change worth 2% needs many alternating pairs to show.
 * Instructions executed do not depend on what else the machine is doing: two counts of the same
 * code agree within about 1%, so this shows such a change in one run of each version.
 *
 * Each process runs under callgrind with instrumentation off, takes WARMUP runs at native-ish
 * speed (V8 tiers its hot functions up), then counts COUNTED runs with it on. All threads are
 * counted (the collector's and the compiler's too), as process CPU time counts them. What it
 * does not count: time in the kernel (system calls, about a tenth of a run), and the cost of
 * cache misses and stalls, so instructions are not CPU time; compare versions with it, and
 * confirm what it finds with overhead-vs-floor. BENCH_INSTRUCTIONS_RUNS=warmup,counted changes
 * the two (default 3000,1500: about four minutes in all).
 */
const CONCURRENCY = 10;
const [WARMUP, COUNTED] = (process.env.BENCH_INSTRUCTIONS_RUNS ?? '3000,1500')
  .split(',')
  .map(Number) as [number, number];
/** BENCH_INSTRUCTIONS_SIDES=A counts the server only (about two minutes), to compare versions. */
const COUNT_SKELETON = process.env.BENCH_INSTRUCTIONS_SIDES !== 'A';
/**
 * BENCH_INSTRUCTIONS_KEEP=/some/dir copies callgrind's files there (a/ and d/) before they are
 * deleted, for callgrind_annotate --inclusive or a caller tree (with BENCH_SERVER_NODE_OPTIONS=
 * --perf-basic-prof, V8's /tmp/perf-<pid>.map names the generated code).
 */
const KEEP_DIR = process.env.BENCH_INSTRUCTIONS_KEEP;
const TICKETS = 5_000;
const ticketOf = (sequence: number) => 1 + (sequence % TICKETS);

interface SideCount {
  runs: number;
  failed: number;
  instructions: number;
  /** Misses in valgrind's simulated level-1 caches (instruction, data read, data write). */
  l1Misses: number;
  categories: Record<InstructionCategory, number>;
  /** The functions that executed the most, for reading (name → instructions per run). */
  top: { name: string; perRun: number }[];
}

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    // callgrind_annotate comes with it (and answers --version with exit code 255).
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function drive(count: number, first: number, once: (ticket: number) => Promise<boolean>) {
  let next = first;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < first + count) {
        const sequence = next++;
        if (!(await once(ticketOf(sequence)))) failed += 1;
      }
    }),
  );
  return failed;
}

/** Warm-up uncounted, then COUNTED runs counted and dumped to a file of `dir`. */
async function countSide(
  pid: number,
  dir: string,
  once: (ticket: number) => Promise<boolean>,
): Promise<SideCount> {
  const warmFailed = await drive(WARMUP, 0, once);
  await run('callgrind_control', ['--instr=on', String(pid)]);
  const failed = await drive(COUNTED, WARMUP, once);
  await run('callgrind_control', ['--dump', String(pid)]);
  await run('callgrind_control', ['--instr=off', String(pid)]);
  const dump = readdirSync(dir).find((file) => /\.out\.1$/.test(file));
  if (!dump) throw new Error(`callgrind wrote no dump in ${dir}`);
  const path = join(dir, dump);
  const summary = readCallgrindSummary(readFileSync(path, 'utf8'));
  const { stdout } = await run(
    'callgrind_annotate',
    ['--inclusive=no', '--show=Ir', '--threshold=100', path],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const functions = parseAnnotatedFunctions(stdout);
  const perRun = (count: number) => count / COUNTED;
  const categories = sumByCategory(functions);
  return {
    runs: COUNTED,
    failed: failed + warmFailed,
    instructions: perRun(summary.Ir ?? NaN),
    l1Misses: perRun((summary.I1mr ?? NaN) + (summary.D1mr ?? NaN) + (summary.D1mw ?? NaN)),
    categories: Object.fromEntries(
      Object.entries(categories).map(([category, count]) => [category, perRun(count)]),
    ) as Record<InstructionCategory, number>,
    top: [...functions]
      .sort((a, b) => b.instructions - a.instructions)
      .slice(0, 15)
      .map((fn) => ({ name: fn.name.slice(0, 120), perRun: Math.round(perRun(fn.instructions)) })),
  };
}

function callgrind(dir: string): string[] {
  return [
    'valgrind',
    '--tool=callgrind',
    '-q',
    '--instr-atstart=no',
    '--cache-sim=yes',
    `--callgrind-out-file=${join(dir, 'callgrind.%p.out')}`,
  ];
}

const thousands = (count: number) => `${(count / 1000).toFixed(0)}k`;

/** The steadier part of the count: a major collection or a late compile falls in a window or not. */
const mutator = (side: SideCount) =>
  side.instructions - side.categories['garbage collection'] - side.categories['JIT compiler'];

const row = (what: string, side: SideCount) => ({
  what,
  'instructions/run': thousands(side.instructions),
  ...Object.fromEntries(
    INSTRUCTION_CATEGORIES.map((category) => [category, thousands(side.categories[category])]),
  ),
  'L1 misses/run': thousands(side.l1Misses),
  failed: side.failed,
});

const topNote = (side: SideCount) =>
  `top functions: ${side.top
    .slice(0, 8)
    .map((fn) => `${thousands(fn.perRun)} ${fn.name}`)
    .join('; ')}`;

export const instructionsPerRun: Benchmark = {
  name: 'instructions-per-run',
  async run(): Promise<BenchmarkReport> {
    const title = `Instructions per run under callgrind (concurrency ${CONCURRENCY}, after ${WARMUP} runs, ${COUNTED} counted)`;
    if (!hasValgrind()) {
      return {
        name: 'instructions-per-run',
        title,
        rows: [],
        notes: ['valgrind (with callgrind_control and callgrind_annotate) is not installed'],
        targets: [],
      };
    }
    const serverDir = mkdtempSync(join(tmpdir(), 'dc-callgrind-a-'));
    const skeletonDir = mkdtempSync(join(tmpdir(), 'dc-callgrind-d-'));
    let stack: BenchStack | undefined;
    let mustHaves: SkeletonSide | undefined;
    const agent = new Agent({ connections: 64, keepAliveTimeout: 60_000 });
    try {
      stack = await startBenchStack({ serverWrapper: callgrind(serverDir) });
      const server = await countSide(stack.server.pid, serverDir, (ticket) =>
        (stack as BenchStack).runConnector(BENCH_CONNECTOR, ticket),
      );
      if (!COUNT_SKELETON) {
        return {
          name: 'instructions-per-run',
          title,
          rows: [row('A: server run', server)],
          notes: [
            `without the collector and the compiler: ${thousands(mutator(server))}`,
            topNote(server),
          ],
          targets: [],
          data: { concurrency: CONCURRENCY, warmup: WARMUP, server },
        };
      }
      mustHaves = await startSkeleton(stack.fakesUrl, agent, {
        mustHaves: true,
        wrapper: callgrind(skeletonDir),
      });
      const skeleton = await countSide(mustHaves.handle.pid, skeletonDir, (ticket) =>
        (mustHaves as SkeletonSide).run(ticket),
      );
      const ratio = Math.round((server.instructions / skeleton.instructions) * 100) / 100;
      return {
        name: 'instructions-per-run',
        title,
        rows: [row('A: server run', server), row('D: must-haves skeleton', skeleton)],
        notes: [
          `A/D instructions per run: ${ratio}; without the collector and the compiler: ${thousands(
            mutator(server),
          )} against ${thousands(mutator(skeleton))}, ${
            Math.round((mutator(server) / mutator(skeleton)) * 100) / 100
          }`,
          topNote(server),
        ],
        targets: [],
        data: { concurrency: CONCURRENCY, warmup: WARMUP, server, skeleton, ratio },
      };
    } finally {
      await mustHaves?.handle.stop();
      await agent.close();
      await stack?.close();
      if (KEEP_DIR) {
        cpSync(serverDir, join(KEEP_DIR, 'a'), { recursive: true });
        cpSync(skeletonDir, join(KEEP_DIR, 'd'), { recursive: true });
      }
      rmSync(serverDir, { recursive: true, force: true });
      rmSync(skeletonDir, { recursive: true, force: true });
    }
  },
};
