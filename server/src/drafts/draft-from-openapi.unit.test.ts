import { describe, expect, it } from 'vitest';
import { compileConfig } from '../compile/compile-config';
import { BUILT_IN_CONFIG_FORMAT } from '../helpdesks/helpdesk-registry';
import { createSecretSource } from '../secrets/secret-source';
import { draftFromOpenApi, readOpenApi } from './draft-from-openapi';

const DOC = `
openapi: 3.0.3
info: { title: Tickets, version: '1' }
servers: [{ url: 'https://api.helpbase.example.com/v2' }]
security: [{ token: [] }]
components:
  securitySchemes:
    token: { type: http, scheme: bearer }
  schemas:
    Order:
      type: object
      properties:
        id: { type: integer, example: 7731 }
        status: { type: string, enum: [open, shipped] }
        customer: { $ref: '#/components/schemas/Customer' }
    Customer:
      type: object
      properties:
        email: { type: string, format: email, example: jane@example.com }
paths:
  /orders/{orderId}:
    get:
      operationId: getOrder
      summary: Get an order
      parameters:
        - { name: orderId, in: path, required: true, schema: { type: integer } }
        - { name: expand, in: query, schema: { type: string, enum: [customer, items] } }
      responses:
        '200':
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Order' }
  /orders/{orderId}/notes:
    post:
      operationId: addNote
      parameters:
        - { name: orderId, in: path, required: true, schema: { type: integer } }
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [body]
              properties:
                body: { type: string, description: The note text }
                id: { type: integer, readOnly: true }
      responses: { '201': { description: created } }
`;

function draft(operation: string) {
  const doc = readOpenApi(DOC);
  if (!doc.ok) throw new Error(doc.error.message);
  const drafted = draftFromOpenApi(doc.value, operation);
  if (!drafted.ok) throw new Error(drafted.error.message);
  return drafted.value;
}

