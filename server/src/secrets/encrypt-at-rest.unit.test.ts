import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  openSealedValue,
  parseEncryptionKey,
  readSealedFile,
  sealValue,
  writeSealedFile,
  type EncryptionKey,
} from './encrypt-at-rest';

const KEY = parseEncryptionKey(Buffer.alloc(32, 7).toString('base64'));
const key = (KEY.ok ? KEY.value : undefined) as EncryptionKey;
const otherKey = (parseEncryptionKey('ab'.repeat(32)) as { value: EncryptionKey }).value;

describe('encrypt at rest', () => {
  it('accepts 32 bytes as base64 or hex and refuses anything else', () => {
    expect(KEY.ok).toBe(true);
    expect(parseEncryptionKey('ab'.repeat(32)).ok).toBe(true);
    expect(parseEncryptionKey('short').ok).toBe(false);
    expect(parseEncryptionKey(Buffer.alloc(16).toString('base64')).ok).toBe(false);
  });

  it('round-trips and never stores the plaintext', () => {
    const sealed = sealValue(key, 'zendesk-oauth', 'refresh-token-123');
    expect(sealed).not.toContain('refresh-token-123');
    expect(sealValue(key, 'zendesk-oauth', 'refresh-token-123')).not.toBe(sealed);
    expect(openSealedValue(key, 'zendesk-oauth', sealed)).toEqual({
      ok: true,
      value: 'refresh-token-123',
    });
  });

  it('refuses another key, another purpose and a changed byte', () => {
    const sealed = sealValue(key, 'zendesk-oauth', 'secret');
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-1)}`;
    for (const [k, purpose, text] of [
      [otherKey, 'zendesk-oauth', sealed],
      [key, 'other', sealed],
      [key, 'zendesk-oauth', tampered],
      [key, 'zendesk-oauth', 'plain text'],
    ] as const) {
      const opened = openSealedValue(k, purpose, text);
      expect(!opened.ok && opened.error.code).toBe('SEALED_VALUE_UNREADABLE');
    }
  });

  it('writes the file owner-only and reads it back; no file is no value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-seal-'));
    const path = join(dir, 'tokens.sealed');
    expect(readSealedFile(path, key, 'p')).toEqual({ ok: true, value: undefined });

    writeSealedFile(path, key, 'p', '{"refreshToken":"abc"}');

    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).not.toContain('abc');
    expect(readSealedFile(path, key, 'p')).toEqual({ ok: true, value: '{"refreshToken":"abc"}' });
  });
});
