import { afterEach, describe, expect, it } from 'vitest';
import type { AgentKeyRecord, AgentKeyStore } from '../../agents/agent-key-store';

/**
 * What every AgentKeyStore must do, whatever the database: run by each implementation's test
 * file with a factory that opens an empty store.
 */
export function describeAgentKeyStoreContract(
  name: string,
  open: () => Promise<AgentKeyStore>,
): void {
  let store: AgentKeyStore | undefined;
  const openStore = async () => (store = await open());
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const record = (keyName: string, createdAt = '2026-12-04T10:00:00.000Z'): AgentKeyRecord => ({
    name: keyName,
    connectorIds: ['shopify_order_lookup', 'jira_create_issue'],
    prefix: 'dcak_abcd',
    createdAt,
  });

  describe(`${name}: the agent key store contract`, () => {
    it('finds a key by the hash of its secret, and nothing by another hash', async () => {
      const keys = await openStore();
      expect(await keys.insert(record('Fin bot'), 'hash-1')).toEqual({ ok: true });
      expect(await keys.findByHash('hash-1')).toEqual(record('Fin bot'));
      expect(await keys.findByHash('hash-2')).toBeUndefined();
    });

    it('refuses a name already taken, whatever its case, even by a revoked key', async () => {
      const keys = await openStore();
      await keys.insert(record('Bot'), 'hash-1');
      await keys.revoke('Bot', '2026-12-04T11:00:00.000Z');
      const taken = await keys.insert(record('BOT'), 'hash-2');
      expect(taken.ok ? undefined : taken.error.code).toBe('AGENT_KEY_NAME_TAKEN');
      expect(await keys.findByHash('hash-2')).toBeUndefined();
    });

    it('lists keys oldest first', async () => {
      const keys = await openStore();
      await keys.insert(record('Second', '2026-12-04T11:00:00.000Z'), 'hash-2');
      await keys.insert(record('First', '2026-12-04T10:00:00.000Z'), 'hash-1');
      expect((await keys.list()).map((key) => key.name)).toEqual(['First', 'Second']);
    });

    it('revokes a key by its name in any case, keeping the first revocation time', async () => {
      const keys = await openStore();
      await keys.insert(record('Bot'), 'hash-1');
      expect(await keys.revoke('bot', '2026-12-04T11:00:00.000Z')).toEqual({ ok: true });
      expect(await keys.revoke('Bot', '2026-12-04T12:00:00.000Z')).toEqual({ ok: true });
      expect((await keys.findByHash('hash-1'))?.revokedAt).toBe('2026-12-04T11:00:00.000Z');
    });

    it('says there is no key to revoke by an unknown name', async () => {
      const keys = await openStore();
      const revoked = await keys.revoke('Nobody', '2026-12-04T11:00:00.000Z');
      expect(revoked.ok ? undefined : revoked.error.code).toBe('AGENT_KEY_NOT_FOUND');
    });

    it('records when a key was last used', async () => {
      const keys = await openStore();
      await keys.insert(record('Bot'), 'hash-1');
      expect((await keys.findByHash('hash-1'))?.lastUsedAt).toBeUndefined();
      await keys.touch('Bot', '2026-12-04T10:05:00.000Z');
      expect((await keys.list())[0]?.lastUsedAt).toBe('2026-12-04T10:05:00.000Z');
    });
  });
}
