import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_CONFIG_FORMAT } from '../helpdesks/helpdesk-registry';
import { salesforceWriteOf } from '../helpdesks/salesforce/salesforce-config';
import { zendeskWriteOf } from '../helpdesks/zendesk/zendesk-config';

const { connectorConfigSchema } = BUILT_IN_CONFIG_FORMAT.schemas;
import { compileConfig } from './compile-config';
import type { CompileConfigResult, ConfigIssue } from './compiled-model';
import {
  buildTestConfig,
  compileTestConfig,
  compileTestConnector,
  TEST_CONNECTOR_ID,
} from '../test-support/test-config';
import { createSecretSource } from '../secrets/secret-source';
import type { TestConfigParts } from '../test-support/test-config';

const repoFile = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const readJson = (path: string): unknown => JSON.parse(readFileSync(repoFile(path), 'utf8'));

function compileParts(
  parts: TestConfigParts,
  secrets?: Record<string, string>,
): CompileConfigResult {
  return compileTestConfig(buildTestConfig(parts), secrets);
}

/** The errors of a config that must not compile, as path + message. */
function errorsOf(
  parts: TestConfigParts | CompileConfigResult,
): Pick<ConfigIssue, 'path' | 'message'>[] {
  const result = 'ok' in parts ? parts : compileParts(parts);
  if (result.ok) throw new Error('expected the config to be refused, but it compiled');
  return result.error.issues
    .filter((issue) => issue.severity === 'error')
    .map(({ path, message }) => ({ path, message }));
}

const connectorWith = (connector: Record<string, unknown>): TestConfigParts => ({ connector });
const get = (request: Record<string, unknown>) =>
  connectorWith({ request: { method: 'GET', ...request } });

