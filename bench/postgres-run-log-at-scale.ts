import { createPostgresRunLogStore } from '../server/src/run-log/postgres-run-log-store';
import { createRunId } from '../server/src/run-log/run-record';
import type { ConnectorRunRecord } from '../server/src/run-log/run-record';
import { toStoredRun } from '../server/src/run-log/stored-run';
import {
  createPostgresPool,
  describePostgresError,
} from '../server/src/storage/postgres/connect-postgres';
import { runMigrations } from '../server/src/storage/postgres/run-migrations';
import { BASE_MS, CONNECTORS, buildBenchRun, pickIndexes, round } from './support/bench-runs';
import { nearestRank } from './support/load';
import { formatMs } from './support/report';
import type { Benchmark, BenchmarkReport } from './support/report';

/**
 * The run log on PostgreSQL with ten million stored runs (seven days of several busy instances
 * sharing one database): record one more, list one ticket's runs, the sidebar's latest run per
 * connector. The ten million rows are made by the database itself (INSERT … SELECT
 * generate_series, the same ~0.9 KB runs as bench/support/bench-runs.ts) into a schema of its own
 * that later runs reuse: filled only when it does not hold exactly STORED runs.
 *
 * BENCH_DATABASE_URL (default TEST_DATABASE_URL, else the local server) picks the database.
 */
const STORED = 10_000_000;
const TICKETS = 500_000;
/** Seven days over ten million runs. */
const SPACING_MS = Math.floor((7 * 86_400_000) / STORED);
const FILL_CHUNK = 1_000_000;
const SCHEMA = 'bench_run_log_10m';
const SAMPLES = 2_000;
const TARGET_RECORD_P50_MS = 1;
const TARGET_TICKET_P50_MS = 5;
const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const CROCKFORD_BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

interface Figures {
  p50: number;
  p95: number;
  p99: number;
}

function percentilesOf(durations: number[]): Figures {
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (q: number) => round(nearestRank(sorted, q));
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

async function timeEach(count: number, action: (index: number) => Promise<unknown>) {
  const durations: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await action(index);
    durations.push(performance.now() - started);
  }
  return percentilesOf(durations);
}

/** The ticket or record of run `index`: about 20 runs each over the seven days. */
function ticketOf(index: number): { system: 'zendesk' | 'salesforce'; id: string } {
  const ticket = (index * 7_919) % TICKETS;
  return ticket % 5 === 0
    ? { system: 'salesforce', id: `500Dn0000${String(ticket).padStart(6, '0')}` }
    : { system: 'zendesk', id: String(ticket + 1) };
}

/** SQL for `chars` Crockford base-32 digits of the bigint expression `value` (a run id's parts). */
function base32Sql(value: string, chars: number): string {
  return Array.from(
    { length: chars },
    (_, k) =>
      `substr('${CROCKFORD_BASE32}', ((${value} >> ${5 * (chars - 1 - k)}) & 31)::int + 1, 1)`,
  ).join(' || ');
}

/**
 * A run's details as the store writes them, with placeholders where runs differ, taken from
 * the real mapping so the generated rows read back as valid runs.
 */
function detailsTemplate(index: number): string {
  const run = buildBenchRun(index);
  const orderNumber = String(100_000 + index);
  return toStoredRun(run)
    .details.replaceAll(orderNumber, '@N@')
    .replace(`"id":"${1000 + (index % 200)}"`, '"id":"@A@"')
    .replace(`"durationMs":${80 + (index % 400)}`, '"durationMs":@D@')
    .replace('"source":"zendesk"', '"source":"@S@"')
    .replace('"type":"ticket"', '"type":"@T@"');
}

