import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * Testing a connector from the console: against a real ticket or record, the inputs as resolved
 * and the request as it would be sent (secrets masked), without sending; then with a pasted
 * answer, or sent on request; each path's value, why a run is "empty", and the write-back it
 * would make with the helpdesk's field names. A test never writes to the ticket or record.
 */

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    editConfig: (config) => {
      const connectors = config.connectors as { id: string; draft?: boolean }[];
      const lookup = connectors.find((connector) => connector.id === 'shopify_order_lookup');
      if (lookup)
        connectors.push({
          ...structuredClone(lookup),
          id: 'lookup_draft',
          draft: true,
          agent: undefined,
        } as never);
    },
  });
});
afterAll(async () => {
  await stack.close();
});

const test = (connectorId: string, body: Record<string, unknown>) =>
  request(stack.url)
    .post(`/api/admin/console/connectors/${connectorId}/test`)
    .set(stack.adminAuth)
    .send(body);

const SHOPIFY_ANSWER = JSON.stringify({
  orders: [
    {
      id: 1,
      name: '#1001',
      financial_status: 'paid',
      fulfillment_status: 'fulfilled',
      fulfillments: [{ tracking_number: '1Z-TEST' }],
      total_price: '10.00',
      currency: 'EUR',
    },
  ],
});

