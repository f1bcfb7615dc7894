import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthProvider } from './auth/create-auth-provider';
import { LOGGED_BODY_LIMIT } from './read-response-body';
import { createResponseBufferBudget } from './response-buffer-budget';
import { sendRequest } from './send-request';
import {
  createRecordingSleep,
  findClosedPort,
  localPolicy,
  startTestServer,
  type TestServer,
} from './test-support/start-test-server';

const noAuth = createAuthProvider({ type: 'none' });
const MiB = 1024 * 1024;
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('sendRequest transport failures', () => {
  it('times out an upstream that never answers, once per attempt', async () => {
    server = await startTestServer(() => undefined);
    const policy = localPolicy({ timeoutMs: 100 });
    policy.retry.maxAttempts = 2;

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      policy,
      {
        auth: noAuth,
        sleep: createRecordingSleep().sleep,
      },
    );

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('UPSTREAM_TIMEOUT');
    expect(!result.ok && result.error.message).toMatch(/did not answer within 100 ms/);
    expect(result.attempts.map((a) => a.errorCode)).toEqual([
      'UPSTREAM_TIMEOUT',
      'UPSTREAM_TIMEOUT',
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it('times out a body that keeps trickling past the attempt time, and closes its connection', async () => {
    // A byte every 20 ms: undici's own stall timer (bodyTimeout) never fires; the attempt's does.
    let closed = 0;
    server = await startTestServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      const trickle = setInterval(() => res.write(' '), 20);
      req.socket.on('close', () => {
        clearInterval(trickle);
        closed += 1;
      });
    });
    const policy = localPolicy({ timeoutMs: 150 });
    policy.retry.maxAttempts = 1;

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      policy,
      { auth: noAuth, sleep: createRecordingSleep().sleep },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_TIMEOUT');
    await vi.waitFor(() => expect(closed).toBe(1));
  });

  it('reports a refused connection, and retries even a POST because nothing was sent', async () => {
    const port = await findClosedPort();

    const result = await sendRequest(
      { method: 'POST', url: `http://127.0.0.1:${port}/issues`, headers: {}, body: '{}' },
      localPolicy(),
      { auth: noAuth, sleep: createRecordingSleep().sleep },
    );

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('UPSTREAM_CONNECTION_FAILED');
    expect(!result.ok && result.error.message).toMatch(/ECONNREFUSED/);
    expect(result.attempts).toHaveLength(3);
    expect(result.attempts[0]?.reason).toBe('connection_failed_before_send');
  });

  it('retries a GET whose connection is reset', async () => {
    server = await startTestServer((req) => req.socket.destroy());

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      { auth: noAuth, sleep: createRecordingSleep().sleep },
    );

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('UPSTREAM_CONNECTION_FAILED');
    expect(!result.ok && result.error.message).toMatch(/gave up after 3 attempts/);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a POST whose connection is reset after it was sent', async () => {
    server = await startTestServer((req) => req.socket.destroy());

    const result = await sendRequest(
      { method: 'POST', url: `${server.origin}/`, headers: {}, body: 'x' },
      localPolicy(),
      { auth: noAuth, sleep: createRecordingSleep().sleep },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_CONNECTION_FAILED');
    expect(result.attempts).toEqual([
      { attempt: 1, errorCode: 'UPSTREAM_CONNECTION_FAILED', reason: 'method_not_idempotent' },
    ]);
    expect(server.requests).toHaveLength(1);
  });

  it('stops when the caller aborts', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    server = await startTestServer(() => arrived());
    const controller = new AbortController();

    const pending = sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      {
        auth: noAuth,
        signal: controller.signal,
      },
    );
    await requestArrived;
    controller.abort();
    const result = await pending;

    expect(!result.ok && result.error.code).toBe('UPSTREAM_ABORTED');
    expect(server.requests).toHaveLength(1);
  });
});

