import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import type { ServerEnv } from '../../../server/src/env/parse-env';
import { startTestStack } from '../../support/start-test-stack';
import type { TestStack } from '../../support/start-test-stack';

/**
 * An upstream that misbehaves in one way per path, on 127.0.0.1. Each path is one failure a real
 * API (or the network in front of it) produces; `hits` counts requests per path.
 */
export const UPSTREAM_BEHAVIOURS = [
  'reset',
  'hang',
  'html',
  'invalid-json',
  'wrong-type',
  'huge',
  'slow-body',
  'rate-limited',
  'rate-limited-for-an-hour',
  'slow-ok',
  'ok',
  'big-ok',
  'held',
  'deep',
  'deep-elsewhere',
  'redirect-other-port',
] as const;
export type UpstreamBehaviour = (typeof UPSTREAM_BEHAVIOURS)[number];

export interface MisbehavingUpstream {
  url: string;
  hits: Map<string, number>;
  /** Bytes written to the socket for each response, to prove a stream was cut early. */
  bytesSent: Map<string, number>;
  /** Resolves once `path` has been requested `count` times in total. */
  waitForHits(path: UpstreamBehaviour, count: number): Promise<void>;
  /** How long /slow-ok waits before answering. */
  setSlowOkDelay(ms: number): void;
  /** Ends the /held responses sent so far (they stop after their first 40 KiB until then). */
  releaseHeld(): void;
  close(): Promise<void>;
}

const HUGE_TOTAL = 20 * 1024 * 1024;
/** A valid JSON answer of about 40 KiB, under the faulty connection's 64 KiB cap. */
const BIG_PREFIX = `{"value":"${'x'.repeat(40 * 1024)}`;
const BIG_SUFFIX = '"}';

function answerJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function streamUntilClosed(
  res: ServerResponse,
  chunk: Buffer,
  total: number,
  count: (bytes: number) => void,
  intervalMs = 0,
): void {
  let sent = 0;
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  const pump = () => {
    while (!closed && sent < total) {
      sent += chunk.length;
      count(chunk.length);
      const more = res.write(chunk);
      if (intervalMs > 0) {
        setTimeout(pump, intervalMs);
        return;
      }
      if (!more) {
        res.once('drain', pump);
        return;
      }
    }
    if (!closed) res.end();
  };
  pump();
}

