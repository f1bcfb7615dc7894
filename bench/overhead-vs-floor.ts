import { Agent, request } from 'undici';
import { BENCH_CONNECTOR } from './support/bench-config';
import { startBenchStack } from './support/bench-stack';
import { ORDERS_PATH, ZENDESK_AUTHORIZATION } from './support/instant-fakes';
import { generateInterleavedLoad } from './support/load';
import type { LoadResult } from './support/load';
import { formatMs } from './support/report';
import type { Benchmark, BenchmarkReport } from './support/report';

/**
 * A: a full connector run through the server (load the ticket, call the upstream, write back,
 * log the run). B, the floor: this process making the same three HTTP calls per run with undici
 * directly. Same fakes, same load generator, same run of the script.
 */
const CONCURRENCIES = [10, 100];
const WARMUP_MS = 500;
const ROUNDS = 5;
const SLICE_MS = 2_000;
const TICKETS = 10_000;
const ORDER_FIELD_ID = 360001000001;
const TARGET_RATIO = 0.6;

interface TicketBody {
  ticket: { updated_at: string; custom_fields: { id: number; value: unknown }[] };
}

function createFloorRun(fakesUrl: string, agent: Agent) {
  const zendeskHeaders = { authorization: ZENDESK_AUTHORIZATION, accept: 'application/json' };
  return async (ticketId: number): Promise<boolean> => {
    const shown = await request(
      `${fakesUrl}/api/v2/tickets/${ticketId}.json?include=users%2Corganizations`,
      { dispatcher: agent, headers: zendeskHeaders },
    );
    const ticket = (await shown.body.json()) as TicketBody;
    const order = ticket.ticket.custom_fields.find((field) => field.id === ORDER_FIELD_ID)?.value;
    const query = new URLSearchParams({
      name: String(order),
      status: 'any',
      fields: 'id,name,financial_status,fulfillment_status,fulfillments,total_price,currency',
    });
    const upstream = await request(`${fakesUrl}${ORDERS_PATH}?${query}`, {
      dispatcher: agent,
      headers: { 'x-shopify-access-token': 'sandbox-shopify-token', accept: 'application/json' },
    });
    const orders = (await upstream.body.json()) as {
      orders: { financial_status: string; fulfillment_status: string | null }[];
    };
    const first = orders.orders[0];
    const updated = await request(`${fakesUrl}/api/v2/tickets/${ticketId}.json`, {
      method: 'PUT',
      dispatcher: agent,
      headers: { ...zendeskHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({
        ticket: {
          custom_fields: [
            { id: 360001000002, value: first?.financial_status },
            { id: 360001000003, value: first?.fulfillment_status ?? 'unfulfilled' },
          ],
          remove_tags: ['order_not_found'],
          safe_update: true,
          updated_stamp: ticket.ticket.updated_at,
        },
      }),
    });
    await updated.body.json();
    return shown.statusCode === 200 && upstream.statusCode === 200 && updated.statusCode === 200;
  };
}

function row(label: string, result: LoadResult): Record<string, string | number> {
  return {
    what: label,
    concurrency: result.concurrency,
    'runs/s': result.runsPerSecond,
    p50: formatMs(result.latencyMs.p50),
    p99: formatMs(result.latencyMs.p99),
    failed: result.failed,
  };
}

export const overheadVsFloor: Benchmark = {
  name: 'overhead-vs-floor',
  async run(): Promise<BenchmarkReport> {
    const stack = await startBenchStack();
    const agent = new Agent({ connections: 512, keepAliveTimeout: 60_000 });
    const floorRun = createFloorRun(stack.fakesUrl, agent);
    const rows: Record<string, string | number>[] = [];
    const results: { concurrency: number; server: LoadResult; floor: LoadResult; ratio: number }[] =
      [];
    try {
      for (const concurrency of CONCURRENCIES) {
        const ticketOf = (sequence: number) => 1 + (sequence % TICKETS);
        const measured = await generateInterleavedLoad(
          {
            floor: {
              concurrency,
              warmupMs: WARMUP_MS,
              request: (_worker, sequence) => floorRun(ticketOf(sequence)),
            },
            server: {
              concurrency,
              warmupMs: WARMUP_MS,
              request: (_worker, sequence) =>
                stack.runConnector(BENCH_CONNECTOR, ticketOf(sequence)),
            },
          },
          { rounds: ROUNDS, sliceMs: SLICE_MS },
        );
        const floor = measured.floor as LoadResult;
        const server = measured.server as LoadResult;
        const ratio = Math.round((server.runsPerSecond / floor.runsPerSecond) * 100) / 100;
        results.push({ concurrency, server, floor, ratio });
        rows.push(row('A: server run', server), row('B: floor (3 calls)', floor));
        rows.push({
          what: 'A/B runs/s',
          concurrency,
          'runs/s': ratio,
          p50: '',
          p99: '',
          failed: '',
        });
      }
    } finally {
      await agent.close();
      await stack.close();
    }
    return {
      name: 'overhead-vs-floor',
      title: 'Overhead against the floor (instant fakes)',
      rows,
      targets: results.map((result) => ({
        name: `A/B throughput at concurrency ${result.concurrency}`,
        target: `>= ${TARGET_RATIO}`,
        measured: String(result.ratio),
        met: result.ratio >= TARGET_RATIO,
      })),
      data: results,
    };
  },
};
