import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/**
 * A key the server draws for itself, shared by every instance on the database (server_secrets,
 * migration 10): the first instance's random bytes win the insert, and every instance reads
 * those, so what one instance signs the others accept.
 */
export async function readOrCreateServerSecret(pool: pg.Pool, name: string): Promise<Buffer> {
  await pool.query(
    'INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
    [name, randomBytes(32).toString('base64url')],
  );
  const row = (
    await pool.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [name])
  ).rows[0];
  const key = Buffer.from(row?.value ?? '', 'base64url');
  if (key.length < 32) throw new Error(`server_secrets holds no usable ${name}`);
  return key;
}
