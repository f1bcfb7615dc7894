import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Result } from '../../../shared/src/result';

/**
 * Encryption at rest for the OAuth tokens the server keeps in the data folder (authorization code
 * connections in oauth-tokens.sqlite, the server's rotated Zendesk refresh token in
 * zendesk-oauth-tokens.sealed): AES-256-GCM with a key from the environment
 * (TOKEN_ENCRYPTION_KEY). A copy of the data folder or a backup is then useless without the key.
 *
 * - A fresh 96-bit IV per sealing (NIST SP 800-38D §8.2.2: random IVs are safe far beyond the
 *   number of token writes a server makes).
 * - What a value is for (its `binding`: `connectionBinding(id)`, or a fixed purpose such as
 *   `zendesk-oauth-tokens`) is authenticated data: a sealed value copied onto another connection's
 *   row, or into another file, does not open there, so one credential cannot be replayed as another.
 * - Each sealed value names its key by a short fingerprint, so a server given a new key and the
 *   old one as TOKEN_ENCRYPTION_KEY_PREVIOUS still opens the old values (and re-seals them with
 *   the new key on their next write).
 * - Anything that does not authenticate (tampered, truncated, wrong key) is refused, never
 *   returned as garbage.
 */

/** `v1.<key fingerprint>.<iv>.<tag>.<ciphertext>`, each part base64url. */
const FORMAT =
  /^v1\.([A-Za-z0-9_-]{11})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]*)$/;
const KEY_BYTES = 32;
const IV_BYTES = 12;

export interface TokenCipher {
  /** Encrypts `plaintext` for `binding` (what it is for; only the same binding opens it). */
  seal(plaintext: string, binding: string): string;
  /** The plaintext, or why it cannot be had; never throws on bad input. */
  open(sealed: string, binding: string): Result<string, TokenCipherError>;
  /** True when `sealed` uses a previous key and should be written again with the current one. */
  isStale(sealed: string): boolean;
}

export interface TokenCipherError {
  code: 'TOKEN_UNREADABLE' | 'TOKEN_KEY_UNKNOWN';
  message: string;
}

/** TOKEN_ENCRYPTION_KEY and, during a rotation, TOKEN_ENCRYPTION_KEY_PREVIOUS (parse-env.ts). */
export interface TokenEncryption {
  key: Buffer;
  previous: Buffer[];
  /** The sandbox's public key (deriveSandboxTokenKey): protects nothing. */
  sandboxDefault: boolean;
}

/** The binding of an OAuth connection's row: its tokens open for that connection only. */
export function connectionBinding(connectionId: string): string {
  return `connection:${connectionId}`;
}

function fingerprintOf(key: Buffer): string {
  return createHash('sha256')
    .update('data-connectors token key:')
    .update(key)
    .digest()
    .subarray(0, 8)
    .toString('base64url');
}

/** `current` seals; `previous` keys only open what they sealed before a rotation. */
export function createTokenCipher(current: Buffer, previous: readonly Buffer[] = []): TokenCipher {
  for (const key of [current, ...previous]) {
    if (key.length !== KEY_BYTES) throw new Error('A token encryption key must be 32 bytes');
  }
  const currentId = fingerprintOf(current);
  const keys = new Map<string, Buffer>([
    ...previous.map((key) => [fingerprintOf(key), key] as [string, Buffer]),
    [currentId, current],
  ]);

  return {
    seal(plaintext, binding) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(binding, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'v1',
        currentId,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        ciphertext.toString('base64url'),
      ].join('.');
    },
    open(sealed, binding) {
      const parts = FORMAT.exec(sealed.trim());
      if (!parts) {
        return { ok: false, error: { code: 'TOKEN_UNREADABLE', message: 'not a sealed token' } };
      }
      const [, keyId, iv, tag, ciphertext] = parts as unknown as [
        string,
        string,
        string,
        string,
        string,
      ];
      const key = keys.get(keyId);
      if (!key) {
        return {
          ok: false,
          error: {
            code: 'TOKEN_KEY_UNKNOWN',
            message:
              'sealed with another TOKEN_ENCRYPTION_KEY (set the old one as TOKEN_ENCRYPTION_KEY_PREVIOUS)',
          },
        };
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(binding, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const plaintext = Buffer.concat([
          decipher.update(Buffer.from(ciphertext, 'base64url')),
          decipher.final(),
        ]);
        return { ok: true, value: plaintext.toString('utf8') };
      } catch {
        // GCM's tag did not verify: altered, truncated, or moved from another binding.
        return {
          ok: false,
          error: { code: 'TOKEN_UNREADABLE', message: 'the sealed token does not authenticate' },
        };
      }
    },
    isStale(sealed) {
      return FORMAT.exec(sealed.trim())?.[1] !== currentId;
    },
  };
}

/** The cipher of the environment's keys; undefined on a live server without TOKEN_ENCRYPTION_KEY. */
export function tokenCipherOf(encryption: TokenEncryption | undefined): TokenCipher | undefined {
  return encryption ? createTokenCipher(encryption.key, encryption.previous) : undefined;
}

/**
 * TOKEN_ENCRYPTION_KEY as the environment gives it: base64 (or base64url) of exactly 32 bytes.
 * Undefined with the reason when it is not.
 */
export function decodeTokenKey(text: string): Result<Buffer, string> {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    return { ok: false, error: 'not base64; generate one with `openssl rand -base64 32`' };
  }
  const key = Buffer.from(trimmed.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  if (key.length !== KEY_BYTES) {
    return {
      ok: false,
      error: `decodes to ${key.length} bytes, not 32; generate one with \`openssl rand -base64 32\``,
    };
  }
  return { ok: true, value: key };
}

/**
 * The sandbox's key when TOKEN_ENCRYPTION_KEY is not set: derived from a public constant, so it
 * protects nothing; the start banner and docs/security.md say so. A live server never uses it.
 */
export function deriveSandboxTokenKey(): Buffer {
  return createHash('sha256').update('data-connectors sandbox token key (public)').digest();
}