describe('sendRequest response size cap', () => {
  it('refuses a body whose Content-Length is above the cap without reading it', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(5 * MiB) });
      res.write(Buffer.alloc(1024));
    });

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy({ maxResponseBytes: MiB }),
      { auth: noAuth },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_RESPONSE_TOO_LARGE');
    expect(result.attempts).toHaveLength(1);
  });

  it('accepts a HEAD response that declares a large Content-Length', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(5 * MiB) }).end();
    });

    const result = await sendRequest(
      { method: 'HEAD', url: `${server.origin}/`, headers: {} },
      localPolicy({ maxResponseBytes: MiB }),
      { auth: noAuth },
    );

    expect(result.ok && result.status).toBe(200);
  });

  it('aborts a 50 MiB chunked body as soon as it passes the cap', async () => {
    const total = 50 * MiB;
    let serverDone!: (outcome: { sent: number; finished: boolean }) => void;
    const serverOutcome = new Promise<{ sent: number; finished: boolean }>(
      (resolve) => (serverDone = resolve),
    );
    server = await startTestServer((_req, res: ServerResponse) => {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      res.on('close', () => serverDone({ sent, finished: res.writableFinished }));
      res.writeHead(200, { 'content-type': 'text/plain' });
      const pump = () => {
        while (sent < total && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy({ maxResponseBytes: MiB }),
      { auth: noAuth },
    );
    const { sent, finished } = await serverOutcome;

    expect(!result.ok && result.error.code).toBe('UPSTREAM_RESPONSE_TOO_LARGE');
    expect(!result.ok && result.bodyText).toBeUndefined();
    expect(finished).toBe(false);
    expect(sent).toBeLessThan(total / 2);
  });
});

describe('sendRequest server-wide response budget', () => {
  const KiB = 1024;

  it('gives the bytes of a body back once it is read', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ pad: 'x'.repeat(30 * KiB) }));
    });
    const budget = createResponseBufferBudget(64 * KiB);

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      { auth: noAuth, responseBudget: budget },
    );

    expect(result.ok && (result.json as { pad: string }).pad).toHaveLength(30 * KiB);
    expect(budget.used).toBe(0);
  });

  it('drops a response that does not fit beside one still arriving, without retrying it', async () => {
    let finishFirst!: () => void;
    server = await startTestServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"pad":"${'x'.repeat(40 * KiB)}`);
      if (req.url === '/held') finishFirst = () => res.end('"}');
      else res.end('"}');
    });
    const budget = createResponseBufferBudget(64 * KiB);
    const send = (path: string) =>
      sendRequest({ method: 'GET', url: `${server!.origin}${path}`, headers: {} }, localPolicy(), {
        auth: noAuth,
        responseBudget: budget,
      });

    const held = send('/held');
    await vi.waitFor(() => expect(budget.used).toBeGreaterThanOrEqual(40 * KiB));
    const dropped = await send('/second');

    expect(!dropped.ok && dropped.error.code).toBe('UPSTREAM_RESPONSE_BUDGET_EXCEEDED');
    expect(!dropped.ok && dropped.error.message).toMatch(/0\.1 MiB .*127\.0\.0\.1.*dropped/);
    expect(dropped.attempts).toHaveLength(1);
    // Only the held body's bytes are still taken: the dropped one gave its part back.
    expect(budget.used).toBe(40 * KiB + '{"pad":"'.length);

    finishFirst();
    const first = await held;
    expect(first.ok && first.status).toBe(200);
    expect(budget.used).toBe(0);
  });
});

describe('sendRequest heap check before parsing', () => {
  it('drops a JSON body whose worst case does not fit in the free heap, and parses one that does', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(MiB) });
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    let freeHeap = 10 * MiB;
    const budget = createResponseBufferBudget(64 * MiB, { heapAvailable: () => freeHeap });
    const send = () =>
      sendRequest(
        { method: 'GET', url: `${server!.origin}/`, headers: {} },
        localPolicy({ maxResponseBytes: 2 * MiB }),
        { auth: noAuth, responseBudget: budget },
      );

    const dropped = await send();
    expect(!dropped.ok && dropped.error.code).toBe('UPSTREAM_RESPONSE_BUDGET_EXCEEDED');
    expect(!dropped.ok && dropped.error.message).toMatch(/1 MiB response .*max-old-space-size/);
    expect(budget.used).toBe(0);

    freeHeap = 100 * MiB;
    const parsed = await send();
    expect(parsed.ok && (parsed.json as { pad: string }).pad).toHaveLength(MiB);
  });
});

describe('sendRequest response decoding', () => {
  it('parses JSON for +json media types', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(422, { 'content-type': 'application/problem+json; charset=utf-8' });
      res.end('{"title":"Invalid"}');
    });

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      {
        auth: noAuth,
      },
    );

    expect(result.ok && result.json).toEqual({ title: 'Invalid' });
    expect(result.ok && result.contentType).toBe('application/problem+json; charset=utf-8');
  });

  it('keeps json undefined and a truncated text when the JSON is invalid', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"broken": ${'x'.repeat(10_000)}`);
    });

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      {
        auth: noAuth,
      },
    );

    expect(result.ok && result.json).toBeUndefined();
    expect(result.ok && result.bodyText.length).toBe(LOGGED_BODY_LIMIT);
  });

  it('does not parse JSON from a non-JSON media type', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('{"looks":"like json"}');
    });

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      {
        auth: noAuth,
      },
    );

    expect(result.ok && result.json).toBeUndefined();
    expect(result.ok && result.bodyText).toBe('{"looks":"like json"}');
  });
});

describe('sendRequest header safety', () => {
  it('never sends a header value containing CR/LF', async () => {
    server = await startTestServer((_req, res) => res.end());

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: { 'X-Note': 'a\r\nX-Injected: 1' } },
      localPolicy(),
      { auth: noAuth },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_INVALID_REQUEST');
    expect(!result.ok && result.error.message).toMatch(/x-note/);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses an auth value containing CR/LF without echoing it', async () => {
    server = await startTestServer((_req, res) => res.end());
    const auth = createAuthProvider({
      type: 'apiKeyHeader',
      header: 'X-Api-Key',
      value: 's3cr3t\r\nX-Evil: 1',
    });

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      {
        auth,
      },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_INVALID_REQUEST');
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a hand-set Host header', async () => {
    server = await startTestServer((_req, res) => res.end());

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: { Host: 'internal.example' } },
      localPolicy(),
      { auth: noAuth },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_INVALID_REQUEST');
    expect(server.requests).toHaveLength(0);
  });
});
