import { describe, expect, it } from 'vitest';
import { checkSoql } from './check-soql';

describe('checkSoql', () => {
  it('accepts a SELECT of Id from an object the connector applies to', () => {
    expect(checkSoql(" select Id, Subject from case where Status = 'New' ", ['Case'])).toEqual({
      ok: true,
      value: { soql: "select Id, Subject from case where Status = 'New'", objectType: 'Case' },
    });
  });

  it.each([
    ['DELETE FROM Case', 'Only a SELECT'],
    ['SELECT Subject FROM Case', 'must select Id'],
    ['SELECT Id FROM Account', 'runs on Case'],
    ['SELECT Id FROM Case; SELECT Id FROM Case', 'one statement'],
    ['SELECT Id FROM Case FOR UPDATE', 'FOR UPDATE'],
    ['SELECT COUNT() FROM Case', 'Only a SELECT'],
  ])('refuses %s', (soql, message) => {
    const checked = checkSoql(soql, ['Case']);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.error).toContain(message);
  });
});
