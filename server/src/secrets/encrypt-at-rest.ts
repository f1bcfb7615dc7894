/**
 * Credentials the server must keep across restarts (a rotated OAuth refresh token) are stored
 * encrypted with AES-256-GCM under TOKEN_ENCRYPTION_KEY, so a copy of the data folder (a backup,
 * a volume snapshot) does not hand out live credentials. GCM authenticates as well as encrypts: a
 * tampered or truncated file, or the wrong key, is refused instead of read as garbage. The
 * `purpose` is bound as associated data, so a sealed value cannot be moved to another use.
 *
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each base64url; a fresh 96-bit IV for every seal.
 *
 * @example
 * const key = parseEncryptionKey(env.TOKEN_ENCRYPTION_KEY);
 * if (key.ok) writeSealedFile(path, key.value, 'zendesk-oauth', JSON.stringify(tokens));
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Result } from '../../../shared/src/result';

/** A 32-byte key, as TOKEN_ENCRYPTION_KEY gives it (`openssl rand -base64 32`). */
export type EncryptionKey = Buffer & { readonly __encryptionKey: true };

export interface AtRestError {
  code: 'ENCRYPTION_KEY_INVALID' | 'SEALED_VALUE_UNREADABLE' | 'SEALED_FILE_UNREADABLE';
  message: string;
}

const VERSION = 'v1';

/** Accepts 32 bytes as base64 (44 characters) or hex (64 characters). */
export function parseEncryptionKey(text: string): Result<EncryptionKey, AtRestError> {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  if (bytes?.length !== 32) {
    return {
      ok: false,
      error: {
        code: 'ENCRYPTION_KEY_INVALID',
        message: 'must be 32 random bytes, base64 or hex (openssl rand -base64 32)',
      },
    };
  }
  return { ok: true, value: bytes as EncryptionKey };
}

export function sealValue(key: EncryptionKey, purpose: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(purpose, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function openSealedValue(
  key: EncryptionKey,
  purpose: string,
  sealed: string,
): Result<string, AtRestError> {
  const [version, iv, tag, ciphertext, extra] = sealed.trim().split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined || extra !== undefined) {
    return unreadable('not a sealed value of a known version');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]);
    return { ok: true, value: plaintext.toString('utf8') };
  } catch {
    // Node says only "Unsupported state or unable to authenticate data": wrong key or tampering.
    return unreadable(
      'it does not decrypt with this TOKEN_ENCRYPTION_KEY (another key, or changed)',
    );
  }
}

/**
 * Writes a sealed value to `path` (mode 0600), through a temporary file and a rename so a crash
 * mid-write leaves the previous file whole: losing a rotated refresh token locks the server out.
 */
export function writeSealedFile(
  path: string,
  key: EncryptionKey,
  purpose: string,
  plaintext: string,
): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${sealValue(key, purpose, plaintext)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** The plaintext of a sealed file; `undefined` when there is no file yet. */
export function readSealedFile(
  path: string,
  key: EncryptionKey,
  purpose: string,
): Result<string | undefined, AtRestError> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, value: undefined };
    return {
      ok: false,
      error: {
        code: 'SEALED_FILE_UNREADABLE',
        message: `cannot read ${path} (${code ?? 'error'})`,
      },
    };
  }
  const opened = openSealedValue(key, purpose, text);
  if (!opened.ok) {
    return { ok: false, error: { ...opened.error, message: `${path}: ${opened.error.message}` } };
  }
  return opened;
}

function unreadable(message: string): Result<never, AtRestError> {
  return { ok: false, error: { code: 'SEALED_VALUE_UNREADABLE', message } };
}
