import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * A draft connector (`"draft": true`) is hidden from agents, AI agents, macros and automations,
 * and runs only as an admin's dry run, until it is published.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    editConfig: (config) => {
      const connectors = config.connectors as { id: string; draft?: boolean }[];
      for (const connector of connectors) {
        if (connector.id === 'shopify_order_lookup' || connector.id === 'jira_create_issue') {
          connector.draft = true;
        }
      }
    },
  });
});
afterAll(async () => {
  await stack.close();
});

describe('a draft connector', () => {
  it('is not listed for an agent, and running it is "not found"', async () => {
    const agent = await stack.signInAgent();
    const listed = await request(stack.server.app)
      .get('/api/connectors?ticketId=4')
      .set(agent.auth);
    expect(listed.status).toBe(200);
    const ids = (listed.body.connectors as { id: string }[]).map((c) => c.id);
    expect(ids).not.toContain('jira_create_issue');
    const before = stack.upstream.journal.length;
    const run = await request(stack.server.app)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(agent.auth)
      .send({ ticketId: 1 });
    expect(run.status).toBe(404);
    expect(run.body.error.code).toBe('CONNECTOR_NOT_FOUND');
    expect(run.body.error.message).toContain('draft');
    expect(stack.upstream.journal.length).toBe(before);
  });

  it('hides the macros that use it', async () => {
    const agent = await stack.signInAgent();
    const macros = await request(stack.server.app).get('/api/macros?ticketId=4').set(agent.auth);
    expect(macros.status).toBe(200);
    expect((macros.body.macros as { id: string }[]).map((m) => m.id)).not.toContain(
      'escalate_to_engineering',
    );
  });

  it('is not a tool for AI agents', async () => {
    const created = await request(stack.server.app)
      .post('/api/admin/agent-keys')
      .set(stack.adminAuth)
      .send({ name: 'Draft check', connectorIds: ['*'] });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${created.body.key}` } },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([]);
    await client.close();
  });

  it('runs for the admin as a dry run only: it reads, and writes nothing', async () => {
    const dry = await request(stack.server.app)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(stack.adminAuth)
      .send({ ticketId: 1, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ outcome: 'success', dryRun: true });
    expect(dry.body.writes.status).toBe('skipped');
    const real = await request(stack.server.app)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(stack.adminAuth)
      .send({ ticketId: 1 });
    expect(real.status).toBe(404);
  });

  it('is there for everyone once published', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(
      stack.configPath,
      readFileSync(stack.configPath, 'utf8').replaceAll('"draft": true', '"draft": false'),
    );
    await request(stack.server.app).post('/api/admin/config/reload').set(stack.adminAuth);
    const agent = await stack.signInAgent();
    const listed = await request(stack.server.app)
      .get('/api/connectors?ticketId=4')
      .set(agent.auth);
    expect((listed.body.connectors as { id: string }[]).map((c) => c.id)).toContain(
      'jira_create_issue',
    );
  });
});
