import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeIdempotencyStoreContract } from '../storage/contracts/idempotency-store-contract';
import { openSqliteIdempotencyStore } from './sqlite-idempotency-store';
import type { IdempotencyStore } from './idempotency-store';

describeIdempotencyStoreContract('SQLite', async (now) =>
  openSqliteIdempotencyStore({ path: ':memory:', now }),
);

let store: IdempotencyStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('the SQLite idempotency store after a restart', () => {
  it('after a crash, frees keys that sent nothing, never those that sent, and keeps finished ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idempotency-'));
    const path = join(dir, 'keys.sqlite');
    try {
      const before = openSqliteIdempotencyStore({ path });
      await before.begin('admin', 'died-mid-run', 'fp');
      await before.begin('admin', 'died-after-sending', 'fp');
      await before.markSent('admin', 'died-after-sending', 'run_sent');
      await before.begin('admin', 'finished', 'fp');
      await before.complete('admin', 'finished', { runId: 'r1' });
      await before.close();

      store = openSqliteIdempotencyStore({ path });
      expect(await store.begin('admin', 'died-mid-run', 'fp')).toEqual({ state: 'new' });
      expect(await store.begin('admin', 'died-after-sending', 'fp')).toEqual({
        state: 'unknown',
        runId: 'run_sent',
      });
      expect(await store.begin('admin', 'finished', 'fp')).toEqual({
        state: 'done',
        result: { runId: 'r1' },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
