import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAttemptSignal } from './attempt-signal';
import { collectResponse } from './collect-response';
import type { CollectRequest } from './collect-response';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let origin: string;
let route: Route = (_req, res) => res.end();
const agent = new Agent({ keepAliveTimeout: 1_000 });
/** Sockets the server saw closed: a refused body must not leave its connection for reuse. */
let closedSockets = 0;

beforeAll(async () => {
  server = createServer((req, res) => route(req, res));
  server.on('connection', (socket) => socket.on('close', () => (closedSockets += 1)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  route = (_req, res) => res.end();
});

afterAll(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path = '/'): CollectRequest => ({ origin, path, method: 'GET', headers: {} });

/** Writes `chunks` one per turn, then ends (or, with `end: false`, stalls). */
function chunked(
  chunks: string[],
  options: { headers?: Record<string, string>; end?: boolean } = {},
): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', ...options.headers });
    const next = (index: number) => {
      if (index === chunks.length) {
        if (options.end !== false) res.end();
        return;
      }
      res.write(chunks[index]);
      setTimeout(() => next(index + 1), 5);
    };
    next(0);
  };
}

const waitFor = async (check: () => boolean) => {
  for (let tries = 0; tries < 200 && !check(); tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(check()).toBe(true);
};

describe('collectResponse', () => {
  it('collects a body sent in several chunks, with its status and headers as request() gives them', async () => {
    route = (req, res) => {
      res.setHeader('x-echo', String(req.headers['x-ask']));
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      chunked(['{"a":', '1}'], { headers: { 'content-type': 'application/json' } })(req, res);
    };
    const answer = await collectResponse(agent, {
      ...get(),
      method: 'POST',
      headers: { 'x-ask': 'hello' },
      body: '{}',
    });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.value.statusCode).toBe(200);
    expect(answer.value.body.toString()).toBe('{"a":1}');
    expect(answer.value.headers).toMatchObject({
      'content-type': 'application/json',
      'x-echo': 'hello',
      'set-cookie': ['a=1', 'b=2'],
    });
  });

  it('skips a 1xx informational answer: the plan and the result see only the final one', async () => {
    route = (_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.writeHead(201, { 'content-type': 'text/plain' }).end('made');
    };
    const planned: number[] = [];
    const answer = await collectResponse(agent, get(), {
      planBody: (status) => {
        planned.push(status);
        return 'keep';
      },
    });
    expect(planned).toEqual([201]);
    expect(answer).toMatchObject({ ok: true, value: { statusCode: 201 } });
    expect(answer.ok && answer.value.body.toString()).toBe('made');
  });

  it('stops reading past maxBytes and drops the connection instead of reusing it', async () => {
    route = chunked(['123456', '123456', '123456'], { end: false });
    const closedBefore = closedSockets;
    const answer = await collectResponse(agent, get(), { maxBytes: 10 });
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.error.reason).toBe('too_large');
    // 12 unless the chunks arrived together: the count is of what came, past the limit.
    expect(answer.error.receivedBytes).toBeGreaterThan(10);
    await waitFor(() => closedSockets > closedBefore);
  });

  it('refuses a body from its head when the plan says so, before reading any of it', async () => {
    route = chunked(['x'.repeat(100)], { headers: { 'content-length': '100' } });
    const seen: { status: number; length: unknown }[] = [];
    const answer = await collectResponse(agent, get(), {
      planBody: (status, headers) => {
        seen.push({ status, length: headers['content-length'] });
        return 'refuse';
      },
    });
    expect(answer).toEqual({ ok: false, error: { reason: 'too_large', receivedBytes: 0 } });
    expect(seen).toEqual([{ status: 200, length: '100' }]);
  });

  it('reads a dropped body to its end without keeping it, so a redirect leaves nothing behind', async () => {
    route = (_req, res) => {
      res.writeHead(302, { location: '/next', 'content-type': 'text/html' });
      res.end('<a href="/next">moved</a>');
    };
    const answer = await collectResponse(agent, get(), { maxBytes: 5, planBody: () => 'drop' });
    expect(answer).toMatchObject({
      ok: true,
      value: { statusCode: 302, headers: { location: '/next' } },
    });
    expect(answer.ok && answer.value.body.length).toBe(0);
  });

  it('stops reading a dropped body past 128 KB and closes its connection, as dump() does', async () => {
    route = (_req, res) => {
      res.writeHead(301, { location: '/next' });
      res.write('x'.repeat(200 * 1024));
    };
    const closedBefore = closedSockets;
    const answer = await collectResponse(agent, get(), { planBody: () => 'drop' });
    expect(answer).toMatchObject({ ok: true, value: { statusCode: 301 } });
    expect(answer.ok && answer.value.body.length).toBe(0);
    await waitFor(() => closedSockets > closedBefore);
  });

  it('takes from the budget as bytes arrive and gives all of it back, whatever the end', async () => {
    let held = 0;
    let largest = 0;
    const budget = {
      take: (bytes: number) => {
        if (held + bytes > 8) return false;
        held += bytes;
        largest = Math.max(largest, held);
        return true;
      },
      give: (bytes: number) => void (held -= bytes),
    } as never;

    route = chunked(['abc', 'def']);
    const fits = await collectResponse(agent, get(), { budget });
    expect(fits.ok && fits.value.body.toString()).toBe('abcdef');
    expect(largest).toBe(6);
    expect(held).toBe(0);

    route = chunked(['abcdef', 'ghijkl'], { end: false });
    const over = await collectResponse(agent, get(), { budget });
    expect(over).toEqual({ ok: false, error: { reason: 'over_budget', receivedBytes: 12 } });
    expect(held).toBe(0);
  });

  it("rejects with undici's error when the connection breaks halfway through the body", async () => {
    let held = 0;
    const budget = {
      take: (bytes: number) => ((held += bytes), true),
      give: (bytes: number) => void (held -= bytes),
    } as never;
    route = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 10);
    };
    await expect(collectResponse(agent, get(), { budget })).rejects.toMatchObject({
      code: 'UND_ERR_SOCKET',
    });
    expect(held).toBe(0);
  });

  it('stops listening to the signal once the answer is in, whatever its end', async () => {
    const attempt = createAttemptSignal(1_000);
    try {
      route = chunked(['ok']);
      await collectResponse(agent, { ...get(), signal: attempt.signal });
      expect(attempt.signal.listenerCount('abort')).toBe(0);
      route = chunked(['123456', '123456'], { end: false });
      await collectResponse(agent, { ...get(), signal: attempt.signal }, { maxBytes: 4 });
      expect(attempt.signal.listenerCount('abort')).toBe(0);
    } finally {
      attempt.dispose();
    }
  });

  it("rejects with the signal's reason when the attempt's time runs out", async () => {
    route = chunked(['slow'], { end: false });
    const attempt = createAttemptSignal(30);
    try {
      await expect(
        collectResponse(agent, { ...get(), signal: attempt.signal }),
      ).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      expect(attempt.timedOut()).toBe(true);
    } finally {
      attempt.dispose();
    }
  });

  it('rejects an attempt whose signal had already aborted, with its reason', async () => {
    const attempt = createAttemptSignal(1_000);
    attempt.signal.abort(new Error('cancelled by the caller'));
    try {
      await expect(collectResponse(agent, { ...get(), signal: attempt.signal })).rejects.toThrow(
        'cancelled by the caller',
      );
    } finally {
      attempt.dispose();
    }
  });

  it('rejects when nothing listens at the origin', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      collectResponse(agent, { ...get(), origin: `http://127.0.0.1:${port}` }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
