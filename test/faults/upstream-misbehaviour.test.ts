import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useStack } from '../support/use-stack';
import { startFaultyStack } from './support/misbehaving-upstream';

/**
 * Whatever the upstream does, a run ends with a failed outcome and a stable code, the connector's
 * failure write-back lands on the ticket, and the run is in the run log.
 */
const TICKET = 4;
const stack = useStack(() => startFaultyStack());

async function runFaulty(mode: string) {
  const journalBefore = stack.zendesk.journal.length;
  const sleepsBefore = stack.sleeps.length;
  const started = performance.now();
  const res = await request(stack.url)
    .post('/api/connectors/faulty_call/run')
    .set(stack.adminAuth)
    .send({ ticketId: TICKET, surface: 'automation', inputs: { mode } });
  const elapsedMs = performance.now() - started;
  expect(res.status).toBe(200);
  const logged = await request(stack.url)
    .get(`/api/runs/${res.body.runId}`)
    .set(stack.adminAuth)
    .expect(200);
  const puts = stack.zendesk.journal
    .slice(journalBefore)
    .filter(
      (entry) => entry.method === 'PUT' && entry.path.startsWith(`/api/v2/tickets/${TICKET}`),
    );
  return {
    body: res.body,
    run: logged.body.run,
    puts,
    elapsedMs,
    sleeps: stack.sleeps.slice(sleepsBefore),
  };
}

function expectFailurePathTaken(result: Awaited<ReturnType<typeof runFaulty>>, code: string) {
  expect(result.body).toMatchObject({ outcome: 'failed', error: { code } });
  expect(result.run).toMatchObject({ outcome: 'failed', errorCode: code });
  expect(result.run.writes).toMatchObject({
    status: 'written',
    changes: { additionalTags: ['faulty_failed'] },
  });
  expect(result.puts).toHaveLength(1);
  expect(result.puts[0]?.body).toMatchObject({ ticket: { additional_tags: ['faulty_failed'] } });
}

describe('an upstream that misbehaves, through a full connector run', () => {
  it('a connection reset fails the run as UPSTREAM_CONNECTION_FAILED after the retries', async () => {
    const result = await runFaulty('reset');
    expectFailurePathTaken(result, 'UPSTREAM_CONNECTION_FAILED');
    expect(result.run.attempts).toBe(2);
    expect(stack.misbehaving.hits.get('reset')).toBe(2);
  });

  it('an upstream that never answers fails as UPSTREAM_TIMEOUT within the per-attempt timeouts', async () => {
    const result = await runFaulty('hang');
    expectFailurePathTaken(result, 'UPSTREAM_TIMEOUT');
    expect(result.run.attempts).toBe(2);
    // Two attempts of 300 ms, the waits between them skipped by the test clock.
    expect(result.elapsedMs).toBeGreaterThanOrEqual(550);
    expect(result.elapsedMs).toBeLessThan(3_000);
  });

  it('an HTML page instead of JSON fails as UPSTREAM_INVALID_RESPONSE and says what came back', async () => {
    const result = await runFaulty('html');
    expectFailurePathTaken(result, 'UPSTREAM_INVALID_RESPONSE');
    expect(result.body.error.message).toMatch(/html/i);
    expect(result.run.response.body).toContain('Maintenance');
  });

  it('JSON cut off mid-body fails as UPSTREAM_INVALID_RESPONSE', async () => {
    const result = await runFaulty('invalid-json');
    expectFailurePathTaken(result, 'UPSTREAM_INVALID_RESPONSE');
  });

  it('JSON sent as text/plain is not parsed and fails as UPSTREAM_INVALID_RESPONSE', async () => {
    const result = await runFaulty('wrong-type');
    expectFailurePathTaken(result, 'UPSTREAM_INVALID_RESPONSE');
    expect(result.body.outputs).toEqual([]);
  });

  it('a 20 MiB body is cut at the 64 KiB cap instead of being read to the end', async () => {
    const result = await runFaulty('huge');
    expectFailurePathTaken(result, 'UPSTREAM_RESPONSE_TOO_LARGE');
    expect(result.run.attempts).toBe(1);
    // The socket was destroyed early: far less than the 20 MiB left the upstream.
    expect(stack.misbehaving.bytesSent.get('huge') ?? 0).toBeLessThan(8 * 1024 * 1024);
  });

  it('a body that trickles in byte by byte is ended by the per-attempt timeout', async () => {
    const result = await runFaulty('slow-body');
    expectFailurePathTaken(result, 'UPSTREAM_TIMEOUT');
    expect(result.run.attempts).toBe(2);
    expect(result.elapsedMs).toBeLessThan(3_000);
  });

  it('a 429 storm is retried as Retry-After asks, within the budget, and the run reports it', async () => {
    const result = await runFaulty('rate-limited');
    expectFailurePathTaken(result, 'UPSTREAM_RETRIES_EXHAUSTED');
    expect(result.body.attempts).toBe(2);
    expect(result.body.error.message).toMatch(/429/);
    // One wait, as long as Retry-After asked (2 s), recorded by the test clock.
    expect(result.sleeps).toEqual([2_000]);
    expect(result.run.response.status).toBe(429);
  });

  it('a Retry-After longer than the whole wait budget stops at once instead of hanging', async () => {
    const result = await runFaulty('rate-limited-for-an-hour');
    expectFailurePathTaken(result, 'UPSTREAM_RETRIES_EXHAUSTED');
    expect(result.body.attempts).toBe(1);
    expect(result.sleeps).toEqual([]);
    expect(result.body.error.message).toMatch(/retry after 3600 s/);
  });

  it('JSON nested 30,000 levels deep fails as UPSTREAM_RESPONSE_TOO_DEEP, with a record', async () => {
    for (const mode of ['deep', 'deep-elsewhere']) {
      const result = await runFaulty(mode);
      expectFailurePathTaken(result, 'UPSTREAM_RESPONSE_TOO_DEEP');
      expect(result.body.error.message).toContain('nested deeper than 64 levels');
    }
  });

  it('a redirect to another port on the same host is refused, with a record', async () => {
    const result = await runFaulty('redirect-other-port');
    expectFailurePathTaken(result, 'UPSTREAM_REDIRECT_BLOCKED');
    expect(result.body.error.message).toContain('6379');
    expect(result.run.attempts).toBe(1);
  });

  it('keeps serving normal runs after all of that', async () => {
    const result = await runFaulty('ok');
    expect(result.body).toMatchObject({ outcome: 'success' });
    expect(result.run.writes).toMatchObject({ changes: { additionalTags: ['faulty_ok'] } });
  });
});
