import { describe, expect, it } from 'vitest';
import { locateJmesPathError, pointAtJmesPathError } from './locate-jmespath-error';

describe('locateJmesPathError', () => {
  it.each([
    // The token the parser could not take, even when the same token appears earlier.
    ['a..b', 2],
    ['orders[0].name..x', 15],
    ['length(orders) = 0', 17],
    // A lexer error: the character that starts it.
    ['fields."status.name', 7],
    ['a.b # c', 4],
    // An expression that stops too soon: just past its end.
    ['foo[?bar ==', 11],
    ['foo[0].bar[', 11],
  ])('finds the mistake in %s at index %i', (expression, index) => {
    expect(locateJmesPathError(expression)).toBe(index);
  });

  it('puts a caret under it', () => {
    expect(pointAtJmesPathError('a..b')).toBe('a..b\n  ^ at character 3');
  });
});
