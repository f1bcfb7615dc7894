/**
 * Why the run log is SQLite and not lowdb, in numbers.
 *
 * lowdb keeps the whole log in memory and rewrites its whole JSON file on every write, so the
 * cost of recording one run grows with the log. This script measures, for logs of N existing
 * runs, the p50/p99 time to record one more run, to list one ticket's runs, to find the latest
 * run per connector for a ticket (the sidebar), and the file size.
 *
 * Run: npx tsx bench/run-log-store-choice.ts   (writes bench/results/run-log-store-choice.json)
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { RunRecord } from '../server/src/run-log/run-record';
import { openSqliteRunLogStore } from '../server/src/run-log/sqlite-run-log-store';
import {
  BASE_MS,
  SPACING_MS,
  benchRuns,
  buildBenchRun,
  percentiles,
  pickIndexes,
  round,
  ticketOf,
} from './support/bench-runs';
import type { Percentiles } from './support/bench-runs';
import type { SqliteRunLogStore } from '../server/src/run-log/sqlite-run-log-store';

const LOWDB_SIZES = [1_000, 10_000, 100_000];
const SQLITE_SIZES = [1_000, 10_000, 100_000, 1_000_000];
/** The stopping rule: a store that needs this long to record one run is out. */
const LOWDB_WRITE_LIMIT_MS = 2_000;
const SQLITE_SAMPLES = 1_000;
const PRUNE_BATCH_SIZES = [5_000, 1_000];
const LOWDB_SAMPLES = { write: 20, read: 200 };
const LOWDB_MIN_SAMPLES = 3;
/** Keeps each lowdb size to a few seconds once single writes get slow. */
const LOWDB_WRITE_BUDGET_MS = 15_000;

interface SizeResult {
  store: 'lowdb' | 'sqlite';
  existingRuns: number;
  recordMs: Percentiles;
  ticketQueryMs: Percentiles;
  lastRunsForMs: Percentiles;
  fileBytes: number;
  buildMs: number;
}

interface BenchReport {
  generatedAt: string;
  node: string;
  platform: string;
  sqliteVersion: string;
  runBytesAsJson: number;
  results: SizeResult[];
  lowdbStoppedAt?: { existingRuns: number; reason: string };
  sqlitePrune?: Array<{
    existingRuns: number;
    batchSize: number;
    deleted: number;
    totalMs: number;
    maxEventLoopDelayMs: number;
  }>;
  totalSeconds: number;
}

async function time(action: () => unknown): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

async function measureSqlite(dir: string, report: BenchReport): Promise<void> {
  const path = join(dir, 'runs.sqlite');
  const opened = openSqliteRunLogStore({ path, retentionDays: 7, pruneIntervalMs: 0 });
  if (!opened.ok) throw new Error(opened.error.message);
  const store: SqliteRunLogStore = opened.value;
  let size = 0;
  // Measured runs get indexes far beyond the log so they never collide with later growth.
  let nextIndex = 10_000_000;
  for (const target of SQLITE_SIZES) {
    const buildMs = await time(() => store.recordMany(benchRuns(size, target)));
    size = target;
    const record: number[] = [];
    for (let i = 0; i < SQLITE_SAMPLES; i++) {
      const run = buildBenchRun(nextIndex++);
      record.push(await time(() => store.record(run)));
    }
    const tickets = pickIndexes(SQLITE_SAMPLES, size).map(ticketOf);
    const query: number[] = [];
    const lastRuns: number[] = [];
    for (const ticket of tickets) {
      query.push(
        await time(() => store.query({ targetSystem: ticket.system, targetId: ticket.id })),
      );
      lastRuns.push(await time(() => store.lastRunsFor(ticket)));
    }
    const result: SizeResult = {
      store: 'sqlite',
      existingRuns: size,
      recordMs: percentiles(record),
      ticketQueryMs: percentiles(query),
      lastRunsForMs: percentiles(lastRuns),
      fileBytes: sqliteFileBytes(path),
      buildMs: Math.round(buildMs),
    };
    report.results.push(result);
    printResult(result);
  }

  await store.close();

  // One day of a seven-day million: what the hourly prune faces after a day of downtime.
  // Each batch size prunes its own copy of the same file.
  const olderThan = new Date(BASE_MS + Math.floor(size / 7) * SPACING_MS);
  const existingRuns = size + SQLITE_SAMPLES * SQLITE_SIZES.length;
  sqliteFileBytes(path);
  report.sqlitePrune = [];
  for (const batchSize of PRUNE_BATCH_SIZES) {
    const copy = join(dir, `prune-${batchSize}.sqlite`);
    copyFileSync(path, copy);
    report.sqlitePrune.push({ existingRuns, ...(await measurePrune(copy, olderThan, batchSize)) });
    rmSync(copy);
  }
}

async function measurePrune(
  path: string,
  olderThan: Date,
  batchSize: number,
): Promise<{ batchSize: number; deleted: number; totalMs: number; maxEventLoopDelayMs: number }> {
  const opened = openSqliteRunLogStore({
    path,
    retentionDays: 7,
    pruneIntervalMs: 0,
    pruneBatchSize: batchSize,
  });
  if (!opened.ok) throw new Error(opened.error.message);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let deleted = 0;
  const totalMs = await time(async () => {
    deleted = await opened.value.prune(olderThan);
  });
  delay.disable();
  await opened.value.close();
  return {
    batchSize,
    deleted,
    totalMs: Math.round(totalMs),
    maxEventLoopDelayMs: round(delay.max / 1e6),
  };
}

function sqliteFileBytes(path: string): number {
  // Fold the WAL into the main file so the figure is the data, not a transient log.
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return ['', '-wal'].reduce((sum, suffix) => {
    try {
      return sum + statSync(path + suffix).size;
    } catch {
      return sum;
    }
  }, 0);
}

