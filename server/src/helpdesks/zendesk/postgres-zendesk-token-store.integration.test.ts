import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SANDBOX_ZENDESK_OAUTH_CLIENT,
  startFakeZendesk,
} from '../../sandbox/fake-zendesk/fake-zendesk';
import type { RunningFakeZendesk } from '../../sandbox/fake-zendesk/fake-zendesk';
import { createTokenCipher } from '../../secrets/token-cipher';
import { createTestSchema } from '../../test-support/postgres-test-schema';
import type { TestSchema } from '../../test-support/postgres-test-schema';
import { createZendeskOAuthRefresher } from './client/zendesk-oauth-refresh';
import { readOrCreateSharedSessionKey } from './identity/agent-session';
import { createPostgresZendeskTokenStore } from './postgres-zendesk-token-store';

let zendesk: RunningFakeZendesk;
let database: TestSchema;
const cipher = createTokenCipher(randomBytes(32));

beforeEach(async () => {
  zendesk = await startFakeZendesk();
  database = await createTestSchema('zendesk_tokens');
});
afterEach(async () => {
  await zendesk.close();
  await database.drop();
});

/** One instance's refresher, every instance started with the same ZENDESK_OAUTH_REFRESH_TOKEN. */
function instance(refreshToken: string) {
  return createZendeskOAuthRefresher({
    baseUrl: zendesk.baseUrl,
    clientId: SANDBOX_ZENDESK_OAUTH_CLIENT.id,
    clientSecret: SANDBOX_ZENDESK_OAUTH_CLIENT.secret,
    refreshToken,
    store: createPostgresZendeskTokenStore(database.pool, cipher),
  });
}

describe('the Zendesk OAuth tokens on PostgreSQL, shared by instances', () => {
  it('refreshes once for two instances starting together: the second takes the rotated token', async () => {
    const first = zendesk.oauth.issueTokens().refreshToken;
    const one = instance(first);
    const other = instance(first);

    const [a, b] = await Promise.all([one.authorization(), other.authorization()]);

    expect(a.ok && b.ok).toBe(true);
    expect(a).toEqual(b);
    expect(zendesk.oauth.refreshCount).toBe(1);
    expect(one.state()).toEqual({ ok: true });
    expect(other.state()).toEqual({ ok: true });
  });

  it('never presents a refresh token another instance already rotated away', async () => {
    const first = zendesk.oauth.issueTokens().refreshToken;
    const one = instance(first);
    const other = instance(first);
    const header = await one.authorization();
    expect(header.ok).toBe(true);

    // Each instance is told its access token is refused, in turn and then together.
    zendesk.oauth.expireAccessTokens();
    expect(await one.onUnauthorized(header.ok ? header.value : '')).toBe(true);
    const again = await other.authorization();
    expect(await other.onUnauthorized(again.ok ? again.value : '')).toBe(true);
    zendesk.oauth.expireAccessTokens();
    const [x, y] = await Promise.all([one.authorization(), other.authorization()]);
    await Promise.all([
      one.onUnauthorized(x.ok ? x.value : ''),
      other.onUnauthorized(y.ok ? y.value : ''),
    ]);

    expect(one.state()).toEqual({ ok: true });
    expect(other.state()).toEqual({ ok: true });
    // A restarted instance (the environment still names the first token) takes the stored one.
    const restarted = instance(first);
    const restartedHeader = await restarted.authorization();
    expect(restartedHeader.ok).toBe(true);
    expect(restarted.state()).toEqual({ ok: true });
  });

  it('keeps the tokens sealed in the database', async () => {
    const first = zendesk.oauth.issueTokens().refreshToken;
    await instance(first).authorization();
    const stored = await createPostgresZendeskTokenStore(database.pool, cipher).load();
    if (!stored.ok || !stored.value) throw new Error('nothing stored');
    const rows = await database.pool.query<{ value: string }>('SELECT value FROM server_secrets');
    expect(JSON.stringify(rows.rows)).not.toContain(stored.value.refreshToken);
  });
});

describe('the sidebar session key on PostgreSQL', () => {
  it('is drawn once and the same for every instance, unless APP_SESSION_SECRET is set', async () => {
    const keys = await Promise.all(
      [1, 2, 3].map(() => readOrCreateSharedSessionKey(database.pool, undefined)),
    );
    expect(keys[0]).toHaveLength(32);
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[0]);
    const secret = 's'.repeat(32);
    expect(
      new TextDecoder().decode(await readOrCreateSharedSessionKey(database.pool, secret)),
    ).toBe(secret);
  });
});
