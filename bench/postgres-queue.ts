import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPostgresPool } from '../server/src/storage/postgres/connect-postgres';
import { runMigrations } from '../server/src/storage/postgres/run-migrations';
import { TEST_DATABASE_URL } from '../server/src/test-support/postgres-test-schema';
import type { DeliveryQueue } from '../server/src/workflows/delivery-queue';
import { openPostgresDeliveryQueue } from '../server/src/workflows/postgres-delivery-queue';
import { openSqliteDeliveryQueue } from '../server/src/workflows/sqlite-delivery-queue';
import { percentiles } from './support/bench-runs';
import { formatMs } from './support/report';
import type { Benchmark, BenchmarkReport } from './support/report';

/**
 * Deliveries per second through the delivery queue itself, with no workflow behind it: enqueue
 * (what a webhook does before its 202), then claim + complete (what a worker does around the
 * steps). On PostgreSQL with one claimer, and with two queues on one schema (two instances'
 * pools) of four claimers each, racing with FOR UPDATE SKIP LOCKED; SQLite's queue (one
 * process, one claimer) as the reference. Every delivery must be claimed exactly once: the
 * table says how many were claimed twice or never.
 *
 * A real delivery adds a step-mark write per run step and the steps' own calls; this measures
 * what the queue costs on top of those. BENCH_DATABASE_URL picks the database (default the
 * local one the tests use); each setup gets a fresh schema, dropped afterwards.
 */
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? TEST_DATABASE_URL;
const DELIVERIES = 3_000;
/** Webhook requests in flight while enqueueing, as a flood of deliveries would have. */
const ENQUEUE_CONCURRENCY = 8;
const LEASE_MS = 60_000;

interface Setup {
  label: string;
  queues: number;
  claimersPerQueue: number;
  postgres: boolean;
}

interface Measured {
  enqueuePerSecond: number;
  drainPerSecond: number;
  claimLatencyMs: number[];
  claimedTwice: number;
  neverClaimed: number;
}

async function enqueueAll(queue: DeliveryQueue): Promise<number> {
  const started = performance.now();
  let next = 0;
  const sender = async () => {
    for (let i = next++; i < DELIVERIES; i = next++) {
      const enqueued = await queue.enqueue({
        system: 'zendesk',
        workflowId: 'bench_flow',
        dedupeKey: `bench:${i}`,
        target: { type: 'ticket', id: String(i + 1) },
        payload: { ticket_id: String(i + 1) },
        replayGuard: { signature: `sig-${i}`, expiresAtMs: Date.now() + 600_000 },
      });
      if (!enqueued.ok || enqueued.duplicate) throw new Error(`delivery ${i} was not enqueued`);
    }
  };
  await Promise.all(Array.from({ length: ENQUEUE_CONCURRENCY }, sender));
  return (DELIVERIES / (performance.now() - started)) * 1000;
}

/** Claims and completes until the queue has nothing due, on every claimer at once. */
async function drainAll(queues: DeliveryQueue[], claimersPerQueue: number) {
  const claims = new Map<string, number>();
  const latency: number[] = [];
  const claimer = async (queue: DeliveryQueue) => {
    for (;;) {
      const started = performance.now();
      const claimed = await queue.claimNext(LEASE_MS);
      if (!claimed) return;
      claims.set(claimed.id, (claims.get(claimed.id) ?? 0) + 1);
      const completed = await queue.complete(claimed.id, claimed.lease.token, {
        outcome: 'success',
        message: 'done',
      });
      if (!completed) throw new Error(`delivery ${claimed.id} lost its lease`);
      latency.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(
    queues.flatMap((queue) => Array.from({ length: claimersPerQueue }, () => claimer(queue))),
  );
  const elapsed = performance.now() - started;
  return { claims, latency, perSecond: (claims.size / elapsed) * 1000 };
}

async function measureQueues(queues: DeliveryQueue[], claimersPerQueue: number): Promise<Measured> {
  const enqueuePerSecond = await enqueueAll(queues[0] as DeliveryQueue);
  const drained = await drainAll(queues, claimersPerQueue);
  const counts = await (queues[0] as DeliveryQueue).countByState();
  return {
    enqueuePerSecond,
    drainPerSecond: drained.perSecond,
    claimLatencyMs: drained.latency,
    claimedTwice: [...drained.claims.values()].filter((n) => n > 1).length,
    neverClaimed: DELIVERIES - counts.completed,
  };
}

async function measurePostgres(setup: Setup): Promise<Measured> {
  const schema = `bench_queue_${Date.now().toString(36)}`;
  const pools = Array.from({ length: setup.queues }, () =>
    createPostgresPool({ url: DATABASE_URL, schema, max: Math.max(setup.claimersPerQueue, 8) }),
  );
  try {
    const migrated = await runMigrations(pools[0] as pg.Pool, schema);
    if (!migrated.ok) throw new Error(migrated.error.message);
    return await measureQueues(
      pools.map((pool) => openPostgresDeliveryQueue({ pool })),
      setup.claimersPerQueue,
    );
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

async function measureSqlite(setup: Setup): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-queue-'));
  const opened = openSqliteDeliveryQueue({ path: join(dir, 'workflows.sqlite') });
  if (!opened.ok) throw new Error(opened.error.message);
  try {
    return await measureQueues([opened.value], setup.claimersPerQueue);
  } finally {
    await opened.value.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const postgresQueue: Benchmark = {
  name: 'postgres-queue',
  async run(): Promise<BenchmarkReport> {
    const setups: Setup[] = [
      { label: 'SQLite, 1 claimer', queues: 1, claimersPerQueue: 1, postgres: false },
      { label: 'PostgreSQL, 1 claimer', queues: 1, claimersPerQueue: 1, postgres: true },
      {
        label: 'PostgreSQL, 2 queues × 4 claimers',
        queues: 2,
        claimersPerQueue: 4,
        postgres: true,
      },
    ];
    const rows: Record<string, string | number>[] = [];
    for (const setup of setups) {
      const measured = setup.postgres ? await measurePostgres(setup) : await measureSqlite(setup);
      const latency = percentiles(measured.claimLatencyMs);
      rows.push({
        setup: setup.label,
        deliveries: DELIVERIES,
        'enqueued/s': Math.round(measured.enqueuePerSecond),
        'claimed+completed/s': Math.round(measured.drainPerSecond),
        'claim+complete p50': formatMs(latency.p50),
        p99: formatMs(latency.p99),
        'claimed twice': measured.claimedTwice,
        'never claimed': measured.neverClaimed,
      });
    }
    return {
      name: 'postgres-queue',
      title: 'Deliveries/s through the delivery queue (enqueue, then claim + complete)',
      rows,
      targets: [],
      notes: [
        `enqueue: ${ENQUEUE_CONCURRENCY} at once, each with its replay guard (one transaction on PostgreSQL); the queue is drained after all are enqueued`,
        'the database shares the 2 cores with this process; a real delivery adds its steps (calls, step marks, the ticket write)',
      ],
      data: { rows },
    };
  },
};