describe('compileConfig: template references', () => {
  it('refuses a reference to an undeclared input, at the exact field', () => {
    expect(errorsOf(get({ path: '/orders/{{inputs.order_id}}' }))).toEqual([
      {
        path: ['connectors', 0, 'request', 'path'],
        message: '{{inputs.order_id}} refers to an unknown input "order_id"',
      },
    ]);
  });

  it('refuses a reference to an undeclared connection variable', () => {
    expect(errorsOf(get({ path: '/x', query: { project: '{{connection.project}}' } }))).toEqual([
      {
        path: ['connectors', 0, 'request', 'query', 'project'],
        message: '{{connection.project}} refers to an unknown connection variable "project"',
      },
    ]);
  });

  it('accepts declared inputs and connection variables', () => {
    const connector = compileTestConnector({
      connection: { variables: { project: 'SUP' } },
      connector: {
        inputs: [{ name: 'order_id', source: 'ticket.external_id' }],
        request: { path: '/p/{{connection.project}}/{{inputs.order_id}}' },
      },
    });
    expect(connector.request.path.parts.filter((part) => part.kind === 'ref')).toHaveLength(2);
  });

  it('warns where a redacted value would be written back or shown in a message, at the field', () => {
    const result = compileParts(
      connectorWith({
        inputs: [{ name: 'ssn', source: 'ticket.external_id', redact: true }],
        response: {
          outputs: [
            { name: 'card', path: 'card', redact: true },
            { name: 'status', path: 'status' },
          ],
        },
        writeBack: {
          success: {
            zendesk: { customFields: { '123': '{{outputs.card}}', '124': '{{outputs.status}}' } },
          },
        },
        messages: { failure: 'Lookup for {{inputs.ssn}} failed' },
      }),
    );
    if (!result.ok) throw new Error('expected the config to compile');
    expect(result.value.warnings.map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: ['connectors', 0, 'writeBack', 'success', 'zendesk', 'customFields', '123'],
        message:
          '{{outputs.card}} is marked "redact", so success write-back shows it as [redacted]: a redacted value never leaves the server',
      },
      {
        path: ['connectors', 0, 'messages', 'failure'],
        message:
          '{{inputs.ssn}} is marked "redact", so the failure message shows it as [redacted]: a redacted value never leaves the server',
      },
    ]);
  });

  it('reads write-backs and appliesWhen grouped per helpdesk; the flat form still works, with a warning', () => {
    const grouped = compileParts(
      connectorWith({
        appliesWhen: { zendesk: { tagsAny: ['order'] }, salesforce: { objectTypes: ['Case'] } },
        writeBack: {
          success: {
            zendesk: { addTags: ['done'], status: 'pending' },
            salesforce: { recordFields: { Status__c: 'done' } },
          },
        },
      }),
    );
    if (!grouped.ok) throw new Error('expected the config to compile');
    expect(grouped.value.warnings).toEqual([]);
    const connector = grouped.value.compiled.connectors.get(TEST_CONNECTOR_ID);
    expect(connector?.appliesWhen).toEqual({
      zendesk: { tagsAny: ['order'] },
      salesforce: { objectTypes: ['Case'] },
    });
    expect(zendeskWriteOf(connector?.writeBack.success)?.addTags).toHaveLength(1);
    expect(
      salesforceWriteOf(connector?.writeBack.success)?.recordFields.map(([field]) => field),
    ).toEqual(['Status__c']);

    const flat = compileParts(
      connectorWith({
        appliesWhen: { tagsAny: ['order'] },
        writeBack: { success: { addTags: ['done'] } },
      }),
    );
    if (!flat.ok) throw new Error('expected the flat form to compile');
    expect(flat.value.compiled.connectors.get(TEST_CONNECTOR_ID)?.appliesWhen).toEqual({
      zendesk: { tagsAny: ['order'] },
    });
    expect(flat.value.warnings.map(({ path, message, hint }) => ({ path, message, hint }))).toEqual(
      [
        {
          path: ['connectors', 0, 'writeBack', 'success', 'addTags'],
          message: '"addTags" outside a helpdesk group is deprecated',
          hint: 'move it into the "zendesk" group beside it: "zendesk": { "addTags": … }',
        },
        {
          path: ['connectors', 0, 'appliesWhen', 'tagsAny'],
          message: '"tagsAny" outside a helpdesk group is deprecated',
          hint: 'move it into the "zendesk" group beside it: "zendesk": { "tagsAny": … }',
        },
      ],
    );
  });

  it('refuses a key set both flat and in its helpdesk group', () => {
    const result = compileParts(
      connectorWith({
        writeBack: { success: { addTags: ['a'], zendesk: { addTags: ['b'] } } },
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toContainEqual(
      expect.objectContaining({
        path: ['connectors', 0, 'writeBack', 'success', 'addTags'],
        message: '"addTags" is set both here and under "zendesk"',
      }),
    );
  });

  it('checks patterns as RE2, and gives the browsers only those they can run safely', () => {
    const safe = compileTestConnector({
      connector: {
        inputs: [
          { name: 'order', source: 'ticket.external_id', pattern: '^#?[0-9]{1,12}$' },
          { name: 'nested', source: 'ticket.subject', pattern: '^(a+)+$' },
        ],
      },
    });
    expect(safe.inputs.map((input) => input.browserPattern)).toEqual([
      '^#?[0-9]{1,12}$',
      undefined,
    ]);
    expect(safe.inputs[1]?.pattern?.test(`${'a'.repeat(20_000)}!`)).toBe(false);
    const warned = compileParts(
      connectorWith({ inputs: [{ name: 'x', source: 'ticket.subject', pattern: '^(a+)+$' }] }),
    );
    expect(warned.ok && warned.value.warnings.map((issue) => issue.path)).toEqual([
      ['connectors', 0, 'inputs', 0, 'pattern'],
    ]);
    expect(
      errorsOf(
        connectorWith({ inputs: [{ name: 'x', source: 'ticket.subject', pattern: '^(?=a)a$' }] }),
      ),
    ).toEqual([
      {
        path: ['connectors', 0, 'inputs', 0, 'pattern'],
        message: expect.stringContaining('invalid pattern'),
      },
    ]);
  });

  it('refuses a reference to an undeclared output in a success write-back', () => {
    const errors = errorsOf(
      connectorWith({
        response: { outputs: [{ name: 'status', path: 'status' }] },
        writeBack: { success: { customFields: { '123': '{{outputs.statuz}}' } } },
      }),
    );
    expect(errors).toEqual([
      {
        path: ['connectors', 0, 'writeBack', 'success', 'customFields', '123'],
        message: '{{outputs.statuz}} refers to an unknown output "statuz"',
      },
    ]);
  });

  it('refuses a malformed reference', () => {
    expect(errorsOf(get({ path: '/x', headers: { 'X-Order': '{{inputs.order' } }))).toEqual([
      {
        path: ['connectors', 0, 'request', 'headers', 'X-Order'],
        message: 'malformed template reference "{{inputs.order"',
      },
    ]);
  });

  it('refuses an unknown template root', () => {
    const errors = errorsOf(connectorWith({ messages: { success: 'Done for {{ticket.id}}' } }));
    expect(errors).toEqual([
      {
        path: ['connectors', 0, 'messages', 'success'],
        message: expect.stringContaining('unknown template root "ticket"'),
      },
    ]);
  });

  it('refuses outputs in a failure message: a failed run has none', () => {
    const errors = errorsOf(
      connectorWith({
        response: { outputs: [{ name: 'status', path: 'status' }] },
        messages: { failure: 'Failed with {{outputs.status}}' },
      }),
    );
    expect(errors).toEqual([
      {
        path: ['connectors', 0, 'messages', 'failure'],
        message: '{{outputs.status}}: {{outputs.…}} is not available in the failure message',
      },
    ]);
  });

  it('refuses outputs in an empty write-back', () => {
    const errors = errorsOf(
      connectorWith({
        response: { outputs: [{ name: 'status', path: 'status' }] },
        writeBack: { empty: { internalNote: 'Nothing: {{outputs.status}}' } },
      }),
    );
    expect(errors.map((error) => error.path)).toEqual([
      ['connectors', 0, 'writeBack', 'empty', 'internalNote'],
    ]);
  });

  it('allows {{error.*}} only where a run has failed', () => {
    expect(
      compileParts(
        connectorWith({
          messages: { failure: '{{error.code}}: {{error.message}} ({{error.status}})' },
          writeBack: { failure: { internalNote: 'Failed: {{error.message}}' } },
        }),
      ).ok,
    ).toBe(true);
    expect(errorsOf(connectorWith({ messages: { success: 'Done {{error.message}}' } }))).toEqual([
      {
        path: ['connectors', 0, 'messages', 'success'],
        message: '{{error.message}}: {{error.…}} is not available in the success message',
      },
    ]);
    expect(
      errorsOf(connectorWith({ writeBack: { empty: { addTags: ['{{error.code}}'] } } })),
    ).toEqual([
      {
        path: ['connectors', 0, 'writeBack', 'empty', 'addTags', 0],
        message: '{{error.code}}: {{error.…}} is not available in empty write-back',
      },
    ]);
  });

  it('refuses an unknown error field', () => {
    expect(errorsOf(connectorWith({ messages: { failure: '{{error.stack}}' } }))).toEqual([
      {
        path: ['connectors', 0, 'messages', 'failure'],
        message: '{{error.stack}} is not a known error field',
      },
    ]);
  });
});

describe('compileConfig: secret placement', () => {
  it.each([
    ['the path', { path: '/t/{{secrets.API_TOKEN}}' }, ['request', 'path']],
    [
      'the query',
      { path: '/t', query: { key: '{{secrets.API_TOKEN}}' } },
      ['request', 'query', 'key'],
    ],
  ])('refuses a secret in %s', (_where, request, path) => {
    const errors = errorsOf(get(request));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toEqual(['connectors', 0, ...path]);
    expect(errors[0]?.message).toMatch(/secrets are not allowed/);
  });

  it('refuses a secret in a JSON body leaf, naming the leaf', () => {
    const errors = errorsOf(
      connectorWith({
        request: {
          method: 'POST',
          path: '/t',
          body: { type: 'json', value: { auth: ['ok', 'Bearer {{secrets.API_TOKEN}}'] } },
        },
      }),
    );
    expect(errors.map((error) => error.path)).toEqual([
      ['connectors', 0, 'request', 'body', 'value', 'auth', 1],
    ]);
  });

  it('refuses a secret in a form or text body', () => {
    const form = errorsOf(
      connectorWith({
        request: {
          method: 'POST',
          path: '/t',
          body: { type: 'form', value: { key: '{{secrets.API_TOKEN}}' } },
        },
      }),
    );
    expect(form.map((error) => error.path)).toEqual([
      ['connectors', 0, 'request', 'body', 'value', 'key'],
    ]);
    const text = errorsOf(
      connectorWith({
        request: {
          method: 'POST',
          path: '/t',
          body: { type: 'text', value: 'key={{secrets.API_TOKEN}}' },
        },
      }),
    );
    expect(text.map((error) => error.path)).toEqual([
      ['connectors', 0, 'request', 'body', 'value'],
    ]);
  });

  it('refuses a secret in a message or write-back', () => {
    const errors = errorsOf(
      connectorWith({
        messages: { success: '{{secrets.API_TOKEN}}' },
        writeBack: { success: { internalNote: '{{secrets.API_TOKEN}}' } },
      }),
    );
    expect(errors.map((error) => error.path)).toEqual([
      ['connectors', 0, 'writeBack', 'success', 'internalNote'],
      ['connectors', 0, 'messages', 'success'],
    ]);
  });

  it('allows secrets in request headers, connection headers and every kind of auth', () => {
    for (const auth of [
      { type: 'bearer', token: '{{secrets.API_TOKEN}}' },
      { type: 'basic', username: 'me', password: '{{secrets.API_TOKEN}}' },
      { type: 'apiKeyHeader', header: 'X-Api-Key', value: 'Token {{secrets.API_TOKEN}}' },
      {
        type: 'oauth2ClientCredentials',
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'client',
        clientSecret: '{{secrets.API_TOKEN}}',
      },
      {
        type: 'jwtBearer',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        issuer: 'connectors@acme.iam.gserviceaccount.com',
        privateKey: '{{secrets.API_TOKEN}}',
      },
    ]) {
      const result = compileParts({
        connection: { auth, headers: { 'X-Tenant': '{{secrets.TENANT_KEY}}' } },
        connector: { request: { path: '/t', headers: { 'X-Key': 'k={{secrets.API_TOKEN}}' } } },
      });
      expect(result.ok, JSON.stringify(auth)).toBe(true);
    }
  });

  it('refuses a jwtBearer private key written into the config instead of a secret reference', () => {
    const result = compileParts({
      connection: {
        auth: {
          type: 'jwtBearer',
          tokenUrl: 'https://oauth2.googleapis.com/token',
          issuer: 'connectors@acme.iam.gserviceaccount.com',
          privateKey: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
        },
      },
    });
    expect(errorsOf(result)).toEqual([
      {
        path: ['connections', 'api', 'auth', 'privateKey'],
        message: 'the private key must be a secret reference',
      },
    ]);
  });

  it('refuses inputs in connection auth: a ticket must not choose credentials', () => {
    const result = compileParts({
      connection: { auth: { type: 'bearer', token: '{{inputs.token}}' } },
    });
    expect(errorsOf(result)).toEqual([
      {
        path: ['connections', 'api', 'auth', 'token'],
        message: '{{inputs.token}}: {{inputs.…}} is not available in connection auth and headers',
      },
    ]);
  });

  it('refuses a secret name that is not uppercase', () => {
    expect(
      errorsOf({ connection: { auth: { type: 'bearer', token: '{{secrets.api_token}}' } } }),
    ).toEqual([
      {
        path: ['connections', 'api', 'auth', 'token'],
        message: '{{secrets.api_token}}: secret names are uppercase',
      },
    ]);
  });
});

describe('compileConfig: response size against the heap', () => {
  const MiB = 1024 * 1024;
  const compileWithHeap = (maxResponseBytes: number) =>
    compileConfig(
      connectorConfigSchema.parse(buildTestConfig({ connection: { maxResponseBytes } })),
      {
        format: BUILT_IN_CONFIG_FORMAT,
        secrets: createSecretSource({ API_TOKEN: 'x'.repeat(16) }),
        maxJsonBodyBytes: 10 * MiB,
      },
    );

  it('warns, naming the connection, when its cap is above what the heap can parse', () => {
    const result = compileWithHeap(50 * MiB);
    expect(result.ok && result.value.warnings).toEqual([
      expect.objectContaining({
        path: ['connections', 'api', 'maxResponseBytes'],
        severity: 'warning',
        message: expect.stringMatching(
          /50 MiB answers.*about 10 MiB.*UPSTREAM_RESPONSE_BUDGET_EXCEEDED/,
        ),
        hint: expect.stringContaining('--max-old-space-size'),
      }),
    ]);
  });

  it('says nothing when the cap fits', () => {
    const result = compileWithHeap(10 * MiB);
    expect(result.ok && result.value.warnings).toEqual([]);
  });
});

describe('compileConfig: missing secrets', () => {
  it('compiles with a warning and marks the connector unavailable', () => {
    const result = compileParts({}, { TENANT_KEY: 'x'.repeat(8) });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.warnings).toEqual([
      expect.objectContaining({ path: ['connections', 'api'], severity: 'warning' }),
    ]);
    expect(result.value.warnings[0]?.message).toContain('secret API_TOKEN is not set');
    const unavailable = result.value.compiled.connectors.get('test_connector')?.unavailable;
    expect(unavailable?.code).toBe('CONFIG_SECRET_MISSING');
    // What agents see names no secret; the admin's warning above does.
    expect(unavailable?.message).toMatch(/credential this connector needs is not set/);
    expect(unavailable?.message).not.toContain('API_TOKEN');
  });

  it('a connector whose request headers use a missing secret is the only one made unavailable', () => {
    const raw = buildTestConfig({
      connector: { request: { path: '/a', headers: { 'X-Extra': '{{secrets.EXTRA}}' } } },
    });
    (raw.connectors as unknown[]).push({
      id: 'other_connector',
      name: 'Other',
      connection: 'api',
      request: { path: '/b' },
    });
    const result = compileTestConfig(raw);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.warnings).toEqual([
      expect.objectContaining({
        path: ['connectors', 0, 'request', 'headers', 'X-Extra'],
        severity: 'warning',
        message: expect.stringContaining('secret EXTRA is not set'),
      }),
    ]);
    expect(result.value.compiled.connectors.get('test_connector')?.unavailable?.code).toBe(
      'CONFIG_SECRET_MISSING',
    );
    expect(result.value.compiled.connectors.get('other_connector')?.unavailable).toBeUndefined();
    expect(result.value.compiled.connectors.get('other_connector')?.connection.secretNames).toEqual(
      ['API_TOKEN'],
    );
  });

  it('lists request-header secrets with the connector, so the run resolves them', () => {
    const connector = compileTestConnector({
      connector: { request: { path: '/a', headers: { 'X-Tenant': '{{secrets.TENANT_KEY}}' } } },
    });
    expect(connector.connection.secretNames).toEqual(['API_TOKEN', 'TENANT_KEY']);
    expect(connector.unavailable).toBeUndefined();
  });
});

