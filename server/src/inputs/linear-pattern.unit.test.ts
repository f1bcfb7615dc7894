import { describe, expect, it } from 'vitest';
import { compileLinearPattern, isSafeForBacktracking } from './linear-pattern';

describe('input patterns on the server', () => {
  it('answer a pattern that makes a backtracking engine hang, on a long hostile value', () => {
    const compiled = compileLinearPattern('^(a+)+$');
    if (!compiled.ok) throw new Error(compiled.error.message);
    // JavaScript's RegExp would not finish this within the test's life (2^10000 paths).
    expect(compiled.value.test(`${'a'.repeat(10_000)}!`)).toBe(false);
    expect(compiled.value.test('aaaa')).toBe(true);
  });

  it('match anywhere unless anchored, like RegExp.test, with Unicode classes', () => {
    const digits = compileLinearPattern('[0-9]{3}');
    const letters = compileLinearPattern('^\\p{L}+$');
    if (!digits.ok || !letters.ok) throw new Error('compile');
    expect(digits.value.test('order 1001')).toBe(true);
    expect(letters.value.test('héllo')).toBe(true);
    expect(letters.value.test('héllo1')).toBe(false);
  });

  it.each([
    ['(?=x)', 'lookahead'],
    ['(a)\\1', 'backreference'],
    ['(', 'an unclosed group'],
  ])('refuse %s (%s) with the reason', (source) => {
    expect(compileLinearPattern(source)).toMatchObject({
      ok: false,
      error: { message: expect.any(String) },
    });
  });
});

describe('patterns a browser may run', () => {
  it.each([
    '^#?[0-9]{1,12}$',
    '^[A-Z]{2,5}-\\d+$',
    '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$',
    '^(ORD|INV)-[0-9]+$',
    '^(\\+\\d{1,3})?\\d{6,12}$',
    '[(+*)]+',
  ])('keeps %s', (source) => {
    expect(isSafeForBacktracking(source)).toBe(true);
  });

  it.each([
    '^(a+)+$',
    '(a|aa)*',
    '^(\\d+-?)+$',
    '(x*){2,}',
    '((a)+b)*',
    '^([a-z]+\\.)*x$',
    '^\\d*\\d*\\d*\\d*$',
  ])('keeps %s from the browsers (repetition inside repetition)', (source) => {
    expect(isSafeForBacktracking(source)).toBe(false);
  });
});
