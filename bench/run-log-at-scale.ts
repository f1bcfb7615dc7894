import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openSqliteRunLogStore } from '../server/src/run-log/sqlite-run-log-store';
import {
  BASE_MS,
  CONNECTORS,
  SPACING_MS,
  benchRuns,
  buildBenchRun,
  percentiles,
  pickIndexes,
  ticketOf,
} from './support/bench-runs';
import { formatMs } from './support/report';
import type { Benchmark, BenchmarkReport } from './support/report';

/**
 * The run log with a million stored runs (seven days of a busy helpdesk): record one more, list
 * one ticket's runs, find the latest run per connector for a ticket (the sidebar), prune a day.
 */
const STORED = 1_000_000;
const SAMPLES = 2_000;
const TARGET_RECORD_P50_MS = 1;

async function timeEach(count: number, action: (index: number) => Promise<unknown>) {
  const durations: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await action(index);
    durations.push(performance.now() - started);
  }
  return percentiles(durations);
}

export const runLogAtScale: Benchmark = {
  name: 'run-log-at-scale',
  async run(): Promise<BenchmarkReport> {
    const dir = mkdtempSync(join(tmpdir(), 'dc-bench-runlog-'));
    try {
      const opened = openSqliteRunLogStore({
        path: join(dir, 'runs.sqlite'),
        retentionDays: 7,
        pruneIntervalMs: 0,
      });
      if (!opened.ok) throw new Error(opened.error.message);
      const store = opened.value;
      const buildStarted = performance.now();
      await store.recordMany(benchRuns(0, STORED));
      const buildMs = performance.now() - buildStarted;

      let next = 10_000_000;
      const record = await timeEach(SAMPLES, () => store.record(buildBenchRun(next++)));
      const tickets = pickIndexes(SAMPLES, STORED).map(ticketOf);
      const query = await timeEach(SAMPLES, (index) => {
        const ticket = tickets[index] as (typeof tickets)[number];
        return store.query({ targetSystem: ticket.system, targetId: ticket.id });
      });
      const lastRuns = await timeEach(SAMPLES, (index) =>
        store.lastRunsFor(tickets[index] as (typeof tickets)[number]),
      );

      // The console's screens at this size: a filtered logs page (and the 20th page after it),
      // and the connectors list's 24-hour summary of all 30 connectors.
      const lastDay = new Date(BASE_MS + (STORED - 1) * SPACING_MS - 86_400_000);
      const bySurface = await timeEach(200, () => store.query({ source: 'automation' }));
      const byActor = await timeEach(200, (index) =>
        store.query({ actor: { kind: 'agent', id: String(1000 + (index % 200)) } }),
      );
      const deepPage = await timeEach(20, async () => {
        let cursor: string | undefined;
        for (let page = 0; page < 20; page++) {
          const answer = await store.query({ outcome: 'failed', ...(cursor ? { cursor } : {}) });
          cursor = answer.nextCursor;
        }
      });
      const connectorIds = Array.from({ length: CONNECTORS }, (_, index) => `connector-${index}`);
      const summary = await timeEach(5, () => store.summarize(connectorIds, lastDay));

      // The oldest day of seven: what the hourly prune faces after a day of downtime.
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const pruneStarted = performance.now();
      const deleted = await store.prune(new Date(BASE_MS + Math.floor(STORED / 7) * SPACING_MS));
      const pruneMs = performance.now() - pruneStarted;
      delay.disable();
      await store.close();

      const rows = [
        { operation: 'record one run', p50: formatMs(record.p50), p99: formatMs(record.p99) },
        { operation: "one ticket's runs (50)", p50: formatMs(query.p50), p99: formatMs(query.p99) },
        {
          operation: 'latest run per connector',
          p50: formatMs(lastRuns.p50),
          p99: formatMs(lastRuns.p99),
        },
        {
          operation: 'console: logs page by surface',
          p50: formatMs(bySurface.p50),
          p99: formatMs(bySurface.p99),
        },
        {
          operation: 'console: logs page by actor',
          p50: formatMs(byActor.p50),
          p99: formatMs(byActor.p99),
        },
        {
          operation: 'console: 20 pages of failed runs',
          p50: formatMs(deepPage.p50),
          p99: formatMs(deepPage.p99),
        },
        {
          operation: `console: connectors list, ${CONNECTORS} connectors' last 24 h`,
          p50: formatMs(summary.p50),
          p99: formatMs(summary.p99),
        },
        {
          operation: `prune a day (${deleted.toLocaleString('en-US')} runs)`,
          p50: `${(pruneMs / 1000).toFixed(1)} s total`,
          p99: `loop blocked <= ${formatMs(delay.max / 1e6)}`,
        },
      ];
      return {
        name: 'run-log-at-scale',
        title: `Run log with ${STORED.toLocaleString('en-US')} stored runs (SQLite)`,
        rows,
        targets: [
          {
            name: 'record one run with 1M stored, p50',
            target: `<= ${TARGET_RECORD_P50_MS} ms`,
            measured: formatMs(record.p50),
            met: record.p50 <= TARGET_RECORD_P50_MS,
          },
        ],
        notes: [`building the log took ${(buildMs / 1000).toFixed(0)} s (one transaction)`],
        data: {
          stored: STORED,
          recordMs: record,
          ticketQueryMs: query,
          lastRunsForMs: lastRuns,
          consoleMs: { bySurface, byActor, deepPage, summary },
          prune: { deleted, totalMs: Math.round(pruneMs), maxEventLoopDelayMs: delay.max / 1e6 },
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
