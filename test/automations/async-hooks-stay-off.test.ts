import { executionAsyncId } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { startAutomationStack } from './support/start-automation-stack';
import type { AutomationStack } from './support/start-automation-stack';

/**
 * On Node 20 the first `run` of an AsyncLocalStorage turns on async hooks for the whole process
 * and for good: from then on every promise pays for them, about a tenth more server CPU per run
 * (docs/performance.md, "What was changed", eleventh machine). The workflow worker's lane and
 * the Salesforce client's session refresh both used one. This runs what used to turn them on (a
 * Zendesk delivery, a Salesforce delivery, an agent's run) in this process, the server's, and
 * then asks Node.
 */
let stack: AutomationStack;

beforeAll(async () => {
  stack = await startAutomationStack({ salesforce: true });
});
afterAll(async () => {
  await stack.close();
});

/**
 * The async id a promise reaction runs under: 0 while no hook watches promises, the reaction's
 * own id once one does (Node gives each promise an id only for the hooks).
 */
async function readPromiseReactionAsyncId(): Promise<number> {
  let id = -1;
  await Promise.resolve().then(() => {
    id = executionAsyncId();
  });
  return id;
}

describe('async hooks, after the work that used to turn them on', () => {
  it('are off before the work, so the check can see them turn on', async () => {
    expect(await readPromiseReactionAsyncId()).toBe(0);
  });

  it('stay off after Zendesk and Salesforce deliveries and an agent run', async () => {
    const ticketId = await stack.createTicket({
      subject: 'Please add dark mode',
      tags: ['feature_request'],
    });
    const zendesk = await stack.deliver('feature_request_to_jira', {
      ticket_id: String(ticketId),
    });
    const salesforce = await stack.deliverSalesforce('escalated_case_to_jira', {
      objectApiName: 'Case',
      recordId: SANDBOX_SALESFORCE_IDS.cases.order1001,
      sentAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventId: randomUUID(),
    });
    expect([zendesk.status, salesforce.status]).toEqual([202, 202]);
    const deliveries = await Promise.all([
      stack.waitForDelivery(zendesk.body.deliveryId),
      stack.waitForDelivery(salesforce.body.deliveryId),
    ]);
    // Both ran their steps against the helpdesks, so their clients did what they do.
    expect(deliveries.map((delivery) => delivery.outcome)).toEqual(['success', 'success']);

    const run = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(stack.adminAuth)
      .send({ ticketId: 1 });
    expect(run.status).toBe(200);

    expect(await readPromiseReactionAsyncId()).toBe(0);
  });
});