async function measureLowdb(dir: string, report: BenchReport): Promise<void> {
  const path = join(dir, 'runs.json');
  const db = new Low<{ runs: RunRecord[] }>(new JSONFile(path), { runs: [] });
  let nextIndex = 10_000_000;
  for (const target of LOWDB_SIZES) {
    db.data.runs = Array.from(benchRuns(0, target));
    const buildMs = await time(() => db.write());
    const record: number[] = [];
    let spent = 0;
    let slowest = 0;
    while (record.length < LOWDB_SAMPLES.write && spent < LOWDB_WRITE_BUDGET_MS) {
      const run = buildBenchRun(nextIndex++);
      // What recording one run costs with lowdb: push, then rewrite the file.
      const ms = await time(() => {
        db.data.runs.push(run);
        return db.write();
      });
      record.push(ms);
      spent += ms;
      slowest = Math.max(slowest, ms);
      // A few samples even when slow, so one outlier does not decide.
      if (ms > LOWDB_WRITE_LIMIT_MS && record.length >= LOWDB_MIN_SAMPLES) break;
    }
    const tickets = pickIndexes(LOWDB_SAMPLES.read, target).map(ticketOf);
    const query: number[] = [];
    const lastRuns: number[] = [];
    for (const ticket of tickets) {
      query.push(await time(() => queryTicketInMemory(db.data.runs, ticket)));
      lastRuns.push(await time(() => lastRunsInMemory(db.data.runs, ticket)));
    }
    const result: SizeResult = {
      store: 'lowdb',
      existingRuns: target,
      recordMs: percentiles(record),
      ticketQueryMs: percentiles(query),
      lastRunsForMs: percentiles(lastRuns),
      fileBytes: statSync(path).size,
      buildMs: Math.round(buildMs),
    };
    report.results.push(result);
    printResult(result);
    if (slowest > LOWDB_WRITE_LIMIT_MS) {
      report.lowdbStoppedAt = {
        existingRuns: target,
        reason: `one write took ${Math.round(slowest)} ms (limit ${LOWDB_WRITE_LIMIT_MS} ms)`,
      };
      break;
    }
  }
  db.data.runs = [];
}

/** lowdb has no indexes: every read is a filter over the whole array. */
function queryTicketInMemory(
  runs: RunRecord[],
  ticket: { system: string; id: string },
): RunRecord[] {
  return runs
    .filter((run) => run.target.system === ticket.system && run.target.id === ticket.id)
    .sort((a, b) =>
      a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1,
    )
    .slice(0, 50);
}

function lastRunsInMemory(
  runs: RunRecord[],
  ticket: { system: string; id: string },
): Record<string, RunRecord> {
  const latest: Record<string, RunRecord> = {};
  for (const run of runs) {
    if (run.kind !== 'connector') continue;
    if (run.target.system !== ticket.system || run.target.id !== ticket.id) continue;
    const current = latest[run.connectorId];
    if (!current || run.startedAt > current.startedAt) latest[run.connectorId] = run;
  }
  return latest;
}

const COLUMNS = [
  'store',
  'runs',
  'record p50',
  'record p99',
  'ticket p50',
  'ticket p99',
  'last p50',
  'last p99',
  'file',
  'build',
];

function printHeader(): void {
  console.log(
    COLUMNS.map((c, i) => (i < 2 ? c.padEnd(i === 0 ? 7 : 10) : c.padStart(11))).join(' '),
  );
}

function printResult(r: SizeResult): void {
  const ms = (value: number): string =>
    `${value < 10 ? value.toFixed(3) : value.toFixed(0)} ms`.padStart(11);
  console.log(
    [
      r.store.padEnd(7),
      r.existingRuns.toLocaleString('en-US').padEnd(10),
      ms(r.recordMs.p50),
      ms(r.recordMs.p99),
      ms(r.ticketQueryMs.p50),
      ms(r.ticketQueryMs.p99),
      ms(r.lastRunsForMs.p50),
      ms(r.lastRunsForMs.p99),
      `${(r.fileBytes / 1024 / 1024).toFixed(1)} MB`.padStart(11),
      `${(r.buildMs / 1000).toFixed(1)} s`.padStart(11),
    ].join(' '),
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'run-log-bench-'));
  const memory = new Database(':memory:');
  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    sqliteVersion: String(memory.prepare('SELECT sqlite_version()').pluck().get()),
    runBytesAsJson: Buffer.byteLength(JSON.stringify(buildBenchRun(1))),
    results: [],
    totalSeconds: 0,
  };
  memory.close();
  try {
    console.log(`One run is ${report.runBytesAsJson} bytes as JSON.\n`);
    printHeader();
    await measureLowdb(dir, report);
    await measureSqlite(dir, report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report.totalSeconds = Math.round((performance.now() - started) / 1000);

  if (report.lowdbStoppedAt) {
    console.log(
      `\nlowdb stopped at ${report.lowdbStoppedAt.existingRuns} runs: ${report.lowdbStoppedAt.reason}`,
    );
  }
  for (const p of report.sqlitePrune ?? []) {
    console.log(
      `SQLite prune of ${p.deleted.toLocaleString('en-US')} of ${p.existingRuns.toLocaleString('en-US')} runs, ` +
        `${p.batchSize.toLocaleString('en-US')} rows per DELETE: ${p.totalMs} ms in total, ` +
        `event loop blocked at most ${p.maxEventLoopDelayMs} ms at a time`,
    );
  }
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'run-log-store-choice.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nTotal ${report.totalSeconds} s. Wrote ${out}`);
}

await main();
