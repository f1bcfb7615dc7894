/**
 * `npm run bench`: runs each benchmark in turn, prints its table and targets, and writes
 * bench/results/<name>.json plus bench/results/summary.json. Not part of `npm test`.
 *
 * `npm run bench -- memory sidebar` runs only the named benchmarks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backfillKilledHalfway } from './backfill-killed-halfway';
import { burstAtRateLimits } from './burst-at-rate-limits';
import { burstsAfterIdle } from './bursts-after-idle';
import { memory } from './memory';
import { overheadVsFloor } from './overhead-vs-floor';
import { postgresInstances } from './postgres-instances';
import { postgresQueue } from './postgres-queue';
import { postgresRunLogAtScale } from './postgres-run-log-at-scale';
import { runLogAtScale } from './run-log-at-scale';
import { runLogPages } from './run-log-pages';
import { serverAddedLatency } from './server-added-latency';
import { sidebar } from './sidebar';
import { workPerRun } from './work-per-run';
import { instructionsPerRun } from './instructions-per-run';
import type { Benchmark, BenchmarkReport } from './support/report';

const BENCHMARKS: Benchmark[] = [
  overheadVsFloor,
  workPerRun,
  instructionsPerRun,
  burstsAfterIdle,
  serverAddedLatency,
  runLogAtScale,
  runLogPages,
  postgresRunLogAtScale,
  memory,
  sidebar,
  postgresInstances,
  postgresQueue,
  burstAtRateLimits,
  backfillKilledHalfway,
];

function printTable(rows: Record<string, string | number>[]): void {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => String(row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) =>
        index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
      )
      .join('  ');
  console.log(line(columns));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(columns.map((column) => String(row[column] ?? ''))));
}

function printReport(report: BenchmarkReport): void {
  console.log(`\n== ${report.title} ==`);
  printTable(report.rows);
  for (const note of report.notes ?? []) console.log(`  note: ${note}`);
  for (const target of report.targets) {
    const verdict = target.met === undefined ? 'NOT MEASURED' : target.met ? 'met' : 'MISSED';
    console.log(
      `  target ${target.name}: ${target.target}, measured ${target.measured}: ${verdict}`,
    );
  }
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected = wanted.length
    ? BENCHMARKS.filter((benchmark) => wanted.includes(benchmark.name))
    : BENCHMARKS;
  if (selected.length === 0) {
    console.error(
      `No benchmark named ${wanted.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
    );
    process.exit(2);
  }
  const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(resultsDir, { recursive: true });
  const environment = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
  };
  console.log(`Node ${environment.node}, ${environment.cpus} CPUs (${environment.cpuModel})`);
  const reports: BenchmarkReport[] = [];
  for (const benchmark of selected) {
    const started = performance.now();
    const report = await benchmark.run();
    printReport(report);
    console.log(`  (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    reports.push(report);
    writeFileSync(
      join(resultsDir, `${report.name}.json`),
      `${JSON.stringify({ ...environment, ...report }, null, 2)}\n`,
    );
  }
  writeFileSync(
    join(resultsDir, 'summary.json'),
    `${JSON.stringify({ ...environment, targets: reports.flatMap((r) => r.targets.map((t) => ({ benchmark: r.name, ...t }))) }, null, 2)}\n`,
  );
  console.log(`\nWrote ${resultsDir}`);
}

await main();
