import pg from 'pg';
import { TEST_DATABASE_URL } from '../server/src/test-support/postgres-test-schema';
import { BENCH_CONNECTOR } from './support/bench-config';
import { startBenchStack } from './support/bench-stack';
import { generateLoad } from './support/load';
import { formatMs } from './support/report';
import type { Benchmark, BenchmarkReport } from './support/report';

/**
 * Runs per second through one and two server processes on one PostgreSQL, against the instant
 * fakes, with SQLite's single process as the reference. Each run reads the ticket, calls the
 * upstream, writes the ticket, and commits its run record (and the alert counters) before the
 * answer: on PostgreSQL each of those commits is a round trip to the database server, which
 * shares this machine's 2 cores with the servers, the fakes and the load generator.
 *
 * BENCH_DATABASE_URL picks the database (default the local one the tests use); each setup gets a
 * fresh schema, dropped afterwards.
 */
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? TEST_DATABASE_URL;
const CONCURRENCIES = [10, 50];
const WARMUP_MS = 1_000;
const DURATION_MS = 6_000;

async function withSchema<T>(work: (schema: string) => Promise<T>): Promise<T> {
  const schema = `bench_instances_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    return await work(schema);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

export const postgresInstances: Benchmark = {
  name: 'postgres-instances',
  async run(): Promise<BenchmarkReport> {
    const setups = [
      { label: 'SQLite, 1 instance', instances: 1, postgres: false },
      { label: 'PostgreSQL, 1 instance', instances: 1, postgres: true },
      { label: 'PostgreSQL, 2 instances', instances: 2, postgres: true },
    ];
    const rows: Record<string, string | number>[] = [];
    const measured: Record<string, number> = {};
    for (const setup of setups) {
      const measure = async (database?: { url: string; schema: string }) => {
        const stack = await startBenchStack({
          instances: setup.instances,
          ...(database ? { database } : {}),
        });
        try {
          for (const concurrency of CONCURRENCIES) {
            const request = (_worker: number, sequence: number) =>
              stack.runConnector(BENCH_CONNECTOR, 1 + (sequence % 10_000));
            await generateLoad({ concurrency, durationMs: WARMUP_MS, request });
            const load = await generateLoad({ concurrency, durationMs: DURATION_MS, request });
            measured[`${setup.label} @${concurrency}`] = load.runsPerSecond;
            rows.push({
              setup: setup.label,
              concurrency,
              'runs/s': load.runsPerSecond,
              failed: load.failed,
              p50: formatMs(load.latencyMs.p50),
              p99: formatMs(load.latencyMs.p99),
            });
          }
        } finally {
          await stack.close();
        }
      };
      if (setup.postgres) await withSchema((schema) => measure({ url: DATABASE_URL, schema }));
      else await measure();
    }
    const one = measured['PostgreSQL, 1 instance @50'] ?? 0;
    const two = measured['PostgreSQL, 2 instances @50'] ?? 0;
    return {
      name: 'postgres-instances',
      title: 'Runs/s through one and two instances on PostgreSQL (instant fakes)',
      rows,
      targets: [],
      notes: [
        `two instances / one instance at concurrency 50: ${one > 0 ? (two / one).toFixed(2) : 'n/a'}× (on 2 cores shared by the database, both servers, the fakes and the load, a second instance adds event loops, not cores)`,
      ],
      data: { rows },
    };
  },
};
