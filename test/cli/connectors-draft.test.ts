import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConnectorsCli, runConnectorsCliWith } from './cli-support';

/** `npm run connectors -- draft`: a draft from a curl command or a sample answer; writes nothing. */

const CURL = `curl 'https://api.stripe.com/v1/customers/cus_123' \\
  -H 'Authorization: Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc'`;

describe('connectors draft', () => {
  it('drafts a connector and its connection from curl, the token as a secret reference, checked against the config', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-draft-'));
    const before = readFileSync('config/connectors.json', 'utf8');
    const result = runConnectorsCli(dataDir, 'draft', '--curl', CURL, '--id', 'stripe_customer');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('"token": "{{secrets.STRIPE_TOKEN}}"');
    expect(result.out).toContain('"id": "stripe_customer"');
    expect(result.out).not.toContain('sk_test_4eC39HqLyjWDarjtT1zdp7dc');
    expect(result.out).toContain(
      'Secrets to set (in the secrets file or as SECRET_<NAME>): STRIPE_TOKEN',
    );
    expect(result.out).toContain('The path holds "cus_123"');
    expect(result.out).toMatch(
      /Checked with config\/connectors\.json: it loads, with what to fill in:\n.*secret STRIPE_TOKEN is not set/,
    );
    // Nothing was written.
    expect(readFileSync('config/connectors.json', 'utf8')).toBe(before);
  });

  it('suggests outputs from a sample answer', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-draft-'));
    const sample = join(dataDir, 'sample.json');
    writeFileSync(
      sample,
      JSON.stringify({ issue: { key: 'SUP-1', fields: { status: { name: 'Open' } } } }),
    );
    const result = runConnectorsCli(dataDir, 'draft', '--response', sample);
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      '{"name":"issue_fields_status_name","label":"Issue fields status name","path":"issue.fields.status.name","type":"string"}   e.g. "Open"',
    );
  });

  it('says why it cannot draft, with exit codes 1 and 2', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-draft-'));
    const notCurl = runConnectorsCli(dataDir, 'draft', '--curl', 'wget https://x.example.com');
    expect(notCurl.code).toBe(1);
    expect(notCurl.err).toContain('the command must start with curl');
    expect(runConnectorsCli(dataDir, 'draft').code).toBe(2);
    expect(runConnectorsCli(dataDir, 'draft', '--curl', CURL, '--id', 'Bad Id').code).toBe(2);
  });

  it('drafts from an OpenAPI operation, and refuses Swagger 2.0', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-draft-'));
    const doc = join(dataDir, 'api.yaml');
    writeFileSync(
      doc,
      [
        'openapi: 3.1.0',
        'info: { title: T, version: "1" }',
        'servers: [{ url: "https://api.tracker.example.com" }]',
        'components: { securitySchemes: { key: { type: apiKey, in: header, name: X-Api-Key } } }',
        'security: [{ key: [] }]',
        'paths:',
        '  /issues/{key}:',
        '    get:',
        '      operationId: getIssue',
        '      parameters: [{ name: key, in: path, required: true, schema: { type: string } }]',
        '      responses: { "200": { content: { application/json: { schema: { type: object, properties: { title: { type: string } } } } } } }',
      ].join('\n'),
    );
    const result = runConnectorsCli(dataDir, 'draft', '--openapi', doc, '--operation', 'getIssue');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('"path": "/issues/{{inputs.key}}"');
    expect(result.out).toContain('"value": "{{secrets.TRACKER_API_KEY}}"');
    expect(result.out).toContain('"path": "title"');
    writeFileSync(doc, '{"swagger": "2.0"}');
    const swagger = runConnectorsCli(dataDir, 'draft', '--openapi', doc, '--operation', 'getIssue');
    expect(swagger.code).toBe(1);
    expect(swagger.err).toMatch(/Swagger 2\.0, not OpenAPI 3/);
  });

  it('with --write, adds the draft and its connection to the config, checked, and refuses a taken id', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-draft-'));
    const configPath = join(dataDir, 'connectors.json');
    copyFileSync('config/connectors.json', configPath);
    const files = { dataDir, configPath };
    const written = runConnectorsCliWith(
      files,
      'draft',
      '--curl',
      CURL,
      '--id',
      'stripe_customer',
      '--write',
    );
    expect(written.err).toBe('');
    expect(written.code).toBe(0);
    expect(written.out).toContain(
      `Wrote the draft "stripe_customer" and its connection "stripe" to ${configPath} (config version v1)`,
    );
    expect(written.out).toContain(
      'Secrets to set (in the secrets file or as SECRET_<NAME>): STRIPE_TOKEN',
    );
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
      connections: Record<string, { auth: unknown }>;
      connectors: { id: string; draft?: boolean }[];
    };
    expect(config.connections.stripe?.auth).toEqual({
      type: 'bearer',
      token: '{{secrets.STRIPE_TOKEN}}',
    });
    expect(config.connectors.find((c) => c.id === 'stripe_customer')?.draft).toBe(true);
    expect(readFileSync(configPath, 'utf8')).not.toContain('sk_test_4eC39HqLyjWDarjtT1zdp7dc');
    const again = runConnectorsCliWith(
      files,
      'draft',
      '--curl',
      CURL,
      '--id',
      'stripe_customer',
      '--write',
    );
    expect(again.code).toBe(1);
    expect(again.err).toContain('Nothing written: A connector "stripe_customer" already exists.');
  });
});
