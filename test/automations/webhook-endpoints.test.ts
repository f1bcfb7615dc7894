import { createHmac } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SALESFORCE_WEBHOOK_SECRET,
  startAutomationStack,
  WEBHOOK_SECRET,
} from './support/start-automation-stack';
import type { AutomationStack } from './support/start-automation-stack';

/** What the webhook endpoints answer before anything is queued: the refusals, in the API format. */

let stack: AutomationStack;

beforeAll(async () => {
  stack = await startAutomationStack({
    editConfig: (config) => {
      (config.workflows as unknown[]).push({
        id: 'case_escalation',
        name: 'Case escalation',
        trigger: { salesforce: { objectTypes: ['Case'] } },
        steps: [
          {
            type: 'collect',
            id: 'read',
            values: [{ name: 'priority', source: 'trigger.priority' }],
          },
        ],
      });
    },
  });
});
afterAll(async () => {
  await stack.close();
});

const isoNow = (offsetMs = 0) =>
  new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function queuedCount(): Promise<number> {
  const counts = await stack.server.workflows.queue.countByState();
  return counts.queued + counts.running + counts.completed + counts.dead;
}

describe('POST /webhooks/zendesk/:workflowId', () => {
  it('refuses a delivery signed with another secret, with 401 and nothing queued', async () => {
    const before = await queuedCount();
    const res = await stack.deliver(
      'feature_request_to_jira',
      { ticket_id: '4' },
      { secret: 'wrong' },
    );
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: {
        code: 'AUTH_INVALID',
        message: 'The webhook signature does not match.',
        details: { reason: 'SIGNATURE_INVALID' },
      },
    });
    expect(await queuedCount()).toBe(before);
  });

  it('refuses stale and future-dated deliveries even when the signature is right', async () => {
    const stale = await stack.deliver(
      'feature_request_to_jira',
      { ticket_id: '4' },
      {
        timestamp: isoNow(-6 * 60_000),
      },
    );
    expect(stale.status).toBe(401);
    expect(stale.body.error.details.reason).toBe('TIMESTAMP_STALE');
    const future = await stack.deliver(
      'feature_request_to_jira',
      { ticket_id: '4' },
      {
        timestamp: isoNow(2 * 60_000),
      },
    );
    expect(future.body.error.details.reason).toBe('TIMESTAMP_IN_FUTURE');
  });

  it('asks for the signature headers when they are missing', async () => {
    const res = await request(stack.url)
      .post('/webhooks/zendesk/feature_request_to_jira')
      .set('Content-Type', 'application/json')
      .send('{"ticket_id":"4"}');
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'AUTH_REQUIRED' });
  });

  it('refuses a signed delivery replayed to another workflow', async () => {
    const timestamp = isoNow();
    const body = { ticket_id: '3' };
    const first = await stack.deliver('handover_to_email_team', body, { timestamp });
    expect(first.status).toBe(202);
    const replayed = await stack.deliver('feature_request_to_jira', body, { timestamp });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.details.reason).toBe('DELIVERY_REPLAYED');
    await stack.waitForDelivery(first.body.deliveryId);
  });

  it('knows a replay by its signature bytes, however the base64 is spelled and whatever unsigned headers change', async () => {
    const timestamp = isoNow();
    const text = JSON.stringify({ ticket_id: '3', note: 'replay test' });
    const signature = createHmac('sha256', WEBHOOK_SECRET)
      .update(timestamp)
      .update(text)
      .digest('base64');
    // 32 bytes are 43 base64 characters and "=": the last character carries 2 bits of data and
    // 4 unused ones, so flipping an unused bit spells the same bytes differently.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = alphabet.indexOf(signature[42] as string);
    const respelled = `${signature.slice(0, 42)}${alphabet[last ^ 1]}=`;
    expect(Buffer.from(respelled, 'base64')).toEqual(Buffer.from(signature, 'base64'));
    const post = (sig: string, invocation: string) =>
      request(stack.url)
        .post('/webhooks/zendesk/handover_to_email_team')
        .set('Content-Type', 'application/json')
        .set('X-Zendesk-Webhook-Signature-Timestamp', timestamp)
        .set('X-Zendesk-Webhook-Signature', sig)
        .set('X-Zendesk-Webhook-Invocation-Id', invocation)
        .send(text);
    const first = await post(signature, 'inv-original');
    expect(first.body.duplicate).toBe(false);
    for (const [sig, invocation] of [
      [respelled, 'inv-forged-1'],
      [` ${signature} `, 'inv-forged-2'],
    ] as const) {
      const replay = await post(sig, invocation);
      expect(replay.status).toBe(202);
      expect(replay.body).toEqual({ deliveryId: first.body.deliveryId, duplicate: true });
    }
    await stack.waitForDelivery(first.body.deliveryId);
  });

  it('answers 404 for an unknown workflow and 400 for a body without a ticket id', async () => {
    const unknown = await stack.deliver('no_such_workflow', { ticket_id: '4' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    const noTicket = await stack.deliver('feature_request_to_jira', { subject: 'x' });
    expect(noTicket.status).toBe(400);
    expect(noTicket.body.error).toMatchObject({
      code: 'BODY_INVALID',
      details: [expect.objectContaining({ path: '$.ticket_id' })],
    });
    const nested = await stack.deliver('feature_request_to_jira', {
      ticket_id: '4',
      extra: { a: 1 },
    });
    expect(nested.status).toBe(400);
    const notJson = await stack.deliver('feature_request_to_jira', 'ticket_id=4');
    expect(notJson.body.error).toMatchObject({
      code: 'BODY_INVALID',
      message: 'The request body is not valid JSON.',
    });
  });

  it('refuses a workflow that Zendesk does not start', async () => {
    const res = await stack.deliver('case_escalation', { ticket_id: '4' });
    expect(res.status).toBe(404);
  });
});

