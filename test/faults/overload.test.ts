import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { addFaultyConnector, startMisbehavingUpstream } from './support/misbehaving-upstream';
import type { MisbehavingUpstream } from './support/misbehaving-upstream';

/**
 * Many runs against one slow upstream: its connection gets `maxConcurrency` runs at a time and a
 * bounded queue (twice that); callers past the queue get 503 CONNECTION_BUSY with Retry-After at
 * once, and runs on other connections do not wait behind it.
 */
const MAX_CONCURRENCY = 2;
const QUEUE = MAX_CONCURRENCY * 2;
const CALLERS = 12;
let upstream: MisbehavingUpstream;
let stack: TestStack;

beforeAll(async () => {
  upstream = await startMisbehavingUpstream();
  upstream.setSlowOkDelay(400);
  stack = await startTestStack({
    editConfig: (config) =>
      addFaultyConnector(config, upstream.url, {
        timeoutMs: 5_000,
        maxConcurrency: MAX_CONCURRENCY,
      }),
  });
});
afterAll(async () => {
  await stack.close();
  await upstream.close();
});

describe('many concurrent runs against one slow upstream', () => {
  it('runs a bounded number, refuses the rest with 503 and Retry-After, and other connections stay fast', async () => {
    const finished: string[] = [];
    const slowRuns = Array.from({ length: CALLERS }, (_, index) =>
      request(stack.url)
        .post('/api/connectors/faulty_call/run')
        .set(stack.adminAuth)
        .send({ ticketId: 4, surface: 'automation', inputs: { mode: 'slow-ok' } })
        .then((res) => {
          finished.push(res.status === 200 ? `slow ${index}` : `refused ${index}`);
          return res;
        }),
    );
    // Once the slow connection is saturated, a run on another connection.
    await upstream.waitForHits('slow-ok', MAX_CONCURRENCY);
    const otherStarted = performance.now();
    const other = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(stack.adminAuth)
      .send({ ticketId: 1 });
    finished.push('other connection');
    const otherMs = performance.now() - otherStarted;
    const answers = await Promise.all(slowRuns);

    expect(other.body.outcome).toBe('success');
    expect(otherMs).toBeLessThan(400);
    // The other connection's run finished before any slow run did.
    expect(finished.findIndex((entry) => entry.startsWith('slow'))).toBeGreaterThan(
      finished.indexOf('other connection'),
    );

    const ran = answers.filter((res) => res.status === 200);
    const refused = answers.filter((res) => res.status === 503);
    expect(ran).toHaveLength(MAX_CONCURRENCY + QUEUE);
    expect(refused).toHaveLength(CALLERS - MAX_CONCURRENCY - QUEUE);
    for (const res of ran) expect(res.body.outcome).toBe('success');
    for (const res of refused) {
      expect(res.body.error.code).toBe('CONNECTION_BUSY');
      expect(res.headers['retry-after']).toBe('1');
    }
    // Refused callers never reached the upstream.
    expect(upstream.hits.get('slow-ok')).toBe(MAX_CONCURRENCY + QUEUE);
  });
});
