import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SANDBOX_ZENDESK_OAUTH_CLIENT,
  startFakeZendesk,
} from '../../../sandbox/fake-zendesk/fake-zendesk';
import type { RunningFakeZendesk } from '../../../sandbox/fake-zendesk/fake-zendesk';
import { createZendeskClient } from './zendesk-client';
import {
  createZendeskOAuthRefresher,
  type StoredZendeskTokens,
  type ZendeskTokenStore,
} from './zendesk-oauth-refresh';

let zendesk: RunningFakeZendesk;
let saved: StoredZendeskTokens[];

beforeEach(async () => {
  zendesk = await startFakeZendesk();
  saved = [];
});
afterEach(() => zendesk.close());

function memoryStore(initial?: StoredZendeskTokens): ZendeskTokenStore {
  return {
    load: () => ({ ok: true, value: initial }),
    save: (tokens) => {
      saved.push(tokens);
      return { ok: true, value: undefined };
    },
  };
}

function refresherFor(
  refreshToken: string,
  options: { now?: () => number; clientSecret?: string; store?: ZendeskTokenStore } = {},
) {
  return createZendeskOAuthRefresher({
    baseUrl: zendesk.baseUrl,
    clientId: SANDBOX_ZENDESK_OAUTH_CLIENT.id,
    clientSecret: options.clientSecret ?? SANDBOX_ZENDESK_OAUTH_CLIENT.secret,
    refreshToken,
    store: options.store ?? memoryStore(),
    ...(options.now ? { now: options.now } : {}),
  });
}

describe('Zendesk OAuth refresh', () => {
  it('refreshes shortly before expires_in runs out, not at every call', async () => {
    zendesk.oauth.accessTokenTtlSeconds = 1800;
    let now = Date.now();
    const refresher = refresherFor(zendesk.oauth.issueTokens().refreshToken, { now: () => now });

    const first = await refresher.authorization();
    now += 1700 * 1000;
    const second = await refresher.authorization();
    now += 60 * 1000;
    const third = await refresher.authorization();

    expect(first).toEqual(second);
    expect(third.ok && third.value).not.toBe(first.ok && first.value);
    expect(zendesk.oauth.refreshCount).toBe(2);
  });

  it('sends one refresh for concurrent callers, so the rotated token is not presented twice', async () => {
    const refresher = refresherFor(zendesk.oauth.issueTokens().refreshToken);

    const results = await Promise.all([1, 2, 3, 4].map(() => refresher.authorization()));

    expect(results.every((result) => result.ok)).toBe(true);
    expect(zendesk.oauth.refreshCount).toBe(1);
    expect(refresher.state()).toEqual({ ok: true });
  });

  it('stores each rotated refresh token before using the new access token', async () => {
    const first = zendesk.oauth.issueTokens().refreshToken;
    const refresher = refresherFor(first);

    await refresher.authorization();

    expect(saved).toHaveLength(1);
    expect(saved[0]?.refreshToken).not.toBe(first);
    expect(saved[0]?.accessToken).toBeDefined();
  });

  it('writes through a 401 with one refresh, as a client would see it', async () => {
    const refresher = refresherFor(zendesk.oauth.issueTokens().refreshToken);
    const client = createZendeskClient({
      baseUrl: zendesk.baseUrl,
      auth: { kind: 'oauthRefresh', source: refresher },
    });
    expect((await client.getTicketContext(1)).ok).toBe(true);

    zendesk.oauth.expireAccessTokens();
    const result = await client.getTicketContext(1);

    expect(result.ok).toBe(true);
    expect(zendesk.oauth.refreshCount).toBe(2);
  });

  it('fails for good, with a stable code, on a revoked refresh token or a wrong client', async () => {
    const revoked = refresherFor('no-such-refresh-token');
    const wrongClient = refresherFor(zendesk.oauth.issueTokens().refreshToken, {
      clientSecret: 'wrong',
    });

    const first = await revoked.authorization();
    await revoked.authorization();
    await wrongClient.authorization();

    expect(!first.ok && first.error).toMatchObject({
      code: 'ZENDESK_UNAUTHORIZED',
      message: expect.stringMatching(/invalid_grant.*ZENDESK_OAUTH_REFRESH_TOKEN/),
    });
    expect(revoked.state()).toMatchObject({ ok: false, code: 'ZENDESK_OAUTH_REVOKED' });
    expect(wrongClient.state()).toMatchObject({ ok: false, code: 'ZENDESK_OAUTH_CLIENT_REJECTED' });
    // The failed one asked once, then stopped asking.
    expect(zendesk.journal.filter((entry) => entry.path === '/oauth/tokens')).toHaveLength(2);
  });

  it('prefers the stored rotated token of the same chain, and a new token from the environment', async () => {
    const original = zendesk.oauth.issueTokens().refreshToken;
    await refresherFor(original).authorization();
    const rotated = saved[0] as StoredZendeskTokens;

    // After a restart the environment still names `original`, which Zendesk has deleted.
    const restarted = refresherFor(original, { store: memoryStore(rotated) });
    const header = await restarted.authorization();
    expect(await restarted.onUnauthorized(header.ok ? header.value : '')).toBe(true);
    expect(restarted.state()).toEqual({ ok: true });

    // An admin set a new refresh token: the stored one of the old chain is not used.
    const replacement = zendesk.oauth.issueTokens().refreshToken;
    const stale = { ...rotated, refreshToken: 'deleted-by-zendesk', accessToken: undefined };
    const reconfigured = refresherFor(replacement, { store: memoryStore(stale) });
    expect((await reconfigured.authorization()).ok).toBe(true);
  });
});
