import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { useStack } from '../support/use-stack';
import { startFaultyStack } from './support/misbehaving-upstream';

/**
 * The server-wide budget for response bodies being received (RESPONSE_BUFFER_LIMIT_MB), here 48
 * KiB: a ~40 KiB answer fits alone but not beside another one still arriving. The run that does
 * not fit fails on the connector's fail path with a stable code and is logged; the budget is
 * whole again once the bodies are read.
 */
const TICKET = 4;
const stack = useStack(() =>
  startFaultyStack({
    connector: { timeoutMs: 10_000, maxAttempts: 1 },
    env: { responseBufferLimitBytes: 48 * 1024 },
  }),
);

function run(mode: string) {
  return request(stack.url)
    .post('/api/connectors/faulty_call/run')
    .set(stack.adminAuth)
    .send({ ticketId: TICKET, surface: 'automation', inputs: { mode } });
}

async function loggedRun(runId: string) {
  const res = await request(stack.url).get(`/api/runs/${runId}`).set(stack.adminAuth).expect(200);
  return res.body.run;
}

describe('server-wide response budget', () => {
  it('fails the run that does not fit on its fail path, logs it, and recovers', async () => {
    const first = run('held').then((res) => res);
    // The held body's first 40 KiB are on the server's socket before the second run even loads
    // its ticket, so they hold the budget when the second body arrives.
    await vi.waitFor(() =>
      expect(stack.misbehaving.bytesSent.get('held')).toBeGreaterThan(40 * 1024),
    );

    const second = await run('big-ok');
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_RESPONSE_BUDGET_EXCEEDED' },
    });
    expect(second.body.error.message).toMatch(/RESPONSE_BUFFER_LIMIT_MB/);
    expect(second.body.attempts).toBe(1);
    expect(await loggedRun(second.body.runId)).toMatchObject({
      outcome: 'failed',
      errorCode: 'UPSTREAM_RESPONSE_BUDGET_EXCEEDED',
      writes: { status: 'written', changes: { additionalTags: ['faulty_failed'] } },
    });

    stack.misbehaving.releaseHeld();
    const held = await first;
    expect(held.body).toMatchObject({ outcome: 'success' });
    expect(held.body.outputs[0].value).toHaveLength(40 * 1024);

    const third = await run('big-ok');
    expect(third.body).toMatchObject({ outcome: 'success' });
  });
});
