import { createRunId } from '../../server/src/run-log/run-record';
import type { ConnectorRunRecord, RunRecord } from '../../server/src/run-log/run-record';
import { nearestRank } from './load';

/** Realistic run records (about 1 KB as JSON) for the run-log benchmarks. */
export const CONNECTORS = 30;
export const TICKETS = 50_000;
export const BASE_MS = Date.parse('2025-03-01T00:00:00.000Z');
/** A million runs spread over the default 7-day retention. */
export const SPACING_MS = Math.floor((7 * 86_400_000) / 1_000_000);

export interface Percentiles {
  p50: number;
  p99: number;
  samples: number;
}

/** A run of realistic size (~1 KB as JSON): redacted request, truncated response body. */
export function buildBenchRun(index: number): ConnectorRunRecord {
  const startedAtMs = BASE_MS + index * SPACING_MS;
  const target = ticketOf(index);
  const failed = index % 17 === 0;
  return {
    id: createRunId(startedAtMs),
    kind: 'connector',
    connectorId: `connector-${index % CONNECTORS}`,
    source: index % 5 === 0 ? 'automation' : 'zendesk',
    actor: { kind: 'agent', id: String(1000 + (index % 200)), name: 'Agent Name' },
    target: { ...target, type: target.system === 'zendesk' ? 'ticket' : 'Case' },
    outcome: failed ? 'failed' : 'success',
    ...(failed && { errorCode: 'UPSTREAM_TIMEOUT' }),
    message: failed ? 'Timed out after 10000 ms' : 'Wrote 3 fields',
    dryRun: false,
    inputs: { email: 'c***@example.com', orderNumber: String(100_000 + index) },
    request: {
      method: 'GET',
      url: `https://api.example.com/v2/orders?number=${100_000 + index}`,
      headers: {
        accept: 'application/json',
        authorization: '[REDACTED]',
        'user-agent': 'data-connectors',
      },
    },
    response: {
      status: failed ? 504 : 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        order: { number: 100_000 + index, status: 'shipped', total: '129.90', currency: 'EUR' },
        items: [
          { sku: 'SKU-1', qty: 1 },
          { sku: 'SKU-2', qty: 2 },
        ],
        customer: { tier: 'gold', since: '2021-04-01' },
      }),
      truncated: false,
    },
    outputs: { status: 'shipped', total: '129.90', tier: 'gold' },
    writes: {
      status: failed ? 'skipped' : 'written',
      changes: failed
        ? null
        : {
            custom_fields: [
              { id: 360001, value: 'shipped' },
              { id: 360002, value: '129.90' },
            ],
          },
    },
    attempts: failed ? 3 : 1,
    startedAt: new Date(startedAtMs).toISOString(),
    durationMs: 80 + (index % 400),
  };
}

export function ticketOf(index: number): { system: 'zendesk' | 'salesforce'; id: string } {
  const ticket = (index * 7_919) % TICKETS;
  return ticket % 5 === 0
    ? { system: 'salesforce', id: `500Dn0000${String(ticket).padStart(6, '0')}` }
    : { system: 'zendesk', id: String(ticket + 1) };
}

export function* benchRuns(from: number, to: number): Generator<RunRecord> {
  for (let i = from; i < to; i++) yield buildBenchRun(i);
}

export function percentiles(durations: number[]): Percentiles {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    p50: round(nearestRank(sorted, 0.5)),
    p99: round(nearestRank(sorted, 0.99)),
    samples: sorted.length,
  };
}

export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Deterministic pseudo-random existing run indexes, so reruns query the same tickets. */
export function pickIndexes(count: number, below: number): number[] {
  let seed = 12_345;
  return Array.from({ length: count }, () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % below;
  });
}
