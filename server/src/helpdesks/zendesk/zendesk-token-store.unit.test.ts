import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionBinding, createTokenCipher } from '../../secrets/token-cipher';
import type { StoredZendeskTokens } from './client/zendesk-oauth-refresh';
import { createSealedZendeskTokenStore, ZENDESK_TOKEN_FILE } from './zendesk-token-store';

const key = randomBytes(32);
const tokens: StoredZendeskTokens = {
  seed: 'a'.repeat(64),
  refreshToken: 'zendesk-refresh-abc',
  accessToken: 'zendesk-access-xyz',
  accessExpiresAtMs: 1_700_000_000_000,
};

function dataDir(): string {
  return mkdtempSync(join(tmpdir(), 'dc-zendesk-tokens-'));
}

describe('the sealed Zendesk token store', () => {
  it('has nothing before the first save, then reads back what it wrote, owner-only and sealed', () => {
    const dir = dataDir();
    const store = createSealedZendeskTokenStore(dir, createTokenCipher(key));
    expect(store.load()).toEqual({ ok: true, value: undefined });

    expect(store.save(tokens)).toEqual({ ok: true, value: undefined });

    const path = join(dir, ZENDESK_TOKEN_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).not.toContain('zendesk-refresh-abc');
    // Another store on the same folder and key: a restart.
    expect(createSealedZendeskTokenStore(dir, createTokenCipher(key)).load()).toEqual({
      ok: true,
      value: tokens,
    });
  });

  it('refuses a changed file, another key, and a value sealed for something else', () => {
    const dir = dataDir();
    const path = join(dir, ZENDESK_TOKEN_FILE);
    const cipher = createTokenCipher(key);
    const store = createSealedZendeskTokenStore(dir, cipher);
    store.save(tokens);
    const parts = readFileSync(path, 'utf8').trim().split('.');
    const ciphertext = Buffer.from(parts[4] ?? '', 'base64url');
    ciphertext[3] = (ciphertext[3] ?? 0) ^ 1;
    writeFileSync(path, [...parts.slice(0, 4), ciphertext.toString('base64url')].join('.'));
    expect(store.load()).toMatchObject({ ok: false, error: { message: /does not authenticate/ } });

    store.save(tokens);
    expect(createSealedZendeskTokenStore(dir, createTokenCipher(randomBytes(32))).load()).toEqual({
      ok: false,
      error: { message: expect.stringMatching(/TOKEN_ENCRYPTION_KEY_PREVIOUS/) },
    });

    // An OAuth connection's sealed row copied into the file does not open as Zendesk's tokens.
    writeFileSync(path, cipher.seal(JSON.stringify(tokens), connectionBinding('zendesk')));
    expect(store.load()).toMatchObject({ ok: false });
  });

  it('opens a file sealed with the previous key after a rotation, and seals it again', () => {
    const dir = dataDir();
    const path = join(dir, ZENDESK_TOKEN_FILE);
    const old = randomBytes(32);
    createSealedZendeskTokenStore(dir, createTokenCipher(old)).save(tokens);

    const rotated = createTokenCipher(key, [old]);
    expect(createSealedZendeskTokenStore(dir, rotated).load()).toEqual({ ok: true, value: tokens });

    expect(rotated.isStale(readFileSync(path, 'utf8'))).toBe(false);
    expect(createSealedZendeskTokenStore(dir, createTokenCipher(key)).load()).toEqual({
      ok: true,
      value: tokens,
    });
  });
});
