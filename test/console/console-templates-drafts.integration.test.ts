import { readFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { signInToConsole } from '../support/console-session';
import type { ConsoleSignIn } from '../support/console-session';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * The console's "New from template" and "New from curl / OpenAPI": a draft to review (checked as
 * the whole config, nothing written), then saved with its connection as one edit.
 */

let stack: TestStack;
let session: ConsoleSignIn;
beforeAll(async () => {
  stack = await startTestStack();
  session = await signInToConsole(stack);
});
afterAll(async () => {
  await stack.close();
});

const api = () => request(stack.url);

describe('the helpdesk field list', () => {
  it("lists Zendesk's custom ticket fields by id and title, and Salesforce's by API name", async () => {
    const zendesk = await api()
      .get('/api/admin/console/helpdesk-fields?system=zendesk')
      .set(session.read);
    expect(zendesk.status).toBe(200);
    expect(zendesk.body.fields).toContainEqual({
      key: String(SANDBOX_FIELD_IDS.trackingNumber),
      label: 'Tracking number',
      type: 'text',
      writable: true,
    });
    // System fields are written by name, not offered as custom fields.
    expect(zendesk.body.fields.map((f: { type: string }) => f.type)).not.toContain('subject');
    const salesforce = await api()
      .get('/api/admin/console/helpdesk-fields?system=salesforce&object=Case')
      .set(session.read);
    expect(salesforce.status).toBe(200);
    expect(salesforce.body.fields).toContainEqual(
      expect.objectContaining({ key: 'Subject', label: 'Subject', writable: true }),
    );
    const bad = await api()
      .get('/api/admin/console/helpdesk-fields?system=zendesk&object=x%20y')
      .set(session.read);
    expect(bad.status).toBe(400);
  });
});

describe('a connector from a template', () => {
  it('lists the templates with what each asks for and cites', async () => {
    const answer = await api().get('/api/admin/console/templates').set(session.read);
    expect(answer.status).toBe(200);
    expect(answer.body.issues).toEqual([]);
    const rest = answer.body.templates.find((t: { id: string }) => t.id === 'rest_lookup');
    expect(rest).toMatchObject({
      title: 'Generic REST lookup',
      connectionId: 'rest_api',
      connectorId: 'customer_lookup',
      secrets: [expect.objectContaining({ name: 'API_TOKEN' })],
    });
    expect(rest.docs.map((d: { topic: string }) => d.topic)).toEqual(
      expect.arrayContaining(['request', 'auth', 'errors', 'rateLimits']),
    );
  });

  it('drafts it for review without writing, says which secrets are unset, and saves it with its connection', async () => {
    const before = readFileSync(stack.configPath, 'utf8');
    const draft = await api()
      .post('/api/admin/console/templates/rest_lookup/draft')
      .set(session.write)
      .send({
        values: {
          base_url: 'https://api.acme.test',
          status_field: String(SANDBOX_FIELD_IDS.vip),
        },
      });
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({
      connectionId: 'rest_api',
      connection: { baseUrl: 'https://api.acme.test' },
      connector: { id: 'customer_lookup', draft: true, connection: 'rest_api' },
      secrets: [{ name: 'API_TOKEN', set: false }],
      check: { ok: true },
    });
    expect(readFileSync(stack.configPath, 'utf8')).toBe(before);

    const refused = await api()
      .post('/api/admin/console/templates/rest_lookup/draft')
      .set(session.write)
      .send({ values: {} });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 'TEMPLATE_VALUE_INVALID',
      details: { parameter: 'base_url' },
    });

    const saved = await api()
      .post('/api/admin/console/connectors')
      .set(session.write)
      .send({
        connector: draft.body.connector,
        connection: { id: draft.body.connectionId, value: draft.body.connection },
      });
    expect(saved.status).toBe(201);
    const config = JSON.parse(readFileSync(stack.configPath, 'utf8')) as {
      connections: Record<string, unknown>;
      connectors: { id: string; draft?: boolean }[];
    };
    expect(config.connections.rest_api).toMatchObject({ baseUrl: 'https://api.acme.test' });
    expect(config.connectors.find((c) => c.id === 'customer_lookup')?.draft).toBe(true);
    const listed = await api().get('/api/admin/console/connectors').set(session.read);
    expect(listed.body.connectors).toContainEqual(
      expect.objectContaining({ id: 'customer_lookup', state: 'draft' }),
    );

    const unknown = await api()
      .post('/api/admin/console/templates/nope/draft')
      .set(session.write)
      .send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('TEMPLATE_NOT_FOUND');
  });
});

describe('a connector from a curl command or an OpenAPI operation', () => {
  it('drafts from curl with the token as a secret reference, and outputs from a sample', async () => {
    const answer = await api()
      .post('/api/admin/console/drafts')
      .set(session.write)
      .send({
        source: 'curl',
        command: `curl https://api.tracker.example.com/v2/issues/ISS-12 -H 'Authorization: Bearer tk_9f8e7d6c5b4a39281706'`,
        sample: JSON.stringify({ issue: { key: 'ISS-12', state: 'open' } }),
        id: 'tracker_issue',
      });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).not.toContain('tk_9f8e7d6c5b4a39281706');
    expect(answer.body.connector).toMatchObject({
      id: 'tracker_issue',
      response: {
        outputs: expect.arrayContaining([expect.objectContaining({ path: 'issue.state' })]),
      },
    });
    expect(answer.body.secrets).toEqual([{ name: expect.stringMatching(/TOKEN$/), set: false }]);
    expect(answer.body.check.ok).toBe(true);
    // Only the draft's own problems: the template connector saved earlier also lacks its
    // API_TOKEN, but that is not this draft's to fix.
    const messages = (answer.body.check.issues as { message: string }[]).map((i) => i.message);
    expect(messages).toEqual([expect.stringMatching(/^secret [A-Z_]*TOKEN is not set/)]);
    expect(messages.join()).not.toContain('API_TOKEN');
  });

  it('drafts from an OpenAPI operation, and says why it cannot draft', async () => {
    const document = JSON.stringify({
      openapi: '3.0.3',
      info: { title: 'T', version: '1' },
      servers: [{ url: 'https://api.tracker.example.com' }],
      paths: {
        '/issues/{key}': {
          get: {
            operationId: 'getIssue',
            parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    });
    const drafted = await api()
      .post('/api/admin/console/drafts')
      .set(session.write)
      .send({ source: 'openapi', document, operation: 'getIssue' });
    expect(drafted.status).toBe(200);
    expect(drafted.body.connector.request).toMatchObject({ path: '/issues/{{inputs.key}}' });
    const missing = await api()
      .post('/api/admin/console/drafts')
      .set(session.write)
      .send({ source: 'openapi', document, operation: 'listThings' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('DRAFT_SOURCE_INVALID');
    const notCurl = await api()
      .post('/api/admin/console/drafts')
      .set(session.write)
      .send({ source: 'curl', command: 'wget https://x.example.com' });
    expect(notCurl.status).toBe(400);
    expect(notCurl.body.error.message).toContain('curl');
    const badSample = await api()
      .post('/api/admin/console/drafts')
      .set(session.write)
      .send({ source: 'curl', command: 'curl https://x.example.com', sample: '{nope' });
    expect(badSample.body.error).toMatchObject({ code: 'DRAFT_SOURCE_INVALID' });
  });

  it('is for admins only: a sidebar session gets 403', async () => {
    const agent = await stack.signInAgent();
    const answer = await api().get('/api/admin/console/templates').set(agent.auth);
    expect(answer.status).toBe(403);
  });
});
