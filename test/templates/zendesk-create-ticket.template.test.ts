import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { SANDBOX_ZENDESK_CREDENTIALS } from '../../server/src/sandbox/seed/zendesk-seed';
import { zendeskErrors } from '../../server/src/sandbox/fake-zendesk/zendesk-json';
import { startTemplateStack } from './support/start-template-stack';
import type { TemplateStack } from './support/start-template-stack';

/**
 * The Zendesk hand-over template: a Salesforce Case becomes a Zendesk ticket. The fake Zendesk
 * (written from Zendesk's API reference) plays the Zendesk being handed over to.
 */

const CASE_1001 = SANDBOX_SALESFORCE_IDS.cases.order1001;
let added: TemplateStack;

beforeAll(async () => {
  added = await startTemplateStack({
    templateId: 'zendesk_create_ticket',
    fixtureBaseUrl: (fakes) => fakes.zendesk.baseUrl,
    choices: { values: { subdomain: 'acme', ticket_id_field: 'External_Reference__c' } },
    secrets: {
      ZENDESK_EMAIL: SANDBOX_ZENDESK_CREDENTIALS.email,
      ZENDESK_API_TOKEN: SANDBOX_ZENDESK_CREDENTIALS.apiToken,
    },
  });
});
afterAll(async () => {
  await added?.close();
});
afterEach(() => {
  added.stack.zendesk.faults.clear();
});

const caseRecord = (id: string) =>
  added.stack.salesforce.store.findRecord('Case', id) as Record<string, unknown>;
const ticketsFor = (recordId: string) =>
  added.stack.zendesk.store.data.tickets.filter((ticket) => ticket.external_id === recordId);

describe('template zendesk_create_ticket', () => {
  it('creates one ticket for the Case contact and stores its id on the Case', async () => {
    const res = await added.runOnRecord('Case', CASE_1001);
    expect(res.body).toMatchObject({ outcome: 'success', writes: { status: 'written' } });
    const [ticket] = ticketsFor(CASE_1001);
    expect(ticket).toMatchObject({
      subject: 'Where is my order #1001?',
      tags: ['salesforce_handover'],
    });
    const requester = added.stack.zendesk.store.findUser(ticket?.requester_id ?? 0);
    expect(requester?.email).toBe('maria@example.com');
    expect(caseRecord(CASE_1001).External_Reference__c).toBe(String(ticket?.id));
    expect(res.body.message).toBe(`Handed over to Zendesk as ticket ${ticket?.id}.`);
  });

  it('a second hand-over of the same Case returns the same ticket instead of making another', async () => {
    // Only the Idempotency-Key tells the fake Zendesk it is the same hand-over.
    const posts = () =>
      added.stack.zendesk.journal.filter((entry) => entry.method === 'POST').length;
    const postsBefore = posts();
    const before = ticketsFor(CASE_1001).length;
    const res = await added.runOnRecord('Case', CASE_1001);
    expect(res.body.outcome).toBe('success');
    expect(posts()).toBe(postsBefore + 1);
    expect(ticketsFor(CASE_1001)).toHaveLength(before);
  });

  it('follows the fail path when Zendesk refuses the token, and when it rate limits', async () => {
    const refund = SANDBOX_SALESFORCE_IDS.cases.refund1002;
    const unauthorized = zendeskErrors.unauthenticated();
    added.stack.zendesk.faults.enqueue({
      method: 'POST',
      pathPattern: '/tickets',
      status: unauthorized.status,
      body: unauthorized.body,
    });
    const refused = await added.runOnRecord('Case', refund);
    expect(refused.body).toMatchObject({
      outcome: 'failed',
      message:
        "Zendesk refused the hand-over account's API token. Ask an admin to check ZENDESK_EMAIL and ZENDESK_API_TOKEN.",
    });
    const limited = zendeskErrors.rateLimited(30);
    added.stack.zendesk.faults.enqueue({
      method: 'POST',
      pathPattern: '/tickets',
      status: limited.status,
      body: limited.body,
      headers: limited.headers ?? {},
      times: 5,
    });
    const busy = await added.runOnRecord('Case', refund);
    expect(busy.body).toMatchObject({
      outcome: 'failed',
      message: 'Zendesk is rate limiting hand-overs. Try again in a minute.',
    });
    expect(ticketsFor(refund)).toHaveLength(0);
    expect(caseRecord(refund).External_Reference__c ?? null).toBeNull();
  });
});
