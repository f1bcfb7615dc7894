import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { BENCH_CONNECTOR, writeBenchConfig } from './support/bench-config';
import { startChild } from './support/child-process';
import type { ChildHandle } from './support/child-process';
import { recordCannedBodies } from './support/instant-fakes';
import { nearestRank } from './support/load';
import { formatMs } from './support/report';
import type { Benchmark, BenchmarkReport, TargetCheck } from './support/report';

/**
 * A burst of webhook deliveries against a fake Zendesk that enforces the Enterprise plan's
 * documented limits (700 requests a minute per account, Update Ticket 100 a minute), with its
 * "minute" compressed to WINDOW_MS so the run takes minutes, not a quarter of an hour. Each
 * delivery runs the example Shopify lookup on its ticket and writes the results back.
 *
 * Measured:
 * - the whole burst: deliveries lost or failed, 429s met, and the time to the last one against
 *   the least the limits allow for the calls the work needs (one ticket read per delivery, and
 *   one bulk job plus one status poll per 100 tickets, and the sidebar runs' read and update);
 * - the same burst with bulk writes off (one ticket update each, held to 100 a window by the
 *   Update Ticket limit): the speed-up of batching;
 * - sidebar runs (the same connector, made as an agent) at 4 a second all through the burst
 *   against the same runs on the idle, warmed-up server: p99 during ≤ 2 × p99 idle. The first
 *   runs after start are left out of the idle figure (JIT warm-up), and the runs during the
 *   burst go on until its last delivery, so each p99 rests on a hundred runs or more.
 */

const WINDOW_MS = Number(process.env.BENCH_BURST_WINDOW_MS ?? 6_000);
const BURST = Number(process.env.BENCH_BURST_DELIVERIES ?? 10_000);
/** Bulk writes off: every ticket update counts against 100 a window, so a smaller burst. */
const UNBATCHED_BURST = Number(process.env.BENCH_BURST_UNBATCHED ?? 1_000);
const ENTERPRISE_PER_WINDOW = 700;
const TICKET_UPDATES_PER_WINDOW = 100;
/** Idle sidebar runs: the first ones warm the server up and are not counted. */
const AGENT_WARMUP_RUNS = 20;
const AGENT_IDLE_RUNS = 120;
const AGENT_RUNS_PER_SECOND = 4;
/** Tickets the sidebar runs take turns on (a few runs each, far below a ticket's own limit). */
const AGENT_TICKETS = 300;
const WEBHOOK_SECRET = 'bench-webhook-secret';
const WORKFLOW_ID = 'bench_burst';

interface ZendeskReady {
  url: string;
  firstTicketId: number;
}

function percentile(values: number[], p: number): number {
  return nearestRank(
    [...values].sort((a, b) => a - b),
    p / 100,
  );
}

function writeBurstConfig(dir: string, upstreamUrl: string): string {
  const path = writeBenchConfig(dir, upstreamUrl);
  const config = JSON.parse(readFileSync(path, 'utf8')) as { workflows?: unknown[] };
  config.workflows = [
    ...(config.workflows ?? []),
    {
      id: WORKFLOW_ID,
      name: 'Order lookup on every new order ticket',
      trigger: { zendesk: {} },
      steps: [{ type: 'run', id: 'lookup', connector: BENCH_CONNECTOR }],
    },
  ];
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

function signWebhook(body: string): Record<string, string> {
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    'content-type': 'application/json',
    'x-zendesk-webhook-signature-timestamp': timestamp,
    'x-zendesk-webhook-signature': createHmac('sha256', WEBHOOK_SECRET)
      .update(timestamp + body)
      .digest('base64'),
  };
}

interface BurstResult {
  deliveries: number;
  completedOk: number;
  failed: number;
  lost: number;
  elapsedMs: number;
  /** Zendesk's answers by kind and status, e.g. `update_many 200`. */
  counts: Record<string, number>;
  agentIdle: number[];
  agentDuring: number[];
}

