import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestSchema, TEST_DATABASE_URL } from '../../test-support/postgres-test-schema';
import type { TestSchema } from '../../test-support/postgres-test-schema';
import { createPostgresPool } from './connect-postgres';
import { runMigrations } from './run-migrations';
import type { Migration } from './migrations/migrations';

const schemas: TestSchema[] = [];
const pools: pg.Pool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.end();
  for (const schema of schemas.splice(0)) await schema.drop();
});

async function freshSchema(): Promise<TestSchema> {
  // A schema made and migrated by the helper, then emptied, to test the runner from zero.
  const made = await createTestSchema('mig');
  schemas.push(made);
  await made.pool.query(`DROP SCHEMA ${made.schema} CASCADE`);
  return made;
}

function poolOn(schema: string): pg.Pool {
  const pool = createPostgresPool({ url: TEST_DATABASE_URL, schema, max: 2 });
  pools.push(pool);
  return pool;
}

const first: Migration = { version: 1, name: 'one', sql: 'CREATE TABLE one (id int)' };
const second: Migration = {
  version: 2,
  name: 'two',
  sql: 'CREATE TABLE two (id int); INSERT INTO two VALUES (1)',
};

describe('runMigrations', () => {
  it('applies each migration once, in order, also when five instances start together', async () => {
    const { schema } = await freshSchema();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => runMigrations(poolOn(schema), schema, [first, second])),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    const applied = results.flatMap((result) => (result.ok ? result.value.applied : []));
    expect(applied).toEqual(['1 one', '2 two']);
    const pool = poolOn(schema);
    expect((await pool.query('SELECT count(*)::int AS n FROM two')).rows[0]).toEqual({ n: 1 });
    const again = await runMigrations(pool, schema, [first, second]);
    expect(again).toEqual({ ok: true, value: { applied: [], current: 2 } });
  });

  it('refuses a database a newer server migrated, and an applied migration whose SQL changed', async () => {
    const { schema } = await freshSchema();
    const pool = poolOn(schema);
    expect((await runMigrations(pool, schema, [first, second])).ok).toBe(true);
    const older = await runMigrations(pool, schema, [first]);
    expect(older.ok ? undefined : older.error).toMatchObject({
      code: 'DATABASE_TOO_NEW',
      message: expect.stringContaining('migration 2 (two)'),
    });
    const edited = await runMigrations(pool, schema, [
      first,
      { ...second, sql: 'CREATE TABLE two (id bigint)' },
    ]);
    expect(edited.ok ? undefined : edited.error.code).toBe('MIGRATION_CHANGED');
  });

  it('rolls a failing migration back whole and says which schema', async () => {
    const { schema } = await freshSchema();
    const pool = poolOn(schema);
    const broken: Migration = {
      version: 2,
      name: 'broken',
      sql: 'CREATE TABLE x (id int); SELECT nope',
    };
    const result = await runMigrations(pool, schema, [first, broken]);
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining(`schema "${schema}" failed: column "nope" does not exist`),
    });
    // Nothing of the failed run stayed, not even migration 1 or the bookkeeping table.
    const tables = await pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
      [schema],
    );
    expect(tables.rows).toEqual([]);
  });

  it('says it cannot connect, with the database error', async () => {
    const pool = createPostgresPool({ url: 'postgres://nobody@127.0.0.1:1/none', schema: 'x' });
    pools.push(pool);
    const result = await runMigrations(pool, 'x', [first]);
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining('Could not connect to PostgreSQL: connect ECONNREFUSED'),
    });
  });
});
