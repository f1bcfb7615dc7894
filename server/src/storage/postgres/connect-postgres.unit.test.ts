import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../postgres/is-database-unavailable';
import { databasePasswordOf } from './database-password';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('is true for a database that cannot be reached, and false for a bug in a query', () => {
    expect(
      isDatabaseUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        withCode('terminating connection due to administrator command', '57P01'),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(withCode('the database system is starting up', '57P03'))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(withCode('connection failure', '08006'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('column "x" does not exist', '42703'))).toBe(false);
    expect(isDatabaseUnavailable(withCode('duplicate key value', '23505'))).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});

describe('databasePasswordOf', () => {
  it('gives the decoded password of DATABASE_URL, for the redactor', () => {
    expect(databasePasswordOf({ database: { url: 'postgres://app:p%40ss@db:5432/x' } })).toBe(
      'p@ss',
    );
    expect(databasePasswordOf({ database: { url: 'postgres://app@db/x' } })).toBeUndefined();
    expect(databasePasswordOf({})).toBeUndefined();
  });
});
