import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { describeVerificationStoreContract } from '../storage/contracts/verification-store-contract';
import { openSqliteVerificationStore } from './sqlite-verification-store';
import type { VerificationStore } from './verification-store';

describeVerificationStoreContract('SQLite', async (now) =>
  openSqliteVerificationStore({ path: ':memory:', now }),
);

const ann = { ticketKey: 'zendesk:101', requesterEmail: 'ann@example.com' };
let dir: string | undefined;
const stores: VerificationStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function openInFolder(): { path: string; open(): VerificationStore } {
  dir = mkdtempSync(join(tmpdir(), 'verification-'));
  const path = join(dir, 'verification.sqlite');
  return {
    path,
    open: () => {
      const store = openSqliteVerificationStore({ path });
      stores.push(store);
      return store;
    },
  };
}

describe('the SQLite verification store on disk', () => {
  it('keeps its hashing key, codes and verified state across a restart', async () => {
    const file = openInFolder();
    const before = file.open();
    const codeHash = await before.hashCode(ann, '123456');
    await before.replaceCode(ann, { codeHash, expiresAt: Date.now() + 600_000 });
    await before.close();

    const after = file.open();
    expect((await after.hashCode(ann, '123456')).equals(codeHash)).toBe(true);
    const taken = await after.takeTry(ann, 3);
    expect(taken.state === 'try' && taken.codeHash.equals(codeHash)).toBe(true);
  });

  it('draws its own random hashing key, so another store cannot check its hashes', async () => {
    const one = openSqliteVerificationStore({ path: ':memory:' });
    const other = openSqliteVerificationStore({ path: ':memory:' });
    stores.push(one, other);
    expect((await one.hashCode(ann, '123456')).equals(await other.hashCode(ann, '123456'))).toBe(
      false,
    );
  });

  it('stores no code in clear, in a file only the server user may read', async () => {
    const file = openInFolder();
    const store = file.open();
    const codeHash = await store.hashCode(ann, '918273');
    await store.replaceCode(ann, { codeHash, expiresAt: Date.now() + 600_000 });
    await store.close();
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    expect(readFileSync(file.path).includes('918273')).toBe(false);
    const db = new Database(file.path, { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM verification_codes').all();
      expect(JSON.stringify(rows)).not.toContain('918273');
      expect(rows).toEqual([expect.objectContaining({ ticket_key: 'zendesk:101', tries_used: 0 })]);
    } finally {
      db.close();
    }
  });
});
