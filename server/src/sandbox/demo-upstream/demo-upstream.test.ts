import express from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_JIRA_CREDENTIALS, SANDBOX_SHOPIFY_TOKEN } from '../seed/demo-upstream-seed';
import { startDemoUpstream } from './demo-upstream';
import type { RunningDemoUpstream } from './demo-upstream';

const JIRA_AUTH = `Basic ${Buffer.from(
  `${SANDBOX_JIRA_CREDENTIALS.email}:${SANDBOX_JIRA_CREDENTIALS.apiToken}`,
).toString('base64')}`;

const ADF = {
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'From ticket 4' }] }],
};

let upstream: RunningDemoUpstream;

beforeEach(async () => {
  upstream = await startDemoUpstream();
});
afterEach(() => upstream.close());

async function getOrders(query: string, token: string | null = SANDBOX_SHOPIFY_TOKEN) {
  const response = await fetch(`${upstream.baseUrl}/admin/api/2024-10/orders.json${query}`, {
    headers: token ? { 'X-Shopify-Access-Token': token } : {},
  });
  return { status: response.status, json: await response.json() };
}

async function createIssue(body: unknown, authorization = JIRA_AUTH) {
  const response = await fetch(`${upstream.baseUrl}/rest/api/3/issue`, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('Shopify-like orders', () => {
  it('finds an order by its percent-encoded name', async () => {
    const { status, json } = await getOrders('?name=%231001&status=any');
    expect(status).toBe(200);
    expect(json.orders).toHaveLength(1);
    expect(json.orders[0]).toMatchObject({
      name: '#1001',
      email: 'maria@example.com',
      financial_status: 'paid',
      fulfillment_status: 'fulfilled',
      currency: 'USD',
    });
    expect(json.orders[0].fulfillments[0]).toMatchObject({
      tracking_number: '1Z999AA10123456784',
      tracking_company: 'UPS',
      status: 'success',
    });
    expect(json.orders[0].line_items.length).toBeGreaterThan(0);
  });

  it('returns #1002 as paid and unfulfilled without tracking', async () => {
    const { json } = await getOrders('?name=%231002&status=any');
    expect(json.orders[0]).toMatchObject({ financial_status: 'paid', fulfillment_status: null });
    expect(json.orders[0].fulfillments).toEqual([]);
  });

  it('returns an empty list for an unknown order name', async () => {
    expect((await getOrders('?name=%239999&status=any')).json).toEqual({ orders: [] });
  });

  it('loses the filter when # is not encoded, returning every order', async () => {
    const { json } = await getOrders('?name=#1001&status=any');
    expect(json.orders.map((order: { name: string }) => order.name)).toEqual(['#1001', '#1002']);
  });

  it('refuses a missing or wrong access token with Shopify’s 401 body', async () => {
    for (const token of [null, 'wrong']) {
      const { status, json } = await getOrders('?name=%231001', token);
      expect(status).toBe(401);
      expect(json).toEqual({
        errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
      });
    }
  });

  it('shows a single order by id', async () => {
    const id = upstream.orders[0]!.id;
    const response = await fetch(`${upstream.baseUrl}/admin/api/2024-10/orders/${id}.json`, {
      headers: { 'X-Shopify-Access-Token': SANDBOX_SHOPIFY_TOKEN },
    });
    expect((await response.json()).order.name).toBe('#1001');
  });
});

describe('Jira-like issues', () => {
  const validFields = {
    project: { key: 'SUP' },
    summary: 'Wish lists',
    issuetype: { name: 'Task' },
    description: ADF,
    labels: ['zendesk', 'feature_request'],
  };

  it('creates issues with incrementing keys and remembers them', async () => {
    const first = await createIssue({ fields: validFields });
    const second = await createIssue({ fields: { ...validFields, summary: 'Second' } });
    expect(first.status).toBe(201);
    expect(first.json).toEqual({
      id: '10001',
      key: 'SUP-1',
      self: `${upstream.baseUrl}/rest/api/3/issue/10001`,
    });
    expect(second.json.key).toBe('SUP-2');
    expect(upstream.createdIssues.map((issue) => issue.fields.summary)).toEqual([
      'Wish lists',
      'Second',
    ]);
    const fetched = await fetch(`${upstream.baseUrl}/rest/api/3/issue/SUP-1`, {
      headers: { Authorization: JIRA_AUTH },
    });
    expect((await fetched.json()).fields).toMatchObject({
      summary: 'Wish lists',
      labels: ['zendesk', 'feature_request'],
    });
  });

  it('answers 400 with Jira’s error shape when the summary is missing', async () => {
    const { status, json } = await createIssue({ fields: { ...validFields, summary: undefined } });
    expect(status).toBe(400);
    expect(json).toEqual({
      errorMessages: [],
      errors: { summary: 'You must specify a summary of the issue.' },
    });
    expect(upstream.createdIssues).toEqual([]);
  });

  it('refuses a plain-string description, labels with spaces and unknown fields', async () => {
    const { status, json } = await createIssue({
      fields: { ...validFields, description: 'plain text', labels: ['two words'], colour: 'red' },
    });
    expect(status).toBe(400);
    expect(Object.keys(json.errors).sort()).toEqual(['colour', 'description', 'labels']);
  });

  it('refuses wrong credentials with 401', async () => {
    const wrong = `Basic ${Buffer.from('jira@sandbox.local:nope').toString('base64')}`;
    const { status } = await createIssue({ fields: validFields }, wrong);
    expect(status).toBe(401);
  });

  it('answers 404 for an issue that does not exist', async () => {
    const response = await fetch(`${upstream.baseUrl}/rest/api/3/issue/SUP-99`, {
      headers: { Authorization: JIRA_AUTH },
    });
    expect(response.status).toBe(404);
  });
});

describe('outage switch', () => {
  it('answers 503 with Retry-After while on, and recovers when off', async () => {
    upstream.setOutage(true, { retryAfterSeconds: 7 });
    const down = await fetch(`${upstream.baseUrl}/admin/api/2024-10/orders.json?name=%231001`, {
      headers: { 'X-Shopify-Access-Token': SANDBOX_SHOPIFY_TOKEN },
    });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('7');
    await down.body?.cancel();
    upstream.setOutage(false);
    expect((await getOrders('?name=%231001')).status).toBe(200);
  });

  it('can take down one service only', async () => {
    upstream.setOutage(true, { service: 'jira' });
    expect((await createIssue({ fields: {} })).status).toBe(503);
    expect((await getOrders('?name=%231001')).status).toBe(200);
  });
});

it('can be mounted under a prefix', async () => {
  const server = express();
  server.use('/sandbox/upstream', upstream.app);
  const response = await request(server)
    .post('/sandbox/upstream/rest/api/3/issue')
    .set('Authorization', JIRA_AUTH)
    .send({ fields: { project: { key: 'SUP' }, summary: 'x', issuetype: { name: 'Bug' } } });
  expect(response.status).toBe(201);
  expect(response.body.self).toMatch(/\/sandbox\/upstream\/rest\/api\/3\/issue\/\d+$/);
});
