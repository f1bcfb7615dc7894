import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { codeMailedTo, createAgentKey } from './agent-test-support';

/**
 * The agent tools as plain HTTP actions described by OpenAPI 3.1 (for Salesforce External
 * Services and GPT-style actions): the same keys, scope, confirmation rule and runs as /mcp.
 */

let stack: TestStack;
let key = '';
let orderKey = '';

const createKey = (name: string, connectorIds: string[]) =>
  createAgentKey(stack, name, connectorIds);

beforeAll(async () => {
  stack = await startTestStack();
  key = await createKey('Agentforce', ['*']);
  orderKey = await createKey('Order bot', ['shopify_order_lookup']);
});
afterAll(async () => {
  await stack.close();
});

const call = (tool: string, body: unknown, bearer = key) =>
  request(stack.server.app)
    .post(`/api/agent-tools/${tool}`)
    .set('Authorization', `Bearer ${bearer}`)
    .send(body as object);

function jiraCreates(): number {
  return stack.upstream.journal.filter(
    (entry) => entry.method === 'POST' && entry.path.endsWith('/rest/api/3/issue'),
  ).length;
}

describe('GET /api/openapi.json', () => {
  it("describes the key's tools as OpenAPI 3.1 operations with their schemas", async () => {
    const res = await request(stack.server.app)
      .get('/api/openapi.json')
      .set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.servers).toEqual([{ url: stack.url }]);
    expect(Object.keys(res.body.paths).sort()).toEqual([
      '/api/agent-tools/check_verification_code',
      '/api/agent-tools/create_jira_issue',
      '/api/agent-tools/look_up_order',
      '/api/agent-tools/send_verification_code',
    ]);
    const lookup = res.body.paths['/api/agent-tools/look_up_order'].post;
    expect(lookup.operationId).toBe('look_up_order');
    expect(lookup['x-openai-isConsequential']).toBe(false);
    expect(
      lookup.requestBody.content['application/json'].schema.properties.ticket_id,
    ).toMatchObject({
      type: 'string',
    });
    const jira = res.body.paths['/api/agent-tools/create_jira_issue'].post;
    expect(jira['x-openai-isConsequential']).toBe(true);
    expect(jira.requestBody.content['application/json'].schema.required).toEqual([
      'ticket_id',
      'confirmed',
    ]);
    expect(res.body.components.securitySchemes.agentKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });

    const scoped = await request(stack.server.app)
      .get('/api/openapi.json')
      .set('Authorization', `Bearer ${orderKey}`);
    expect(Object.keys(scoped.body.paths).sort()).toEqual([
      '/api/agent-tools/check_verification_code',
      '/api/agent-tools/look_up_order',
      '/api/agent-tools/send_verification_code',
    ]);
    const anonymous = await request(stack.server.app).get('/api/openapi.json');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer /);
  });
});

describe('POST /api/agent-tools/:name', () => {
  it('refuses a protected tool until the customer is verified (over MCP), running nothing', async () => {
    const before = stack.upstream.journal.length;
    const protectedCall = await call('look_up_order', { ticket_id: '1' });
    expect(protectedCall.status).toBe(403);
    expect(protectedCall.body.error.code).toBe('VERIFICATION_REQUIRED');
    expect(stack.upstream.journal.length).toBe(before);
  });

  it('verifies the customer over HTTP too, then runs the protected tool', async () => {
    const sent = await call('send_verification_code', { ticket_id: '1' });
    expect(sent.status).toBe(200);
    expect(sent.body.message).toContain('m•••@example.com');
    const code = codeMailedTo(stack, 'maria@example.com');
    const wrong = await call('check_verification_code', {
      ticket_id: '1',
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('VERIFICATION_CODE_WRONG');
    const right = await call('check_verification_code', { ticket_id: '1', code });
    expect(right.status).toBe(200);
    const lookup = await call('look_up_order', { ticket_id: '1' });
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ outcome: 'success', outputs: { payment_status: 'paid' } });
    // The code is valid for ticket 1 only: ticket 2's requester is someone else entirely.
    const elsewhere = await call('check_verification_code', { ticket_id: '2', code });
    expect(elsewhere.status).toBe(422);
  });

  it('checks the arguments against the schema it publishes', async () => {
    const bad = await call('create_jira_issue', { ticket_id: 'one', confirmed: true });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('INPUT_INVALID');
    expect(bad.body.error.message).toMatch(/ticket_id/);
    const extra = await call('create_jira_issue', { ticket_id: '4', confirmed: true, x: 1 });
    expect(extra.status).toBe(422);
  });

  it('runs a tool with side effects only with "confirmed": true, once', async () => {
    const before = jiraCreates();
    const unconfirmed = await call('create_jira_issue', { ticket_id: '4' });
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error.code).toBe('CONFIRMATION_REQUIRED');
    expect(jiraCreates()).toBe(before);
    const confirmed = await call('create_jira_issue', {
      ticket_id: '4',
      confirmed: true,
    }).set('Idempotency-Key', 'agentforce-click-0001');
    expect(confirmed.status).toBe(200);
    // The platform retries after a dropped answer: the first run's result, not a second issue.
    const retried = await call('create_jira_issue', {
      ticket_id: '4',
      confirmed: true,
    }).set('Idempotency-Key', 'agentforce-click-0001');
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ runId: confirmed.body.runId, replayed: true });
    expect(confirmed.body.outputs.issue_key).toMatch(/^SUP-\d+$/);
    expect(jiraCreates()).toBe(before + 1);
    const run = await stack.server.runLog.get(confirmed.body.runId);
    expect(run).toMatchObject({ source: 'api', actor: { kind: 'ai_agent', name: 'Agentforce' } });
  });

  it("refuses a tool outside the key's scope, and an unknown key", async () => {
    const before = jiraCreates();
    const outside = await call('create_jira_issue', { ticket_id: '4', confirmed: true }, orderKey);
    expect(outside.status).toBe(404);
    expect(outside.body.error.code).toBe('CONNECTOR_NOT_FOUND');
    const unknown = await call('create_jira_issue', { ticket_id: '4' }, 'dcak_nope');
    expect(unknown.status).toBe(401);
    expect(jiraCreates()).toBe(before);
  });
});
