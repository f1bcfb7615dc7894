import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIG_PATH, HUGE_PATH } from './instant-fakes';

/** The connector every benchmark runs: the example Shopify lookup (load, call, write back, log). */
export const BENCH_CONNECTOR = 'shopify_order_lookup';
/** BENCH_CONNECTOR as an AI agent's tool, without verification (bench-config below). */
export const BENCH_AGENT_CONNECTOR = 'bench_agent_lookup';
export const BENCH_AGENT_TOOL = 'bench_look_up_order';
/** A connector whose upstream streams 50 MiB; the connection's 1 MiB cap must cut it. */
export const HUGE_CONNECTOR = 'bench_huge_response';
/** A connector whose upstream sends a valid answer just under the 1 MiB cap, slowly. */
export const BIG_CONNECTOR = 'bench_big_response';

/**
 * Writes the example config with both connections pointed at the instant fakes. The Shopify
 * connection's concurrency limit is raised so the load itself is never refused: the benchmark
 * measures the run path, not the limiter (the fault tests cover that).
 */
export function writeBenchConfig(dir: string, upstreamUrl: string): string {
  const config = JSON.parse(
    readFileSync('config/connectors.json', 'utf8').replaceAll(
      'http://127.0.0.1:3000/sandbox/upstream',
      upstreamUrl,
    ),
  ) as {
    $schema?: string;
    connections: Record<string, Record<string, unknown>>;
    connectors: Record<string, unknown>[];
  };
  delete config.$schema;
  const shopify = config.connections.shopify_demo as Record<string, unknown>;
  shopify.maxConcurrency = 1000;
  config.connections.bench_huge = {
    baseUrl: upstreamUrl,
    allowedHosts: ['127.0.0.1'],
    allowPrivateNetwork: true,
    auth: { type: 'none' },
    timeoutMs: 30_000,
    // High, so that only the server-wide response budget bounds the bodies in flight.
    maxConcurrency: 1000,
  };
  config.connectors.push({
    id: HUGE_CONNECTOR,
    name: 'Huge response',
    connection: 'bench_huge',
    surfaces: ['automation'],
    request: { method: 'GET', path: HUGE_PATH },
    response: { outputs: [{ name: 'padding', path: 'padding' }] },
    retry: { maxAttempts: 1 },
  });
  config.connectors.push({
    id: BIG_CONNECTOR,
    name: 'Big response',
    connection: 'bench_huge',
    surfaces: ['automation'],
    request: { method: 'GET', path: BIG_PATH },
    // Only the length leaves the response, so the run record stays small.
    response: { outputs: [{ name: 'size', path: 'length(padding)' }] },
    retry: { maxAttempts: 1 },
  });
  // The order lookup as an AI agent's tool without the customer's verification, so that a
  // benchmark or a test can call it over /mcp in a loop (test/bench/hidden-classes.test.ts).
  const lookup = config.connectors.find((connector) => connector.id === BENCH_CONNECTOR);
  if (!lookup) throw new Error(`config/connectors.json has no ${BENCH_CONNECTOR}`);
  const { verification: _verification, appliesWhen: _appliesWhen, ...agentLookup } = lookup;
  config.connectors.push({
    ...agentLookup,
    id: BENCH_AGENT_CONNECTOR,
    name: 'Order lookup for agents',
    surfaces: ['agent'],
    agent: { toolName: BENCH_AGENT_TOOL, description: 'Looks up the order named on the ticket.' },
  });
  const path = join(dir, 'connectors.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