describe('compileConfig: structure', () => {
  it('refuses an unknown connection and lists the known ones', () => {
    const result = compileParts(connectorWith({ connection: 'shopfy' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toEqual([
      expect.objectContaining({
        path: ['connectors', 0, 'connection'],
        message: 'unknown connection "shopfy"',
        hint: expect.stringContaining('api'),
      }),
    ]);
  });

  it('refuses a duplicate connector id at the second one', () => {
    const raw = buildTestConfig();
    const connectors = raw.connectors as Record<string, unknown>[];
    connectors.push({ ...connectors[0], name: 'Copy' });
    expect(errorsOf(compileTestConfig(raw))).toEqual([
      {
        path: ['connectors', 1, 'id'],
        message: 'duplicate connector id "test_connector" (also used by connectors[0])',
      },
    ]);
  });

  it('refuses duplicate input and output names', () => {
    const errors = errorsOf(
      connectorWith({
        inputs: [
          { name: 'email', source: 'ticket.requester.email' },
          { name: 'email', source: 'agent.email' },
        ],
        response: {
          outputs: [
            { name: 'status', path: 'a' },
            { name: 'status', path: 'b' },
          ],
        },
      }),
    );
    expect(errors).toEqual([
      { path: ['connectors', 0, 'inputs', 1, 'name'], message: 'duplicate input "email"' },
      {
        path: ['connectors', 0, 'response', 'outputs', 1, 'name'],
        message: 'duplicate output "status"',
      },
    ]);
  });

  it.each([
    ['response', 'outputs', 0, 'path'],
    ['response', 'root'],
    ['response', 'emptyWhen'],
    ['response', 'failWhen'],
  ])('refuses invalid JMESPath at %s.%s', (...path) => {
    const bad = 'orders[0.name';
    const response =
      path[1] === 'outputs'
        ? { outputs: [{ name: 'x', path: bad }] }
        : { [path[1] as string]: bad };
    const errors = errorsOf(connectorWith({ response }));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toEqual(['connectors', 0, ...path]);
    expect(errors[0]?.message).toMatch(/^invalid JMESPath expression "orders\[0\.name"/);
    // Where it goes wrong: the "." where "]" belongs.
    expect(errors[0]?.message).toContain('\norders[0.name\n        ^ at character 9');
  });

  it('refuses failureMessage and failureKind without failWhen, naming each', () => {
    const errors = errorsOf(
      connectorWith({
        response: {
          failureMessage: 'error',
          failureKind: { path: 'error', kinds: { invalid_auth: 'notAuthorized' } },
        },
      }),
    );
    expect(errors.map((error) => [error.path, error.message])).toEqual([
      [
        ['connectors', 0, 'response', 'failureMessage'],
        'response.failureMessage is only read when response.failWhen says the answer is a failure',
      ],
      [
        ['connectors', 0, 'response', 'failureKind'],
        'response.failureKind is only read when response.failWhen says the answer is a failure',
      ],
    ]);
  });

  it('refuses invalid JMESPath in failureMessage and failureKind.path', () => {
    const errors = errorsOf(
      connectorWith({
        response: {
          failWhen: 'ok == `false`',
          failureMessage: 'errors[0.message',
          failureKind: { path: 'errors[0.code', kinds: {} },
        },
      }),
    );
    expect(errors.map((error) => error.path)).toEqual([
      ['connectors', 0, 'response', 'failureMessage'],
      ['connectors', 0, 'response', 'failureKind', 'path'],
    ]);
  });

  it('refuses a failureKind that is not a kind an answer can report', () => {
    const parsed = BUILT_IN_CONFIG_FORMAT.schemas.connectorSchema.safeParse({
      id: 'slack',
      name: 'Slack',
      connection: 'api',
      request: { method: 'POST' },
      response: {
        failWhen: 'ok == `false`',
        failureKind: { path: 'error', kinds: { invalid_auth: 'notSaved' } },
      },
    });
    expect(parsed.error?.issues.map((issue) => issue.path)).toEqual([
      ['response', 'failureKind', 'kinds', 'invalid_auth'],
    ]);
  });

  it('refuses a base URL whose host is not in allowedHosts', () => {
    expect(errorsOf({ connection: { allowedHosts: ['other.example.com'] } })).toEqual([
      {
        path: ['connections', 'api', 'allowedHosts'],
        message:
          'the base URL (https://api.example.com) is not allowed by allowedHosts: they compare scheme, host and port',
      },
    ]);
  });

  it('matches wildcard allowedHosts on subdomains only', () => {
    expect(compileParts({ connection: { allowedHosts: ['*.example.com'] } }).ok).toBe(true);
    expect(
      errorsOf({
        connection: { baseUrl: 'https://example.com', allowedHosts: ['*.example.com'] },
      }).map((e) => e.path),
    ).toEqual([['connections', 'api', 'allowedHosts']]);
    expect(
      errorsOf({
        connection: { baseUrl: 'https://badexample.com', allowedHosts: ['*.example.com'] },
      }).map((e) => e.path),
    ).toEqual([['connections', 'api', 'allowedHosts']]);
  });

  it('refuses a base URL with a query, a fragment or credentials', () => {
    expect(errorsOf({ connection: { baseUrl: 'https://api.example.com/v1?key=1' } })).toEqual([
      {
        path: ['connections', 'api', 'baseUrl'],
        message: 'the base URL must not have a query string or fragment',
      },
    ]);
    expect(errorsOf({ connection: { baseUrl: 'https://me:pw@api.example.com/v1' } })).toEqual([
      {
        path: ['connections', 'api', 'baseUrl'],
        message: 'the base URL must not carry credentials',
      },
    ]);
  });

  it.each([
    ['status', 'Opened'],
    ['priority', 'critical'],
    ['type', 'bug'],
  ])('refuses the write-back %s "%s", which Zendesk does not have', (key, value) => {
    expect(errorsOf(connectorWith({ writeBack: { success: { [key]: value } } }))).toEqual([
      {
        path: ['connectors', 0, 'writeBack', 'success', key],
        message: `"${value}" is not a Zendesk ticket ${key}`,
      },
    ]);
  });

  it('accepts valid write-back literals, and templates that are checked when the run happens', () => {
    const result = compileParts({
      connector: {
        inputs: [{ name: 'next', source: 'ticket.status' }],
        writeBack: {
          success: { status: 'pending', priority: 'urgent', type: 'incident' },
          failure: { status: '{{inputs.next}}' },
        },
      },
    });
    expect(result.ok).toBe(true);
  });

  it('refuses a custom field id too large to send as a JSON number', () => {
    expect(
      errorsOf(
        connectorWith({ writeBack: { success: { customFields: { '90071992547409930': 'x' } } } }),
      ),
    ).toEqual([
      {
        path: ['connectors', 0, 'writeBack', 'success', 'customFields', '90071992547409930'],
        message: 'ticket field id 90071992547409930 is too large',
      },
    ]);
  });

  it.each(['GET', 'HEAD'])('refuses a %s request with a body', (method) => {
    expect(errorsOf(get({ method, path: '/t', body: { type: 'json', value: { a: 1 } } }))).toEqual([
      {
        path: ['connectors', 0, 'request', 'body'],
        message: `a ${method} request cannot have a body`,
      },
    ]);
  });

  it('refuses a path without a leading slash, or with a literal "?" or "#"', () => {
    expect(errorsOf(get({ path: 'orders' }))).toEqual([
      {
        path: ['connectors', 0, 'request', 'path'],
        message: 'the request path must start with "/"',
      },
    ]);
    expect(errorsOf(get({ path: '/orders?id=1' })).map((e) => e.message)).toEqual([
      'the request path must not contain "?" or "#"',
    ]);
    expect(errorsOf(get({ path: '/orders#top' })).map((e) => e.message)).toEqual([
      'the request path must not contain "?" or "#"',
    ]);
  });

  it('refuses invalid header names in the request and in the connection', () => {
    expect(errorsOf(get({ path: '/t', headers: { 'X Bad': 'v' } }))).toEqual([
      {
        path: ['connectors', 0, 'request', 'headers', 'X Bad'],
        message: '"X Bad" is not a valid header name',
      },
    ]);
    expect(errorsOf({ connection: { headers: { 'X:Bad': 'v' } } })).toEqual([
      {
        path: ['connections', 'api', 'headers', 'X:Bad'],
        message: '"X:Bad" is not a valid header name',
      },
    ]);
  });

  it('refuses inputs without a source, with an unknown source, or with an invalid pattern', () => {
    const errors = errorsOf(
      connectorWith({
        inputs: [
          { name: 'a' },
          { name: 'b', source: 'ticket.secret_notes' },
          { name: 'c', source: 'ticket.subject', pattern: '([a-z' },
        ],
      }),
    );
    expect(errors.map((error) => error.path)).toEqual([
      ['connectors', 0, 'inputs', 0],
      ['connectors', 0, 'inputs', 1, 'source'],
      ['connectors', 0, 'inputs', 2, 'pattern'],
    ]);
  });

  it('names the entry of a source list that is unknown, by its index', () => {
    expect(
      errorsOf(
        connectorWith({
          inputs: [{ name: 'order', source: ['ticket.custom_fields.1', 'record.Order No'] }],
        }),
      ),
    ).toEqual([
      {
        path: ['connectors', 0, 'inputs', 0, 'source', 1],
        message: 'unknown input source "record.Order No"',
      },
    ]);
  });

  it('refuses a source listed twice (record fields ignore case)', () => {
    expect(
      errorsOf(
        connectorWith({
          inputs: [
            { name: 'a', source: ['ticket.subject', 'record.Subject', 'ticket.subject'] },
            { name: 'b', source: ['record.Order_Number__c', 'record.order_number__c'] },
          ],
        }),
      ),
    ).toEqual([
      {
        path: ['connectors', 0, 'inputs', 0, 'source', 2],
        message: '"ticket.subject" is already listed at source[0]',
      },
      {
        path: ['connectors', 0, 'inputs', 1, 'source', 1],
        message: '"record.order_number__c" is already listed at source[0]',
      },
    ]);
  });

  it('takes a source list of one to four entries', () => {
    const parses = (source: unknown) =>
      connectorConfigSchema.safeParse(
        buildTestConfig(connectorWith({ inputs: [{ name: 'v', source }] })),
      ).success;
    expect(parses(['ticket.subject'])).toBe(true);
    expect(parses(['agent.id', 'agent.email', 'agent.name', 'ticket.subject'])).toBe(true);
    expect(parses([])).toBe(false);
    expect(parses(['agent.id', 'agent.email', 'agent.name', 'ticket.subject', 'ticket.id'])).toBe(
      false,
    );
  });

  it('gives every input its sources as a list, in order', () => {
    const connector = compileTestConnector(
      connectorWith({
        inputs: [
          { name: 'one', source: 'ticket.subject' },
          { name: 'both', source: ['ticket.custom_fields.1', 'record.Order_Number__c'] },
          { name: 'typed', prompt: true },
        ],
      }),
    );
    expect(connector.inputs.map((input) => input.sources)).toEqual([
      ['ticket.subject'],
      ['ticket.custom_fields.1', 'record.Order_Number__c'],
      [],
    ]);
  });

  it('asks for confirmation by default for methods that change data', () => {
    expect(compileTestConnector(get({ path: '/t' })).confirm).toBe(false);
    const post = compileTestConnector(connectorWith({ request: { method: 'POST', path: '/t' } }));
    expect(post.confirm).toBe(true);
    expect(post.idempotent).toBe(false);
    expect(
      compileTestConnector(
        connectorWith({ confirm: false, request: { method: 'DELETE', path: '/t' } }),
      ),
    ).toMatchObject({ confirm: false, idempotent: true });
  });

  it('freezes the compiled config', () => {
    const connector = compileTestConnector();
    expect(Object.isFrozen(connector)).toBe(true);
    expect(Object.isFrozen(connector.request.path.parts)).toBe(true);
  });
});

describe('the example config', () => {
  const example = readJson('config/connectors.json');

  it('compiles with no errors or warnings given the sandbox secrets', () => {
    const secrets = readJson('config/sandbox.secrets.json') as Record<string, string>;
    const result = compileTestConfig(example, secrets);
    expect(result.ok ? result.value.warnings : result.error.issues).toEqual([]);
    const ids = (example as { connectors: { id: string }[] }).connectors.map(
      (connector) => connector.id,
    );
    expect(ids).toContain('shopify_order_lookup');
    expect(result.ok && [...result.value.compiled.connectors.keys()]).toEqual(ids);
    if (result.ok) {
      for (const connector of result.value.compiled.connectors.values())
        expect(connector.unavailable).toBeUndefined();
    }
  });

  it('still compiles without secrets, with every connector marked unavailable', () => {
    const result = compileTestConfig(example, {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.warnings.map((warning) => warning.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('secret SHOPIFY_TOKEN is not set'),
        expect.stringContaining('secret JIRA_API_TOKEN is not set'),
      ]),
    );
    for (const warning of result.value.warnings) expect(warning.severity).toBe('warning');
    expect(result.value.compiled.connectors.size).toBeGreaterThan(0);
    for (const connector of result.value.compiled.connectors.values()) {
      expect(connector.unavailable?.code).toBe('CONFIG_SECRET_MISSING');
    }
  });
});