describe('draftFromOpenApi', () => {
  it('makes path and query parameters typed inputs, an enum a pattern, and the scheme bearer auth', () => {
    const result = draft('getOrder');
    expect(result.connection).toEqual({
      baseUrl: 'https://api.helpbase.example.com/v2',
      auth: { type: 'bearer', token: '{{secrets.HELPBASE_TOKEN}}' },
      headers: { 'User-Agent': 'data-connectors' },
    });
    expect(result.connector).toMatchObject({
      id: 'get_order',
      name: 'Get an order',
      draft: true,
      request: {
        method: 'GET',
        path: '/orders/{{inputs.order_id}}',
        query: { expand: '{{inputs.expand}}' },
      },
    });
    const inputs = result.connector.inputs as Record<string, unknown>[];
    expect(inputs[0]).toMatchObject({ name: 'order_id', type: 'integer', required: true });
    expect(inputs[1]).toMatchObject({
      name: 'expand',
      required: false,
      pattern: '^(customer|items)$',
    });
  });

  it('suggests outputs from the response schema, following $refs', () => {
    const outputs = draft('getOrder').connector.response as {
      outputs: { path: string; type: string }[];
    };
    expect(outputs.outputs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'id', type: 'integer' }),
        expect.objectContaining({ path: 'status', type: 'string' }),
        expect.objectContaining({ path: 'customer.email', type: 'string' }),
      ]),
    );
  });

  it('makes the JSON body properties inputs (not the read-only ones) and asks for confirmation', () => {
    const result = draft('POST /orders/{orderId}/notes');
    expect(result.connector).toMatchObject({
      confirm: true,
      request: { method: 'POST', body: { type: 'json', value: { body: '{{inputs.body}}' } } },
    });
    expect(JSON.stringify(result.connector)).not.toContain('"id":"{{inputs');
  });

  it('gives a connector the server compiles once its secret is set', () => {
    for (const operation of ['getOrder', 'addNote']) {
      const result = draft(operation);
      const format = BUILT_IN_CONFIG_FORMAT;
      const parsed = format.schemas.connectorConfigSchema.safeParse({
        connections: { [result.connectionId]: result.connection },
        connectors: [result.connector],
      });
      expect(parsed.success, operation).toBe(true);
      if (!parsed.success) continue;
      const compiled = compileConfig(parsed.data, {
        format,
        secrets: createSecretSource({ HELPBASE_TOKEN: 'x' }),
        maxJsonBodyBytes: 64 * 1024 * 1024,
      });
      expect(compiled.ok && compiled.value.warnings.map((w) => w.message), operation).toEqual([]);
    }
  });

  it('drafts an OAuth authorization code scheme as oauth2AuthorizationCode with its scopes', () => {
    const text = DOC.replace(
      'security: [{ token: [] }]',
      "security: [{ hubspot: ['crm.objects.contacts.read'] }]",
    ).replace(
      'token: { type: http, scheme: bearer }',
      `hubspot:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://app.hubspot.com/oauth/authorize
          tokenUrl: https://api.hubapi.com/oauth/v1/token
          scopes: { crm.objects.contacts.read: Read contacts }`,
    );
    const doc = readOpenApi(text);
    const drafted = doc.ok ? draftFromOpenApi(doc.value, 'getOrder') : undefined;
    if (!drafted?.ok) throw new Error('no draft');
    expect(drafted.value.connection.auth).toEqual({
      type: 'oauth2AuthorizationCode',
      authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
      tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
      clientId: '{{secrets.HELPBASE_CLIENT_ID}}',
      clientSecret: '{{secrets.HELPBASE_CLIENT_SECRET}}',
      scopes: ['crm.objects.contacts.read'],
    });
    const parsed = BUILT_IN_CONFIG_FORMAT.schemas.connectorConfigSchema.safeParse({
      connections: { [drafted.value.connectionId]: drafted.value.connection },
      connectors: [drafted.value.connector],
    });
    expect(parsed.success).toBe(true);
  });

  it("takes objects in the body and the outputs from the document's examples, and says the server is a placeholder", () => {
    const doc = readOpenApi(
      JSON.stringify({
        openapi: '3.0.1',
        info: { title: 'Issues', version: '1' },
        servers: [{ url: 'https://your-domain.atlassian.net' }],
        components: { securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' } } },
        paths: {
          '/rest/api/3/issue': {
            post: {
              operationId: 'createIssue',
              security: [{ basicAuth: [] }],
              requestBody: {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        fields: { type: 'object', additionalProperties: {} },
                        properties: { type: 'array', items: { type: 'object' } },
                        notify: { type: 'boolean' },
                      },
                    },
                    example: { fields: { summary: 'Main order flow broken' } },
                  },
                },
              },
              responses: {
                '201': {
                  content: {
                    'application/json': {
                      schema: { type: 'object', additionalProperties: {} },
                      example: '{"id":"10000","key":"ED-24"}',
                    },
                  },
                },
              },
            },
          },
        },
      }),
    );
    if (!doc.ok) throw new Error(doc.error.message);
    const drafted = draftFromOpenApi(doc.value, 'createIssue');
    if (!drafted.ok) throw new Error(drafted.error.message);
    const { connectionId, connection, connector, notes } = drafted.value;
    expect(connectionId).toBe('atlassian');
    expect(connection.auth).toEqual({
      type: 'basic',
      username: '{{secrets.ATLASSIAN_USERNAME}}',
      password: '{{secrets.ATLASSIAN_PASSWORD}}',
    });
    expect(connector.request).toMatchObject({
      body: {
        type: 'json',
        value: { fields: { summary: 'Main order flow broken' }, notify: '{{inputs.notify}}' },
      },
    });
    expect(connector.response).toEqual({
      outputs: [
        { name: 'id', label: 'Id', path: 'id', type: 'string' },
        { name: 'key', label: 'Key', path: 'key', type: 'string' },
      ],
    });
    expect(notes).toEqual([
      'The document\'s server address (https://your-domain.atlassian.net) is a placeholder: set the connection\'s "baseUrl" to your own.',
      'Each body property became a typed-in input; give inputs a "source" (a ticket field) where the ticket holds the value, and drop the optional ones you do not need.',
      'The body\'s "fields" is an object or a list: the draft holds the document\'s example for it; replace the example values with {{inputs.…}} or your own, and remove what you do not send.',
      'Left out of the body because one input cannot fill them: properties. Add them to "request.body" by hand if you need them.',
      "The outputs are suggested from the document's example answer: keep the ones to show or write back.",
    ]);
  });

  it("never fills an optional object or list from the document's example where the schema marks what is required", () => {
    const doc = readOpenApi(
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 'Issues', version: '1' },
        servers: [{ url: 'https://api.issues.example.com' }],
        paths: {
          '/issues': {
            post: {
              operationId: 'createIssue',
              requestBody: {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      required: ['title', 'fields'],
                      properties: {
                        title: { type: 'string' },
                        fields: { type: 'object', additionalProperties: {} },
                        labels: { type: 'array', items: { type: 'string' } },
                        meta: { type: 'object', additionalProperties: {} },
                      },
                    },
                    example: {
                      title: 'Found a bug',
                      fields: { priority: 'high' },
                      labels: ['bug'],
                      meta: { source: 'docs' },
                    },
                  },
                },
              },
              responses: { '201': { description: 'created' } },
            },
          },
        },
      }),
    );
    if (!doc.ok) throw new Error(doc.error.message);
    const drafted = draftFromOpenApi(doc.value, 'createIssue');
    if (!drafted.ok) throw new Error(drafted.error.message);
    expect(drafted.value.connector.request).toMatchObject({
      body: {
        type: 'json',
        value: { title: '{{inputs.title}}', fields: { priority: 'high' } },
      },
    });
    expect(JSON.stringify(drafted.value.connector)).not.toMatch(/bug|docs/);
    expect(drafted.value.notes).toEqual(
      expect.arrayContaining([
        'The body\'s "fields" is an object or a list: the draft holds the document\'s example for it; replace the example values with {{inputs.…}} or your own, and remove what you do not send.',
        'Left out of the body because one input cannot fill them: labels, meta. Add them to "request.body" by hand if you need them.',
      ]),
    );
  });

  it('drafts a {"data": {…}} wrapper field by field, allOf merged, and names what it leaves out', () => {
    const doc = readOpenApi(
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 'Tasks', version: '1' },
        servers: [{ url: 'https://app.asana.com/api/1.0' }],
        components: {
          securitySchemes: { personalAccessToken: { type: 'http', scheme: 'bearer' } },
          schemas: {
            TaskBase: {
              type: 'object',
              properties: {
                gid: { type: 'string', readOnly: true },
                name: { type: 'string' },
                assigned_by: { allOf: [{ type: 'string', example: '1234' }] },
              },
            },
            TaskCreate: {
              allOf: [
                { $ref: '#/components/schemas/TaskBase' },
                {
                  type: 'object',
                  required: ['workspace'],
                  properties: {
                    workspace: { type: 'string' },
                    projects: { type: 'array', items: { type: 'string' } },
                  },
                },
              ],
            },
          },
        },
        security: [{ personalAccessToken: [] }],
        paths: {
          '/tasks': {
            post: {
              operationId: 'createTask',
              requestBody: {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: { data: { $ref: '#/components/schemas/TaskCreate' } },
                    },
                  },
                },
              },
              responses: {
                '201': {
                  content: {
                    'application/json': {
                      schema: {
                        type: 'object',
                        properties: { data: { $ref: '#/components/schemas/TaskBase' } },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      }),
    );
    if (!doc.ok) throw new Error(doc.error.message);
    const drafted = draftFromOpenApi(doc.value, 'createTask');
    if (!drafted.ok) throw new Error(drafted.error.message);
    const { connectionId, connector, notes } = drafted.value;
    expect(connectionId).toBe('asana');
    expect(connector.request).toMatchObject({
      body: {
        type: 'json',
        value: {
          data: {
            name: '{{inputs.name}}',
            assigned_by: '{{inputs.assigned_by}}',
            workspace: '{{inputs.workspace}}',
          },
        },
      },
    });
    expect(connector.inputs).toEqual([
      expect.objectContaining({ name: 'name', required: false }),
      expect.objectContaining({ name: 'assigned_by', required: false }),
      expect.objectContaining({ name: 'workspace', required: true }),
    ]);
    expect(notes).toContain(
      'Left out of the body because one input cannot fill them: data.projects. Add them to "request.body" by hand if you need them.',
    );
    // A string example inside allOf is a string, not {"0": "1", "1": "2", …}.
    expect(connector.response).toEqual({
      outputs: [
        { name: 'data_gid', label: 'Data gid', path: 'data.gid', type: 'string' },
        { name: 'data_name', label: 'Data name', path: 'data.name', type: 'string' },
        {
          name: 'data_assigned_by',
          label: 'Data assigned by',
          path: 'data.assigned_by',
          type: 'string',
        },
      ],
    });
  });

  it("blanks a credential in the document's example before it becomes config text", () => {
    const doc = readOpenApi(
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 'Hooks', version: '1' },
        servers: [{ url: 'https://api.hooks.example.com' }],
        paths: {
          '/hooks': {
            post: {
              operationId: 'createHook',
              requestBody: {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: { config: { type: 'object', additionalProperties: {} } },
                    },
                    example: { config: { url: 'https://example.com/hook', secret: 'hunter2' } },
                  },
                },
              },
              responses: { '201': { description: 'created' } },
            },
          },
        },
      }),
    );
    if (!doc.ok) throw new Error(doc.error.message);
    const drafted = draftFromOpenApi(doc.value, 'createHook');
    if (!drafted.ok) throw new Error(drafted.error.message);
    expect(drafted.value.connector.request).toMatchObject({
      body: { value: { config: { url: 'https://example.com/hook', secret: '' } } },
    });
    expect(drafted.value.notes.join('\n')).toContain(
      'The body field "secret" looked like a credential',
    );
  });

  it('refuses Swagger 2.0 and names the operations it has', () => {
    const swagger = readOpenApi('{"swagger": "2.0", "paths": {}}');
    expect(!swagger.ok && swagger.error.message).toMatch(
      /Swagger 2\.0, not OpenAPI 3: convert it first/,
    );
    const doc = readOpenApi(DOC);
    const missing = doc.ok ? draftFromOpenApi(doc.value, 'deleteOrder') : undefined;
    expect(missing?.ok === false && missing.error.message).toContain('getOrder, addNote');
  });

  describe('real documents', () => {
    // Shapes as Stripe's spec3.json and GitHub's api.github.com.json write them.
    const REAL = JSON.stringify({
      openapi: '3.0.0',
      info: { title: 'Real shapes', version: '1' },
      servers: [{ url: 'https://api.stripe.com/' }],
      security: [{ basicAuth: [] }, { bearerAuth: [] }],
      components: {
        securitySchemes: {
          basicAuth: { type: 'http', scheme: 'basic' },
          bearerAuth: { type: 'http', scheme: 'bearer' },
        },
      },
      paths: {
        '/v1/charges': {
          get: {
            operationId: 'GetCharges',
            parameters: [
              {
                in: 'query',
                name: 'expand',
                style: 'deepObject',
                explode: true,
                schema: { type: 'array', items: { type: 'string' } },
              },
              {
                in: 'query',
                name: 'created',
                style: 'deepObject',
                schema: {
                  anyOf: [
                    { type: 'object', properties: { gt: { type: 'integer' } } },
                    { type: 'integer' },
                  ],
                },
              },
            ],
            responses: {},
          },
        },
        '/v1/refunds': {
          post: {
            operationId: 'PostRefunds',
            requestBody: {
              content: {
                'application/x-www-form-urlencoded': {
                  encoding: { expand: { explode: true, style: 'deepObject' } },
                  schema: {
                    type: 'object',
                    properties: {
                      amount: { type: 'integer' },
                      charge: { type: 'string' },
                      expand: { type: 'array', items: { type: 'string' } },
                      metadata: {
                        anyOf: [
                          { type: 'object', additionalProperties: { type: 'string' } },
                          { type: 'string', enum: [''] },
                        ],
                      },
                    },
                  },
                },
              },
            },
            responses: {},
          },
        },
        '/repos/{owner}/{repo}/issues': {
          post: {
            operationId: 'issues/create',
            security: undefined,
            parameters: [
              { name: 'owner', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'repo', in: 'path', required: true, schema: { type: 'string' } },
            ],
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['title'],
                    properties: {
                      title: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
                      labels: {
                        type: 'array',
                        items: { oneOf: [{ type: 'string' }, { type: 'object' }] },
                      },
                      assignees: { type: 'array', items: { type: 'string' } },
                    },
                  },
                },
              },
            },
            responses: {},
          },
        },
      },
    });
    const realDraft = (operation: string, doc = REAL) => {
      const read = readOpenApi(doc);
      if (!read.ok) throw new Error(read.error.message);
      const drafted = draftFromOpenApi(read.value, operation);
      if (!drafted.ok) throw new Error(drafted.error.message);
      return drafted.value;
    };

    it('sends no body with a GET, though Stripe gives every GET an empty form body', () => {
      const doc = JSON.parse(REAL) as { paths: Record<string, Record<string, object>> };
      doc.paths['/v1/charges']!.get = {
        ...doc.paths['/v1/charges']!.get,
        requestBody: {
          content: {
            'application/x-www-form-urlencoded': {
              schema: { type: 'object', properties: {}, additionalProperties: false },
            },
          },
        },
      };
      const result = realDraft('GetCharges', JSON.stringify(doc));
      expect(result.connector.request).not.toHaveProperty('body');
      expect(result.notes.join(' ')).not.toMatch(/body/);
    });

    it('takes bearer when the document offers Basic or Bearer (no empty password to invent)', () => {
      expect(realDraft('GetCharges').connection.auth).toEqual({
        type: 'bearer',
        token: '{{secrets.STRIPE_TOKEN}}',
      });
    });

    it('sends a deepObject array query parameter as name[] and keeps an anyOf scalar as is', () => {
      expect(realDraft('GetCharges').connector.request).toEqual({
        method: 'GET',
        path: '/v1/charges',
        query: { 'expand[]': '{{inputs.expand}}', created: '{{inputs.created}}' },
      });
    });

    it('drafts a form body: scalars as inputs, arrays as name[], objects left out with a note', () => {
      const result = realDraft('PostRefunds');
      expect(result.connector.request).toMatchObject({
        method: 'POST',
        body: {
          type: 'form',
          value: {
            amount: '{{inputs.amount}}',
            charge: '{{inputs.charge}}',
            'expand[]': '{{inputs.expand}}',
          },
        },
      });
      expect(result.notes).toContain(
        'Left out of the body because one input cannot fill them: metadata. Add them to "request.body" by hand if you need them (form fields such as metadata[key]).',
      );
    });

    it('leaves optional JSON lists out of the body, and says there is no security scheme', () => {
      const doc = JSON.parse(REAL) as { security?: unknown };
      delete doc.security;
      const result = realDraft('issues/create', JSON.stringify(doc));
      expect(result.connector.request).toMatchObject({
        path: '/repos/{{inputs.owner}}/{{inputs.repo}}/issues',
        body: { type: 'json', value: { title: '{{inputs.title}}' } },
      });
      expect(result.connection.auth).toEqual({ type: 'none' });
      expect(result.notes).toEqual(
        expect.arrayContaining([
          'Left out of the body because one input cannot fill them: labels, assignees. Add them to "request.body" by hand if you need them.',
          'The document declares no security scheme: if the API needs credentials, set "auth" on the connection by hand (secrets go only in headers or the auth).',
        ]),
      );
    });
  });
});
