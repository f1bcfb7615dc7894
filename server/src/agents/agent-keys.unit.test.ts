import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentKeys, hashAgentKey } from './agent-keys';
import { openSqliteAgentKeyStore } from './sqlite-agent-key-store';

const dirs: string[] = [];
function openKeys(now = () => Date.parse('2026-12-04T10:00:00Z')) {
  const dir = mkdtempSync(join(tmpdir(), 'dc-agent-keys-'));
  dirs.push(dir);
  const path = join(dir, 'agent-keys.sqlite');
  const store = openSqliteAgentKeyStore({ path });
  return { keys: createAgentKeys(store, { now }), store, path };
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('agent keys', () => {
  it('creates a key shown once, stores only its hash, and verifies it', async () => {
    const { keys, store, path } = openKeys();
    const created = await keys.create({ name: 'Fin bot', connectorIds: ['shopify_order_lookup'] });
    if (!created.ok) throw new Error(created.error.message);
    expect(created.value.key).toMatch(/^dcak_[A-Za-z0-9_-]{43}$/);
    expect(created.value.record).toMatchObject({
      name: 'Fin bot',
      connectorIds: ['shopify_order_lookup'],
      prefix: created.value.key.slice(0, 9),
      createdAt: '2026-12-04T10:00:00.000Z',
    });
    await store.close();
    const file = readFileSync(path);
    expect(file.includes(Buffer.from(created.value.key))).toBe(false);
    expect(file.includes(Buffer.from(hashAgentKey(created.value.key)))).toBe(true);

    const reopened = openSqliteAgentKeyStore({ path });
    const again = createAgentKeys(reopened);
    expect((await again.verify(created.value.key))?.name).toBe('Fin bot');
    const last = created.value.key.slice(-1);
    const tampered = `${created.value.key.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    expect(await again.verify(tampered)).toBeUndefined();
    expect(await again.verify('not-a-key')).toBeUndefined();
    await reopened.close();
  });

  it('refuses a revoked key, a taken name (whatever its case), and an empty or unknown scope', async () => {
    const { keys, store } = openKeys();
    const created = await keys.create({ name: 'Bot', connectorIds: ['*'] });
    if (!created.ok) throw new Error(created.error.message);
    expect((await keys.revoke('Bot')).ok).toBe(true);
    expect(await keys.verify(created.value.key)).toBeUndefined();
    expect((await keys.list())[0]?.revokedAt).toBe('2026-12-04T10:00:00.000Z');

    const taken = await keys.create({ name: 'BOT', connectorIds: ['*'] });
    expect(taken.ok ? undefined : taken.error.code).toBe('AGENT_KEY_NAME_TAKEN');
    const empty = await keys.create({ name: 'Empty', connectorIds: [] });
    expect(empty.ok ? undefined : empty.error.code).toBe('AGENT_KEY_INVALID');
    const unknown = await keys.create({
      name: 'Typo',
      connectorIds: ['shopify_order_lokup'],
      agentConnectorIds: ['shopify_order_lookup'],
    });
    expect(unknown.ok ? '' : unknown.error.message).toContain(
      '"shopify_order_lokup" is not a connector with the "agent" surface',
    );
    const badName = await keys.create({ name: '<script>', connectorIds: ['*'] });
    expect(badName.ok ? undefined : badName.error.code).toBe('AGENT_KEY_INVALID');
    expect((await keys.revoke('Nobody')).ok).toBe(false);
    await store.close();
  });
});
