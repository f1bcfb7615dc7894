import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimitOf } from '../../server/src/http/rate-limit';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { SANDBOX_USER_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { signZendeskDelivery } from '../automations/support/start-automation-stack';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * Each caller has its own budget of reads, runs and webhook deliveries: one agent's loop, one
 * Salesforce user's or a flood of forged deliveries cannot use up anyone else's. Limits here are
 * tiny (burst = a third of the per-minute figure) so the tests reach them in a few requests.
 */
const WEBHOOK_SECRET = 'rate-limit-test-webhook-secret-0123456789';
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    env: {
      // read: 2 at once; run: 1 at once; webhook: 1 at once. Refills take 20 s or more.
      rateLimits: { read: rateLimitOf(6), run: rateLimitOf(3), webhook: rateLimitOf(3) },
      zendeskWebhookSecret: WEBHOOK_SECRET,
    },
  });
});
afterAll(async () => {
  await stack.close();
});

function expectLimited(res: request.Response) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('RATE_LIMITED');
  const retryAfter = Number(res.headers['retry-after']);
  // One run token comes back every 20 s (3 a minute).
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(20);
  expect(res.body.error.details).toEqual({
    limitPerMinute: expect.any(Number),
    retryAfterSeconds: retryAfter,
  });
}

describe('rate limits', () => {
  it("limits an agent's runs, not another agent's, and keeps reads on their own budget", async () => {
    const riley = (await stack.signInAgent(SANDBOX_USER_IDS.rileyRestricted)).auth;
    const alex = (await stack.signInAgent(SANDBOX_USER_IDS.agent)).auth;
    const runAs = (auth: { Authorization: string }) =>
      request(stack.url)
        .post('/api/connectors/no_such_connector/run')
        .set(auth)
        .send({ ticketId: 5, inputs: {} });

    expect((await runAs(riley)).status).toBe(404);
    expectLimited(await runAs(riley));
    // Another agent's budget is untouched.
    expect((await runAs(alex)).status).toBe(404);
    // Reads are counted apart from runs.
    const read = await request(stack.url).get('/api/connectors?ticketId=5').set(riley);
    expect(read.status).toBe(200);
  });

  it('limits reads per caller, with Retry-After', async () => {
    const olive = (await stack.signInAgent(SANDBOX_USER_IDS.oliveOrg)).auth;
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 3; i += 1) {
      last = await request(stack.url).get('/api/runs?ticketId=1').set(olive);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 2).every((status) => status !== 429)).toBe(true);
    expectLimited(last as request.Response);
  });

  it('counts only deliveries whose signature checks out, per helpdesk', async () => {
    const deliver = (secret: string) => {
      const body = JSON.stringify({ ticket_id: '1' });
      const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      return request(stack.url)
        .post('/webhooks/zendesk/no_such_workflow')
        .set('Content-Type', 'application/json')
        .set('X-Zendesk-Webhook-Signature', signZendeskDelivery(secret, timestamp, body))
        .set('X-Zendesk-Webhook-Signature-Timestamp', timestamp)
        .send(body);
    };
    // A flood of forged deliveries is refused without touching Zendesk's budget.
    for (let i = 0; i < 5; i += 1) expect((await deliver('forged')).status).toBe(401);
    expect((await deliver(WEBHOOK_SECRET)).status).toBe(404);
    expectLimited(await deliver(WEBHOOK_SECRET));
  });

  it('limits each Salesforce user the Apex controller names, not the whole org', async () => {
    const { users, cases } = SANDBOX_SALESFORCE_IDS;
    const runAs = (userId: string) =>
      request(stack.url)
        .post('/api/salesforce/connectors/no_such_connector/run')
        .set(stack.salesforceAuth)
        .send({ objectApiName: 'Case', recordId: cases.order1001, userId });

    expect((await runAs(users.rep)).status).toBe(404);
    expectLimited(await runAs(users.rep));
    // The 18-character form of the same id is the same user.
    expect(users.rep).toHaveLength(18);
    expectLimited(await runAs(users.rep.slice(0, 15)));
    expect((await runAs(users.restrictedRep)).status).toBe(404);
  });
});
