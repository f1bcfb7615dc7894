import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeOAuthTokenStoreContract } from '../storage/contracts/oauth-token-store-contract';
import { openSqliteOAuthTokenStore } from './sqlite-oauth-token-store';

const dir = mkdtempSync(join(tmpdir(), 'dc-oauth-store-'));
let files = 0;
const nextPath = () => join(dir, `oauth-tokens-${++files}.sqlite`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeOAuthTokenStoreContract('SQLite', async () =>
  openSqliteOAuthTokenStore({ path: nextPath() }),
);

describe('the SQLite OAuth token store', () => {
  it('creates its file readable by its owner only', async () => {
    const path = nextPath();
    const store = openSqliteOAuthTokenStore({ path });
    await store.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
