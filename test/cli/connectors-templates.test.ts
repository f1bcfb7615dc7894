import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConnectorsCli, runConnectorsCliWith } from './cli-support';

/** `connectors templates` and `connectors add`: a connector from a template, as a checked draft. */

function freshConfig() {
  const dataDir = mkdtempSync(join(tmpdir(), 'dc-add-'));
  const configPath = join(dataDir, 'connectors.json');
  copyFileSync('config/connectors.json', configPath);
  return { dataDir, configPath };
}

describe('connectors templates', () => {
  it('lists the library, and shows one template with its blanks, secrets and sources', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-templates-'));
    const list = runConnectorsCli(dataDir, 'templates');
    expect(list.err).toBe('');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^\d+ templates/);
    expect(list.out).toMatch(/ {2}rest_lookup +Generic REST lookup\n/);
    const one = runConnectorsCli(dataDir, 'templates', 'rest_lookup');
    expect(one.code).toBe(0);
    expect(one.out).toContain('base_url: API base URL (required, e.g. https://api.example.com/v1)');
    expect(one.out).toContain('plan_field: Ticket field for the plan (optional)');
    expect(one.out).toContain('API_TOKEN: API token.');
    expect(one.out).toContain('rateLimits: RFC 6585');
    const unknown = runConnectorsCli(dataDir, 'templates', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/There is no template "nope"; the templates are .*rest_lookup/);
  });
});

describe('connectors add', () => {
  it('writes the connector as a draft with its connection, checked, and records a config version', () => {
    const files = freshConfig();
    const before = readFileSync(files.configPath, 'utf8');
    const added = runConnectorsCliWith(
      files,
      'add',
      'rest_lookup',
      '--set',
      'base_url=https://api.acme.test/v1',
      '--set',
      'plan_field=360001000002',
      '--secret',
      'API_TOKEN=ACME_API_TOKEN',
    );
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    expect(added.out).toContain(
      `Added "customer_lookup" as a draft to ${files.configPath} (config version v1), with the connection "rest_api".`,
    );
    expect(added.out).toContain('  ACME_API_TOKEN: API token.');
    expect(added.out).toMatch(/Checked: it loads, with what to fill in:\n.*ACME_API_TOKEN/);
    const config = JSON.parse(readFileSync(files.configPath, 'utf8')) as {
      connections: Record<string, { baseUrl: string; auth: { token: string } }>;
      connectors: { id: string; draft?: boolean; connection: string; writeBack: unknown }[];
    };
    expect(config.connections.rest_api).toMatchObject({
      baseUrl: 'https://api.acme.test/v1',
      auth: { token: '{{secrets.ACME_API_TOKEN}}' },
    });
    const connector = config.connectors.find((c) => c.id === 'customer_lookup');
    expect(connector).toMatchObject({ draft: true, connection: 'rest_api' });
    // The status field was left out, so its write is gone; the plan's is there.
    expect(connector?.writeBack).toEqual({
      success: { zendesk: { customFields: { '360001000002': '{{outputs.plan}}' } } },
    });
    // The rest of the file is as it was: the new parts were added, nothing rewritten.
    const text = readFileSync(files.configPath, 'utf8');
    expect(text.startsWith(before.slice(0, before.indexOf('"zendesk_api"')))).toBe(true);
    const check = runConnectorsCliWith(files, 'check');
    expect(check.code).toBe(0);
    const history = runConnectorsCliWith(files, 'history');
    expect(history.out).toMatch(/^v1 .* CLI \(add rest_lookup\)$/m);
  });

  it('refuses a taken connector id, a different connection under a taken id, and bad values, writing nothing', () => {
    const files = freshConfig();
    const base = ['add', 'rest_lookup', '--set', 'base_url=https://api.acme.test/v1'];
    expect(runConnectorsCliWith(files, ...base).code).toBe(0);
    const after = readFileSync(files.configPath, 'utf8');

    const again = runConnectorsCliWith(files, ...base);
    expect(again.code).toBe(1);
    expect(again.err).toContain('A connector "customer_lookup" already exists.');
    expect(again.err).toContain('hint: give another id with --id');

    const otherApi = runConnectorsCliWith(
      files,
      'add',
      'rest_lookup',
      '--set',
      'base_url=https://other.acme.test',
      '--id',
      'other_lookup',
    );
    expect(otherApi.code).toBe(1);
    expect(otherApi.err).toContain('A different connection "rest_api" already exists');
    expect(otherApi.err).toContain('--connection-id');

    const badField = runConnectorsCliWith(
      files,
      ...base,
      '--id',
      'third',
      '--set',
      'plan_field={{secrets.ACME_API_TOKEN}}',
    );
    expect(badField.code).toBe(1);
    expect(badField.err).toContain('may not contain "{{" or "}}"');

    const unknownBlank = runConnectorsCliWith(files, ...base, '--id', 'fourth', '--set', 'nope=1');
    expect(unknownBlank.code).toBe(1);
    expect(unknownBlank.err).toContain('the template has no blank "nope"');
    expect(readFileSync(files.configPath, 'utf8')).toBe(after);

    // The same connection again is fine: a second connector shares it.
    const second = runConnectorsCliWith(files, ...base, '--id', 'second_lookup');
    expect(second.code).toBe(0);
  });

  it('without a terminal, names the --set flags for what it would have asked', () => {
    const files = freshConfig();
    const result = runConnectorsCliWith(files, 'add', 'rest_lookup');
    expect(result.code).toBe(2);
    expect(result.err).toContain('--set base_url=https://api.example.com/v1   (API base URL)');
  });
});
