import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorConfig } from '../../../shared/src/config/connector-config-schema';
import type { ConfigIssue } from '../compile/compiled-model';
import { loadConfigSource } from './load-config';
import type { CompileConfigFn, LoadConfigResult } from './load-config';
import type { LocatedIssue } from './located-issue';
import { compileStub, CONFIG_SCHEMA as schema } from '../test-support/config-load-stubs';
import type { StubCompiled } from '../test-support/config-load-stubs';

function compileReporting(
  issue: Omit<ConfigIssue, 'severity'>,
  severity: ConfigIssue['severity'],
): CompileConfigFn<StubCompiled> {
  return (config) =>
    severity === 'error'
      ? { ok: false, error: { issues: [{ ...issue, severity }] } }
      : {
          ok: true,
          value: {
            compiled: { connectorIds: config.connectors.map((connector) => connector.id) },
            warnings: [{ ...issue, severity }],
          },
        };
}

function connector(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `Connector ${id}`,
    connection: 'shop',
    request: { method: 'GET', path: '/orders/{{inputs.order_id}}' },
    ...extra,
  };
}

const shop = { baseUrl: 'https://shop.example.com/api' };

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'load-config-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeJson(name: string, value: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(value, null, 2));
  return file;
}

async function loadFailing(path: string): Promise<LocatedIssue[]> {
  const result = await loadConfigSource(path, { schema, compile: compileStub });
  if (result.ok) throw new Error('expected the config to fail to load');
  return result.error.issues;
}

function expectLoaded(
  result: LoadConfigResult<StubCompiled>,
): asserts result is Extract<LoadConfigResult<StubCompiled>, { ok: true }> {
  if (!result.ok) {
    throw new Error(`expected a loaded config, got ${JSON.stringify(result.error.issues)}`);
  }
}

