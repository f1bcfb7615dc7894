import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONNECT_STATE_SECONDS, createConnectStates, createPkcePair } from './connect-states';

const pending = {
  connectionId: 'google',
  sessionId: 'session-a',
  user: 'admin',
  codeVerifier: 'verifier',
  redirectUri: 'https://connectors.example.com/oauth/callback',
};

describe('connect states', () => {
  it('give back the pending flow to the session that started it', async () => {
    const states = createConnectStates();
    const { state, binding } = await states.issue(pending);
    expect(await states.take(state, binding)).toMatchObject({ ok: true, value: pending });
  });

  it('are refused from another console session', async () => {
    const states = createConnectStates();
    const { state } = await states.issue(pending);
    const other = await states.issue({ ...pending, sessionId: 'session-b' });
    expect(await states.take(state, other.binding)).toMatchObject({
      ok: false,
      error: { code: 'OAUTH_STATE_WRONG_SESSION' },
    });
    expect(await states.take(other.state, undefined)).toMatchObject({
      ok: false,
      error: { code: 'OAUTH_STATE_WRONG_SESSION' },
    });
  });

  it('are single-use', async () => {
    const states = createConnectStates();
    const { state, binding } = await states.issue(pending);
    expect((await states.take(state, binding)).ok).toBe(true);
    expect(await states.take(state, binding)).toMatchObject({
      ok: false,
      error: { code: 'OAUTH_STATE_INVALID' },
    });
  });

  it('expire after ten minutes', async () => {
    let now = 1_000_000;
    const states = createConnectStates({ now: () => now });
    const { state, binding } = await states.issue(pending);
    now += CONNECT_STATE_SECONDS * 1000;
    expect(await states.take(state, binding)).toMatchObject({
      ok: false,
      error: { code: 'OAUTH_STATE_EXPIRED' },
    });
  });

  it('refuse a state this server did not sign', async () => {
    const states = createConnectStates();
    const { state, binding } = await states.issue(pending);
    const [nonce] = state.split('.');
    expect((await states.take(`${nonce}.forged`, binding)).ok).toBe(false);
    expect((await createConnectStates().take(state, binding)).ok).toBe(false);
    expect((await states.take('', binding)).ok).toBe(false);
  });
});

describe('PKCE', () => {
  it('derives the S256 challenge from the verifier (RFC 7636 §4.2)', () => {
    const { verifier, challenge } = createPkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  it('matches the RFC 7636 appendix B example', () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});
