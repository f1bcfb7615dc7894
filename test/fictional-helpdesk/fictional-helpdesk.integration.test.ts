import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../server/src/workflows/delivery-queue';
import { BUILT_IN_HELPDESKS } from '../../server/src/helpdesks/helpdesk-registry';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { createHelpnestModule } from './helpnest/helpnest-module';
import { createHelpnestStore } from './helpnest/helpnest-store';
import type { HelpnestStore } from './helpnest/helpnest-store';
import { HELPNEST_SIGNATURE_HEADER, signHelpnestBody } from './helpnest/helpnest-webhook';

/**
 * The proof that helpdesks are adapters: Helpnest, made up for this test, lives in its own
 * folder (./helpnest) and joins the server with one registry line. Nothing in server/src names
 * it, yet its config groups load, and a connector, a macro and a workflow run against it end to
 * end: its app's API, the generic routes, the pipeline, the step engine, its webhook, the
 * delivery queue and the run log.
 */

const APP_KEY = 'helpnest-app-key-0123456789abcdef';
const WEBHOOK_SECRET = 'helpnest-webhook-secret';

let stack: TestStack;
let store: HelpnestStore;

const orderLookup = {
  id: 'helpnest_order_lookup',
  name: 'Look up the order of a conversation',
  connection: 'shopify_demo',
  surfaces: ['helpnest', 'automation'],
  appliesWhen: { helpnest: { inboxes: ['orders'] } },
  inputs: [
    { name: 'order_number', source: 'conversation.order_number', pattern: '^#?[0-9]{1,12}$' },
  ],
  request: {
    method: 'GET',
    path: '/admin/api/2024-10/orders.json',
    query: { name: '{{inputs.order_number}}', status: 'any' },
  },
  response: {
    emptyWhen: 'length(orders) == `0`',
    root: 'orders[0]',
    outputs: [{ name: 'payment_status', path: 'financial_status' }],
  },
  writeBack: {
    success: {
      helpnest: {
        fields: { payment: '{{outputs.payment_status}}' },
        note: 'Order {{inputs.order_number}} is {{outputs.payment_status}}.',
      },
    },
    empty: { helpnest: { note: 'No order {{inputs.order_number}}.' } },
  },
};

beforeAll(async () => {
  store = createHelpnestStore([
    {
      id: 'c1',
      subject: 'Where is my order?',
      inbox: 'orders',
      orderNumber: '#1001',
      customerEmail: 'ada@example.com',
      notes: [],
      fields: {},
    },
    {
      id: 'c2',
      subject: 'Lost order',
      inbox: 'orders',
      orderNumber: '#999999',
      customerEmail: 'bob@example.com',
      notes: [],
      fields: {},
    },
    {
      id: 'c3',
      subject: 'A question',
      inbox: 'general',
      orderNumber: null,
      customerEmail: 'cy@example.com',
      notes: [],
      fields: {},
    },
  ]);
  stack = await startTestStack({
    // The one registry line: the built-in helpdesks and Helpnest.
    helpdesks: [
      ...BUILT_IN_HELPDESKS,
      createHelpnestModule({ store, appKey: APP_KEY, webhookSecret: WEBHOOK_SECRET }),
    ],
    editConfig: (config) => {
      (config.connectors as unknown[]).push(orderLookup);
      (config.macros as unknown[]).push({
        id: 'helpnest_check_order',
        name: 'Check the order',
        surfaces: ['helpnest'],
        appliesWhen: { helpnest: { inboxes: ['orders'] } },
        steps: [
          { type: 'run', id: 'lookup', connector: 'helpnest_order_lookup' },
          { type: 'write', id: 'mark', helpnest: { fields: { checked_by: 'macro' } } },
        ],
      });
      (config.workflows as unknown[]).push({
        id: 'helpnest_new_conversation',
        name: 'Check the order of a new conversation',
        trigger: { helpnest: {} },
        steps: [
          {
            type: 'collect',
            id: 'read',
            values: [{ name: 'order', source: 'conversation.order_number' }],
          },
          {
            type: 'run',
            id: 'lookup',
            connector: 'helpnest_order_lookup',
            inputs: { order_number: '{{collected.order}}' },
          },
          {
            type: 'branch',
            id: 'after',
            on: 'lookup',
            success: [
              {
                type: 'write',
                id: 'done',
                helpnest: { fields: { workflow: '{{trigger.event_id}}' } },
              },
            ],
          },
        ],
      });
    },
  });
});

afterAll(async () => {
  await stack?.close();
});

const app = () => request(stack.url);
const asApp = { 'X-Connector-Key': APP_KEY };