export async function startMisbehavingUpstream(): Promise<MisbehavingUpstream> {
  const hits = new Map<string, number>();
  const bytesSent = new Map<string, number>();
  const sockets = new Set<Socket>();
  let slowOkDelayMs = 200;
  const held: ServerResponse[] = [];
  const waiters: { path: string; count: number; resolve: () => void }[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://upstream').pathname.slice(1);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    for (const waiter of waiters.filter(
      (w) => w.path === path && w.count <= (hits.get(path) ?? 0),
    )) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const count = (bytes: number) => bytesSent.set(path, (bytesSent.get(path) ?? 0) + bytes);
    switch (path as UpstreamBehaviour) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body><h1>Maintenance</h1></body></html>');
        return;
      case 'invalid-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"value": "cut off', 'utf8');
        return;
      case 'wrong-type':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('{"value":"looks like JSON"}');
        return;
      case 'huge':
        // Chunked, no Content-Length: only counting the bytes as they arrive can stop this.
        res.writeHead(200, { 'content-type': 'application/json' });
        streamUntilClosed(res, Buffer.alloc(64 * 1024, 'a'), HUGE_TOTAL, count);
        return;
      case 'slow-body':
        // Headers at once, then a byte every 20 ms: each byte resets an idle timer, so only a
        // timeout over the whole attempt ends it.
        res.writeHead(200, { 'content-type': 'application/json' });
        streamUntilClosed(res, Buffer.from(' '), 1_000_000, count, 20);
        return;
      case 'rate-limited':
        res.setHeader('retry-after', '2');
        answerJson(res, 429, { errors: 'Too Many Requests' });
        return;
      case 'rate-limited-for-an-hour':
        res.setHeader('retry-after', '3600');
        answerJson(res, 429, { errors: 'Too Many Requests' });
        return;
      case 'slow-ok':
        setTimeout(() => answerJson(res, 200, { value: 'slow' }), slowOkDelayMs);
        return;
      case 'ok':
        answerJson(res, 200, { value: 'fine' });
        return;
      case 'big-ok':
        res.writeHead(200, { 'content-type': 'application/json' });
        count(BIG_PREFIX.length + BIG_SUFFIX.length);
        res.end(BIG_PREFIX + BIG_SUFFIX);
        return;
      case 'deep':
        // Valid JSON nested 30,000 levels deep under the very key the connector reads.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"value":${'['.repeat(30_000)}${']'.repeat(30_000)}}`);
        return;
      case 'deep-elsewhere':
        // The same depth under a key nothing reads: the answer is still refused whole.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"value":"fine","other":${'['.repeat(30_000)}${']'.repeat(30_000)}}`);
        return;
      case 'redirect-other-port':
        // Same host, another port (another origin): where Redis or an admin API might listen.
        res.writeHead(302, { location: 'http://127.0.0.1:6379/' });
        res.end();
        return;
      case 'held':
        res.writeHead(200, { 'content-type': 'application/json' });
        count(BIG_PREFIX.length);
        res.write(BIG_PREFIX);
        held.push(res);
        return;
      default:
        answerJson(res, 404, { errors: 'Not Found' });
    }
  };
  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    bytesSent,
    waitForHits: (path, count) =>
      (hits.get(path) ?? 0) >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ path, count, resolve })),
    setSlowOkDelay: (ms) => {
      slowOkDelayMs = ms;
    },
    releaseHeld: () => {
      for (const res of held.splice(0)) res.end(BIG_SUFFIX);
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Config edits: a connection to the misbehaving upstream and a connector that calls `/<mode>`. */
export function addFaultyConnector(
  config: Record<string, unknown>,
  upstreamUrl: string,
  options: { timeoutMs?: number; maxAttempts?: number; maxConcurrency?: number } = {},
): void {
  const connections = config.connections as Record<string, unknown>;
  connections.faulty = {
    baseUrl: upstreamUrl,
    allowedHosts: ['127.0.0.1'],
    allowPrivateNetwork: true,
    timeoutMs: options.timeoutMs ?? 300,
    maxResponseBytes: 64 * 1024,
    maxConcurrency: options.maxConcurrency ?? 20,
  };
  (config.connectors as unknown[]).push({
    id: 'faulty_call',
    name: 'Call the misbehaving upstream',
    connection: 'faulty',
    surfaces: ['automation'],
    inputs: [{ name: 'mode', type: 'string', prompt: true }],
    request: { method: 'GET', path: '/{{inputs.mode}}' },
    response: { outputs: [{ name: 'value', path: 'value' }] },
    writeBack: {
      success: { addTags: ['faulty_ok'] },
      failure: { addTags: ['faulty_failed'] },
    },
    retry: { maxAttempts: options.maxAttempts ?? 2, initialDelayMs: 100 },
  });
}

/**
 * A test stack whose config has the faulty connector pointed at a misbehaving upstream of its
 * own (`misbehaving`); closing the stack closes both.
 */
export async function startFaultyStack(
  options: {
    connector?: Parameters<typeof addFaultyConnector>[2];
    env?: Partial<ServerEnv>;
  } = {},
): Promise<TestStack & { misbehaving: MisbehavingUpstream }> {
  const misbehaving = await startMisbehavingUpstream();
  const stack = await startTestStack({
    editConfig: (config) => addFaultyConnector(config, misbehaving.url, options.connector),
    ...(options.env ? { env: options.env } : {}),
  });
  return {
    ...stack,
    misbehaving,
    close: async () => {
      await stack.close();
      await misbehaving.close();
    },
  };
}
