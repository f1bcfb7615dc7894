import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCheckCommand } from './connectors-cli-check';
import type { CompileConfigFn } from './load-config';
import { BUILT_IN_CONFIG_FORMAT } from '../helpdesks/helpdesk-registry';

const schema = BUILT_IN_CONFIG_FORMAT.schemas.connectorConfigSchema;

const compileClean: CompileConfigFn<null> = () => ({
  ok: true,
  value: { compiled: null, warnings: [] },
});

const config = {
  connections: {
    shop: { baseUrl: 'https://shop.example.com' },
    crm: { baseUrl: 'https://crm.example.com' },
  },
  connectors: [
    { id: 'order_lookup', name: 'Order', connection: 'shop', request: {} },
    { id: 'refund', name: 'Refund', connection: 'shop', request: { method: 'POST' } },
    { id: 'account', name: 'Account', connection: 'crm', request: {} },
  ],
};

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'connectors-check-'));
  file = join(dir, 'connectors.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runCheckCommand', () => {
  it('reports the counts and the files a valid config came from', async () => {
    await writeFile(file, JSON.stringify(config));
    expect(await runCheckCommand(file, { schema, compile: compileClean })).toEqual({
      exitCode: 0,
      output: `OK: 3 connectors, 2 connections from ${file}`,
      compiled: null,
    });
  });

  it('lists warnings under a valid result', async () => {
    await writeFile(file, JSON.stringify(config));
    const result = await runCheckCommand(file, {
      schema,
      compile: () => ({
        ok: true,
        value: {
          compiled: null,
          warnings: [
            {
              path: ['connectors', 1],
              message: 'POST without confirm',
              hint: 'set "confirm": true',
              severity: 'warning',
            },
          ],
        },
      }),
    });
    expect(result.exitCode).toBe(0);
    expect(result.output.split('\n')).toEqual([
      `OK: 3 connectors, 2 connections from ${file}`,
      '1 warning:',
      // The file is one line: the column is where the second connector starts.
      `${file}:1:192 connector "refund", $.connectors[1]: warning: POST without confirm`,
      '  hint: set "confirm": true',
    ]);
  });

  it('prints every issue and exits 1 when the config would not load', async () => {
    await writeFile(
      file,
      JSON.stringify({
        ...config,
        connectors: [{ ...config.connectors[0], request: { method: 'FETCH' } }],
      }),
    );
    const result = await runCheckCommand(file, { schema, compile: compileClean });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      `${file}:1:189 connector "order_lookup", $.connectors[0].request.method: Invalid option: expected one of "GET"|"HEAD"|"POST"|"PUT"|"PATCH"|"DELETE"\n  hint: use one of GET, HEAD, POST, PUT, PATCH, DELETE`,
    );
    expect(result.output).toMatch(/1 error in .*; the config would not load\.$/);
  });
});