describe('loadConfigSource: one file', () => {
  it('validates, applies defaults and hands the parsed config to the compiler', async () => {
    const file = await writeJson('connectors.json', {
      $schema: '../shared/schema/connectors.schema.json',
      connections: { shop },
      connectors: [connector('order_lookup')],
    });
    let seen: ConnectorConfig | undefined;
    const result = await loadConfigSource(file, {
      schema,
      compile: (config) => {
        seen = config;
        return compileStub(config);
      },
    });
    expectLoaded(result);
    expect(result.value.compiled.connectorIds).toEqual(['order_lookup']);
    expect(result.value.files).toEqual([file]);
    expect(seen?.connections.shop?.timeoutMs).toBe(10_000);
    expect(seen?.connectors[0]?.surfaces).toEqual(['zendesk']);
  });

  it('reports a JSON syntax error with the file, line, column and a fix', async () => {
    const file = join(dir, 'connectors.json');
    await writeFile(file, '{\n  "connectors": [],\n  "connections": {},\n}\n');
    const [issue, ...rest] = await loadFailing(file);
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ file, path: '$', line: 3, column: 20, severity: 'error' });
    expect(issue?.message).toBe('Invalid JSON at line 3, column 20: Trailing comma');
    expect(issue?.hint).toBe(
      'remove the comma at line 3, column 20: JSON allows no comma before }',
    );
  });

  it('names an unknown key and suggests the closest allowed one', async () => {
    const file = await writeJson('connectors.json', {
      connections: { shop },
      connectors: [connector('order_lookup', { request: { method: 'GET', pth: '/x' } })],
    });
    const [issue] = await loadFailing(file);
    expect(issue).toMatchObject({
      file,
      path: '$.connectors[0].request.pth',
      message: 'Unknown key "pth"',
      hint: 'did you mean "path"? allowed keys: method, path, query, headers, body',
    });
  });

  it('suggests keys from the auth variant the admin chose', async () => {
    const file = await writeJson('connectors.json', {
      connections: { shop: { ...shop, auth: { type: 'bearer', tokne: '{{secrets.SHOP}}' } } },
    });
    const issues = await loadFailing(file);
    expect(issues.map((issue) => [issue.path, issue.hint])).toContainEqual([
      '$.connections.shop.auth.tokne',
      'did you mean "token"? allowed keys: type, token',
    ]);
  });

  it('lists the allowed values for an invalid enum, with a suggestion for a near miss', async () => {
    const file = await writeJson('connectors.json', {
      connections: { shop },
      connectors: [connector('order_lookup', { request: { method: 'get' } })],
    });
    const [issue] = await loadFailing(file);
    expect(issue?.path).toBe('$.connectors[0].request.method');
    expect(issue?.message).toContain('expected one of "GET"|"HEAD"');
    expect(issue?.hint).toBe('did you mean "GET"? use one of GET, HEAD, POST, PUT, PATCH, DELETE');
  });

  it('suggests the right auth type when the discriminator is misspelled', async () => {
    const file = await writeJson('connectors.json', {
      connections: { shop: { ...shop, auth: { type: 'bearr', token: 'x' } } },
    });
    const [issue] = await loadFailing(file);
    expect(issue?.path).toBe('$.connections.shop.auth.type');
    // The list grows with each auth kind: pin its start and that the new kinds are offered.
    expect(issue?.hint).toMatch(
      /^did you mean "bearer"\? use one of none, bearer, basic, apiKeyHeader, oauth2ClientCredentials\b/,
    );
    expect(issue?.hint).toContain('oauth2AuthorizationCode');
    expect(issue?.hint).toContain('jwtBearer');
  });

  it('explains a wrong type, including a number written as a string', async () => {
    const file = await writeJson('connectors.json', {
      connections: { shop: { ...shop, timeoutMs: '5000', allowPrivateNetwork: 'yes' } },
    });
    const issues = await loadFailing(file);
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: '$.connections.shop.timeoutMs',
        message: 'Expected a number, got the string "5000"',
        hint: 'remove the quotes: write 5000, not "5000"',
      }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: '$.connections.shop.allowPrivateNetwork',
        hint: 'use a boolean, e.g. true or false',
      }),
    );
  });

  it('says which required field is missing and how to add it', async () => {
    const { name: _name, ...withoutName } = connector('order_lookup');
    const file = await writeJson('connectors.json', {
      connections: { shop },
      connectors: [withoutName],
    });
    const [issue] = await loadFailing(file);
    expect(issue).toMatchObject({
      path: '$.connectors[0].name',
      message: 'Missing required field "name"',
      hint: 'add "name": "…"',
    });
  });

  it('uses the schema description of a missing field in the hint', async () => {
    const file = await writeJson('connectors.json', {
      connections: { shop },
      connectors: [connector('order_lookup', { response: { outputs: [{ name: 'status' }] } })],
    });
    const [issue] = await loadFailing(file);
    expect(issue?.path).toBe('$.connectors[0].response.outputs[0].path');
    expect(issue?.hint).toBe(
      'add "path": "…" (JMESPath expression, evaluated on the response root.)',
    );
  });

  it('explains an invalid record key with the rule it breaks', async () => {
    const file = await writeJson('connectors.json', { connections: { Shop: shop } });
    const [issue] = await loadFailing(file);
    expect(issue).toMatchObject({
      path: '$.connections.Shop',
      message: 'Invalid key "Shop"',
      hint: 'use 2-64 characters: lowercase letters, digits, "_" or "-", starting with a letter',
    });
  });

  it('reports a missing file with its absolute path', async () => {
    const issues = await loadFailing(join(dir, 'nope.json'));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe(`Config not found: ${resolve(dir, 'nope.json')}`);
  });

  it('reports an empty file', async () => {
    const file = join(dir, 'connectors.json');
    await writeFile(file, '  \n');
    const [issue] = await loadFailing(file);
    expect(issue).toMatchObject({ file, path: '$', message: 'The file is empty' });
  });

  it('rejects a file whose top level is not an object, suggesting where a list belongs', async () => {
    const file = await writeJson('connectors.json', [connector('order_lookup')]);
    const [issue] = await loadFailing(file);
    expect(issue?.message).toBe('The file must hold a JSON object, got an array');
    expect(issue?.hint).toBe('put the list under "connectors": { "connectors": [ … ] }');
  });

  it('accepts a file saved with a UTF-8 byte order mark', async () => {
    const file = join(dir, 'connectors.json');
    const text = JSON.stringify({ connections: { shop }, connectors: [connector('order_lookup')] });
    await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const result = await loadConfigSource(file, { schema, compile: compileStub });
    expectLoaded(result);
    expect(result.value.compiled.connectorIds).toEqual(['order_lookup']);
  });

  it('rejects bytes that are not UTF-8, pointing at the first bad one', async () => {
    const file = join(dir, 'connectors.json');
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from('{\n  "connections": {},\n  "x": "caf'),
        Buffer.from([0xe9, 0x22, 0x7d]),
      ]),
    );
    const [issue] = await loadFailing(file);
    expect(issue).toMatchObject({ line: 3, column: 12, hint: 'save the file as UTF-8' });
  });

  it('rejects a UTF-16 file', async () => {
    const file = join(dir, 'connectors.json');
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]));
    const [issue] = await loadFailing(file);
    expect(issue?.message).toBe('The file is encoded as UTF-16');
  });
});