describe('a helpdesk added through its own folder and one registry line', () => {
  it('is named nowhere in the server: the folder and the registry line are all it took', () => {
    const files = (readdirSync('server', { recursive: true }) as string[]).filter((file) =>
      file.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(100);
    const naming = files.filter((file) =>
      readFileSync(join('server', file), 'utf8').toLowerCase().includes('helpnest'),
    );
    expect(naming).toEqual([]);
  });

  it('loads its config groups: the config is served with no errors or warnings', async () => {
    const health = await app().get('/health');
    expect(health.status).toBe(200);
    expect(health.body.config).toMatchObject({ ok: true, serving: true, warnings: [], errors: [] });
  });

  it('offers only what applies to the conversation (its own appliesWhen)', async () => {
    const inOrders = await app().get('/api/helpnest/connectors?conversationId=c1').set(asApp);
    expect(inOrders.status).toBe(200);
    expect(inOrders.body.conversationId).toBe('c1');
    expect(inOrders.body.connectors.map((c: { id: string }) => c.id)).toEqual([
      'helpnest_order_lookup',
    ]);
    // The input names Helpnest's own source, the one the app would pre-fill from.
    expect(inOrders.body.connectors[0].inputs[0]).toMatchObject({
      name: 'order_number',
      source: 'conversation.order_number',
      value: '#1001',
    });
    const elsewhere = await app().get('/api/helpnest/connectors?conversationId=c3').set(asApp);
    expect(elsewhere.body.connectors).toEqual([]);
    // Zendesk-only connectors of the example config are not offered here, and back.
    const macros = await app().get('/api/helpnest/macros?conversationId=c1').set(asApp);
    expect(macros.body.macros.map((m: { id: string }) => m.id)).toEqual(['helpnest_check_order']);
  });

  it('refuses callers without its app key, and unknown conversations', async () => {
    const anonymous = await app().get('/api/helpnest/connectors?conversationId=c1');
    expect(anonymous.status).toBe(401);
    const missing = await app().get('/api/helpnest/connectors?conversationId=c404').set(asApp);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('RECORD_NOT_FOUND');
  });

  it('runs a connector: upstream called, its write-back written to the conversation, logged', async () => {
    const run = await app()
      .post('/api/helpnest/connectors/helpnest_order_lookup/run')
      .set(asApp)
      .send({ conversationId: 'c1' });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ outcome: 'success' });
    const payment = run.body.outputs.find((o: { name: string }) => o.name === 'payment_status');
    expect(payment.value).toEqual(expect.any(String));
    const conversation = store.get('c1');
    expect(conversation?.fields.payment).toBe(payment.value);
    expect(conversation?.notes).toContain(`Order #1001 is ${payment.value}.`);

    const logged = await app().get(`/api/runs/${run.body.runId}`).set(stack.adminAuth);
    expect(logged.status).toBe(200);
    expect(logged.body.run).toMatchObject({
      source: 'helpnest',
      target: { system: 'helpnest', type: 'conversation', id: 'c1' },
      outcome: 'success',
    });
  });

  it('takes the empty path when the upstream finds nothing', async () => {
    const run = await app()
      .post('/api/helpnest/connectors/helpnest_order_lookup/run')
      .set(asApp)
      .send({ conversationId: 'c2' });
    expect(run.body.outcome).toBe('empty');
    expect(store.get('c2')?.notes).toEqual(['No order #999999.']);
  });

  it('refuses a connector on a conversation it does not apply to', async () => {
    const run = await app()
      .post('/api/helpnest/connectors/helpnest_order_lookup/run')
      .set(asApp)
      .send({ conversationId: 'c3' });
    expect(run.status).toBe(422);
    expect(run.body.error.code).toBe('CONNECTOR_NOT_APPLICABLE');
    expect(store.get('c3')?.notes).toEqual([]);
  });

  it('runs a macro: each step through the step engine, once per Idempotency-Key', async () => {
    const send = () =>
      app()
        .post('/api/helpnest/macros/helpnest_check_order/run')
        .set(asApp)
        .set('Idempotency-Key', 'helpnest-macro-0001')
        .send({ conversationId: 'c1', confirmed: true });
    const before = store.get('c1')?.notes.length ?? 0;
    const first = await send();
    expect(first.status).toBe(200);
    expect(first.body.outcome).toBe('success');
    expect(first.body.steps.map((s: { stepId: string }) => s.stepId)).toEqual(['lookup', 'mark']);
    expect(store.get('c1')?.fields.checked_by).toBe('macro');
    const again = await send();
    expect(again.body.replayed).toBe(true);
    // One lookup note for the one macro run, none for the replay.
    expect(store.get('c1')?.notes.length).toBe(before + 1);
  });

  it('runs a workflow from its signed webhook, through the delivery queue', async () => {
    const body = JSON.stringify({ conversation_id: 'c1', event_id: 'evt_42' });
    const unsigned = await app()
      .post('/webhooks/helpnest/helpnest_new_conversation')
      .set('Content-Type', 'application/json')
      .send(body);
    expect(unsigned.status).toBe(401);

    const accepted = await app()
      .post('/webhooks/helpnest/helpnest_new_conversation')
      .set('Content-Type', 'application/json')
      .set(HELPNEST_SIGNATURE_HEADER, signHelpnestBody(WEBHOOK_SECRET, body))
      .send(body);
    expect(accepted.status).toBe(202);
    const deliveryId = accepted.body.deliveryId as string;
    const delivery = await waitForDelivery(deliveryId);
    expect(delivery).toMatchObject({ state: 'completed', system: 'helpnest' });
    expect(store.get('c1')?.fields.workflow).toBe('evt_42');
  });
});

async function waitForDelivery(id: string): Promise<Delivery> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const delivery = await stack.server.workflows.queue.get(id);
    if (delivery && (delivery.state === 'completed' || delivery.state === 'dead')) return delivery;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`delivery ${id} did not finish`);
}