/** Rows from..to-1 of the same spread as buildBenchRun, over TICKETS tickets and seven days (exported for a check that they read back). */
export function fillSql(from: number, to: number): string {
  const ms = `(${BASE_MS}::bigint + i * ${SPACING_MS})`;
  const ticket = `((i * 7919) % ${TICKETS})`;
  const template = (failed: boolean) => detailsTemplate(failed ? 17 : 1).replaceAll("'", "''");
  return `
    INSERT INTO runs (id, connector_id, target_system, target_id, outcome, started_at,
                      error_code, source, actor, dry_run, details)
    SELECT 'run_' || ${base32Sql(ms, 10)} || ${base32Sql('i', 16)},
           'connector-' || (i % ${CONNECTORS}),
           CASE WHEN ${ticket} % 5 = 0 THEN 'salesforce' ELSE 'zendesk' END,
           CASE WHEN ${ticket} % 5 = 0 THEN '500Dn0000' || lpad(${ticket}::text, 6, '0')
                ELSE (${ticket} + 1)::text END,
           CASE WHEN i % 17 = 0 THEN 'failed' ELSE 'success' END,
           timestamptz 'epoch' + ${ms} * interval '1 millisecond',
           CASE WHEN i % 17 = 0 THEN 'UPSTREAM_TIMEOUT' END,
           CASE WHEN i % 5 = 0 THEN 'automation' ELSE 'zendesk' END,
           'agent:' || (1000 + i % 200),
           false,
           replace(replace(replace(replace(replace(
             CASE WHEN i % 17 = 0 THEN '${template(true)}' ELSE '${template(false)}' END,
             '@N@', (100000 + i)::text), '@A@', (1000 + i % 200)::text),
             '@D@', (80 + i % 400)::text),
             '@S@', CASE WHEN i % 5 = 0 THEN 'automation' ELSE 'zendesk' END),
             '@T@', CASE WHEN ${ticket} % 5 = 0 THEN 'Case' ELSE 'ticket' END)
    FROM generate_series(${from}::bigint, ${to - 1}::bigint) AS i`;
}

function benchRunAt(index: number): ConnectorRunRecord {
  const startedAtMs = BASE_MS + index * SPACING_MS;
  const target = ticketOf(index);
  return {
    ...buildBenchRun(index),
    id: createRunId(startedAtMs),
    startedAt: new Date(startedAtMs).toISOString(),
    target: { ...target, type: target.system === 'zendesk' ? 'ticket' : 'Case' },
  };
}