describe('loadConfigSource: a folder of files', () => {
  it('merges the *.json files in name order, ignoring other files and subfolders', async () => {
    await writeJson('b-jira.json', { connectors: [connector('jira_issue')] });
    await writeJson('a-shop.json', {
      connections: { shop },
      connectors: [connector('order_lookup')],
    });
    await writeFile(join(dir, 'notes.txt'), 'not config');
    await writeFile(join(dir, '.#a-shop.json'), 'editor lock file');
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'nested', 'c.json'), '{ broken');

    const result = await loadConfigSource(dir, { schema, compile: compileStub });
    expectLoaded(result);
    expect(result.value.compiled.connectorIds).toEqual(['order_lookup', 'jira_issue']);
    expect(result.value.files).toEqual([join(dir, 'a-shop.json'), join(dir, 'b-jira.json')]);
  });

  it('rejects a connection defined in two files, naming both', async () => {
    const first = await writeJson('a.json', { connections: { shop } });
    const second = await writeJson('b.json', { connections: { shop } });
    const issues = await loadFailing(dir);
    expect(issues).toEqual([
      {
        file: second,
        path: '$.connections.shop',
        message: `Connection "shop" is defined in both ${first} and ${second}`,
        hint: 'keep one definition of "shop" (connectors in any file can use it), or rename one of them',
        severity: 'error',
      },
    ]);
  });

  it('reports problems from every broken file, not only the first', async () => {
    const first = join(dir, 'a.json');
    await writeFile(first, '{ "connectors": [ }');
    const second = await writeJson('b.json', { connectors: [{ id: 'x1' }] });
    const issues = await loadFailing(dir);
    expect(new Set(issues.map((issue) => issue.file))).toEqual(new Set([first, second]));
  });

  it('maps a compile issue at a merged path back to the file and index the admin edits', async () => {
    await writeJson('a-shop.json', {
      connections: { shop },
      connectors: [connector('one'), connector('two')],
    });
    const jira = await writeJson('b-jira.json', { connectors: [connector('three')] });
    const result = await loadConfigSource(dir, {
      schema,
      compile: compileReporting(
        {
          path: ['connectors', 2, 'request', 'path'],
          message: 'Unknown input "order_id"',
          hint: 'declare it under "inputs"',
        },
        'error',
      ),
    });
    expect(result).toEqual({
      ok: false,
      error: {
        issues: [
          {
            file: jira,
            path: '$.connectors[0].request.path',
            message: 'Unknown input "order_id"',
            hint: 'declare it under "inputs"',
            severity: 'error',
            // Named by its id, at the key in b-jira.json (written with two-space indents).
            subject: 'connector "three"',
            line: 9,
            column: 9,
          },
        ],
      },
    });
  });

  it('maps compile warnings about a connection to the file that defines it', async () => {
    await writeJson('a-jira.json', { connectors: [connector('three')] });
    const shopFile = await writeJson('b-shop.json', { connections: { shop } });
    const result = await loadConfigSource(dir, {
      schema,
      compile: compileReporting(
        { path: ['connections', 'shop', 'baseUrl'], message: 'Plain http', hint: 'use https' },
        'warning',
      ),
    });
    expectLoaded(result);
    expect(result.value.warnings).toEqual([
      {
        file: shopFile,
        path: '$.connections.shop.baseUrl',
        message: 'Plain http',
        hint: 'use https',
        severity: 'warning',
        line: 4,
        column: 7,
      },
    ]);
  });

  it('reports a folder without any *.json file', async () => {
    await writeFile(join(dir, 'README.md'), '# config');
    const [issue] = await loadFailing(dir);
    expect(issue?.message).toBe(`No *.json files in the config folder ${resolve(dir)}`);
  });
});
