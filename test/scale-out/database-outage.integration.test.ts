import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestSchema,
  TEST_DATABASE_URL,
} from '../../server/src/test-support/postgres-test-schema';
import type { TestSchema } from '../../server/src/test-support/postgres-test-schema';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { startCuttableProxy } from './support/cuttable-proxy';
import type { CuttableProxy } from './support/cuttable-proxy';

/**
 * PostgreSQL goes away under a running instance (a restart, a failover) and comes back: the
 * instance answers 503 DATABASE_UNAVAILABLE with Retry-After where it needs the database, shows
 * it on /health, never crashes, and works again once the database is back.
 */

let schema: TestSchema;
let proxy: CuttableProxy;
let stack: TestStack;
beforeAll(async () => {
  schema = await createTestSchema('outage');
  const target = new URL(TEST_DATABASE_URL);
  proxy = await startCuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const url = new URL(TEST_DATABASE_URL);
  url.port = String(proxy.port);
  stack = await startTestStack({
    env: { database: { url: url.toString(), schema: schema.schema } },
    heartbeatMs: 250,
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await proxy?.close();
  await schema?.drop();
});

const run = (key: string) =>
  request(stack.url)
    .post('/api/connectors/shopify_order_lookup/run')
    .set(stack.adminAuth)
    .set('Idempotency-Key', key)
    .send({ ticketId: 2 });

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not within ${ms} ms`);
}

describe('the database goes away and comes back', () => {
  it('answers 503 DATABASE_UNAVAILABLE meanwhile, shows it on /health, and recovers', async () => {
    expect((await run('outage-before-0001')).status).toBe(200);
    proxy.cut();
    const during = await run('outage-during-0001');
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('DATABASE_UNAVAILABLE');
    expect(during.headers['retry-after']).toBe('5');
    await waitUntil(
      async () => (await request(stack.url).get('/health')).body.database?.ok === false,
      8_000,
    );
    const health = await request(stack.url).get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    proxy.restore();
    await waitUntil(async () => (await run('outage-after-0001')).status === 200, 10_000);
    await waitUntil(
      async () => (await request(stack.url).get('/health')).body.status === 'ok',
      8_000,
    );
    // The run that was refused never ran: its key is free, and it runs now.
    expect((await run('outage-during-0001')).status).toBe(200);
  });
});