describe('POST /webhooks/salesforce/:workflowId', () => {
  const post = (body: Record<string, unknown>, secret = SALESFORCE_WEBHOOK_SECRET) => {
    const text = JSON.stringify(body);
    return request(stack.url)
      .post('/webhooks/salesforce/case_escalation')
      .set('Content-Type', 'application/json')
      .set('X-Connector-Signature', createHmac('sha256', secret).update(text).digest('base64'))
      .send(text);
  };
  const caseBody = (extra: Record<string, unknown> = {}) => ({
    objectApiName: 'Case',
    recordId: '500000000000001AAA',
    sentAt: isoNow(),
    priority: 'High',
    ...extra,
  });

  it('stores a signed call and dead-letters it with a clear reason while Salesforce is not configured', async () => {
    const res = await post(caseBody({ eventId: 'evt-1' }));
    expect(res.status).toBe(202);
    const again = await post(caseBody({ eventId: 'evt-1' }));
    expect(again.body).toEqual({ deliveryId: res.body.deliveryId, duplicate: true });
    const dead = await stack.waitForDelivery(res.body.deliveryId);
    expect(dead).toMatchObject({
      state: 'dead',
      system: 'salesforce',
      target: { type: 'Case', id: '500000000000001AAA' },
      lastError: { code: 'HELPDESK_NOT_CONFIGURED' },
    });
  });

  it('refuses a wrong signature, a stale call and an object type the workflow does not take', async () => {
    expect((await post(caseBody(), WEBHOOK_SECRET)).status).toBe(401);
    const stale = await post(caseBody({ sentAt: isoNow(-10 * 60_000) }));
    expect(stale.body.error.details.reason).toBe('TIMESTAMP_STALE');
    const account = await post(caseBody({ objectApiName: 'Account' }));
    expect(account.status).toBe(400);
    expect(account.body.error.message).toBe(
      'Workflow "case_escalation" does not run on Account records.',
    );
  });
});
