import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSchema } from '../test-support/postgres-test-schema';
import type { TestSchema } from '../test-support/postgres-test-schema';
import { CONNECT_STATE_SECONDS } from './connect-states';
import { createSharedConnectStates } from './postgres-connect-states';

const pending = {
  connectionId: 'google',
  sessionId: 'session-a',
  user: 'admin',
  codeVerifier: 'verifier',
  redirectUri: 'https://connectors.example.com/oauth/callback',
};

let database: TestSchema;
beforeEach(async () => {
  database = await createTestSchema('connect_states');
});
afterEach(() => database.drop());

describe('OAuth connect states on PostgreSQL', () => {
  it('give the flow one instance started to the callback on another, once', async () => {
    const started = await createSharedConnectStates(database.pool);
    const called = await createSharedConnectStates(database.pool);
    const { state, binding } = await started.issue(pending);
    const [first, second] = await Promise.all([
      called.take(state, binding),
      started.take(state, binding),
    ]);
    expect([first, second].filter((taken) => taken.ok)).toEqual([
      { ok: true, value: { ...pending, expiresAt: expect.any(Number) } },
    ]);
    expect([first, second].find((taken) => !taken.ok)).toMatchObject({
      error: { code: 'OAUTH_STATE_INVALID' },
    });
  });

  it('keep a flow without PKCE, refuse another session and expire after ten minutes', async () => {
    let now = 1_000_000;
    const states = await createSharedConnectStates(database.pool, { now: () => now });
    const withoutPkce = await states.issue({ ...pending, codeVerifier: undefined });
    expect(await states.take(withoutPkce.state, withoutPkce.binding)).toMatchObject({
      ok: true,
      value: { codeVerifier: undefined },
    });
    const other = await states.issue({ ...pending, sessionId: 'session-b' });
    const mine = await states.issue(pending);
    expect(await states.take(mine.state, other.binding)).toMatchObject({
      error: { code: 'OAUTH_STATE_WRONG_SESSION' },
    });
    now += CONNECT_STATE_SECONDS * 1000;
    expect(await states.take(other.state, other.binding)).toMatchObject({
      error: { code: 'OAUTH_STATE_EXPIRED' },
    });
  });
});
