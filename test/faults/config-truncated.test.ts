import { readFileSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { awaitLogLine } from './support/await-log-line';

/**
 * An editor saving the config writes it in pieces; the server's watcher can read it halfway.
 * The real watcher and reload run here: the last good config must keep serving.
 */
let stack: TestStack;
let goodConfig: string;

beforeAll(async () => {
  stack = await startTestStack();
  goodConfig = readFileSync(stack.configPath, 'utf8');
});
afterAll(async () => {
  await stack.close();
});

function runLookup() {
  return request(stack.url)
    .post('/api/connectors/shopify_order_lookup/run')
    .set(stack.adminAuth)
    .send({ ticketId: 1 });
}

describe('a config file truncated halfway through a write', () => {
  it('keeps serving the last good config and reports the error on /health', async () => {
    const failed = awaitLogLine(stack.logLines, 'connector config reload failed');
    writeFileSync(stack.configPath, goodConfig.slice(0, Math.floor(goodConfig.length / 2)));
    const line = await failed;
    expect(line).toContain('still serving the config loaded at');

    const res = await runLookup();
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('success');

    const health = await request(stack.url).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'degraded',
      config: { ok: false, serving: true, connectors: expect.any(Number) },
    });
    expect(health.body.config.connectors).toBeGreaterThan(0);
    expect(health.body.config.errors[0]).toMatchObject({ file: stack.configPath });
  });

  it('recovers when the write completes', async () => {
    // The previous test left half a file; the rest of the write lands now.
    const loaded = awaitLogLine(stack.logLines, 'connector config loaded');
    writeFileSync(stack.configPath, goodConfig);
    await loaded;
    const health = await request(stack.url).get('/health');
    expect(health.body).toMatchObject({ status: 'ok', config: { ok: true, errors: [] } });
    expect((await runLookup()).body.outcome).toBe('success');
  });
});
