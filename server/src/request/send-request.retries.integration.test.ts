import { afterEach, describe, expect, it } from 'vitest';
import { createAuthProvider } from './auth/create-auth-provider';
import { sendRequest } from './send-request';
import {
  createRecordingSleep,
  localPolicy,
  startTestServer,
  type TestServer,
} from './test-support/start-test-server';

const noAuth = createAuthProvider({ type: 'none' });
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Answers with the given statuses in order, then 200 with a JSON body. */
async function startScriptedServer(
  script: Array<{ status: number; headers?: Record<string, string> }>,
): Promise<TestServer> {
  let calls = 0;
  return startTestServer((_req, res) => {
    const step = script[calls++];
    if (step === undefined) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"done":true}');
      return;
    }
    res.writeHead(step.status, step.headers ?? {}).end('try later');
  });
}

describe('sendRequest retries', () => {
  it('retries a 503 and returns the 200 that follows', async () => {
    server = await startScriptedServer([{ status: 503 }]);
    const { sleep, waits } = createRecordingSleep();

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/orders`, headers: {} },
      localPolicy(),
      { auth: noAuth, sleep, random: () => 0.5 },
    );

    expect(result.ok && result.status).toBe(200);
    expect(result.ok && result.json).toEqual({ done: true });
    expect(server.requests).toHaveLength(2);
    expect(result.attempts).toEqual([
      { attempt: 1, status: 503, reason: 'status_code_503', waitedMs: 5 },
      { attempt: 2, status: 200, reason: 'success' },
    ]);
    expect(waits).toEqual([5]);
  });

  it('waits as long as Retry-After asks before retrying a 429', async () => {
    server = await startScriptedServer([{ status: 429, headers: { 'retry-after': '1' } }]);
    const { sleep, waits } = createRecordingSleep();

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      { auth: noAuth, sleep },
    );

    expect(result.ok && result.status).toBe(200);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(result.attempts[0]?.reason).toBe('status_code_429_retry_after');
  });

  it('does not retry a POST that got a 503, and hands the 503 to the connector rules', async () => {
    server = await startScriptedServer([{ status: 503 }]);

    const result = await sendRequest(
      { method: 'POST', url: `${server.origin}/issues`, headers: {}, body: '{}' },
      localPolicy(),
      { auth: noAuth, sleep: createRecordingSleep().sleep },
    );

    expect(result.ok && result.status).toBe(503);
    expect(server.requests).toHaveLength(1);
    expect(result.attempts).toEqual([{ attempt: 1, status: 503, reason: 'method_not_idempotent' }]);
  });

  it('retries a POST on 503 when the connector allows non-idempotent retries', async () => {
    server = await startScriptedServer([{ status: 503 }]);
    const policy = localPolicy();
    policy.retry.retryNonIdempotent = true;

    const result = await sendRequest(
      { method: 'POST', url: `${server.origin}/issues`, headers: {}, body: '{"a":1}' },
      policy,
      { auth: noAuth, sleep: createRecordingSleep().sleep },
    );

    expect(result.ok && result.status).toBe(200);
    expect(server.requests.map((r) => r.body)).toEqual(['{"a":1}', '{"a":1}']);
  });

  it('stops instead of waiting when Retry-After is beyond the total wait budget', async () => {
    server = await startScriptedServer([{ status: 429, headers: { 'retry-after': '120' } }]);
    const { sleep, waits } = createRecordingSleep();

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      { auth: noAuth, sleep },
    );

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatchObject({
      code: 'UPSTREAM_RETRIES_EXHAUSTED',
      status: 429,
    });
    expect(!result.ok && result.error.message).toMatch(/retry after 120 s/);
    expect(waits).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('reports the last status when every attempt fails', async () => {
    server = await startScriptedServer([{ status: 503 }, { status: 502 }, { status: 504 }]);

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/`, headers: {} },
      localPolicy(),
      { auth: noAuth, sleep: createRecordingSleep().sleep },
    );

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('UPSTREAM_RETRIES_EXHAUSTED');
    expect(!result.ok && result.status).toBe(504);
    expect(!result.ok && result.error.status).toBe(504);
    expect(!result.ok && result.bodyText).toBe('try later');
    expect(result.attempts.map((a) => a.status)).toEqual([503, 502, 504]);
    expect(result.attempts.at(-1)?.reason).toBe('max_attempts_reached');
  });

  it('returns a non-retryable error status as a response, without retrying', async () => {
    server = await startScriptedServer([{ status: 404 }]);

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/orders/1`, headers: {} },
      localPolicy(),
      { auth: noAuth, sleep: createRecordingSleep().sleep },
    );

    expect(result.ok && result.status).toBe(404);
    expect(result.ok && result.json).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });
});

describe('sendRequest deadline over the whole call', () => {
  // timeoutMs 200 × (3 attempts + 1) + 50 ms of waits: the call must be over within 850 ms.
  const tightPolicy = () =>
    localPolicy({
      timeoutMs: 200,
      retry: { ...localPolicy().retry, maxAttempts: 3, maxTotalWaitMs: 50 },
    });

  it('stops when a sleep that overstays its wait has used up the deadline', async () => {
    server = await startScriptedServer([{ status: 503 }, { status: 503 }, { status: 503 }]);
    // A sleep that ignores what it is asked and takes 450 ms each time (a per-step timer reset).
    const sleep = () => new Promise<void>((resolve) => setTimeout(resolve, 450));

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/orders`, headers: {} },
      tightPolicy(),
      { auth: noAuth, sleep, random: () => 0 },
    );

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('UPSTREAM_TIMEOUT');
    expect(!result.ok && result.error.message).toMatch(/ran out of time after 2 attempts/);
    expect(server.requests).toHaveLength(2);
  });

  it('cuts an attempt short to what is left of the deadline', async () => {
    let calls = 0;
    let secondGaveUpAt = 0;
    // The first answer is a 503; the second never comes, so the client must give up on it.
    server = await startTestServer((req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(503).end('busy');
      else req.socket.once('close', () => (secondGaveUpAt = performance.now()));
    });
    const sleep = () => new Promise<void>((resolve) => setTimeout(resolve, 780));
    const startedAt = performance.now();

    const result = await sendRequest(
      { method: 'GET', url: `${server.origin}/orders`, headers: {} },
      tightPolicy(),
      { auth: noAuth, sleep, random: () => 0 },
    );

    expect(!result.ok && result.error.code).toBe('UPSTREAM_TIMEOUT');
    expect(calls).toBe(2);
    // 780 ms asleep, then about 70 ms left of the 850: not the attempt's full 200 ms (980).
    const cutAt = secondGaveUpAt - startedAt;
    expect(cutAt).toBeGreaterThanOrEqual(840);
    expect(cutAt).toBeLessThan(930);
  });
});
