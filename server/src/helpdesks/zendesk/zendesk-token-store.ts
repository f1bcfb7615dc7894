import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import type { Result } from '../../../../shared/src/result';
import type { TokenCipher } from '../../secrets/token-cipher';
import type { StoredZendeskTokens, ZendeskTokenStore } from './client/zendesk-oauth-refresh';

/**
 * Bound into the encryption (the cipher's binding), so this file's content cannot be passed off
 * as another secret, such as an OAuth connection's row in oauth-tokens.sqlite.
 */
const BINDING = 'zendesk-oauth-tokens';
export const ZENDESK_TOKEN_FILE = 'zendesk-oauth-tokens.sealed';

const storedTokensSchema = z.strictObject({
  seed: z.string().regex(/^[0-9a-f]{64}$/),
  refreshToken: z.string().min(1),
  accessToken: z.string().min(1).optional(),
  accessExpiresAtMs: z.number().optional(),
});

/** The stored tokens from their sealed text, checked: sealed for this purpose, and the expected record. */
export function openSealedZendeskTokens(
  sealed: string,
  cipher: TokenCipher,
): Result<StoredZendeskTokens, { message: string }> {
  const opened = cipher.open(sealed, BINDING);
  if (!opened.ok) return { ok: false, error: { message: opened.error.message } };
  let json: unknown;
  try {
    json = JSON.parse(opened.value);
  } catch {
    return { ok: false, error: { message: 'not JSON once decrypted' } };
  }
  const parsed = storedTokensSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: { message: 'not the expected token record' } };
  return { ok: true, value: parsed.data as StoredZendeskTokens };
}

export function sealZendeskTokens(tokens: StoredZendeskTokens, cipher: TokenCipher): string {
  return cipher.seal(JSON.stringify(tokens), BINDING);
}

/**
 * The server's Zendesk OAuth tokens in `DATA_DIR/zendesk-oauth-tokens.sealed`, sealed with the
 * TOKEN_ENCRYPTION_KEY cipher (secrets/token-cipher.ts) like the OAuth connections' tokens. A file
 * sealed with TOKEN_ENCRYPTION_KEY_PREVIOUS still opens and is sealed again with the new key.
 */
export function createSealedZendeskTokenStore(
  dataDir: string,
  cipher: TokenCipher,
): ZendeskTokenStore {
  const path = join(dataDir, ZENDESK_TOKEN_FILE);

  function write(plaintext: string): void {
    // Through a temporary file and a rename, so a crash mid-write leaves the previous file whole:
    // losing a rotated refresh token locks the server out of Zendesk.
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${cipher.seal(plaintext, BINDING)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
  }

  return {
    load() {
      let sealed: string;
      try {
        sealed = readFileSync(path, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return { ok: true, value: undefined };
        return { ok: false, error: { message: `cannot read ${path} (${code ?? 'error'})` } };
      }
      const opened = openSealedZendeskTokens(sealed, cipher);
      if (!opened.ok) return { ok: false, error: { message: `${path}: ${opened.error.message}` } };
      if (cipher.isStale(sealed)) {
        // Sealed with the previous key: seal it with the current one, so the previous key can go.
        // A failure here changes nothing: the file still opens with the previous key.
        try {
          write(JSON.stringify(opened.value));
        } catch {
          // (kept as it was)
        }
      }
      return opened;
    },
    save(tokens) {
      try {
        write(JSON.stringify(tokens));
        return { ok: true, value: undefined };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return { ok: false, error: { message: `cannot write ${path} (${code})` } };
      }
    },
  };
}
