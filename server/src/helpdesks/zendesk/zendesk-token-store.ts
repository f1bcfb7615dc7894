import { join } from 'node:path';
import * as z from 'zod';
import { readSealedFile, writeSealedFile } from '../../secrets/encrypt-at-rest';
import type { EncryptionKey } from '../../secrets/encrypt-at-rest';
import type { StoredZendeskTokens, ZendeskTokenStore } from './client/zendesk-oauth-refresh';

/** Bound into the encryption, so this file's content cannot be passed off as another secret. */
const PURPOSE = 'zendesk-oauth-tokens';
export const ZENDESK_TOKEN_FILE = 'zendesk-oauth-tokens.sealed';

const storedTokensSchema = z.strictObject({
  seed: z.string().regex(/^[0-9a-f]{64}$/),
  refreshToken: z.string().min(1),
  accessToken: z.string().min(1).optional(),
  accessExpiresAtMs: z.number().optional(),
});

/** The server's Zendesk OAuth tokens, AES-256-GCM encrypted in the data folder. */
export function createSealedZendeskTokenStore(
  dataDir: string,
  key: EncryptionKey,
): ZendeskTokenStore {
  const path = join(dataDir, ZENDESK_TOKEN_FILE);
  return {
    load() {
      const read = readSealedFile(path, key, PURPOSE);
      if (!read.ok) return read;
      if (read.value === undefined) return { ok: true, value: undefined };
      let json: unknown;
      try {
        json = JSON.parse(read.value);
      } catch {
        return { ok: false, error: { message: `${path}: not JSON once decrypted` } };
      }
      const parsed = storedTokensSchema.safeParse(json);
      return parsed.success
        ? { ok: true, value: parsed.data as StoredZendeskTokens }
        : { ok: false, error: { message: `${path}: not the expected token record` } };
    },
    save(tokens) {
      try {
        writeSealedFile(path, key, PURPOSE, JSON.stringify(tokens));
        return { ok: true, value: undefined };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return { ok: false, error: { message: `cannot write ${path} (${code})` } };
      }
    },
  };
}
