import { describe, expect, it } from 'vitest';
import { divideLimit } from './divide-limit';

describe('divideLimit', () => {
  it('gives each instance its share, rounded down, never below one', () => {
    expect(divideLimit(10, 1)).toBe(10);
    expect(divideLimit(10, 2)).toBe(5);
    expect(divideLimit(10, 3)).toBe(3);
    expect(divideLimit(2, 3)).toBe(1);
  });
});
