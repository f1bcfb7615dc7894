import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startDemoUpstream } from '../../server/src/sandbox/demo-upstream/demo-upstream';
import { startFakeZendesk } from '../../server/src/sandbox/fake-zendesk/fake-zendesk';
import { FAKE_TIME_HEADER } from './fake-time-header';
import { SANDBOX_ZENDESK_BASIC } from '../../server/src/test-support/fake-zendesk-calls';

/**
 * Zendesk and the upstream for benchmarks: one node:http server answering from canned bodies, so
 * neither costs more than a socket write. The bodies are recorded from the project's real fakes
 * (the sandbox Zendesk and the demo Shopify), so every schema on the way accepts them.
 *
 * Any ticket id works: the ticket body is the sandbox's ticket 1 with its id and order number
 * replaced, so runs spread over many tickets (as in production) without safe_update conflicts.
 */
export const ORDERS_PATH = '/admin/api/2024-10/orders.json';
/** Streams this many bytes of JSON, chunked, with no Content-Length: the cap must cut it. */
export const HUGE_PATH = '/huge';
export const HUGE_BYTES = 50 * 1024 * 1024;
/**
 * A valid JSON answer just under the default 1 MiB cap, sent in 64 KiB chunks 2 ms apart, so that
 * under load many such bodies are arriving at once: what the server-wide response budget bounds.
 */
export const BIG_PATH = '/big';
export const BIG_BYTES = 960 * 1024;

const ID_PLACEHOLDER = '987654321';

export interface CannedBodies {
  /** Ticket JSON with `987654321` where the id and the order number go. */
  ticket: string;
  update: string;
  orders: string;
}

/** Reads real responses from the sandbox fakes once. */
export async function recordCannedBodies(): Promise<CannedBodies> {
  const zendesk = await startFakeZendesk();
  const upstream = await startDemoUpstream();
  try {
    const shown = await request(
      `${zendesk.baseUrl}/api/v2/tickets/1.json?include=users,organizations`,
      { headers: { authorization: SANDBOX_ZENDESK_BASIC } },
    );
    const ticketJson = (await shown.body.json()) as {
      ticket: { id: number; updated_at: string; custom_fields: { id: number; value: unknown }[] };
    };
    ticketJson.ticket.id = Number(ID_PLACEHOLDER);
    for (const field of ticketJson.ticket.custom_fields) {
      if (field.value === '#1001') field.value = `#${ID_PLACEHOLDER}`;
    }
    const updated = await request(`${zendesk.baseUrl}/api/v2/tickets/1.json`, {
      method: 'PUT',
      headers: { authorization: SANDBOX_ZENDESK_BASIC, 'content-type': 'application/json' },
      body: JSON.stringify({ ticket: { additional_tags: ['bench'] } }),
    });
    const orders = await request(
      `${upstream.baseUrl}${ORDERS_PATH}?name=%231001&status=any&fields=id`,
      { headers: { 'x-shopify-access-token': 'sandbox-shopify-token' } },
    );
    return {
      ticket: JSON.stringify(ticketJson),
      update: await updated.body.text(),
      orders: await orders.body.text(),
    };
  } finally {
    await zendesk.close();
    await upstream.close();
  }
}

export interface RunningInstantFakes {
  url: string;
  server: Server;
  /**
   * Makes every answer wait this long, to play a remote system with real latency; with `jitter`
   * (0–1) each wait is drawn uniformly from ms × (1 ± jitter), as real latencies vary.
   */
  setDelay(ms: number, jitter?: number): void;
  close(): Promise<void>;
}

export async function startInstantFakes(bodies: CannedBodies): Promise<RunningInstantFakes> {
  const ticketParts = bodies.ticket.split(ID_PLACEHOLDER);
  let delayMs = 0;
  let jitter = 0;
  const server = createServer((req, res) => {
    const arrived = performance.now();
    const json = () => ({
      'content-type': 'application/json; charset=utf-8',
      [FAKE_TIME_HEADER]: (performance.now() - arrived).toFixed(3),
    });
    // With jitter j, each answer waits delayMs × (1 ± j), uniformly.
    const wait = delayMs * (1 + jitter * (2 * Math.random() - 1));
    if (wait > 0) setTimeout(() => answer(req, res, json), wait);
    else answer(req, res, json);
  });
  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    json: () => Record<string, string>,
  ): void => {
    const url = req.url ?? '/';
    const ticket = /^\/api\/v2\/tickets\/(\d+)\.json/.exec(url);
    if (ticket && req.method === 'GET') {
      res.writeHead(200, json());
      res.end(ticketParts.join(ticket[1] as string));
      return;
    }
    if (ticket && req.method === 'PUT') {
      // Read the body before answering, as a real server does, so keep-alive stays in step.
      req.resume();
      req.on('end', () => {
        res.writeHead(200, json());
        res.end(bodies.update);
      });
      return;
    }
    if (url.startsWith(ORDERS_PATH)) {
      res.writeHead(200, json());
      res.end(bodies.orders);
      return;
    }
    if (url.startsWith(HUGE_PATH)) {
      streamHugeBody(res);
      return;
    }
    if (url.startsWith(BIG_PATH)) {
      streamBigBody(res);
      return;
    }
    res.writeHead(404, json());
    res.end('{"error":"not found"}');
  };
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    setDelay: (ms, spread = 0) => {
      delayMs = ms;
      jitter = spread;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** 50 MiB of valid-looking JSON in 64 KiB chunks, respecting backpressure. */
function streamHugeBody(res: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  let stopped = false;
  res.on('close', () => {
    stopped = true;
  });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"padding":"');
  const pump = () => {
    while (!stopped && sent < HUGE_BYTES) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!stopped) res.end('"}');
  };
  pump();
}

function streamBigBody(res: ServerResponse): void {
  const chunk = 'b'.repeat(64 * 1024);
  const chunks = Math.floor(BIG_BYTES / chunk.length);
  let sent = 0;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"padding":"');
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer);
      return;
    }
    res.write(chunk);
    sent += 1;
    if (sent === chunks) {
      clearInterval(timer);
      res.end('"}');
    }
  }, 2);
}
