import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, importSPKI } from 'jose';
import { describe, expect, it } from 'vitest';
import { createFakeAppSigning } from '../../../sandbox/fake-zendesk/app-signing';
import { createAppKeySource, createZafTokenVerifier, installationAudience } from './zaf-token';

const ACCOUNT = 'acme.zendesk.com';
const zendesk = createFakeAppSigning({
  subdomain: 'acme',
  apps: [{ appId: 77, installationId: 9 }],
});
const publicPem = zendesk.publicKeyPem(77) ?? '';

function verifier(options: { installationIds?: number[]; pem?: () => string } = {}) {
  return createZafTokenVerifier({
    accountHost: ACCOUNT,
    appId: 77,
    installationIds: options.installationIds ?? [9],
    key: createAppKeySource({
      fetchPem: async () => ({ ok: true, value: options.pem?.() ?? publicPem }),
    }),
  });
}

describe("verifying Zendesk's signed-URL token", () => {
  it('accepts what Zendesk signs, and reads the user, installation and location', async () => {
    const token = await zendesk.signAppToken({ userId: 4242, location: 'ticket_sidebar' });
    expect(await verifier().verify(token)).toEqual({
      ok: true,
      value: {
        userId: 4242,
        accountHost: ACCOUNT,
        installationId: 9,
        appId: 77,
        location: 'ticket_sidebar',
      },
    });
  });

  it('reads `sub` as a bare user id too', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(ACCOUNT)
      .setAudience(installationAudience(ACCOUNT, 9))
      .setSubject('31')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    const pinned = createZafTokenVerifier({
      accountHost: ACCOUNT,
      appId: 77,
      installationIds: [9],
      key: createAppKeySource({
        fetchPem: async () => ({ ok: false, error: { message: 'not used' } }),
        pinnedPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }),
    });
    expect(await pinned.verify(token)).toMatchObject({ ok: true, value: { userId: 31 } });
  });

  it.each([
    ['another account', { issuer: 'evil.zendesk.com' }],
    ['an expired token', { issuedAt: Math.floor(Date.now() / 1000) - 900, expiresInSeconds: 300 }],
    ['a token from the future', { issuedAt: Math.floor(Date.now() / 1000) + 600 }],
  ])('refuses %s', async (_name, options) => {
    const token = await zendesk.signAppToken({ userId: 1, ...options });
    expect(await verifier().verify(token)).toMatchObject({
      ok: false,
      error: { code: 'ZAF_TOKEN_INVALID' },
    });
  });

  it('refuses a token for an installation this server does not serve', async () => {
    const token = await zendesk.signAppToken({ userId: 1 });
    expect(await verifier({ installationIds: [10] }).verify(token)).toMatchObject({
      ok: false,
      error: { code: 'ZAF_TOKEN_INVALID' },
    });
  });

  it('refuses a token signed with any key but the app key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const genuine = await zendesk.signAppToken({ userId: 1 });
    const payload = JSON.parse(Buffer.from(genuine.split('.')[1] ?? '', 'base64url').toString());
    const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    expect(await verifier().verify(forged)).toMatchObject({ ok: false });
  });

  it('refuses algorithm confusion: HS256 "signed" with the public key as the secret', async () => {
    const genuine = await zendesk.signAppToken({ userId: 1 });
    const payload = JSON.parse(Buffer.from(genuine.split('.')[1] ?? '', 'base64url').toString());
    const confused = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(publicPem));
    expect(await verifier().verify(confused)).toMatchObject({
      ok: false,
      error: { code: 'ZAF_TOKEN_INVALID' },
    });
  });

  it('refuses a token whose subject names no user of this account', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const pinned = createZafTokenVerifier({
      accountHost: ACCOUNT,
      appId: 77,
      installationIds: [9],
      key: createAppKeySource({
        fetchPem: async () => ({ ok: false, error: { message: 'unused' } }),
        pinnedPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }),
    });
    for (const sub of ['https://evil.zendesk.com/api/v2/users/5.json', 'admin', '0']) {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(ACCOUNT)
        .setAudience(installationAudience(ACCOUNT, 9))
        .setSubject(sub)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(privateKey);
      expect(await pinned.verify(token), sub).toMatchObject({ ok: false });
    }
  });

  it('says the key is unavailable when Zendesk cannot be asked for it', async () => {
    const broken = createZafTokenVerifier({
      accountHost: ACCOUNT,
      appId: 77,
      installationIds: [9],
      key: createAppKeySource({
        fetchPem: async () => ({ ok: false, error: { message: 'Zendesk is down' } }),
      }),
    });
    expect(await broken.verify(await zendesk.signAppToken({ userId: 1 }))).toEqual({
      ok: false,
      error: { code: 'ZAF_KEY_UNAVAILABLE', reason: 'Zendesk is down' },
    });
  });
});

describe("the app's public key", () => {
  it('is fetched once, and again after a failed signature only once a minute (a rotated key)', async () => {
    let fetches = 0;
    let now = 0;
    const rotated = createFakeAppSigning({
      subdomain: 'acme',
      apps: [{ appId: 77, installationId: 9 }],
    });
    let current = publicPem;
    const source = createAppKeySource({
      fetchPem: async () => {
        fetches += 1;
        return { ok: true, value: current };
      },
      now: () => now,
    });
    const verify = createZafTokenVerifier({
      accountHost: ACCOUNT,
      appId: 77,
      installationIds: [9],
      key: source,
    }).verify;
    expect((await verify(await zendesk.signAppToken({ userId: 1 }))).ok).toBe(true);
    expect(fetches).toBe(1);
    // Zendesk rotates the key: the first token signed with the new key triggers one refetch.
    current = rotated.publicKeyPem(77) ?? '';
    now = 61_000;
    expect((await verify(await rotated.signAppToken({ userId: 1 }))).ok).toBe(true);
    expect(fetches).toBe(2);
    // A flood of forged tokens does not make the server ask Zendesk again within the minute.
    for (let i = 0; i < 5; i += 1) await verify(await zendesk.signAppToken({ userId: 1 }));
    expect(fetches).toBe(2);
  });

  it('is retried after a failed fetch, but not on every token', async () => {
    let fetches = 0;
    let now = 0;
    const source = createAppKeySource({
      fetchPem: async () => {
        fetches += 1;
        return fetches === 1
          ? { ok: false, error: { message: 'down' } }
          : { ok: true, value: publicPem };
      },
      now: () => now,
    });
    expect((await source.load({ refresh: false })).ok).toBe(false);
    expect((await source.load({ refresh: false })).ok).toBe(false);
    expect(fetches).toBe(1);
    now = 5_000;
    expect((await source.load({ refresh: false })).ok).toBe(true);
    expect(fetches).toBe(2);
  });

  it('refuses a pinned key that is not an RSA public key', async () => {
    const source = createAppKeySource({
      fetchPem: async () => ({ ok: true, value: '' }),
      pinnedPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
    });
    expect(await source.load({ refresh: false })).toMatchObject({ ok: false });
    // The real key imports.
    expect(await importSPKI(publicPem, 'RS256')).toBeDefined();
  });
});
