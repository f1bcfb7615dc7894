import { join } from 'node:path';
import { request } from 'undici';
import { createRunId } from '../server/src/run-log/run-record';
import type { RunRecord } from '../server/src/run-log/run-record';
import { openSqliteRunLogStore } from '../server/src/run-log/sqlite-run-log-store';
import { RUN_LOG_FILE } from '../server/src/storage/open-sqlite-storage';
import { buildBenchRun, percentiles } from './support/bench-runs';
import { startBenchStack } from './support/bench-stack';
import { formatMiB, formatMs } from './support/report';
import type { Benchmark, BenchmarkReport } from './support/report';
import { peakRssDuring, readRss } from './support/rss';

/**
 * Issue 9 §3: one session fetched a 99 MB run-log page, and six in parallel stalled /health for
 * 42 s with the server at 887 MB. Here the run log holds 2,000 runs of ~60 kB each (the most a
 * capped record carries: 16 KiB request and response bodies and written changes, a 4 KiB
 * message), six clients page through all of it with limit=500 at once, and /health is timed
 * every 50 ms meanwhile.
 */
const RUNS = 2_000;
const PARALLEL_READERS = 6;
const TARGET_PAGE_BYTES = 1024 * 1024 + 64 * 1024;
const TARGET_HEALTH_P99_MS = 250;
const TARGET_RSS_BYTES = 200 * 1000 * 1000;

function bulkyRun(index: number): RunRecord {
  const base = buildBenchRun(index);
  const kib16 = 'x'.repeat(16 * 1024);
  // Within the server's 7-day retention, or it prunes them at start.
  const startedAtMs = Date.now() - (RUNS - index) * 1000;
  return {
    ...base,
    id: createRunId(startedAtMs),
    startedAt: new Date(startedAtMs).toISOString(),
    message: 'm'.repeat(4 * 1024),
    request: { method: 'POST', url: 'https://api.example.com/v2/orders', headers: {}, body: kib16 },
    response: { status: 200, headers: {}, body: kib16, truncated: true },
    writes: { status: 'written', changes: { comment: { body: kib16, public: false } } },
  };
}

async function seedRunLog(dataDir: string): Promise<void> {
  const opened = openSqliteRunLogStore({
    path: join(dataDir, RUN_LOG_FILE),
    retentionDays: 100_000,
    pruneIntervalMs: 0,
  });
  if (!opened.ok) throw new Error(opened.error.message);
  for (let index = 0; index < RUNS; index += 1) await opened.value.record(bulkyRun(index));
  await opened.value.close();
}

export const runLogPages: Benchmark = {
  name: 'run-log-pages',
  async run(): Promise<BenchmarkReport> {
    const stack = await startBenchStack({ prepareDataDir: seedRunLog });
    const authorization = `Bearer ${stack.adminToken}`;
    try {
      const pageBytes: number[] = [];
      const pageMs: number[] = [];
      const seenPerReader: number[] = [];
      const readAll = async () => {
        let cursor: string | null = null;
        let seen = 0;
        do {
          const started = performance.now();
          const res = await request(
            `${stack.serverUrl}/api/runs?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
            { headers: { authorization } },
          );
          const text = await res.body.text();
          pageMs.push(performance.now() - started);
          pageBytes.push(Buffer.byteLength(text));
          if (res.statusCode !== 200) throw new Error(`GET /api/runs: ${res.statusCode}`);
          const page = JSON.parse(text) as { runs: unknown[]; nextCursor: string | null };
          seen += page.runs.length;
          cursor = page.nextCursor;
        } while (cursor);
        seenPerReader.push(seen);
      };

      const healthMs: number[] = [];
      let reading = true;
      const probeHealth = async () => {
        while (reading) {
          const started = performance.now();
          const res = await request(`${stack.serverUrl}/health`);
          await res.body.dump();
          healthMs.push(performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const idle = readRss(stack.server.pid);
      const started = performance.now();
      const probing = probeHealth();
      const peak = await peakRssDuring(stack.server.pid, async () => {
        await Promise.all(Array.from({ length: PARALLEL_READERS }, readAll));
      });
      const elapsedMs = performance.now() - started;
      reading = false;
      await probing;

      const health = percentiles(healthMs);
      const page = percentiles(pageMs);
      const largestPage = Math.max(...pageBytes);
      const everyRunSeen = seenPerReader.every((seen) => seen === RUNS);
      return {
        name: 'run-log-pages',
        title: `Run log pages: ${PARALLEL_READERS} clients read ${RUNS} runs of ~60 kB with limit=500`,
        rows: [
          { measure: 'pages read', value: pageBytes.length },
          { measure: 'largest page', value: formatMiB(largestPage) },
          {
            measure: 'page time p50 / p99',
            value: `${formatMs(page.p50)} / ${formatMs(page.p99)}`,
          },
          { measure: 'all readers done in', value: formatMs(elapsedMs) },
          {
            measure: '/health p50 / p99 / max meanwhile',
            value: `${formatMs(health.p50)} / ${formatMs(health.p99)} / ${formatMs(Math.max(...healthMs))}`,
          },
          { measure: 'server RSS idle / peak', value: `${formatMiB(idle)} / ${formatMiB(peak)}` },
        ],
        notes: [`each reader saw ${seenPerReader.join(', ')} runs (of ${RUNS})`],
        targets: [
          {
            name: 'largest page',
            target: `<= ${formatMiB(TARGET_PAGE_BYTES)}, every run read once`,
            measured: formatMiB(largestPage),
            met: largestPage <= TARGET_PAGE_BYTES && everyRunSeen,
          },
          {
            name: '/health p99 while 6 clients page',
            target: `<= ${TARGET_HEALTH_P99_MS} ms`,
            measured: formatMs(health.p99),
            met: health.p99 <= TARGET_HEALTH_P99_MS,
          },
          {
            name: 'server RSS peak',
            target: `<= 200 MB (${formatMiB(TARGET_RSS_BYTES)})`,
            measured: formatMiB(peak),
            met: peak <= TARGET_RSS_BYTES,
          },
        ],
      };
    } finally {
      await stack.close();
    }
  },
};
