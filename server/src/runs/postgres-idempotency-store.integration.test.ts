import { afterEach, describe, expect, it } from 'vitest';
import { describeIdempotencyStoreContract } from '../storage/contracts/idempotency-store-contract';
import { createTestSchema } from '../test-support/postgres-test-schema';
import type { TestSchema } from '../test-support/postgres-test-schema';
import { openOnTestSchema } from '../test-support/open-on-test-schema';
import { openPostgresIdempotencyStore } from './postgres-idempotency-store';

describeIdempotencyStoreContract('PostgreSQL', (now) =>
  openOnTestSchema(({ pool }) => openPostgresIdempotencyStore({ pool, now }), 'idempotency'),
);

let shared: TestSchema | undefined;
afterEach(async () => {
  await shared?.drop();
  shared = undefined;
});

describe('the PostgreSQL idempotency store across instances', () => {
  it('gives "new" to exactly one of two instances beginning the same key together', async () => {
    shared = await createTestSchema('idempotency');
    const one = openPostgresIdempotencyStore({ pool: shared.pool });
    const other = openPostgresIdempotencyStore({ pool: shared.pool });
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const key = `double-click-${attempt}`;
      const results = await Promise.all([
        one.begin('admin', key, 'fp'),
        other.begin('admin', key, 'fp'),
      ]);
      expect(results.map((result) => result.state).sort()).toEqual(['in_progress', 'new']);
    }
  });

  it('gives "new" to exactly one of two instances taking over a key stuck in progress', async () => {
    shared = await createTestSchema('idempotency');
    let clock = Date.UTC(2026, 0, 1);
    const one = openPostgresIdempotencyStore({ pool: shared.pool, now: () => clock });
    const other = openPostgresIdempotencyStore({ pool: shared.pool, now: () => clock });
    await one.begin('admin', 'stuck', 'fp');
    clock += 6 * 60 * 1000;
    const results = await Promise.all([
      one.begin('admin', 'stuck', 'fp'),
      other.begin('admin', 'stuck', 'fp'),
    ]);
    expect(results.map((result) => result.state).sort()).toEqual(['in_progress', 'new']);
  });

  it('replays on one instance the result another completed', async () => {
    shared = await createTestSchema('idempotency');
    const one = openPostgresIdempotencyStore({ pool: shared.pool });
    const other = openPostgresIdempotencyStore({ pool: shared.pool });
    await one.begin('admin', 'k', 'fp');
    await one.markSent('admin', 'k', 'run_1');
    expect(await other.begin('admin', 'k', 'fp')).toEqual({ state: 'in_progress' });
    await one.complete('admin', 'k', { runId: 'run_1' });
    expect(await other.begin('admin', 'k', 'fp')).toEqual({
      state: 'done',
      result: { runId: 'run_1' },
    });
  });
});
