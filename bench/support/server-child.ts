import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHistogram } from 'node:perf_hooks';
import { parseEnv } from '../../server/src/env/parse-env';
import { SANDBOX_ZENDESK_CREDENTIALS } from '../../server/src/sandbox/seed/zendesk-seed';
import { SANDBOX_SECRETS_FILE } from '../../server/src/server-paths';
import { startServer } from '../../server/src/start-server';
import { answerParent } from './child-process';
import { FAKE_TIME_HEADER } from './fake-time-header';
import { watchProcessCpu } from './process-cpu';
import { countWorkFromEnv } from './work-count';
import { summariseHistogram } from './load';

/**
 * The whole service in live mode, in its own process, as `npm start` would run it (logging at
 * info to stdout, which the parent discards). BENCH_SERVER holds `{ configPath, dataDir,
 * zendeskUrl }`.
 *
 * With BENCH_TIMING=1 it also measures server-added latency: for each API request, the time from
 * the 'request' event to the response's 'finish', minus the time the other systems report they
 * spent on its outbound calls (the fakes' x-fake-ms header, read from undici's diagnostics
 * channels). Outbound calls are attributed to the API request through AsyncLocalStorage, so
 * concurrent runs do not mix. Everything else (this process's work, its event-loop queueing,
 * loopback transit) counts as server-added. No hook in the server's code is needed.
 */
const settings = JSON.parse(process.env.BENCH_SERVER ?? '{}') as {
  configPath: string;
  dataDir: string;
  zendeskUrl: string;
  database?: { url: string; schema: string };
  /** More variables, for benchmarks of settings the others leave alone (webhooks, workers). */
  env?: Record<string, string>;
};
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

// Parsed like `npm start` parses its environment, so the benchmark follows the server's settings.
const parsed = parseEnv({
  PORT: '0',
  HOST: '127.0.0.1',
  CONNECTORS_CONFIG: settings.configPath,
  DATA_DIR: settings.dataDir,
  SECRETS_FILE: SANDBOX_SECRETS_FILE,
  LOG_LEVEL: 'info',
  ZENDESK_BASE_URL: settings.zendeskUrl,
  ZENDESK_EMAIL: SANDBOX_ZENDESK_CREDENTIALS.email,
  ZENDESK_API_TOKEN: SANDBOX_ZENDESK_CREDENTIALS.apiToken,
  ADMIN_TOKEN,
  // The load comes from one caller (the admin token) on purpose; the rate limits would cut it.
  RATE_LIMIT_READS_PER_MINUTE: '0',
  RATE_LIMIT_RUNS_PER_MINUTE: '0',
  RATE_LIMIT_WEBHOOKS_PER_MINUTE: '0',
  ...settings.env,
  ...(settings.database
    ? { DATABASE_URL: settings.database.url, DATABASE_SCHEMA: settings.database.schema }
    : {}),
  // RESPONSE_BUFFER_LIMIT_MB=4096 npm run bench -- memory: the same load without the budget.
  ...(process.env.RESPONSE_BUFFER_LIMIT_MB === undefined
    ? {}
    : { RESPONSE_BUFFER_LIMIT_MB: process.env.RESPONSE_BUFFER_LIMIT_MB }),
});
if (!parsed.ok) {
  process.stderr.write(`bench server environment: ${parsed.error.problems.join('; ')}\n`);
  process.exit(1);
}

const started = await startServer(parsed.value);
if (!started.ok) {
  process.stderr.write(`bench server did not start: ${started.error.message}\n`);
  process.exit(1);
}
const running = started.value;

interface Span {
  /** Outbound calls in flight, as this process saw them (includes its own queueing). */
  waitedNs: bigint;
  /** What the other systems report they spent (the x-fake-ms header of each answer). */
  otherSystemsNs: number;
}
const timing = process.env.BENCH_TIMING === '1';
const serverAdded = createHistogram();
const inServer = createHistogram();
const waiting = createHistogram();
if (timing) {
  const current = new AsyncLocalStorage<Span>();
  const outbound = new WeakMap<object, { span: Span; startedAt: bigint }>();
  const settle = ({ request }: { request: object }) => {
    const call = outbound.get(request);
    if (!call) return;
    outbound.delete(request);
    call.span.waitedNs += process.hrtime.bigint() - call.startedAt;
  };
  subscribe('undici:request:create', (message) => {
    const span = current.getStore();
    const { request } = message as { request: object };
    if (span) outbound.set(request, { span, startedAt: process.hrtime.bigint() });
  });
  subscribe('undici:request:headers', (message) => {
    const { request, response } = message as {
      request: object;
      response: { headers: Buffer[] };
    };
    const call = outbound.get(request);
    if (!call) return;
    const headers = response.headers;
    for (let index = 0; index < headers.length; index += 2) {
      if (String(headers[index]).toLowerCase() === FAKE_TIME_HEADER) {
        call.span.otherSystemsNs += Number(String(headers[index + 1])) * 1e6;
      }
    }
  });
  subscribe('undici:request:trailers', (message) => settle(message as { request: object }));
  subscribe('undici:request:error', (message) => settle(message as { request: object }));

  const server = running.server;
  const handlers = server.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const span: Span = { waitedNs: 0n, otherSystemsNs: 0 };
    const startedAt = process.hrtime.bigint();
    if (req.url?.startsWith('/api/')) {
      res.once('finish', () => {
        const total = process.hrtime.bigint() - startedAt;
        inServer.record(Math.max(1, Number(total)));
        serverAdded.record(Math.max(1, Math.round(Number(total) - span.otherSystemsNs)));
        if (span.waitedNs > 0n) waiting.record(Number(span.waitedNs));
      });
    }
    current.run(span, () => {
      for (const handler of handlers) handler.call(server, req, res);
    });
  });
}

// For CPU per run (overhead-vs-floor).
const readCpu = watchProcessCpu();
// bench/work-per-run.ts: promises and allocation per request, when COUNT_WORK_FILE asks.
countWorkFromEnv();

answerParent((message) => {
  if (message.type === 'cpu') return readCpu();
  if (message.type === 'rss') {
    const usage = process.memoryUsage();
    return {
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      heapTotal: usage.heapTotal,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
    };
  }
  if (message.type === 'timings') {
    const answer = {
      count: serverAdded.count,
      serverAddedMs: summariseHistogram(serverAdded),
      inServerMs: summariseHistogram(inServer),
      waitingMs: summariseHistogram(waiting),
    };
    serverAdded.reset();
    inServer.reset();
    waiting.reset();
    return answer;
  }
  if (message.type === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    return {};
  }
  return {};
});
process.send?.({ type: 'ready', url: running.url, adminToken: ADMIN_TOKEN });
process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
