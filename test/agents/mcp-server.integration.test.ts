import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_ADMIN_TOKEN } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { codeMailedTo, createAgentKey } from './agent-test-support';

/**
 * /mcp driven by the official MCP client from the same SDK, against the whole service (fake
 * Zendesk, demo Shopify and Jira): the tools an agent key sees, a read on a sandbox ticket, a
 * tool with side effects that runs once on "yes" and never on "no", and the keys that are refused.
 */

let stack: TestStack;

const createKey = (name: string, connectorIds: string[]) =>
  createAgentKey(stack, name, connectorIds);

let allKey = '';

beforeAll(async () => {
  stack = await startTestStack();
  allKey = await createKey('Zendesk AI agent', ['*']);
});
afterAll(async () => {
  await stack.close();
});

interface ConnectOptions {
  key?: string;
  /** false: a 2025-era client (initialize handshake, no input requests). */
  modern?: boolean;
  /** How the user answers the confirmation; unset: the client cannot ask at all. */
  user?: 'accept' | 'decline';
}

async function connect(options: ConnectOptions = {}) {
  const client = new Client(
    { name: 'test-agent', version: '1.0.0' },
    {
      capabilities: options.user ? { elicitation: { form: {} } } : {},
      ...(options.modern === false ? {} : { versionNegotiation: { mode: 'auto' as const } }),
    },
  );
  const asked: string[] = [];
  if (options.user) {
    const action = options.user;
    client.setRequestHandler('elicitation/create', async (req) => {
      asked.push(String((req.params as { message?: unknown }).message));
      return action === 'accept' ? { action, content: { confirm: true } } : { action };
    });
  }
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${options.key ?? allKey}` } },
    }),
  );
  return { client, asked };
}

function jiraCreates(): number {
  return stack.upstream.journal.filter(
    (entry) => entry.method === 'POST' && entry.path.endsWith('/rest/api/3/issue'),
  ).length;
}

describe('tools/list', () => {
  it('lists the connectors with the agent surface, with schemas and hints from their config', async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'check_verification_code',
      'create_jira_issue',
      'look_up_order',
      'send_verification_code',
    ]);
    // The lookup reveals personal data: the verification tools come with it.
    const check = tools.find((tool) => tool.name === 'check_verification_code');
    expect(check?.inputSchema.required).toEqual(['code']);
    const lookup = tools.find((tool) => tool.name === 'look_up_order');
    expect(lookup?.title).toBe('Look up Shopify order');
    expect(lookup?.description).toMatch(/^Looks up the customer's Shopify order/);
    expect(lookup?.inputSchema.properties).toMatchObject({
      ticket_id: { type: 'string', pattern: '^[0-9]{1,16}$' },
      order_number: { type: 'string', pattern: '^#?[0-9]{1,12}$', examples: ['#1001'] },
    });
    // A GET that writes the order back to the ticket: not read-only, but safe to repeat.
    expect(lookup?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: true,
    });
    expect(lookup?.outputSchema?.required).toEqual(['outcome', 'message', 'outputs', 'runId']);
    const jira = tools.find((tool) => tool.name === 'create_jira_issue');
    expect(jira?.annotations).toMatchObject({ destructiveHint: true, idempotentHint: false });
    // The ticket is required; the summary can be left to the ticket's subject.
    expect(jira?.inputSchema.required).toEqual(['ticket_id']);
    expect(Object.keys(jira?.inputSchema.properties ?? {})).toEqual(['ticket_id', 'summary']);
    await client.close();
  });

  it('shows a key only the connectors in its scope, and refuses a call outside it', async () => {
    const key = await createKey('Order bot', ['shopify_order_lookup']);
    const { client } = await connect({ key });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'check_verification_code',
      'look_up_order',
      'send_verification_code',
    ]);
    const before = jiraCreates();
    const outside = await client
      .callTool({ name: 'create_jira_issue', arguments: { ticket_id: '4' } })
      .then(
        (result) => JSON.stringify(result),
        (error: unknown) => String(error),
      );
    expect(outside).toMatch(/create_jira_issue/);
    expect(outside).toMatch(/not found|unknown/i);
    expect(jiraCreates()).toBe(before);
    await client.close();
  });
});

function text(result: unknown): string {
  return JSON.stringify((result as { content?: unknown }).content ?? result);
}

describe('tools/call', () => {
  it('"Where is my order?": the protected lookup waits for the customer to prove the code from their email', async () => {
    const { client } = await connect();
    const refused = await client.callTool({ name: 'look_up_order', arguments: { ticket_id: '1' } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/VERIFICATION_REQUIRED: .*Call send_verification_code/);

    const sent = await client.callTool({
      name: 'send_verification_code',
      arguments: { ticket_id: '1' },
    });
    expect(sent.isError).toBe(false);
    // The requester's address as Zendesk has it, masked in what the model sees.
    expect(text(sent)).toContain('m•••@example.com');
    expect(text(sent)).not.toContain('maria@example.com');
    const code = codeMailedTo(stack, 'maria@example.com');
    expect(text(sent)).not.toContain(code);

    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const wrongTry = await client.callTool({
      name: 'check_verification_code',
      arguments: { ticket_id: '1', code: wrong },
    });
    expect(wrongTry.isError).toBe(true);
    expect(text(wrongTry)).toMatch(/VERIFICATION_CODE_WRONG/);
    const still = await client.callTool({ name: 'look_up_order', arguments: { ticket_id: '1' } });
    expect(text(still)).toMatch(/VERIFICATION_REQUIRED/);

    const right = await client.callTool({
      name: 'check_verification_code',
      arguments: { ticket_id: '1', code },
    });
    expect(right.isError).toBe(false);
    const result = await client.callTool({ name: 'look_up_order', arguments: { ticket_id: '1' } });
    expect(result.isError).toBe(false);
    expect(result.structuredContent).toMatchObject({
      outcome: 'success',
      message: 'Order #1001: paid, fulfilled.',
      outputs: { payment_status: 'paid', tracking_number: '1Z999AA10123456784' },
    });
    expect(result.content).toEqual([
      { type: 'text', text: 'success: Order #1001: paid, fulfilled.' },
    ]);
    const runId = (result.structuredContent as { runId: string }).runId;
    const run = await stack.server.runLog.get(runId);
    expect(run).toMatchObject({
      source: 'mcp',
      actor: { kind: 'ai_agent', name: 'Zendesk AI agent' },
      target: { system: 'zendesk', id: '1' },
      outcome: 'success',
    });
    // The whole story is in the ticket's run log, named after the key, without the code.
    const page = await stack.server.runLog.query({ targetId: '1', limit: 20 });
    const story = page.runs
      .filter((entry) => entry.actor.name === 'Zendesk AI agent')
      .map((entry) => (entry.kind === 'verification' ? entry.event : entry.kind))
      .reverse();
    expect(
      story,
      stack.logLines.filter((line) => line.includes('verification')).join('\n'),
    ).toEqual(['sent', 'wrong_code', 'verified', 'connector']);
    expect(JSON.stringify(page.runs)).not.toContain(code);
    await client.close();
  });

  it('refuses a ticket the connector does not apply to (appliesWhen still decides)', async () => {
    const { client } = await connect({ user: 'accept' });
    const before = jiraCreates();
    // Ticket 1 is an order question: no feature_request or bug tag.
    const result = await client.callTool({
      name: 'create_jira_issue',
      arguments: { ticket_id: '1' },
    });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/CONNECTOR_NOT_APPLICABLE/);
    expect(jiraCreates()).toBe(before);
    await client.close();
  });

  it('asks the user before a tool with side effects, and never runs it on "no"', async () => {
    const before = jiraCreates();
    const { client, asked } = await connect({ user: 'decline' });
    const result = await client.callTool({
      name: 'create_jira_issue',
      arguments: { ticket_id: '4' },
    });
    expect(asked).toEqual([
      'Create Jira issue changes data in another system. Run it on ticket 4?',
    ]);
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(
      /did not confirm Create Jira issue; nothing was run/,
    );
    expect(jiraCreates()).toBe(before);
    await client.close();
  });

  it('runs it exactly once on "yes"', async () => {
    const before = jiraCreates();
    const { client, asked } = await connect({ user: 'accept' });
    const result = await client.callTool({
      name: 'create_jira_issue',
      arguments: { ticket_id: '4', summary: 'Export to CSV' },
    });
    expect(asked).toHaveLength(1);
    expect(result.isError).toBe(false);
    expect(result.structuredContent).toMatchObject({
      outcome: 'success',
      outputs: { issue_key: expect.stringMatching(/^SUP-\d+$/) },
      link: { label: expect.stringMatching(/^SUP-\d+$/) },
    });
    expect(jiraCreates()).toBe(before + 1);
    await client.close();
  });

  it('refuses, without running, when the client cannot ask the user', async () => {
    const before = jiraCreates();
    for (const options of [{}, { modern: false, user: 'accept' as const }]) {
      const { client } = await connect(options);
      const result = await client.callTool({
        name: 'create_jira_issue',
        arguments: { ticket_id: '4' },
      });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toMatch(/runs only after the user confirms it/);
      expect(JSON.stringify(result.content)).toMatch(/nothing was run/i);
      await client.close();
    }
    expect(jiraCreates()).toBe(before);
  });

  it('serves 2025-era clients too (stateless), for tools that need no confirmation', async () => {
    // Ticket 1's requester was verified above; the verified state lasts 30 minutes.
    const { client } = await connect({ modern: false });
    const result = await client.callTool({ name: 'look_up_order', arguments: { ticket_id: '1' } });
    expect(result.structuredContent).toMatchObject({ outcome: 'success' });
    await client.close();
  });
});

describe('agent keys', () => {
  const post = (authorization?: string) => {
    const req = request(stack.server.app)
      .post('/mcp')
      .set('Accept', 'application/json, text/event-stream')
      .send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  it('answers a request without a valid key with 401 and the challenge MCP clients read', async () => {
    for (const authorization of [
      undefined,
      'Bearer dcak_wrongwrongwrongwrongwrongwrongwrongwrongwro',
      'Bearer sandbox-admin-token',
      `Basic ${allKey}`,
    ]) {
      const res = await post(authorization);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(res.headers['www-authenticate']).toContain(
        `resource_metadata="${stack.url}/.well-known/oauth-protected-resource/mcp"`,
      );
      expect(res.body.error.code).toBe('AUTH_INVALID');
    }
    const metadata = await request(stack.server.app).get(
      '/.well-known/oauth-protected-resource/mcp',
    );
    expect(metadata.body).toMatchObject({
      resource: `${stack.url}/mcp`,
      bearer_methods_supported: ['header'],
    });
  });

  it('refuses a revoked key at once', async () => {
    const key = await createKey('Short-lived bot', ['*']);
    expect((await post(`Bearer ${key}`)).status).toBe(200);
    const revoked = await request(stack.server.app)
      .delete(`/api/admin/agent-keys/${encodeURIComponent('Short-lived bot')}`)
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(revoked.status).toBe(204);
    expect((await post(`Bearer ${key}`)).status).toBe(401);
  });

  it('lists keys without their secrets, refuses unknown connectors and a taken name', async () => {
    const admin = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const list = await request(stack.server.app).get('/api/admin/agent-keys').set(admin);
    expect(list.status).toBe(200);
    expect(list.body.keys.map((k: { name: string }) => k.name)).toContain('Zendesk AI agent');
    expect(JSON.stringify(list.body)).not.toContain(allKey);
    const unknown = await request(stack.server.app)
      .post('/api/admin/agent-keys')
      .set(admin)
      .send({ name: 'Typo bot', connectorIds: ['look_up_order'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain(
      'Those that are: shopify_order_lookup, jira_create_issue',
    );
    const taken = await request(stack.server.app)
      .post('/api/admin/agent-keys')
      .set(admin)
      .send({ name: 'zendesk ai AGENT', connectorIds: ['*'] });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('AGENT_KEY_NAME_TAKEN');
    // An agent key is not an admin token.
    const asAgent = await request(stack.server.app)
      .get('/api/admin/agent-keys')
      .set('Authorization', `Bearer ${allKey}`);
    expect(asAgent.status).toBe(401);
  });
});
