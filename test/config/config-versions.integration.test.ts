import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { nodeArgsFor } from '../support/entry-bundle';

/**
 * Config versions: every config the server accepts is kept with its files; an edit shows as a
 * diff; a broken edit is not a version; a rollback writes the files back, is served, and is a
 * version itself. The admin API and the CLI do the same.
 */

let stack: TestStack;
let original = '';

beforeAll(async () => {
  stack = await startTestStack();
  original = readFileSync(stack.configPath, 'utf8');
});
afterAll(async () => {
  await stack.close();
});

const admin = () => ({ Authorization: stack.adminAuth.Authorization });

async function versions() {
  const res = await request(stack.server.app).get('/api/admin/config/versions').set(admin());
  expect(res.status).toBe(200);
  return res.body.versions as { id: number; author: string; connectors: number }[];
}

function connectorName(id: string): string | undefined {
  return stack.server.configStore.current()?.connectors.get(id)?.def.name;
}

function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: stack.dataDir,
    CONNECTORS_CONFIG: stack.configPath,
    LOG_LEVEL: 'silent',
  };
  for (const name of Object.keys(env)) {
    if (/^(ZENDESK|SALESFORCE)/.test(name)) delete env[name];
  }
  const result = spawnSync(
    process.execPath,
    [...nodeArgsFor('server/src/cli/connectors-cli.ts'), ...args],
    { env, encoding: 'utf8', timeout: 60_000 },
  );
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('config versions', () => {
  it('keeps the config loaded at start as version 1, by "file"', async () => {
    const list = await versions();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: 1, author: 'file', connectors: 5 });
  });

  it('keeps an accepted edit with its diff, and not a rejected one', async () => {
    writeFileSync(
      stack.configPath,
      original.replace('"name": "Look up Shopify order"', '"name": "Find the order"'),
    );
    await request(stack.server.app).post('/api/admin/config/reload').set(admin());
    expect(connectorName('shopify_order_lookup')).toBe('Find the order');
    expect((await versions()).map((v) => v.id)).toEqual([2, 1]);
    const two = await request(stack.server.app).get('/api/admin/config/versions/2').set(admin());
    expect(two.body.diff).toContain('-      "name": "Look up Shopify order",');
    expect(two.body.diff).toContain('+      "name": "Find the order",');

    // Reloading the same files is not a new version; a broken file is not one either.
    await request(stack.server.app).post('/api/admin/config/reload').set(admin());
    writeFileSync(stack.configPath, '{ "connectors": [ ');
    const broken = await request(stack.server.app).post('/api/admin/config/reload').set(admin());
    expect(broken.status).toBe(422);
    expect((await versions()).map((v) => v.id)).toEqual([2, 1]);
    expect(connectorName('shopify_order_lookup')).toBe('Find the order');
  });

  it('rolls back to a version through the admin API: the file, the served config, a new version', async () => {
    const rolled = await request(stack.server.app)
      .post('/api/admin/config/versions/1/rollback')
      .set(admin());
    expect(rolled.status).toBe(200);
    expect(rolled.body.version).toMatchObject({ id: 3, author: 'admin API: rollback to v1' });
    expect(readFileSync(stack.configPath, 'utf8')).toBe(original);
    expect(connectorName('shopify_order_lookup')).toBe('Look up Shopify order');
    const missing = await request(stack.server.app)
      .post('/api/admin/config/versions/99/rollback')
      .set(admin());
    expect(missing.status).toBe(404);
  });

  it('lists and rolls back from the CLI too', async () => {
    const history = cli('history');
    expect(history.code).toBe(0);
    expect(history.out).toMatch(/^v3 .* admin API: rollback to v1$/m);
    expect(history.out).toMatch(/^v1 .* file$/m);
    const diff = cli('history', '2');
    expect(diff.out).toContain('+      "name": "Find the order",');

    const rolled = cli('rollback', '2');
    expect(rolled.code).toBe(0);
    expect(rolled.out).toContain('it is v4');
    expect(readFileSync(stack.configPath, 'utf8')).toContain('"name": "Find the order"');
    await request(stack.server.app).post('/api/admin/config/reload').set(admin());
    expect(connectorName('shopify_order_lookup')).toBe('Find the order');
    // The server's reload of the same files is not a fifth version.
    expect((await versions())[0]).toMatchObject({ id: 4, author: 'CLI: rollback to v2' });
    expect(cli('rollback', 'two').code).toBe(2);
  });

  it('answers only the admin token', async () => {
    const agent = await stack.signInAgent();
    const res = await request(stack.server.app).get('/api/admin/config/versions').set(agent.auth);
    expect(res.status).toBe(403);
    expect((await request(stack.server.app).get('/api/admin/config/versions')).status).toBe(401);
    const rollback = await request(stack.server.app)
      .post('/api/admin/config/versions/1/rollback')
      .set(agent.auth);
    expect(rollback.status).toBe(403);
    expect(readFileSync(stack.configPath, 'utf8')).toContain('"name": "Find the order"');
  });
});