async function runBurst(options: {
  deliveries: number;
  bulkWrites: boolean;
  measureAgents: boolean;
}): Promise<BurstResult> {
  const dir = mkdtempSync(join(tmpdir(), 'dc-burst-'));
  const children: ChildHandle<unknown>[] = [];
  const agent = new Agent({ connections: 256, keepAliveTimeout: 60_000 });
  try {
    const bodies = await recordCannedBodies();
    const upstream = await startChild<{ url: string }>('./fakes-child.ts', {
      env: { BENCH_BODIES: JSON.stringify(bodies) },
    });
    children.push(upstream);
    const agentTickets = options.measureAgents ? AGENT_TICKETS : 0;
    const zendesk = await startChild<ZendeskReady>('./limited-zendesk-child.ts', {
      env: {
        BENCH_TICKETS: String(options.deliveries + agentTickets),
        BENCH_WINDOW_MS: String(WINDOW_MS),
        BENCH_PLAN: 'enterprise',
      },
    });
    children.push(zendesk);
    const configPath = writeBurstConfig(dir, upstream.ready.url);
    const server = await startChild<{ url: string; adminToken: string }>('./server-child.ts', {
      // BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server.
      execArgv: process.env.BENCH_SERVER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [],
      env: {
        BENCH_SERVER: JSON.stringify({
          configPath,
          dataDir: dir,
          zendeskUrl: zendesk.ready.url,
          env: {
            ZENDESK_WEBHOOK_SECRET: WEBHOOK_SECRET,
            WORKFLOW_CONCURRENCY: '300',
            HELPDESK_BULK_WRITES: options.bulkWrites ? 'on' : 'off',
            LOG_LEVEL: 'warn',
          },
        }),
      },
    });
    children.push(server);
    const serverUrl = server.ready.url;
    const firstBurstTicket = zendesk.ready.firstTicketId + agentTickets;

    const agentRun = async (ticketId: number): Promise<number> => {
      const started = performance.now();
      const res = await request(`${serverUrl}/api/connectors/${BENCH_CONNECTOR}/run`, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          authorization: `Bearer ${server.ready.adminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ ticketId }),
      });
      await res.body.dump();
      return performance.now() - started;
    };
    let agentTurn = 0;
    /** Sidebar runs at a steady rate, `count` of them or until `until()` says stop. */
    const agentRuns = async (count: number, until?: () => boolean): Promise<number[]> => {
      const latencies: Promise<number>[] = [];
      for (let index = 0; until ? !until() : index < count; index += 1) {
        latencies.push(agentRun(zendesk.ready.firstTicketId + (agentTurn++ % AGENT_TICKETS)));
        await delay(1000 / AGENT_RUNS_PER_SECOND);
      }
      return Promise.all(latencies);
    };

    // Idle: warms the server and gives the p99 to compare with. The window is then left to
    // pass so the burst starts with Zendesk's full budget.
    if (options.measureAgents) await agentRuns(AGENT_WARMUP_RUNS);
    const agentIdle = options.measureAgents ? await agentRuns(AGENT_IDLE_RUNS) : [];
    if (options.measureAgents) await delay(WINDOW_MS);
    await zendesk.ask({ type: 'reset-counts' });

    const started = performance.now();
    let next = 0;
    const send = async () => {
      while (next < options.deliveries) {
        const ticketId = firstBurstTicket + next;
        next += 1;
        const body = JSON.stringify({ ticket_id: String(ticketId) });
        const res = await request(`${serverUrl}/webhooks/zendesk/${WORKFLOW_ID}`, {
          method: 'POST',
          dispatcher: agent,
          headers: signWebhook(body),
          body,
        });
        await res.body.dump();
        if (res.statusCode !== 202) throw new Error(`webhook answered ${res.statusCode}`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, send));
    let burstDone = false;
    const during = options.measureAgents ? agentRuns(0, () => burstDone) : Promise.resolve([]);

    const queue = new Database(join(dir, 'workflows.sqlite'), { readonly: true });
    let finished: { state: string; outcome: string | null; count: number }[] = [];
    for (;;) {
      finished = queue
        .prepare('SELECT state, outcome, COUNT(*) AS count FROM deliveries GROUP BY 1, 2')
        .all() as typeof finished;
      const done = finished
        .filter((row) => row.state === 'completed' || row.state === 'dead')
        .reduce((sum, row) => sum + row.count, 0);
      if (done >= options.deliveries) break;
      await delay(100);
    }
    const elapsedMs = performance.now() - started;
    burstDone = true;
    queue.close();
    const agentDuring = await during;
    const { counts } = await zendesk.ask<{ counts: Record<string, number> }>({ type: 'counts' });
    const total = finished.reduce((sum, row) => sum + row.count, 0);
    const completedOk = finished
      .filter((row) => row.state === 'completed' && row.outcome === 'success')
      .reduce((sum, row) => sum + row.count, 0);
    return {
      deliveries: options.deliveries,
      completedOk,
      failed: total - completedOk,
      lost: options.deliveries - total,
      elapsedMs,
      counts,
      agentIdle,
      agentDuring,
    };
  } finally {
    await agent.close();
    for (const child of children.reverse()) await child.stop();
    // BENCH_KEEP=1 keeps the data folder (the queue and run log) to look into.
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function count(counts: Record<string, number>, match: (key: string) => boolean): number {
  return Object.entries(counts)
    .filter(([key]) => match(key))
    .reduce((sum, [, value]) => sum + value, 0);
}

/** The least time the limits allow: each window's budget spent on nothing but this work. */
function minimumMs(deliveries: number, bulk: boolean, agentRuns = 0): number {
  const jobs = Math.ceil(deliveries / 100);
  // The sidebar runs made during the burst share the account's limits: a read and an update each.
  const accountCalls = deliveries + (bulk ? 2 * jobs : deliveries) + 2 * agentRuns;
  const ticketUpdates = (bulk ? 0 : deliveries) + agentRuns;
  const windows = Math.max(
    accountCalls / ENTERPRISE_PER_WINDOW,
    ticketUpdates / TICKET_UPDATES_PER_WINDOW,
  );
  return windows * WINDOW_MS;
}

export const burstAtRateLimits: Benchmark = {
  name: 'burst-at-rate-limits',
  async run(): Promise<BenchmarkReport> {
    const batched = await runBurst({ deliveries: BURST, bulkWrites: true, measureAgents: true });
    const small = await runBurst({
      deliveries: UNBATCHED_BURST,
      bulkWrites: true,
      measureAgents: false,
    });
    const unbatched = await runBurst({
      deliveries: UNBATCHED_BURST,
      bulkWrites: false,
      measureAgents: false,
    });
    const rows = [
      { label: `${BURST} deliveries, bulk writes`, result: batched, bulk: true },
      { label: `${UNBATCHED_BURST} deliveries, bulk writes`, result: small, bulk: true },
      { label: `${UNBATCHED_BURST} deliveries, one update each`, result: unbatched, bulk: false },
    ].map(({ label, result, bulk }) => {
      const floor = minimumMs(result.deliveries, bulk, result.agentDuring.length);
      return {
        run: label,
        'ok / failed / lost': `${result.completedOk} / ${result.failed} / ${result.lost}`,
        '429s': count(result.counts, (key) => key.endsWith(' 429')),
        'Zendesk calls': count(result.counts, () => true),
        'update_many jobs': count(result.counts, (key) => key.startsWith('update_many 2')),
        'ticket updates': count(result.counts, (key) => key.startsWith('update_ticket 2')),
        took: `${(result.elapsedMs / 1000).toFixed(1)} s`,
        'least the limits allow': `${(floor / 1000).toFixed(1)} s`,
        'took / least': (result.elapsedMs / floor).toFixed(2),
        'deliveries/window': ((result.deliveries / result.elapsedMs) * WINDOW_MS).toFixed(0),
      };
    });
    const speedUp =
      small.completedOk / small.elapsedMs / (unbatched.completedOk / unbatched.elapsedMs);
    const idleP99 = percentile(batched.agentIdle, 99);
    const duringP99 = percentile(batched.agentDuring, 99);
    const ratio =
      batched.elapsedMs / minimumMs(batched.deliveries, true, batched.agentDuring.length);
    const failedBy429 = batched.failed;
    const targets: TargetCheck[] = [
      {
        name: 'burst',
        target: `${BURST} deliveries: 0 failed by 429, 0 lost, within 1.2× the least time the limits allow`,
        measured: `${batched.failed} failed, ${batched.lost} lost, ${ratio.toFixed(2)}×`,
        met: failedBy429 === 0 && batched.lost === 0 && ratio <= 1.2,
      },
      {
        name: 'batching',
        target: 'report the speed-up over one update per ticket',
        measured: `${speedUp.toFixed(1)}× (${UNBATCHED_BURST} deliveries each way)`,
        met: speedUp > 1,
      },
      {
        name: 'agents during the burst',
        target: 'sidebar p99 during the burst ≤ 2 × p99 idle',
        measured: `${formatMs(duringP99)} during, ${formatMs(idleP99)} idle (${(duringP99 / idleP99).toFixed(2)}×)`,
        met: duringP99 <= 2 * idleP99,
      },
    ];
    return {
      name: 'burst-at-rate-limits',
      title: `Bursts at Zendesk's Enterprise limits (a "minute" lasts ${WINDOW_MS / 1000} s)`,
      rows,
      targets,
      notes: [
        `sidebar runs at ${AGENT_RUNS_PER_SECOND}/s: ${batched.agentIdle.length} idle (after ${AGENT_WARMUP_RUNS} not counted), ${batched.agentDuring.length} during the burst; p50 ${formatMs(percentile(batched.agentIdle, 50))} idle, ${formatMs(percentile(batched.agentDuring, 50))} during; max ${formatMs(Math.max(...batched.agentIdle))} idle, ${formatMs(Math.max(...batched.agentDuring))} during`,
        `Zendesk's answers in the big burst: ${JSON.stringify(batched.counts)}`,
      ],
      data: { batched, small, unbatched, windowMs: WINDOW_MS },
    };
  },
};
