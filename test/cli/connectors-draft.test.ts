import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConnectorsCli } from './cli-support';

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
});
