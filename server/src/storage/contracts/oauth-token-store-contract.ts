import { afterEach, describe, expect, it } from 'vitest';
import type { OAuthTokenStore, StoredConnectionTokens } from '../../oauth/oauth-token-store';

/**
 * What every OAuthTokenStore must do, whatever the database: run by each implementation's test
 * file with a factory that opens an empty store.
 */
export function describeOAuthTokenStoreContract(
  name: string,
  open: () => Promise<OAuthTokenStore>,
): void {
  let store: OAuthTokenStore | undefined;
  const openStore = async () => (store = await open());
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const row = (sealed: string): StoredConnectionTokens => ({
    connectionId: 'google',
    clientKey: 'client-a',
    state: 'connected',
    sealed,
    connectedAt: '2026-12-01T09:00:00.000Z',
    connectedBy: 'admin',
    connectedAs: 'ada@example.com',
    updatedAt: '2026-12-01T09:00:00.000Z',
  });
  const reconnect = { since: '2026-12-02T09:00:00.000Z', reason: 'invalid_grant' };

  describe(`${name}: the OAuth token store contract`, () => {
    it('keeps a connection as connected, and says there was none before', async () => {
      const tokens = await openStore();
      expect(await tokens.connect(row('sealed-1'))).toEqual({ previous: undefined });
      expect(await tokens.get('google')).toEqual({ ...row('sealed-1'), reconnect: undefined });
      expect(await tokens.get('jira')).toBeUndefined();
      expect((await tokens.list()).map((stored) => stored.connectionId)).toEqual(['google']);
    });

    it('replaces the tokens only while they are the ones that were read', async () => {
      const tokens = await openStore();
      await tokens.connect(row('sealed-1'));
      expect(await tokens.updateTokens('google', 'sealed-1', 'sealed-2', 'later')).toBe(true);
      // A second refresh that read the old row must not overwrite the rotated token.
      expect(await tokens.updateTokens('google', 'sealed-1', 'sealed-3', 'later')).toBe(false);
      expect((await tokens.get('google'))?.sealed).toBe('sealed-2');
    });

    it('marks "needs reconnect" once, and a reconnect clears it and says what it replaced', async () => {
      const tokens = await openStore();
      await tokens.connect(row('sealed-1'));
      expect(await tokens.markNeedsReconnect('google', 'sealed-1', reconnect)).toBe(true);
      expect(await tokens.markNeedsReconnect('google', 'sealed-1', reconnect)).toBe(false);
      expect(await tokens.get('google')).toMatchObject({ state: 'needs_reconnect', reconnect });
      // No refresh writes over a connection that needs reconnecting.
      expect(await tokens.updateTokens('google', 'sealed-1', 'sealed-2', 'later')).toBe(false);

      expect(await tokens.connect(row('sealed-9'))).toEqual({ previous: 'needs_reconnect' });
      expect(await tokens.get('google')).toMatchObject({
        state: 'connected',
        sealed: 'sealed-9',
        reconnect: undefined,
      });
    });
  });
}
