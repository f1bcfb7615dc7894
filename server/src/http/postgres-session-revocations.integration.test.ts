import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSchema } from '../test-support/postgres-test-schema';
import type { TestSchema } from '../test-support/postgres-test-schema';
import { createConsoleSessions } from './console-sessions';
import { createPostgresSessionRevocations } from './postgres-session-revocations';

let database: TestSchema;
beforeEach(async () => {
  database = await createTestSchema('revocations');
});
afterEach(() => database.drop());

const adminToken = 'a'.repeat(32);

describe('console sign-outs on PostgreSQL', () => {
  it('hold on every instance, not only the one that signed out', async () => {
    const instance = () =>
      createConsoleSessions({
        adminToken,
        revocations: createPostgresSessionRevocations(database.pool),
      });
    const one = instance();
    const other = instance();
    const issued = await one.issue('console');
    expect((await other.verify(issued.token)).ok).toBe(true);

    await one.revoke(issued.session);

    expect(await other.verify(issued.token)).toEqual({
      ok: false,
      error: { code: 'SESSION_EXPIRED', reason: 'signed out' },
    });
    expect((await one.verify((await one.issue('console')).token)).ok).toBe(true);
  });

  it('are forgotten once the session would have expired anyway', async () => {
    let now = Date.UTC(2026, 0, 1, 9);
    const sessions = createConsoleSessions({
      adminToken,
      now: () => now,
      revocations: createPostgresSessionRevocations(database.pool),
    });
    await sessions.revoke((await sessions.issue('console')).session);
    now += 9 * 60 * 60 * 1000;
    await sessions.revoke((await sessions.issue('console')).session);
    const rows = await database.pool.query('SELECT * FROM console_session_revocations');
    expect(rows.rowCount).toBe(1);
  });
});
