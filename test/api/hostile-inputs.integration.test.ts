import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * Values an agent types are untrusted. A pattern that backtracks exponentially in a
 * backtracking engine (`^(a+)+$` against 29 "a" and a "!" froze the server before) is matched in
 * linear time, and an overlong prompt is refused by its default maximum length; the server keeps
 * answering meanwhile.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    editConfig: (config) => {
      (config.connectors as unknown[]).push({
        id: 'nested_pattern',
        name: 'Nested pattern',
        connection: 'shopify_demo',
        surfaces: ['zendesk'],
        inputs: [
          { name: 'code', type: 'string', prompt: true, required: true, pattern: '^(a+)+$' },
          { name: 'note', type: 'string', prompt: true, required: false },
        ],
        request: { method: 'GET', path: '/admin/api/2024-10/orders.json' },
        response: { outputs: [{ name: 'count', path: 'length(orders)' }] },
      });
    },
  });
});
afterAll(async () => {
  await stack.close();
});

function run(inputs: Record<string, string>) {
  return request(stack.url)
    .post('/api/connectors/nested_pattern/run')
    .set(stack.adminAuth)
    .send({ ticketId: 1, inputs });
}

describe('hostile input values', () => {
  it('matches a nested-quantifier pattern in linear time, so a long near-match is a quick 422', async () => {
    const started = performance.now();
    const [refused, health] = await Promise.all([
      run({ code: `${'a'.repeat(999)}!` }),
      request(stack.url).get('/health'),
    ]);
    const elapsedMs = performance.now() - started;
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('INPUT_INVALID');
    expect(health.status).toBe(200);
    // A backtracking engine needs about 2^999 steps here; linear matching takes milliseconds.
    expect(elapsedMs).toBeLessThan(5_000);
    // Within the prompt's default maximum of 1000 characters, a match runs.
    const accepted = await run({ code: 'a'.repeat(1000) });
    expect(accepted.status).toBe(200);
  });

  it('refuses a prompt longer than its default maximum of 1000 characters', async () => {
    const res = await run({ code: 'aaa', note: 'x'.repeat(1001) });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ input: 'note', message: expect.stringContaining('1000') }),
    ]);
  });
});