export const postgresRunLogAtScale: Benchmark = {
  name: 'postgres-run-log-at-scale',
  async run(): Promise<BenchmarkReport> {
    const title = `Run log with ${STORED.toLocaleString('en-US')} stored runs (PostgreSQL)`;
    const pool = createPostgresPool({ url: DATABASE_URL, schema: SCHEMA, max: 2 });
    const notes: string[] = [];
    try {
      const migrated = await runMigrations(pool, SCHEMA);
      if (!migrated.ok) {
        return {
          name: 'postgres-run-log-at-scale',
          title,
          rows: [],
          targets: [],
          notes: [`not measured: ${migrated.error.message}`],
        };
      }
      // Runs a previous benchmark recorded (after the generated week) go, so the count is exact.
      const endOfFill = new Date(BASE_MS + STORED * SPACING_MS);
      await pool.query('DELETE FROM runs WHERE started_at >= $1', [endOfFill]);
      const counted = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM runs');
      if (counted.rows[0]?.n !== STORED) {
        const fillMs = await fill(pool);
        notes.push(`generating ${STORED.toLocaleString('en-US')} runs took ${fillMs} s`);
      } else {
        notes.push(`reused the ${STORED.toLocaleString('en-US')} runs in schema ${SCHEMA}`);
      }
      const size = await pool.query<{ table: string; indexes: string }>(
        `SELECT pg_size_pretty(pg_table_size('runs')) AS table,
                pg_size_pretty(pg_indexes_size('runs')) AS indexes`,
      );
      notes.push(`table ${size.rows[0]?.table}, indexes ${size.rows[0]?.indexes}`);

      const store = createPostgresRunLogStore({
        pool,
        instanceId: 'bench',
        retentionDays: 3650,
        pruneIntervalMs: 0,
      });
      let next = STORED;
      const record = await timeEach(SAMPLES, () => store.record(benchRunAt(next++)));
      const tickets = pickIndexes(SAMPLES, STORED).map(ticketOf);
      const ticketOfSample = (index: number) => tickets[index] as (typeof tickets)[number];
      const query = await timeEach(SAMPLES, (index) => {
        const ticket = ticketOfSample(index);
        return store.query({ targetSystem: ticket.system, targetId: ticket.id });
      });
      const lastRuns = await timeEach(SAMPLES, (index) => store.lastRunsFor(ticketOfSample(index)));
      // The console's connectors list: each connector's real runs and failures of the last day.
      const connectorIds = Array.from({ length: CONNECTORS }, (_, index) => `connector-${index}`);
      const lastDay = new Date(endOfFill.getTime() - 86_400_000);
      const summary = await timeEach(5, () => store.summarize(connectorIds, lastDay));
      await store.close();
      await pool.query('DELETE FROM runs WHERE started_at >= $1', [endOfFill]);

      const row = (operation: string, figures: Figures) => ({
        operation,
        p50: formatMs(figures.p50),
        p95: formatMs(figures.p95),
        p99: formatMs(figures.p99),
      });
      return {
        name: 'postgres-run-log-at-scale',
        title,
        rows: [
          row('record one run', record),
          row("one ticket's runs (up to 50)", query),
          row('latest run per connector', lastRuns),
          row(`console: connectors list, ${CONNECTORS} connectors' last 24 h`, summary),
        ],
        targets: [
          {
            name: 'record one run with 10M stored, p50',
            target: `<= ${TARGET_RECORD_P50_MS} ms`,
            measured: formatMs(record.p50),
            met: record.p50 <= TARGET_RECORD_P50_MS,
          },
          {
            name: "one ticket's runs with 10M stored, p50",
            target: `<= ${TARGET_TICKET_P50_MS} ms`,
            measured: formatMs(query.p50),
            met: query.p50 <= TARGET_TICKET_P50_MS,
          },
        ],
        notes,
        data: {
          stored: STORED,
          tickets: TICKETS,
          recordMs: record,
          ticketQueryMs: query,
          lastRunsForMs: lastRuns,
          connectorsListMs: summary,
        },
      };
    } catch (error) {
      return {
        name: 'postgres-run-log-at-scale',
        title,
        rows: [],
        targets: [],
        notes: [`not measured: ${describePostgresError(error)}`],
      };
    } finally {
      await pool.end();
    }
  },
};

/**
 * Empties the table and generates STORED runs. The secondary indexes are dropped first and built
 * again at the end: one sorted build is many times faster than ten million index inserts.
 */
async function fill(pool: ReturnType<typeof createPostgresPool>): Promise<number> {
  const started = performance.now();
  const client = await pool.connect();
  try {
    await client.query("SET maintenance_work_mem = '512MB'");
    await client.query('TRUNCATE runs');
    const indexes = await client.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
       WHERE schemaname = current_schema() AND tablename = 'runs' AND indexname <> 'runs_pkey'`,
    );
    for (const index of indexes.rows) await client.query(`DROP INDEX ${index.name}`);
    for (let from = 0; from < STORED; from += FILL_CHUNK) {
      await client.query(fillSql(from, Math.min(from + FILL_CHUNK, STORED)));
      process.stdout.write(`  filled ${((from + FILL_CHUNK) / 1e6).toFixed(0)}M runs\n`);
    }
    for (const index of indexes.rows) await client.query(index.definition);
    // Statistics for the planner and a visibility map for index-only counts, as autovacuum
    // would leave a table that has been live for a while.
    await client.query('VACUUM (ANALYZE) runs');
  } finally {
    client.release();
  }
  return Math.round((performance.now() - started) / 1000);
}