describe('previewing the request', () => {
  it('resolves the inputs from the ticket and shows the request with the secret masked, sending nothing', async () => {
    const before = stack.upstream.journal.length;
    const answer = await test('shopify_order_lookup', { targetId: '1' });
    expect(answer.status).toBe(200);
    const report = answer.body;
    expect(report.sent).toBe(false);
    expect(report.target).toMatchObject({ system: 'zendesk', type: 'ticket', id: '1' });
    const orderNumber = report.inputs.find(
      (input: { name: string }) => input.name === 'order_number',
    );
    expect(orderNumber).toMatchObject({
      value: '#1001',
      from: 'ticket.custom_fields.360001000001',
    });
    expect(report.request.method).toBe('GET');
    expect(report.request.url).toContain('/admin/api/2024-10/orders.json?name=%231001');
    expect(JSON.stringify(report.request.headers)).toContain('[secret]');
    expect(JSON.stringify(report)).not.toContain('sandbox-shopify-token');
    expect(report.answer).toBeUndefined();
    expect(stack.upstream.journal.length).toBe(before);
  });

  it('names every input problem instead of a request', async () => {
    const answer = await test('shopify_order_lookup', {
      targetId: '1',
      inputs: { order_number: 'abc' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.request).toBeUndefined();
    expect(answer.body.blocked).toMatch(/Order number/);
    // The bad input says what is wrong; the others still show their values and sources.
    expect(answer.body.inputs).toEqual([
      {
        name: 'order_number',
        label: 'Order number',
        problem: 'Order number should look like “#1001”',
      },
      {
        name: 'contact_email',
        label: 'Contact email',
        value: 'maria@example.com',
        from: 'ticket.requester.email',
      },
    ]);
  });

  it('works for a draft, which no agent can run', async () => {
    const answer = await test('lookup_draft', { targetId: '1' });
    expect(answer.status).toBe(200);
    expect(answer.body.draft).toBe(true);
    expect(answer.body.request.url).toContain('orders.json');
  });
});

describe('a pasted response', () => {
  it('shows each path with its value and the write-back with Zendesk field names', async () => {
    const answer = await test('shopify_order_lookup', {
      targetId: '1',
      mode: 'response',
      response: { status: 200, body: SHOPIFY_ANSWER },
    });
    expect(answer.status).toBe(200);
    const report = answer.body;
    expect(report.answer.outcome).toBe('success');
    expect(report.answer.outputs).toContainEqual(
      expect.objectContaining({ name: 'payment_status', path: 'financial_status', value: 'paid' }),
    );
    expect(report.writeBack.outcome).toBe('success');
    expect(report.writeBack.fields).toContainEqual({
      field: 'custom_fields.360001000002',
      label: 'Payment status',
      value: 'paid',
    });
    expect(report.writeBack.fields).toContainEqual(
      expect.objectContaining({ field: 'removeTags', label: 'Tags removed' }),
    );
    // Nothing was written to the ticket.
    expect(stack.ticket(1).customFields['360001000002']).not.toBe('paid');
    // The answer's other fields are offered as outputs, with paths from the connector's root
    // (orders[0]); the ones it already reads are marked.
    expect(report.answer.suggestedOutputs).toContainEqual(
      expect.objectContaining({ path: 'currency', example: 'EUR', used: false }),
    );
    expect(report.answer.suggestedOutputs).toContainEqual(
      expect.objectContaining({ path: 'financial_status', used: true }),
    );
  });

  it('says why the run would be empty when a path finds nothing', async () => {
    const answer = await test('shopify_order_lookup', {
      targetId: '1',
      mode: 'response',
      response: { status: 200, body: JSON.stringify({ orders: [] }) },
    });
    expect(answer.body.answer.outcome).toBe('empty');
    expect(answer.body.answer.emptyReason).toMatch(/emptyWhen/);
    expect(answer.body.writeBack.outcome).toBe('empty');
    expect(answer.body.writeBack.fields).toContainEqual(
      expect.objectContaining({ field: 'additionalTags', value: ['order_not_found'] }),
    );
  });

  it('masks a secret the answer echoes back', async () => {
    const answer = await test('shopify_order_lookup', {
      targetId: '1',
      mode: 'response',
      response: {
        status: 401,
        body: JSON.stringify({ errors: 'Invalid token sandbox-shopify-token' }),
      },
    });
    expect(answer.body.answer.outcome).toBe('failed');
    expect(JSON.stringify(answer.body)).not.toContain('sandbox-shopify-token');
    expect(answer.body.answer.bodyExcerpt).toContain('[secret]');
  });
});

describe('sending', () => {
  it('refuses to send a connector that changes data without a confirmation', async () => {
    const before = stack.upstream.journal.length;
    const answer = await test('jira_create_issue', { targetId: '2', mode: 'send' });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('CONFIRMATION_REQUIRED');
    expect(stack.upstream.journal.length).toBe(before);
  });

  it('sends when asked, records a dry run, and writes nothing to the ticket', async () => {
    const before = stack.upstream.journal.length;
    const fieldsBefore = { ...stack.ticket(1).customFields };
    const answer = await test('shopify_order_lookup', { targetId: '1', mode: 'send' });
    expect(answer.status).toBe(200);
    expect(answer.body.sent).toBe(true);
    expect(stack.upstream.journal.length).toBe(before + 1);
    expect(answer.body.answer.outputs).toContainEqual(
      expect.objectContaining({ name: 'payment_status', value: 'paid' }),
    );
    expect(stack.ticket(1).customFields).toEqual(fieldsBefore);
    const run = await request(stack.url).get(`/api/runs/${answer.body.runId}`).set(stack.adminAuth);
    expect(run.body.run).toMatchObject({ dryRun: true, source: 'api', actor: { kind: 'admin' } });
    expect(JSON.stringify(run.body.run)).not.toContain('sandbox-shopify-token');
  });
});

describe('a Salesforce record', () => {
  it('labels the write-back with the fields Salesforce describes', async () => {
    const answer = await test('shopify_order_lookup', {
      system: 'salesforce',
      targetId: SANDBOX_SALESFORCE_IDS.cases.order1001,
      targetType: 'Case',
      mode: 'response',
      response: { status: 200, body: SHOPIFY_ANSWER },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.writeBack.fields).toContainEqual({
      field: 'Payment_Status__c',
      label: 'Payment Status',
      value: 'paid',
    });
  });
});

describe('who may test', () => {
  it('a sidebar agent may not', async () => {
    const agent = await stack.signInAgent();
    const answer = await request(stack.url)
      .post('/api/admin/console/connectors/shopify_order_lookup/test')
      .set(agent.auth)
      .send({ targetId: '1' });
    expect(answer.status).toBe(403);
  });
});
