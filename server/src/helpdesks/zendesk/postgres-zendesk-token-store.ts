import type pg from 'pg';
import type { TokenCipher } from '../../secrets/token-cipher';
import { describePostgresError } from '../../postgres/in-transaction';
import type { StoredZendeskTokens, ZendeskTokenStore } from './client/zendesk-oauth-refresh';
import { openSealedZendeskTokens, sealZendeskTokens } from './zendesk-token-store';

/** Its row in server_secrets (migration 10). */
const NAME = 'zendesk-oauth-tokens';

/**
 * The server's Zendesk OAuth tokens in PostgreSQL, sealed as in the file, for every instance.
 * Zendesk deletes a refresh token once it is used, so a refresh holds the row locked from reading
 * the stored token to storing the rotated one: a second instance waits, then finds the token
 * rotated and takes it instead of presenting the deleted one (which Zendesk would answer with
 * invalid_grant, and the instance would stop talking to Zendesk).
 */
export function createPostgresZendeskTokenStore(
  pool: pg.Pool,
  cipher: TokenCipher,
): ZendeskTokenStore {
  const read = (sealed: string | undefined) => {
    if (sealed === undefined) return { ok: true as const, value: undefined };
    const opened = openSealedZendeskTokens(sealed, cipher);
    return opened.ok
      ? opened
      : {
          ok: false as const,
          error: { message: `server_secrets ${NAME}: ${opened.error.message}` },
        };
  };
  const upsert = (client: pg.Pool | pg.PoolClient, tokens: StoredZendeskTokens) =>
    client.query(
      `INSERT INTO server_secrets (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [NAME, sealZendeskTokens(tokens, cipher)],
    );

  return {
    async load() {
      try {
        const row = (
          await pool.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [
            NAME,
          ])
        ).rows[0];
        const loaded = read(row && row.value !== '' ? row.value : undefined);
        if (loaded.ok && loaded.value && row && cipher.isStale(row.value)) {
          // Sealed with the previous key: sealed again with the current one, unless another
          // instance changed the row meanwhile (compare-and-set on the sealed text).
          await pool.query(
            'UPDATE server_secrets SET value = $1, updated_at = now() WHERE name = $2 AND value = $3',
            [sealZendeskTokens(loaded.value, cipher), NAME, row.value],
          );
        }
        return loaded;
      } catch (error) {
        return { ok: false, error: { message: describePostgresError(error) } };
      }
    },
    async save(tokens) {
      try {
        await upsert(pool, tokens);
        return { ok: true, value: undefined };
      } catch (error) {
        return { ok: false, error: { message: describePostgresError(error) } };
      }
    },
    async refreshExclusively(refresh) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        return { ok: false, error: { message: describePostgresError(error) } };
      }
      try {
        await client.query('BEGIN');
        // A row to lock even before the first refresh stored anything.
        await client.query(
          `INSERT INTO server_secrets (name, value) VALUES ($1, '') ON CONFLICT (name) DO NOTHING`,
          [NAME],
        );
        const row = (
          await client.query<{ value: string }>(
            'SELECT value FROM server_secrets WHERE name = $1 FOR UPDATE',
            [NAME],
          )
        ).rows[0];
        const stored = read(row?.value === '' ? undefined : row?.value);
        // A row that does not open (another key, damaged) is not a rotation to take over.
        const done = await refresh(stored.ok ? stored.value : undefined);
        if (done.store) await upsert(client, done.store);
        await client.query('COMMIT');
        return { ok: true, value: done.value };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        return { ok: false, error: { message: describePostgresError(error) } };
      } finally {
        client.release();
      }
    },
  };
}
