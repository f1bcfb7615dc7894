import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenCipher, decodeTokenKey } from './token-cipher';

const key = randomBytes(32);
const tokens = JSON.stringify({ accessToken: 'ya29.secret-access', refreshToken: '1//refresh' });

describe('the token cipher', () => {
  it('opens what it sealed, and the sealed text holds neither token', () => {
    const cipher = createTokenCipher(key);
    const sealed = cipher.seal(tokens, 'google');
    expect(sealed).not.toContain('secret-access');
    expect(sealed).not.toContain('refresh');
    expect(cipher.open(sealed, 'google')).toEqual({ ok: true, value: tokens });
  });

  it('seals the same tokens differently each time (a fresh IV)', () => {
    const cipher = createTokenCipher(key);
    expect(cipher.seal(tokens, 'google')).not.toBe(cipher.seal(tokens, 'google'));
  });

  it('refuses a sealed value with one bit of its ciphertext flipped', () => {
    const cipher = createTokenCipher(key);
    const parts = cipher.seal(tokens, 'google').split('.');
    const ciphertext = Buffer.from(parts[4] ?? '', 'base64url');
    ciphertext[5] = (ciphertext[5] ?? 0) ^ 1;
    const tampered = [...parts.slice(0, 4), ciphertext.toString('base64url')].join('.');
    expect(cipher.open(tampered, 'google')).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_UNREADABLE' },
    });
  });

  it('refuses a tampered authentication tag and a truncated value', () => {
    const cipher = createTokenCipher(key);
    const parts = cipher.seal(tokens, 'google').split('.');
    const badTag = [...parts.slice(0, 3), randomBytes(16).toString('base64url'), parts[4]].join(
      '.',
    );
    expect(cipher.open(badTag, 'google').ok).toBe(false);
    expect(cipher.open(parts.slice(0, 4).join('.'), 'google').ok).toBe(false);
  });

  it("refuses another connection's sealed tokens (the connection id is authenticated)", () => {
    const cipher = createTokenCipher(key);
    const sealed = cipher.seal(tokens, 'google');
    expect(cipher.open(sealed, 'jira')).toMatchObject({ ok: false });
  });

  it('refuses tokens sealed with another key, naming the key as the reason', () => {
    const sealed = createTokenCipher(randomBytes(32)).seal(tokens, 'google');
    expect(createTokenCipher(key).open(sealed, 'google')).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_KEY_UNKNOWN' },
    });
  });

  it('opens tokens sealed with a previous key after a rotation, and calls them stale', () => {
    const old = randomBytes(32);
    const sealed = createTokenCipher(old).seal(tokens, 'google');
    const rotated = createTokenCipher(key, [old]);
    expect(rotated.open(sealed, 'google')).toEqual({ ok: true, value: tokens });
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(rotated.seal(tokens, 'google'))).toBe(false);
  });
});

describe('TOKEN_ENCRYPTION_KEY', () => {
  it('is 32 bytes in base64', () => {
    expect(decodeTokenKey(randomBytes(32).toString('base64')).ok).toBe(true);
    expect(decodeTokenKey(randomBytes(32).toString('base64url')).ok).toBe(true);
  });

  it('is refused when it decodes to another length, or is not base64', () => {
    expect(decodeTokenKey(randomBytes(16).toString('base64'))).toMatchObject({ ok: false });
    expect(decodeTokenKey('not a key!')).toMatchObject({ ok: false });
  });
});
